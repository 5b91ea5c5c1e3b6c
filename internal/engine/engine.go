// Package engine runs the policies: the built-in ones from their plan
// (plan_gen.go, on internal/vm), or, with user policies or data, the
// embedded and the user's Rego modules and data compiled once per process
// with a sandboxed set of builtins; it evaluates the input document and
// decodes the findings.
package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/osfile"
	"github.com/portguard/portguard/policies"
)

// RulesRoot is the package prefix under which every rule lives:
// portguard.rules.<area>.<rule>, each with a `report` set of findings.
const RulesRoot = "portguard.rules"

// findingsQuery collects the findings of every rule in one evaluation.
const findingsQuery = "findings := [f | f := data.portguard.rules[_][_].report[_]]"

// Options says which policies and data to load next to (or instead of) the
// built-in ones.
type Options struct {
	// PolicyDirs are user policy directories (--policy), loaded next to the
	// built-ins with the same finding and METADATA contract.
	PolicyDirs []string
	// DataPaths are JSON or YAML files or directories (--data) merged over
	// the built-in data under data.portguard.
	DataPaths []string
	// NoBuiltin drops the built-in rules (the library and data stay, so user
	// rules can use them).
	NoBuiltin bool
}

// Engine is a set of policies ready to evaluate documents, behind the
// evaluator New chose for them:
//
//   - the built-in policies alone (no --policy, no --data, the usual run in
//     CI) run on internal/vm from the plan generated from them
//     (plan_gen.go; planEvaluator, planned.go): no Rego is parsed or
//     compiled at run time;
//   - any other set of policies is compiled by OPA and evaluated by
//     topdown (topdownEvaluator, topdown.go).
//
// Both give the same findings (TestPlanMatchesTopdown); the plan is
// regenerated with `make plan`, and TestBuiltinPlanInSync fails while it
// is stale.
type Engine struct {
	eval  evaluator
	rules []finding.Rule
}

// evaluator evaluates one set of policies over input documents. An
// evaluation error is a *PolicyError, which wraps a *TimeoutError when the
// context's deadline stopped it.
type evaluator interface {
	// document converts an input document for findings.
	document(doc any) (ast.Value, error)
	// findings evaluates every rule and gives their findings, unsorted.
	findings(ctx context.Context, input ast.Value) ([]finding.Finding, error)
	// judge evaluates the suppressions library (judgeQuery) and gives its
	// result as JSON values, nil when it is undefined.
	judge(ctx context.Context, input ast.Value) (any, error)
	// query evaluates one expression and gives its value as JSON values,
	// ErrUndefined when it has none.
	query(ctx context.Context, input ast.Value, expr string) (any, error)
	// evalQuery evaluates a parsed query as `opa eval` does.
	evalQuery(ctx context.Context, input ast.Value, body ast.Body) (rego.ResultSet, error)
}

// DefaultTimeout bounds a policy evaluation (check and every command that
// judges a stack) and each policy test (verify): a user policy that loops
// over a huge range must stop the run, not hang the CI job.
const DefaultTimeout = 30 * time.Second

// New loads the policies: the built-in plan when opts asks for nothing
// else, the compiled modules otherwise.
func New(ctx context.Context, opts Options) (*Engine, error) {
	if len(opts.PolicyDirs) == 0 && len(opts.DataPaths) == 0 && !opts.NoBuiltin {
		return newPlanned()
	}
	return compile(ctx, opts)
}

// compile loads and compiles the policies for topdown.
func compile(ctx context.Context, opts Options) (*Engine, error) {
	td, rules, err := newTopdown(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &Engine{eval: td, rules: rules}, nil
}

// Rules is the catalog of the loaded rules, sorted by id.
func (e *Engine) Rules() []finding.Rule { return e.rules }

// Eval evaluates the document (anything that marshals to the input JSON)
// and returns the findings, sorted.
func (e *Engine) Eval(ctx context.Context, doc any) ([]finding.Finding, error) {
	value, err := e.eval.document(doc)
	if err != nil {
		return nil, err
	}
	fs, err := e.eval.findings(ctx, value)
	if err != nil {
		return nil, err
	}
	finding.Sort(fs)
	return fs, nil
}

// decodeFindings decodes the findings array of the rules (JSON values, nil
// when undefined), each with its related places never nil.
func decodeFindings(found any) ([]finding.Finding, error) {
	if found == nil {
		return []finding.Finding{}, nil
	}
	out, err := json.Marshal(found)
	if err != nil {
		return nil, err
	}
	var fs []finding.Finding
	dec := json.NewDecoder(bytes.NewReader(out))
	if err := dec.Decode(&fs); err != nil {
		return nil, &PolicyError{Msg: "a rule reported a finding of the wrong shape (use data.portguard.lib.finding.new): " + err.Error()}
	}
	for i := range fs {
		if fs[i].Related == nil {
			fs[i].Related = []finding.Related{}
		}
	}
	return fs, nil
}

// addModules parses the *.rego files of fsys that keep accepts, with their
// annotations. display prefixes file names in messages.
func addModules(modules map[string]*ast.Module, fsys fs.FS, root, display string, keep func(string) bool) error {
	type source struct{ name, src string }
	var sources []source
	err := fs.WalkDir(fsys, root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return &PolicyError{Msg: fmt.Sprintf("%s: cannot read policies: %v", path.Join(display, p), osfile.Reason(err))}
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || !keep(p) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return &PolicyError{Msg: fmt.Sprintf("%s: %v", path.Join(display, p), osfile.Reason(err))}
		}
		sources = append(sources, source{filepath.ToSlash(filepath.Join(display, p)), string(src)})
		return nil
	})
	if err != nil {
		return err
	}
	// Parsing is a fixed cost of every run: spread it over the cores.
	parsed := make([]*ast.Module, len(sources))
	errs := make([]error, len(sources))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, s := range sources {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			parsed[i], errs[i] = ast.ParseModuleWithOpts(s.name, s.src, ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		}()
	}
	wg.Wait()
	for i, s := range sources {
		if errs[i] != nil {
			return &PolicyError{Msg: "policy does not parse:\n" + formatParseError(errs[i])}
		}
		modules[s.name] = parsed[i]
	}
	return nil
}

