package plangen

import (
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ir"
)

// TestFlattenRefuses: a plan the machine cannot run is refused when it is
// generated, naming what it cannot run.
func TestFlattenRefuses(t *testing.T) {
	one := func(stmts ...ir.Stmt) *ir.Policy {
		return &ir.Policy{Plans: &ir.Plans{Plans: []*ir.Plan{{Name: "q", Blocks: []*ir.Block{{Stmts: stmts}}}}}}
	}
	for _, c := range []struct {
		policy *ir.Policy
		want   string
	}{
		{&ir.Policy{Plans: &ir.Plans{}}, "exactly one query"},
		{one(&ir.WithStmt{}), "statement *ir.WithStmt is not supported"},
		{one(&ir.BlockStmt{Blocks: []*ir.Block{{Stmts: []ir.Stmt{&ir.CallDynamicStmt{}}}}}), "statement *ir.CallDynamicStmt is not supported"},
		{one(&ir.AssignIntStmt{Value: 1 << 40}), "integer 1099511627776 does not fit an instruction"},
		{one(&ir.EqualStmt{A: ir.Operand{Value: nil}}), "unknown operand <nil>"},
	} {
		_, err := Flatten(c.policy)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Flatten = %v, want an error with %q", err, c.want)
		}
	}
}
