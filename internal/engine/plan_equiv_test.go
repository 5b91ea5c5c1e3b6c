package engine

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/benchgen"
)

// TestPlanMatchesTopdown evaluates every end-to-end fixture, the examples,
// a generated repository with injected violations and the corpus (when
// present) with the built-in plan and with OPA's topdown evaluator over the
// compiled policies, and requires the same findings, field for field.
func TestPlanMatchesTopdown(t *testing.T) {
	planned, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if planned.machine == nil {
		t.Fatal("the built-in policies alone should run on the plan")
	}
	compiled, err := compile(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}

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
		want, err := compiled.Eval(context.Background(), doc)
		if err != nil {
			t.Errorf("%s: topdown: %v", dir, err)
			continue
		}
		got, err := planned.Eval(context.Background(), doc)
		if err != nil {
			t.Errorf("%s: plan: %v", dir, err)
			continue
		}
		wantJSON, _ := json.MarshalIndent(want, "", " ")
		gotJSON, _ := json.MarshalIndent(got, "", " ")
		if string(wantJSON) != string(gotJSON) {
			t.Errorf("%s: the plan gives %d findings, topdown %d; first difference:\n%s", dir, len(got), len(want), firstDifference(string(gotJSON), string(wantJSON)))
		}
	}
	if judged < 20 {
		t.Fatalf("only %d repositories judged: the fixtures moved?", judged)
	}
}

// firstDifference shows the lines around the first line where a and b
// differ.
func firstDifference(a, b string) string {
	la, lb := splitLines(a), splitLines(b)
	for i := 0; i < len(la) || i < len(lb); i++ {
		var x, y string
		if i < len(la) {
			x = la[i]
		}
		if i < len(lb) {
			y = lb[i]
		}
		if x != y {
			return "plan:    " + x + "\ntopdown: " + y
		}
	}
	return ""
}

func splitLines(s string) []string {
	var out []string
	start := 0
	for i := range len(s) {
		if s[i] == '\n' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return append(out, s[start:])
}
