// Package plangen makes the programs internal/vm runs: it plans a query
// over Rego modules with OPA's planner (Plan), flattens the plan into a
// vm.Program (Flatten) and writes the program as Go data (GoSource). It
// runs when the built-in policies change (`make plan`, the -update path of
// TestBuiltinPlanInSync in internal/engine) and in tests; portguard itself
// never links it: a run loads the generated program and plans nothing.
package plangen

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/bundle"
	"github.com/open-policy-agent/opa/v1/compile"
	"github.com/open-policy-agent/opa/v1/ir"

	"github.com/portguard/portguard/internal/vm"
)

// Plan plans one entrypoint (a path such as "portguard/plan/findings")
// over the modules, with the capabilities caps (nil: OPA's own), and
// flattens the plan.
func Plan(modules map[string]*ast.Module, entrypoint string, caps *ast.Capabilities) (*vm.Program, error) {
	b := &bundle.Bundle{}
	for name, m := range modules {
		b.Modules = append(b.Modules, bundle.ModuleFile{Path: name, URL: name, Parsed: m, Raw: []byte(m.String())})
	}
	c := compile.New().
		WithTarget(compile.TargetPlan).
		WithEntrypoints(entrypoint).
		WithBundle(b)
	if caps != nil {
		c = c.WithCapabilities(caps)
	}
	if err := c.Build(context.Background()); err != nil {
		return nil, fmt.Errorf("planning %s: %w", entrypoint, err)
	}
	out := c.Bundle()
	if len(out.PlanModules) != 1 {
		return nil, fmt.Errorf("planning %s: %d plans, want 1", entrypoint, len(out.PlanModules))
	}
	var policy ir.Policy
	if err := json.Unmarshal(out.PlanModules[0].Raw, &policy); err != nil {
		return nil, err
	}
	prog, err := Flatten(&policy)
	if err != nil {
		return nil, fmt.Errorf("flattening the plan of %s: %w", entrypoint, err)
	}
	return prog, nil
}
