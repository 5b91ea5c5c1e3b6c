package mcp

import (
	"context"
	"io/fs"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/engine"
)

// TestExamples: every built-in rule that judges files has an example, and
// checking each example reports its rule.
func TestExamples(t *testing.T) {
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	rules := map[string]bool{}
	for _, r := range eng.Rules() {
		rules[r.ID] = true
		if strings.HasPrefix(r.ID, "DBP8") { // live rules judge the host, not files
			continue
		}
		ex, err := example(context.Background(), r.ID)
		if err != nil {
			t.Errorf("%s: %v", r.ID, err)
			continue
		}
		if ex == nil {
			t.Errorf("%s has no example: add internal/mcp/examples/%s.txtar, a small stack that breaks it", r.ID, r.ID)
			continue
		}
		if len(ex.Findings) == 0 {
			t.Errorf("%s: checking its example reports no %s", r.ID, r.ID)
		}
		for _, f := range ex.Findings {
			if f.RuleID != r.ID {
				t.Errorf("%s: the example lists a finding of %s", r.ID, f.RuleID)
			}
		}
	}
	names, _ := fs.Glob(examples, "examples/*.txtar")
	for _, n := range names {
		id := strings.TrimSuffix(strings.TrimPrefix(n, "examples/"), ".txtar")
		if !rules[id] {
			t.Errorf("%s is the example of no rule", n)
		}
	}
	if ex, err := example(context.Background(), "TEAM001"); ex != nil || err != nil {
		t.Errorf("a rule without an example: %v, %v", ex, err)
	}
}
