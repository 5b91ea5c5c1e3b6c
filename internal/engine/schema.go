package engine

import (
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/util"

	"github.com/portguard/portguard/input"
)

// InputSchema is input/schema.json as OPA's type checker reads it, as
// `opa check --schema input/schema.json` attaches it: every
// policy compiled with it (user policies in check, eval and verify, the
// built-in ones in their tests) has its references to input checked, so
// `input.services[_].prots` or comparing a container port with a string is a compile
// error at its line instead of a rule that silently never fires. A nullable
// field (anyOf null and X) is a union to OPA, which it checks no further: a
// misspelt key under port.variable still compiles. A rule can name the
// schema in a METADATA `schemas:` annotation (`- input: schema.input`).
var InputSchema = sync.OnceValues(func() (*ast.SchemaSet, error) {
	var raw any
	// OPA's decoder keeps numbers as json.Number, as its loader does.
	if err := util.UnmarshalJSON(input.Schema, &raw); err != nil {
		return nil, &PolicyError{Msg: "input/schema.json: " + err.Error()}
	}
	ss := ast.NewSchemaSet()
	// The schema of input, and by name for annotations, as opa check
	// --schema DIR puts a DIR/input.json.
	ss.Put(ast.SchemaRootRef, raw)
	ss.Put(ast.MustParseRef("schema.input"), raw)
	// schema.judge: the input of the judge stage (judge.go), which the
	// suppressions library names in its METADATA.
	var judge any
	if err := util.UnmarshalJSON(JudgeSchema, &judge); err != nil {
		return nil, &PolicyError{Msg: "internal/engine/judge_schema.json: " + err.Error()}
	}
	ss.Put(ast.MustParseRef("schema.judge"), judge)
	return ss, nil
})

// newCompiler is the compiler of every policy set OPA compiles: the
// sandboxed capabilities and the input schema.
func newCompiler(printStatements bool) (*ast.Compiler, error) {
	ss, err := InputSchema()
	if err != nil {
		return nil, err
	}
	return ast.NewCompiler().
		WithCapabilities(Capabilities()).
		WithEnablePrintStatements(printStatements).
		WithSchemas(ss).
		WithUseTypeCheckAnnotations(true), nil
}
