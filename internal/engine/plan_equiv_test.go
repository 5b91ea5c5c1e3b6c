package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/benchgen"
	"github.com/portguard/portguard/internal/finding"
)

// TestPlanMatchesTopdown evaluates every end-to-end fixture, the examples,
// a generated repository with injected violations and the corpus (when
// present) with the built-in plan and with OPA's topdown evaluator over the
// compiled policies, and requires the same findings, field for field.
func TestPlanMatchesTopdown(t *testing.T) {
	planned, compiled := evaluators(t)

	var dirs []string
	for _, pattern := range []string{"../../testdata/e2e/*", "../../examples/*", "../../../shared/corpus/*"} {
		m, err := filepath.Glob(pattern)
		if err != nil {
			t.Fatal(err)
		}
		dirs = append(dirs, m...)
	}
	gen := t.TempDir()
	if _, err := benchgen.Generate(gen, benchgen.Spec{Files: 12, Services: 400, Violate: 0.1}); err != nil {
		t.Fatal(err)
	}
	dirs = append(dirs, gen)

	judged := 0
	for _, dir := range dirs {
		if st, err := os.Stat(dir); err != nil || !st.IsDir() {
			continue
		}
		doc, err := input.Load(input.Options{Root: dir})
		if err != nil {
			continue // bad input: nothing reaches the rules
		}
		judged++
		sameFindings(t, dir, planned, compiled, doc)
	}
	if judged < 20 {
		t.Fatalf("only %d repositories judged: the fixtures moved?", judged)
	}
}

// evaluators are the built-in policies on the plan and compiled for
// topdown.
func evaluators(t testing.TB) (planned, compiled *Engine) {
	planned, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if planned.machine == nil {
		t.Fatal("the built-in policies alone should run on the plan")
	}
	compiled, err = compile(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return planned, compiled
}

// sameFindings evaluates doc (loaded from dir) on both and reports the
// first finding that differs.
func sameFindings(t testing.TB, dir string, planned, compiled *Engine, doc *input.Document) {
	t.Helper()
	want, err := compiled.Eval(context.Background(), doc)
	if err != nil {
		t.Errorf("%s: topdown: %v", dir, err)
		return
	}
	got, err := planned.Eval(context.Background(), doc)
	if err != nil {
		t.Errorf("%s: plan: %v", dir, err)
		return
	}
	if i, differ := firstDiffering(got, want); differ {
		t.Errorf("%s: the plan gives %d findings, topdown %d; finding %d differs:\nplan:    %s\ntopdown: %s", dir, len(got), len(want), i, at(got, i), at(want, i))
	}
}

// firstDiffering is the index of the first finding that differs between
// a and b, as JSON.
func firstDiffering(a, b []finding.Finding) (int, bool) {
	for i := range max(len(a), len(b)) {
		if at(a, i) != at(b, i) {
			return i, true
		}
	}
	return 0, false
}

// at is finding i of fs as JSON, "none" past the end.
func at(fs []finding.Finding, i int) string {
	if i >= len(fs) {
		return "none"
	}
	b, _ := json.Marshal(fs[i])
	return string(b)
}
