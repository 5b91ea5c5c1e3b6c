package engine

import (
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/format"
)

// Format returns src as `opa fmt` writes a Rego v1 module: OPA's formatter,
// with the parser and capabilities of this OPA version. A module that does
// not parse is a *PolicyError naming name:line:col.
func Format(name string, src []byte) ([]byte, error) {
	out, err := format.SourceWithOpts(name, src, format.Opts{
		RegoVersion:   ast.RegoV1,
		ParserOptions: &ast.ParserOptions{RegoVersion: ast.RegoV1, Capabilities: ast.CapabilitiesForThisVersion()},
	})
	if err != nil {
		return nil, &PolicyError{Msg: formatParseError(err), Err: err}
	}
	return out, nil
}
