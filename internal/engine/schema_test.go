package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

// TestBuiltinPoliciesTypeCheckAgainstSchema: every built-in policy compiles
// with the input schema attached and the type checker on, as a user policy
// does next to them.
func TestBuiltinPoliciesTypeCheckAgainstSchema(t *testing.T) {
	modules, err := BuiltinModules(true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := newCompiler(false)
	if err != nil {
		t.Fatal(err)
	}
	if c.Compile(modules); c.Failed() {
		t.Fatalf("the built-in policies do not type-check against input/schema.json:\n%s", formatAstErrors(c.Errors))
	}
}

// TestUserPoliciesTypedInput: a reference to a field the input document
// does not have, or a value of the wrong type, is a policy error at its
// place with OPA's message, for check and for verify; a correct rule
// compiles.
func TestUserPoliciesTypedInput(t *testing.T) {
	cases := []struct {
		name, body string
		want       []string // in the error, after file:line:col; none: it compiles
	}{
		{name: "misspelt field", body: "\tsome s in input.services\n\tsome p in s.prots\n\tp.published == 7000\n",
			want: []string{":5:12: undefined ref: s.prots[_]\n", `have: "prots"`, `"ports"`}},
		{name: "misspelt top-level field", body: "\tsome s in input.service\n\ts.name == \"db\"\n",
			want: []string{":4:12: undefined ref: input.service", `have: "service"`, `"services"`}},
		{name: "misspelt field of a volume", body: "\tsome v in input.volumes\n\tv.extrnal\n",
			want: []string{":5:2: undefined ref: v.extrnal", `have: "extrnal"`, `"external"`}},
		{name: "container port compared with a string", body: "\tsome s in input.services\n\tsome p in s.ports\n\tp.target == \"5432\"\n",
			want: []string{":6:2: match error", "left  : number", "right : string"}},
		{name: "service name compared with a number", body: "\tsome s in input.services\n\ts.name == 5\n",
			want: []string{":5:2: match error", "left  : string", "right : number"}},
		{name: "line passed as a string", body: "\tsome s in input.services\n\tstartswith(s.line, \"1\")\n",
			want: []string{":5:2: startswith: invalid argument(s)", "have: (number, string"}},
		{name: "correct rule", body: "\tsome s in input.services\n\tsome p in s.ports\n\tp.effective == 7000\n\tp.variable.name == \"X\"\n\tstartswith(s.image, \"postgres\")\n"},
		{name: "nullable fields compared with null", body: "\tsome s in input.services\n\tsome p in s.ports\n\tp.variable == null\n\tp.effective != null\n\tis_null(p.published)\n"},
		{name: "a map of labels takes any key", body: "\tsome s in input.services\n\ts.labels[\"com.example.team\"] == \"db\"\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			src := "package main\n\ndeny contains \"x\" if {\n" + c.body + "}\n"
			dir := writeTree(t, map[string]string{"rule.rego": src, "rule_test.rego": "package main_test\n\ntest_nothing if true\n"})
			file := filepath.ToSlash(filepath.Join(dir, "rule.rego"))
			_, checkErr := New(context.Background(), Options{PolicyDirs: []string{dir}})
			_, verifyErr := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, NoBuiltin: true})
			for cmd, err := range map[string]error{"check": checkErr, "verify": verifyErr} {
				if len(c.want) == 0 {
					if err != nil {
						t.Errorf("%s: %v", cmd, err)
					}
					continue
				}
				var pe *PolicyError
				if !errors.As(err, &pe) {
					t.Errorf("%s: %v, want a policy error", cmd, err)
					continue
				}
				for i, w := range c.want {
					if i == 0 {
						w = file + w
					}
					if !strings.Contains(pe.Msg, w) {
						t.Errorf("%s: the error lacks %q:\n%s", cmd, w, pe.Msg)
					}
				}
			}
		})
	}
}

// TestSchemaAnnotation: a rule may name the input schema in its METADATA,
// as schema.input.
func TestSchemaAnnotation(t *testing.T) {
	src := func(field string) string {
		return "package main\n\n# METADATA\n# schemas:\n#   - input: schema.input\ndeny contains \"x\" if {\n\tsome s in input.services\n\ts." + field + " == \"db\"\n}\n"
	}
	dir := writeTree(t, map[string]string{"rule.rego": src("name")})
	if _, err := New(context.Background(), Options{PolicyDirs: []string{dir}}); err != nil {
		t.Fatalf("a rule annotated with schema.input: %v", err)
	}
	dir = writeTree(t, map[string]string{"rule.rego": src("nme")})
	_, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	var pe *PolicyError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "rule.rego:8:2: undefined ref: s.nme") || strings.Contains(pe.Msg, "undefined schema") {
		t.Errorf("New = %v, want the misspelt field alone", err)
	}
}
