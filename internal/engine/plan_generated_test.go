package engine

import (
	"fmt"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/benchgen"
)

// TestPlanMatchesTopdownGenerated compares the plan and topdown, finding
// for finding, on varied generated repositories (internal/benchgen: many
// seeds, sizes and violation rates, every syntax and kind of violation the
// generator knows), so that a change of the executor cannot change a
// finding unnoticed where the fixtures do not look.
func TestPlanMatchesTopdownGenerated(t *testing.T) {
	planned, compiled := evaluators(t)
	rates := []float64{0, 0.05, 0.2, 0.5, 1}
	for seed := uint64(1); seed <= 24; seed++ {
		spec := benchgen.Spec{
			Seed:     seed,
			Services: 4 + int(seed*37%45),
			Files:    1 + int(seed%5),
			Violate:  rates[seed%uint64(len(rates))],
		}
		planMatchesTopdownOn(t, planned, compiled, spec)
	}
}

// FuzzPlanMatchesTopdown draws the generator's parameters: the seed (0 is
// the benchmark's repository), the number of services and files and the
// fraction of violations.
func FuzzPlanMatchesTopdown(f *testing.F) {
	planned, compiled := evaluators(f)
	f.Add(uint64(0), uint8(40), uint8(3), uint8(20))
	f.Add(uint64(1), uint8(60), uint8(2), uint8(128))
	f.Add(uint64(42), uint8(7), uint8(1), uint8(255))
	f.Fuzz(func(t *testing.T, seed uint64, services, files, violate uint8) {
		n := 1 + int(services)%30
		spec := benchgen.Spec{
			Seed:     seed,
			Services: n,
			Files:    1 + int(files)%min(n, 6), // a file without services is an error
			Violate:  float64(violate) / 255,
		}
		planMatchesTopdownOn(t, planned, compiled, spec)
	})
}

// planMatchesTopdownOn generates the repository of spec, which must load
// without an error, and compares the two evaluators on it.
func planMatchesTopdownOn(t *testing.T, planned, compiled *Engine, spec benchgen.Spec) {
	t.Helper()
	dir := t.TempDir()
	if _, err := benchgen.Generate(dir, spec); err != nil {
		t.Fatal(err)
	}
	doc, err := input.Load(input.Options{Root: dir})
	if err != nil {
		t.Fatalf("%+v: %v", spec, err)
	}
	if len(doc.Errors) > 0 {
		t.Fatalf("%+v: the generated repository has errors: %v", spec, doc.Errors)
	}
	sameFindings(t, fmt.Sprintf("%+v", spec), planned, compiled, doc)
}
