package main

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// TestAgentsInit: agents init writes the files and the server entry, a
// second run changes nothing, and a broken .mcp.json is an input error
// before anything is written.
func TestAgentsInit(t *testing.T) {
	root := t.TempDir()
	res := run(t, invocation{args: []string{"agents", "init", root}})
	if res.code != 0 || strings.Count(res.stdout, "wrote ") != 4 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, invocation{args: []string{"agents", "init", root}})
	if res.code != 0 || strings.Count(res.stdout, "unchanged ") != 4 || strings.Contains(res.stdout, "wrote") {
		t.Errorf("second run: exit %d\n%s", res.code, res.stdout)
	}

	broken := t.TempDir()
	if err := os.WriteFile(filepath.Join(broken, ".mcp.json"), []byte(`{"mcpServers": `), 0o644); err != nil {
		t.Fatal(err)
	}
	res = run(t, invocation{args: []string{"agents", "init", broken, "--force"}})
	if res.code != 2 || !strings.Contains(res.stderr, ".mcp.json:1:16: ") {
		t.Errorf("broken .mcp.json: exit %d, stderr %q", res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(broken, ".claude")); err == nil {
		t.Errorf("files were written next to a broken .mcp.json")
	}
}

// TestAgentFilesNameServedTools: every portguard tool an agent or command
// file names is a tool of portguard mcp.
func TestAgentFilesNameServedTools(t *testing.T) {
	root := t.TempDir()
	if res := run(t, invocation{args: []string{"agents", "init", root}}); res.code != 0 {
		t.Fatal(res.stderr)
	}
	s := mcpSession(t, root)
	list, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var served []string
	for _, tool := range list.Tools {
		served = append(served, tool.Name)
	}
	named := regexp.MustCompile(`mcp__portguard__([a-z_]+)`)
	for _, f := range []string{".claude/agents/database-port-guardian.md", ".claude/agents/docker-health-optimizer.md", ".claude/commands/protect-databases.md"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range named.FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(served, m[1]) {
				t.Errorf("%s names the tool %s, which portguard mcp does not serve", f, m[1])
			}
		}
		// The tool lists of the bodies: "- `check` (`path`, ...): ...".
		for _, m := range regexp.MustCompile("(?m)^- `([a-z_]+)` \\(").FindAllStringSubmatch(string(b), -1) {
			if !slices.Contains(served, m[1]) {
				t.Errorf("%s lists the tool %s, which portguard mcp does not serve", f, m[1])
			}
		}
	}
}
