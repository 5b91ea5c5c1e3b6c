package main

// Secrets (issue 7): a canary in the root .env, in environment: (map and
// list forms, inside URLs with user:password@host), in labels, in an
// env_file, in a broken .env line and in broken compose values must appear
// in no output: no --format, no --output file, not `input`, not `rules`,
// no error message, no file that fix or docs write, no suggestion.

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// canaryFold is the canary as searched: case-insensitively, since a
// project or volume name would be lowercased on its way to the output.
var canaryFold = strings.ToLower(canary)

// secretFixtures hold the canary; each channel runs on a fresh copy.
var secretFixtures = []string{"secrets-redacted", "secret-in-broken-env", "secret-in-broken-compose"}

// secretChannels are the commands that print or write something derived
// from a repository. out is a directory outside the copy for --output and
// --map files.
var secretChannels = []struct {
	name string
	args func(root, out string) []string
}{
	{"check text", func(root, out string) []string { return []string{"check", root} }},
	{"check json", func(root, out string) []string { return []string{"check", root, "--format", "json"} }},
	{"check sarif", func(root, out string) []string { return []string{"check", root, "--format", "sarif"} }},
	{"check junit", func(root, out string) []string { return []string{"check", root, "--format", "junit"} }},
	{"check github", func(root, out string) []string { return []string{"check", root, "--format", "github"} }},
	{"check --output every format", func(root, out string) []string {
		args := []string{"check", root}
		for _, f := range []string{"text", "json", "sarif", "junit", "github"} {
			args = append(args, "--format", f, "--output", filepath.Join(out, "report."+f))
		}
		return args
	}},
	{"check --keep-going --show-suppressed", func(root, out string) []string {
		return []string{"check", root, "--keep-going", "--show-suppressed"}
	}},
	{"input", func(root, out string) []string { return []string{"input", root} }},
	{"fix --dry-run", func(root, out string) []string { return []string{"fix", root, "--dry-run"} }},
	{"fix --diff", func(root, out string) []string { return []string{"fix", root, "--diff"} }},
	{"fix", func(root, out string) []string { return []string{"fix", root} }},
	{"docs", func(root, out string) []string { return []string{"docs", root} }},
	{"docs --check", func(root, out string) []string { return []string{"docs", root, "--check"} }},
	{"docs --map", func(root, out string) []string {
		return []string{"docs", root, "--map", filepath.Join(out, "ports.svg")}
	}},
	{"suggest", func(root, out string) []string { return []string{"suggest", root} }},
	{"suggest json", func(root, out string) []string { return []string{"suggest", root, "--format", "json", "--count", "3"} }},
	{"suggest --backup-of", func(root, out string) []string { return []string{"suggest", root, "--backup-of", "postgres"} }},
}

func TestCanaryInNoOutput(t *testing.T) {
	for _, fx := range secretFixtures {
		for _, ch := range secretChannels {
			t.Run(fx+"/"+ch.name, func(t *testing.T) {
				t.Parallel()
				root := filepath.Join(t.TempDir(), fx)
				treetest.Copy(t, fixture(fx), root)
				out := t.TempDir()
				before := canaryCounts(t, root)
				args := ch.args(root, out)
				res := run(t, invocation{args: args})
				if res.code > 3 {
					t.Errorf("portguard %s: exit %d\nstderr:\n%s", strings.Join(args, " "), res.code, res.stderr)
				}
				assertNoCanary(t, "stdout", res.stdout)
				assertNoCanary(t, "stderr", res.stderr)
				// What the command wrote: no file gains the canary, and
				// nothing written outside the copy holds it.
				for file, n := range canaryCounts(t, root) {
					if n > before[file] {
						t.Errorf("%s now holds the canary %d times, %d before", file, n, before[file])
					}
				}
				for file, n := range canaryCounts(t, out) {
					if n > 0 {
						t.Errorf("the written %s holds the canary", file)
					}
				}
			})
		}
	}
}

// TestCanaryNotInCatalog: the commands that read no repository.
func TestCanaryNotInCatalog(t *testing.T) {
	for _, args := range [][]string{{"rules"}, {"rules", "--format", "json"}, {"rules", "--format", "markdown"}, {"version"}} {
		res := run(t, invocation{args: args, env: []string{"SECRET_TOKEN=" + canary}})
		assertNoCanary(t, strings.Join(args, " ")+" stdout", res.stdout)
		assertNoCanary(t, strings.Join(args, " ")+" stderr", res.stderr)
	}
}

func assertNoCanary(t *testing.T, where, s string) {
	t.Helper()
	if strings.Contains(strings.ToLower(s), canaryFold) {
		t.Errorf("%s holds the canary:\n%s", where, excerpt(strings.ToLower(s), canaryFold))
	}
}

// canaryCounts maps each file under dir to the times it holds the canary.
func canaryCounts(t *testing.T, dir string) map[string]int {
	t.Helper()
	counts := map[string]int{}
	for rel, data := range treetest.Read(t, dir) {
		counts[filepath.FromSlash(rel)] = strings.Count(strings.ToLower(data), canaryFold)
	}
	return counts
}
