package engine

import (
	"context"
	"io/fs"
	"maps"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/portguard/portguard/internal/finding"
)

// topdownEvaluator evaluates policies compiled by OPA at run time, with
// OPA's topdown evaluator: any set of policies other than the built-in
// ones alone (--policy, --data, --no-builtin), and the questions the plan
// does not hold.
type topdownEvaluator struct {
	compiler *ast.Compiler
	caps     *ast.Capabilities
	// store holds the data, for further queries.
	store    storage.Store
	rules    rego.PreparedEvalQuery
	suppress rego.PreparedEvalQuery
	// conftest evaluates conftest-style user policies (nil when none).
	conftest *conftest
}

// newTopdown loads and compiles the policies opts names, and gives their
// catalog.
func newTopdown(ctx context.Context, opts Options) (*topdownEvaluator, []finding.Rule, error) {
	set, err := loadPolicies(opts, false, nil)
	if err != nil {
		return nil, nil, err
	}
	compiler, err := newCompiler(false)
	if err != nil {
		return nil, nil, err
	}
	if len(set.user) == 0 {
		// The built-in policies are type-checked and checked for recursion
		// by their tests (portguard verify compiles them with every stage):
		// a check that runs them alone skips those stages, a fixed cost of
		// every run. User policies always get every stage.
		compiler = compiler.WithSkipStages(ast.StageCheckTypes, ast.StageCheckRecursion)
	}
	compiler.Compile(set.modules)
	if compiler.Failed() {
		return nil, nil, &PolicyError{Msg: "policy does not compile:\n" + formatAstErrors(compiler.Errors)}
	}
	td := &topdownEvaluator{compiler: compiler, caps: Capabilities(), store: NewStore(set.data)}
	if td.rules, err = td.prepare(ctx, findingsQuery, "the policies"); err != nil {
		return nil, nil, err
	}
	if td.suppress, err = td.prepare(ctx, judgeQuery, "the policies"); err != nil {
		return nil, nil, err
	}
	rules, err := catalog(compiler)
	if err != nil {
		return nil, nil, err
	}
	if td.conftest, err = prepareConftest(ctx, td); err != nil {
		return nil, nil, err
	}
	return td, td.conftest.addToCatalog(rules), nil
}

// prepare prepares a query over the compiled policies and the data; what
// names them in the error.
func (td *topdownEvaluator) prepare(ctx context.Context, query, what string) (rego.PreparedEvalQuery, error) {
	q, err := rego.New(
		rego.Query(query),
		rego.Compiler(td.compiler),
		rego.Store(td.store),
		rego.Capabilities(td.caps),
	).PrepareForEval(ctx)
	if err != nil {
		return q, &PolicyError{Msg: "cannot prepare " + what + ": " + err.Error()}
	}
	return q, nil
}

// binding evaluates a prepared query and gives the value of one variable
// of its first result, nil when it has none.
func binding(ctx context.Context, q rego.PreparedEvalQuery, input ast.Value, name string) (any, error) {
	rs, err := q.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, evalFailed(ctx, "policy evaluation failed", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	return rs[0].Bindings[name], nil
}

func (td *topdownEvaluator) document(doc any) (ast.Value, error) { return toValue(doc) }

func (td *topdownEvaluator) findings(ctx context.Context, input ast.Value) ([]finding.Finding, error) {
	found, err := binding(ctx, td.rules, input, "findings")
	if err != nil {
		return nil, err
	}
	fs, err := decodeFindings(found)
	if err != nil || found == nil {
		return fs, err
	}
	more, err := td.conftest.eval(ctx, input)
	if err != nil {
		return nil, err
	}
	return append(fs, more...), nil
}

func (td *topdownEvaluator) judge(ctx context.Context, input ast.Value) (any, error) {
	return binding(ctx, td.suppress, input, "judged")
}

func (td *topdownEvaluator) query(ctx context.Context, input ast.Value, expr string) (any, error) {
	rs, err := rego.New(
		rego.Query("x := "+expr),
		rego.Compiler(td.compiler),
		rego.Store(td.store),
		rego.Capabilities(td.caps),
		rego.ParsedInput(input),
	).Eval(ctx)
	if err != nil {
		return nil, evalFailed(ctx, "policy evaluation failed", err)
	}
	if len(rs) == 0 {
		return nil, ErrUndefined
	}
	return rs[0].Bindings["x"], nil
}

func (td *topdownEvaluator) evalQuery(ctx context.Context, input ast.Value, body ast.Body) (rego.ResultSet, error) {
	return rego.New(
		rego.ParsedQuery(body),
		rego.Compiler(td.compiler),
		rego.Store(td.store),
		rego.Capabilities(td.caps),
		rego.ParsedInput(input),
		rego.StrictBuiltinErrors(true),
	).Eval(ctx)
}

// policySet is what the engine loads: the modules, the built-in and the
// user's among them, and the data.
type policySet struct {
	modules, builtin, user map[string]*ast.Module
	data                   map[string]any
}

// loadPolicies loads what opts names: the built-in modules (the library
// alone with NoBuiltin), the user's modules, and the data merged over the
// built-in data. With tests it adds the built-in tests of builtinTests
// (nil: none) and the *_test.rego files of the user's directories. check
// (New) and verify (RunTests) load through it.
func loadPolicies(opts Options, tests bool, builtinTests fs.FS) (*policySet, error) {
	set := &policySet{modules: map[string]*ast.Module{}}
	var err error
	if set.builtin, err = BuiltinModules(!opts.NoBuiltin); err != nil {
		return nil, err
	}
	if set.user, err = UserModules(opts.PolicyDirs); err != nil {
		return nil, err
	}
	maps.Copy(set.modules, set.builtin)
	maps.Copy(set.modules, set.user)
	if builtinTests != nil {
		tests, err := TestModules(builtinTests, "policies_test")
		if err != nil {
			return nil, err
		}
		maps.Copy(set.modules, tests)
	}
	if tests {
		userTests, err := UserTestModules(opts.PolicyDirs)
		if err != nil {
			return nil, err
		}
		maps.Copy(set.modules, userTests)
	}
	if err := checkRulePackages(set.modules); err != nil {
		return nil, err
	}
	if set.data, err = loadData(opts.DataPaths); err != nil {
		return nil, err
	}
	return set, nil
}
