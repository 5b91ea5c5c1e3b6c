package main

// End-to-end tests of conflict_scope and exclude: a repository of
// independent samples, read as projects of their own or as one host, with
// paths left out by the configuration or by --exclude.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

func TestScopeAndExclude(t *testing.T) {
	root := fixture("independent-samples")
	host := filepath.Join(root, "host-scope.yaml")
	const (
		table    = "PORTS-CONVENTION.md"
		postgres = "samples/postgres/compose.yaml"
		mysql    = "samples/mysql/compose.yaml"
		legacy   = "samples/legacy/compose.yaml"
	)
	runCheckCases(t, []checkCase{
		// conflict_scope: project, exclude: [legacy]
		{name: "projects of their own", path: root, exit: 0},
		{name: "one host", path: root, args: []string{"--config", host}, exit: 1, findings: []want{
			{"DBP504", table, 8, "mysql"},
			{"DBP401", postgres, 5, "postgres"},
			{"DBP402", postgres, 5, "postgres"},
			{"DBP401", mysql, 5, "mysql"},
			{"DBP402", mysql, 5, "mysql"},
			{"DBP101", legacy, 5, "db"},
			{"DBP201", legacy, 5, "db"},
		}},
		// The row of an excluded service documents nothing that exists.
		{name: "--exclude", path: root, args: []string{"--config", host, "--exclude", "samples/mysql", "--exclude", "**/legacy"}, exit: 1, findings: []want{
			{"DBP503", table, 8, "mysql"},
			{"DBP504", table, 8, "mysql"},
		}},
	})

	res := run(t, invocation{args: []string{"check", root, "--exclude", "samples/[a-"}})
	if res.code != 2 || !strings.Contains(res.stderr, `--exclude: "samples/[a-" is not a valid glob`) {
		t.Errorf("a bad --exclude: exit %d, stderr %q", res.code, res.stderr)
	}
	dir := t.TempDir()
	treetest.Copy(t, root, dir)
	if err := os.WriteFile(filepath.Join(dir, ".portguard.yaml"), []byte("conflict_scope: project\nexclude:\n  - legacy\n  - \"[\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	res = run(t, invocation{args: []string{"check", dir}})
	if res.code != 2 || !strings.Contains(res.stderr, `.portguard.yaml:4: exclude: "[" is not a valid glob`) {
		t.Errorf("a bad exclude: pattern: exit %d, stderr %q", res.code, res.stderr)
	}
}
