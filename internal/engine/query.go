package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
)

// ErrUndefined is the error of a query whose value is undefined.
var ErrUndefined = fmt.Errorf("the query is undefined")

// Query evaluates one Rego expression (a reference or a call such as
// data.portguard.lib.suggest.result({...})) over the document with the
// compiled policies and data, and decodes its value into out as JSON.
// It serves the commands that ask the library a question (suggest, docs);
// the rules run through Eval.
func (e *Engine) Query(ctx context.Context, doc any, expr string, out any) error {
	value, err := jsonValue(doc)
	if err != nil {
		return err
	}
	x, err := e.eval.query(ctx, value, expr)
	if err != nil {
		return err
	}
	b, err := json.Marshal(x)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}

// jsonValue is the OPA value of v's JSON encoding.
func jsonValue(v any) (ast.Value, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return ast.ValueFromReader(bytes.NewReader(raw))
}

// QueryResult is the outcome of EvalQuery.
type QueryResult struct {
	// Vars are the variables the query names (not _), in the order they
	// first appear.
	Vars []string
	// Value says the query is one expression without variables (not even
	// _): it has one value, Rows[0].Values[0], or none (undefined).
	Value bool
	// Rows hold one result each: the value of every named variable, and
	// the value of every expression of the query.
	Rows []QueryRow
}

// QueryRow is one result of a query.
type QueryRow struct {
	Bindings map[string]any
	Values   []any
}

// EvalQuery evaluates a Rego query (`data.portguard.lib.ports.mappings`,
// `some s in input.services; s.image == ""`) over the document with the
// compiled policies, data and input schema, as `opa eval` does. A query
// that does not parse or compile is a *PolicyError at query:line:col.
func (e *Engine) EvalQuery(ctx context.Context, doc any, query string) (*QueryResult, error) {
	body, err := ast.ParseBodyWithOpts(query, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		return nil, &PolicyError{Msg: "query does not parse:\n" + formatParseError(nameQuery(err))}
	}
	value, err := jsonValue(doc)
	if err != nil {
		return nil, err
	}
	rs, err := e.eval.evalQuery(ctx, value, body)
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, &PolicyError{Msg: "query does not compile:\n" + formatAstErrors(nameQuery(errs).(ast.Errors)), Err: err}
		}
		return nil, evalFailed(ctx, "query evaluation failed", err)
	}
	res := &QueryResult{Vars: queryVars(body), Rows: []QueryRow{}}
	res.Value = len(body) == 1 && len(body.Vars(ast.VarVisitorParams{SkipRefCallHead: true, SkipRefHead: true, SkipClosures: true})) == 0
	for _, r := range rs {
		row := QueryRow{Bindings: map[string]any{}}
		for _, v := range res.Vars {
			row.Bindings[v] = r.Bindings[v]
		}
		for _, x := range r.Expressions {
			row.Values = append(row.Values, x.Value)
		}
		res.Rows = append(res.Rows, row)
	}
	return res, nil
}

// nameQuery gives the errors of a query (which has no file) the name
// "query", so they read query:1:5: ....
func nameQuery(err error) error {
	var errs ast.Errors
	if !errors.As(err, &errs) {
		return err
	}
	for _, e := range errs {
		if e.Location != nil && e.Location.File == "" {
			loc := *e.Location
			loc.File = "query"
			e.Location = &loc
		}
	}
	return errs
}

// queryVars lists the variables a query names, in order of appearance:
// the ones it binds or iterates with, not the wildcard _ nor the roots.
func queryVars(body ast.Body) []string {
	named := body.Vars(ast.VarVisitorParams{SkipRefCallHead: true, SkipRefHead: true, SkipClosures: true})
	var out []string
	seen := map[ast.Var]bool{}
	ast.WalkVars(body, func(v ast.Var) bool {
		if named.Contains(v) && !seen[v] && !v.IsWildcard() && !v.IsGenerated() {
			seen[v] = true
			out = append(out, string(v))
		}
		return false
	})
	return out
}
