package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"runtime"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/vm"
)

// planEntry is the module the plan is generated from (with the built-in
// policies): one rule holding the findings query, in a package of its own.
const planEntry = "package portguard.plan\n\n" + findingsQuery + "\n\n" + judgeQuery + "\n"

// planEvaluator runs the plan of the built-in policies (plan_gen.go) on
// internal/vm. The plan holds the findings and the judge queries; any
// other question (Query, EvalQuery) goes to the built-in policies compiled
// by OPA, once per engine, when the first one is asked.
type planEvaluator struct {
	*builtinPlans
	compiled func() (*topdownEvaluator, error)
}

// builtinPlans is what every planned engine of the process shares: the
// machines of the two queries and the built-in data as an OPA value.
type builtinPlans struct {
	rules, suppress *vm.Machine
	data            ast.Value
}

// planned loads the built-in plans and catalog once per process.
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
	return &Engine{eval: &planEvaluator{builtinPlans: &builtinPlans{rules: m, suppress: judge, data: value}}, rules: rules}, nil
})

func newPlanned() (*Engine, error) {
	shared, err := planned()
	if err != nil {
		return nil, err
	}
	pe := *shared.eval.(*planEvaluator)
	pe.compiled = sync.OnceValues(func() (*topdownEvaluator, error) {
		td, _, err := newTopdown(context.Background(), Options{})
		return td, err
	})
	return &Engine{eval: &pe, rules: shared.rules}, nil
}

// document gives the executor's own values (vm.Record, vm.List): the
// plan reads the document without converting all of it to OPA's values.
func (pe *planEvaluator) document(doc any) (ast.Value, error) { return toNative(doc) }

func (pe *planEvaluator) findings(ctx context.Context, input ast.Value) ([]finding.Finding, error) {
	found, err := result(ctx, pe.rules, input, pe.data, runtime.GOMAXPROCS(0))
	if err != nil {
		return nil, err
	}
	return decodeFindings(found)
}

func (pe *planEvaluator) judge(ctx context.Context, input ast.Value) (any, error) {
	return result(ctx, pe.suppress, input, pe.data, 1)
}

func (pe *planEvaluator) query(ctx context.Context, input ast.Value, expr string) (any, error) {
	td, err := pe.compiled()
	if err != nil {
		return nil, err
	}
	return td.query(ctx, input, expr)
}

func (pe *planEvaluator) evalQuery(ctx context.Context, input ast.Value, body ast.Body) (rego.ResultSet, error) {
	td, err := pe.compiled()
	if err != nil {
		return nil, err
	}
	return td.evalQuery(ctx, input, body)
}

// result runs a plan on workers goroutines and gives the value of its
// query as JSON values, nil when it is undefined.
func result(ctx context.Context, m *vm.Machine, input, data ast.Value, workers int) (any, error) {
	rs, err := m.Eval(ctx, input, data, workers)
	if err != nil {
		return nil, evalFailed(ctx, "policy evaluation failed", err)
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
