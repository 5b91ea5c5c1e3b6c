package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

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

// TestTimeoutError: an evaluation that its deadline stops is a policy
// error wrapping a *TimeoutError, on either evaluator, and the deadline
// itself.
func TestTimeoutError(t *testing.T) {
	dir := t.TempDir()
	if _, err := benchgen.Generate(dir, benchgen.Spec{Files: 4, Services: 200}); err != nil {
		t.Fatal(err)
	}
	doc, err := input.Load(input.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	runaway, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join("..", "..", "testdata", "e2e", "policy-runaway")}})
	if err != nil {
		t.Fatal(err)
	}
	planned, _ := evaluators(t)
	for name, c := range map[string]struct {
		eng  *Engine
		wait time.Duration
	}{"topdown": {runaway, 200 * time.Millisecond}, "plan": {planned, 0}} {
		ctx, cancel := context.WithTimeout(context.Background(), c.wait)
		_, err := c.eng.Eval(ctx, doc)
		cancel()
		var pe *PolicyError
		var te *TimeoutError
		if !errors.As(err, &pe) || !errors.As(err, &te) || !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%s: %v, want a policy error wrapping a timeout", name, err)
		}
	}
}

// TestTimeoutOf: where topdown stopped and what it was doing, read from
// its error; a message that only names the deadline says nothing more.
func TestTimeoutOf(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{&topdown.Error{Code: topdown.CancelErr, Message: "numbers.range: timed out before generating all numbers in range", Location: &ast.Location{File: "p.rego", Row: 7}},
			"policy evaluation stopped: context deadline exceeded in p.rego:7 (numbers.range: timed out before generating all numbers in range)"},
		{fmt.Errorf("eval: %w", &topdown.Error{Code: topdown.CancelErr, Message: "context deadline exceeded", Location: &ast.Location{Row: 3}}),
			"policy evaluation stopped: context deadline exceeded"},
		{context.DeadlineExceeded, "policy evaluation stopped: context deadline exceeded"},
	} {
		te := timeoutOf(c.err)
		if te.Error() != c.want || !errors.Is(te, c.err) {
			t.Errorf("timeoutOf(%v) = %q, want %q wrapping it", c.err, te.Error(), c.want)
		}
	}
}

// evaluators are the built-in policies on the plan and compiled for
// topdown.
func evaluators(t testing.TB) (planned, compiled *Engine) {
	t.Helper()
	planned, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := planned.eval.(*planEvaluator); !ok {
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