// loadData merges the built-in data files, then the user's, into one object
// mounted at data.portguard. Objects merge key by key; anything else is
// replaced, so a team can add an image without copying the knowledge base.
func loadData(paths []string) (map[string]any, error) {
	data := map[string]any{}
	entries, err := fs.Glob(policies.FS, "data/*.json")
	if err != nil {
		return nil, err
	}
	for _, p := range entries {
		b, _ := fs.ReadFile(policies.FS, p)
		if err := mergeDataFile(data, "policies/"+p, b); err != nil {
			return nil, err
		}
	}
	for _, root := range paths {
		files, err := dataFiles(root)
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			b, err := os.ReadFile(f)
			if err != nil {
				return nil, &PolicyError{Msg: fmt.Sprintf("%s: %v", f, osfile.Reason(err))}
			}
			if err := mergeDataFile(data, f, b); err != nil {
				return nil, err
			}
		}
	}
	for _, reserved := range []string{"rules", "lib"} {
		if _, ok := data[reserved]; ok {
			return nil, &PolicyError{Msg: fmt.Sprintf("data may not define data.portguard.%s, which holds policies", reserved)}
		}
	}
	return data, nil
}

func dataFiles(root string) ([]string, error) {
	st, err := os.Stat(root)
	if err != nil {
		return nil, &PathError{Flag: "--data", Path: root, Err: err}
	}
	if !st.IsDir() {
		return []string{root}, nil
	}
	var out []string
	err = filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		switch strings.ToLower(filepath.Ext(p)) {
		case ".json", ".yaml", ".yml":
			if !d.IsDir() {
				out = append(out, p)
			}
		}
		return nil
	})
	sort.Strings(out)
	return out, err
}

func mergeDataFile(into map[string]any, name string, b []byte) error {
	var v any
	var err error
	if strings.HasSuffix(name, ".json") {
		err = json.Unmarshal(b, &v)
	} else {
		err = yaml.Unmarshal(b, &v)
	}
	if err != nil {
		return &PolicyError{Msg: fmt.Sprintf("%s: invalid data: %v", name, err)}
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return &PolicyError{Msg: fmt.Sprintf("%s: data must be an object at the top level", name)}
	}
	mergeObjects(into, obj)
	return nil
}

func mergeObjects(dst, src map[string]any) {
	for k, v := range src {
		if sm, ok := v.(map[string]any); ok {
			if dm, ok := dst[k].(map[string]any); ok {
				mergeObjects(dm, sm)
				continue
			}
		}
		dst[k] = v
	}
}

// Capabilities are OPA's builtins without the ones that reach the network,
// the environment, the clock or randomness: untrusted policies from a pull
// request must not, and a check must give the same answer every run.
func Capabilities() *ast.Capabilities {
	caps := ast.CapabilitiesForThisVersion()
	kept := caps.Builtins[:0]
	for _, b := range caps.Builtins {
		if !Forbidden(b.Name) {
			kept = append(kept, b)
		}
	}
	caps.Builtins = kept
	caps.AllowNet = []string{}
	return caps
}

// Forbidden reports whether a builtin is removed from the sandbox.
func Forbidden(name string) bool {
	switch name {
	case "http.send", "opa.runtime", "time.now_ns", "trace":
		return true
	}
	for _, prefix := range []string{"net.", "rand.", "uuid."} {
		if strings.HasPrefix(name, prefix) {
			return true
		}
	}
	return false
}
