package agents

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

func stepLines(steps []Step, root string) string {
	var b strings.Builder
	for _, s := range steps {
		b.WriteString(strings.ReplaceAll(s.String(), root, "ROOT") + "\n")
	}
	return b.String()
}

// TestInitGolden: what agents init writes into an empty directory, and what
// it says, are the golden files of testdata/golden/init (refresh with go
// test ./internal/agents -update).
func TestInitGolden(t *testing.T) {
	root := t.TempDir()
	steps, err := Init(root, false)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden", "init")
	stepsFile := filepath.Join("testdata", "golden", "init-steps.txt")
	got := treetest.Read(t, root)
	if *update {
		os.RemoveAll(golden)
		treetest.Write(t, golden, got)
		if err := os.WriteFile(stepsFile, []byte(stepLines(steps, root)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := treetest.Read(t, golden)
	for p, data := range want {
		if got[p] != data {
			t.Errorf("%s differs from its golden file (go test ./internal/agents -update refreshes it):\n%s", p, got[p])
		}
	}
	for p := range got {
		if _, ok := want[p]; !ok {
			t.Errorf("%s is written but has no golden file", p)
		}
	}
	wantSteps, _ := os.ReadFile(stepsFile)
	if s := stepLines(steps, root); s != string(wantSteps) {
		t.Errorf("steps:\n%s\nwant:\n%s", s, wantSteps)
	}
	for p := range got {
		st, _ := os.Stat(filepath.Join(root, p))
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s: mode %v", p, st.Mode())
		}
	}
}

// TestInitTwice: the second run writes nothing and says so.
func TestInitTwice(t *testing.T) {
	root := t.TempDir()
	if _, err := Init(root, false); err != nil {
		t.Fatal(err)
	}
	before := treetest.Read(t, root)
	times := map[string]int64{}
	for p := range before {
		st, _ := os.Stat(filepath.Join(root, p))
		times[p] = st.ModTime().UnixNano()
	}
	for _, force := range []bool{false, true} {
		steps, err := Init(root, force)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range steps {
			if s.Did != "unchanged" {
				t.Errorf("force %v: %s", force, s)
			}
		}
		after := treetest.Read(t, root)
		for p, data := range before {
			st, _ := os.Stat(filepath.Join(root, p))
			if after[p] != data || st.ModTime().UnixNano() != times[p] {
				t.Errorf("force %v: %s was rewritten", force, p)
			}
		}
		if len(after) != len(before) {
			t.Errorf("force %v: %d files, then %d", force, len(before), len(after))
		}
	}
}

// TestInitExistingFiles: an existing .mcp.json keeps its other servers and
// its permissions; an agent file that differs is kept unless force.
func TestInitExistingFiles(t *testing.T) {
	root := t.TempDir()
	mcpJSON := filepath.Join(root, ".mcp.json")
	old := `{"mcpServers": {"db": {"command": "db-mcp", "env": {"DSN": "${DSN}"}}}}`
	if err := os.WriteFile(mcpJSON, []byte(old), 0o600); err != nil {
		t.Fatal(err)
	}
	mine := filepath.Join(root, ".claude", "agents", "database-port-guardian.md")
	if err := os.MkdirAll(filepath.Dir(mine), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(mine, []byte("my own guardian\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	steps, err := Init(root, false)
	if err != nil {
		t.Fatal(err)
	}
	did := map[string]string{}
	for _, s := range steps {
		rel, _ := filepath.Rel(root, s.Path)
		did[filepath.ToSlash(rel)] = s.Did
	}
	if did[".mcp.json"] != "added" || did[".claude/agents/database-port-guardian.md"] != "kept" || did[".claude/agents/docker-health-optimizer.md"] != "wrote" {
		t.Errorf("steps %v", did)
	}
	var cfg struct {
		Servers map[string]struct {
			Command string            `json:"command"`
			Env     map[string]string `json:"env"`
		} `json:"mcpServers"`
	}
	b, _ := os.ReadFile(mcpJSON)
	if err := json.Unmarshal(b, &cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Servers["db"].Command != "db-mcp" || cfg.Servers["db"].Env["DSN"] != "${DSN}" || cfg.Servers["portguard"].Command != "portguard" {
		t.Errorf(".mcp.json:\n%s", b)
	}
	if st, _ := os.Stat(mcpJSON); st.Mode().Perm() != 0o600 {
		t.Errorf(".mcp.json mode %v, want 0600 kept", st.Mode())
	}
	if b, _ := os.ReadFile(mine); string(b) != "my own guardian\n" {
		t.Errorf("the existing agent file was overwritten without force")
	}
	steps, err = Init(root, true)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(mine); strings.Contains(string(b), "my own") {
		t.Errorf("force did not overwrite the agent file")
	}
	for _, s := range steps {
		if want := map[bool]string{true: "overwrote", false: "unchanged"}[strings.HasSuffix(s.Path, "database-port-guardian.md")]; s.Did != want {
			t.Errorf("with force: %s, want %s", s, want)
		}
	}
}

// TestInitBrokenConfig: a .mcp.json that is not JSON stops Init, named with
// its line and column, before anything is written.
func TestInitBrokenConfig(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, ".mcp.json"), []byte("{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"a\"},\n  }\n}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Init(root, true)
	if err == nil || !strings.Contains(err.Error(), ".mcp.json:4:3: ") {
		t.Fatalf("err = %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, ".claude")); err == nil {
		t.Errorf(".claude was written")
	}
	if _, err := Init(filepath.Join(root, ".mcp.json"), false); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Errorf("a file as root: %v", err)
	}
}
