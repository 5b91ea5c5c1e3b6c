package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/vm"
)

// planEntry is the module the plan is generated from (with the built-in
// policies): one rule holding the findings query, in a package of its own.
const planEntry = "package portguard.plan\n\n" + findingsQuery + "\n\n" + judgeQuery + "\n"

// planned holds what every planned engine of the process shares: the
// machine, the built-in data as an OPA value and the catalog.
var planned = sync.OnceValues(func() (*Engine, error) {
	m, err := vm.New(builtinPlan)
	if err != nil {
		return nil, &PolicyError{Msg: "the built-in plan does not load: " + err.Error()}
	}
	// Each rule's findings are a root: the rules run on every core.
	m.SetRoots(func(name string) bool {
		return strings.HasPrefix(name, "g0.data."+RulesRoot+".") && strings.HasSuffix(name, ".report")
	})
	judge, err := vm.New(builtinJudgePlan)
	if err != nil {
		return nil, &PolicyError{Msg: "the built-in judge plan does not load: " + err.Error()}
	}
	data, err := BuiltinData()
	if err != nil {
		return nil, err
	}
	value, err := ast.InterfaceToValue(map[string]any{"portguard": data})
	if err != nil {
		return nil, err
	}
	var rules []finding.Rule
	if err := json.Unmarshal([]byte(builtinCatalog), &rules); err != nil {
		return nil, fmt.Errorf("the built-in catalog does not decode: %w", err)
	}
	return &Engine{machine: m, judgeMachine: judge, data: value, rules: rules}, nil
})

func newPlanned() (*Engine, error) {
	shared, err := planned()
	if err != nil {
		return nil, err
	}
	e := *shared
	e.compiled = sync.OnceValues(func() (*Engine, error) { return compile(context.Background(), Options{}) })
	return &e, nil
}

// evalPlan runs the built-in plan and gives the findings array as JSON
// values, nil when the query is undefined.
func (e *Engine) evalPlan(ctx context.Context, input ast.Value) (any, error) {
	rs, err := e.machine.Eval(ctx, input, e.data, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, &PolicyError{Msg: "policy evaluation failed: " + err.Error(), Err: err}
	}
	if len(rs) == 0 {
		return nil, nil
	}
	obj, ok := rs[0].Value.(ast.Object)
	if !ok {
		return nil, &PolicyError{Msg: "the built-in plan gave a result of the wrong shape"}
	}
	found := obj.Get(ast.InternedTerm("result"))
	if found == nil {
		return nil, nil
	}
	return ast.JSON(found.Value)
}
