package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestDocsRulesIsUpToDate keeps docs/rules.md, the rule reference that
// the METADATA links point to, in step with the policies.
func TestDocsRulesIsUpToDate(t *testing.T) {
	f, out, _ := factoryWithBuffers()
	if err := rulesRun(&RulesOptions{IO: f.IO, Factory: f, Format: "markdown"}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "..", "docs", "rules.md")
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; create it with: go run ./cmd/portguard rules --format markdown > docs/rules.md", err)
	}
	if out.String() != string(want) {
		t.Errorf("docs/rules.md is out of date with the policies' METADATA; refresh it with:\n\tgo run ./cmd/portguard rules --format markdown > docs/rules.md")
	}
	for _, anchor := range []string{"\n## DBP101\n", "\n## DBP401\n"} {
		if !strings.Contains(out.String(), anchor) {
			t.Errorf("the rule reference lacks the heading %q that related_resources links point to", strings.TrimSpace(anchor))
		}
	}
}
