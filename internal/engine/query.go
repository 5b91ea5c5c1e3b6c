package engine

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
)

// ErrUndefined is the error of a query whose value is undefined.
var ErrUndefined = fmt.Errorf("the query is undefined")

// Query evaluates one Rego expression (a reference or a call such as
// data.portguard.lib.suggest.result({...})) over the document with the
// compiled policies and data, and decodes its value into out as JSON.
// It serves the commands that ask the library a question (suggest, docs);
// the rules run through Eval.
func (e *Engine) Query(ctx context.Context, doc any, expr string, out any) error {
	if e.compiled != nil {
		c, err := e.compiled()
		if err != nil {
			return err
		}
		return c.Query(ctx, doc, expr, out)
	}
	raw, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	value, err := ast.ValueFromReader(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	rs, err := rego.New(
		rego.Query("x := "+expr),
		rego.Compiler(e.compiler),
		rego.Store(e.store),
		rego.Capabilities(Capabilities()),
		rego.ParsedInput(value),
	).Eval(ctx)
	if err != nil {
		return &PolicyError{Msg: "policy evaluation failed: " + err.Error()}
	}
	if len(rs) == 0 {
		return ErrUndefined
	}
	b, err := json.Marshal(rs[0].Bindings["x"])
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
