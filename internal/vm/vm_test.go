package vm_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/portguard/portguard/internal/vm"
	"github.com/portguard/portguard/internal/vm/plangen"
)

// machine plans data.t.out over module and loads it.
func machine(t *testing.T, module string) *vm.Machine {
	t.Helper()
	m, err := ast.ParseModuleWithOpts("t.rego", module, ast.ParserOptions{RegoVersion: ast.RegoV1})
	if err != nil {
		t.Fatal(err)
	}
	prog, err := plangen.Plan(map[string]*ast.Module{"t.rego": m}, "t/out", nil)
	if err != nil {
		t.Fatal(err)
	}
	mach, err := vm.New(prog)
	if err != nil {
		t.Fatal(err)
	}
	return mach
}

// topdown evaluates data.t.out with OPA's evaluator: the reference.
func topdown(t *testing.T, module, input, data string) (string, error) {
	t.Helper()
	var in, d any
	if err := json.Unmarshal([]byte(input), &in); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(data), &d); err != nil {
		t.Fatal(err)
	}
	r := rego.New(rego.Query("data.t.out"), rego.Module("t.rego", module), rego.Input(in),
		rego.Store(storeOf(t, d)))
	rs, err := r.Eval(context.Background())
	if err != nil {
		return "", err
	}
	if len(rs) == 0 {
		return "undefined", nil
	}
	out, err := json.Marshal(rs[0].Expressions[0].Value)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), nil
}

func run(t *testing.T, m *vm.Machine, input, data string) (string, error) {
	t.Helper()
	in, err := ast.ValueFromReader(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	return runOn(t, m, in, data)
}

// runNative is run with the input as the machine's own values: every
// object a vm.Record, every array a vm.List.
func runNative(t *testing.T, m *vm.Machine, input, data string) (string, error) {
	t.Helper()
	in, err := ast.ValueFromReader(strings.NewReader(input))
	if err != nil {
		t.Fatal(err)
	}
	return runOn(t, m, nativeOf(t, ast.NewTerm(in)).Value, data)
}

func nativeOf(t *testing.T, x *ast.Term) *ast.Term {
	switch v := x.Value.(type) {
	case ast.Object:
		var names []string
		for _, k := range v.Keys() {
			s, ok := k.Value.(ast.String)
			if !ok {
				return x // a Record has string keys
			}
			names = append(names, string(s))
		}
		schema, order, err := vm.NewSchema(names)
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]*ast.Term, len(names))
		for i, name := range names {
			vals[order[i]] = nativeOf(t, v.Get(ast.StringTerm(name)))
		}
		return ast.NewTerm(vm.NewRecord(schema, vals))
	case *ast.Array:
		elems := make([]*ast.Term, v.Len())
		for i := range elems {
			elems[i] = nativeOf(t, v.Elem(i))
		}
		return ast.NewTerm(vm.NewList(elems))
	}
	return x
}

func runOn(t *testing.T, m *vm.Machine, in ast.Value, data string) (string, error) {
	t.Helper()
	d, err := ast.ValueFromReader(strings.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	rs, err := m.Eval(context.Background(), in, d, 1)
	if err != nil {
		return "", err
	}
	if len(rs) == 0 {
		return "undefined", nil
	}
	v := rs[0].Value.(ast.Object).Get(ast.StringTerm("result"))
	if v == nil {
		return "undefined", nil
	}
	x, err := ast.JSON(v.Value)
	if err != nil {
		t.Fatal(err)
	}
	out, err := json.Marshal(x)
	if err != nil {
		t.Fatal(err)
	}
	return string(out), nil
}

// topdownCases are the policies of TestMatchesTopdown, with the data and
// the inputs each runs on.
var topdownCases = []struct {
	name, module string
	data         string
	inputs       []string
}{
	{"else chain", `package t
f(x) := "big" if x > 5
else := "mid" if x > 2
else := "small"
out := [f(x) | some x in input.xs]`, `{}`, []string{`{"xs": [1, 3, 9]}`, `{"xs": []}`, `{}`}},
	{"every", `package t
out := {"all_positive": pos, "domain_ok": ok}
default pos := false
pos if every x in input.xs { x > 0 }
default ok := false
ok if {
input.xs
every k, v in input.xs { k != v }
}`, `{}`, []string{`{"xs": [1, 2]}`, `{"xs": [1, -2]}`, `{"xs": {"a": "b"}}`, `{"xs": 3}`, `{"xs": []}`}},
	{"not and nested not", `package t
q if input.a == 1
r if not q
out := {"r": r, "s": s}
default s := "none"
s := "x" if {
not q
not input.b == 2
}`, `{}`, []string{`{"a": 1}`, `{"a": 2}`, `{"a": 2, "b": 2}`, `{}`}},
	{"multi-value rule grouping", `package t
g[k] contains v if {
some v in input.xs
k := sprintf("%d", [v % 3])
}
out := {k: sort(vs) | some k, vs in g}`, `{}`, []string{`{"xs": [1, 2, 3, 4, 5, 6, 7]}`, `{"xs": []}`}},
	{"nested multi-value rule", `package t
g[a][b] contains v if {
some v in input.xs
a := v.a
b := v.b
}
out := g`, `{}`, []string{`{"xs": [{"a": "x", "b": "y"}, {"a": "x", "b": "z"}, {"a": "x", "b": "y", "c": 1}]}`}},
	{"partial object and conflict", `package t
o[k] := v if some k, v in input.obj
out := o`, `{}`, []string{`{"obj": {"a": 1, "b": [1, 2]}}`, `{"obj": {}}`}},
	{"complete rule conflict", `package t
out := input.a if input.a
out := input.b if input.b`, `{}`, []string{`{"a": 1}`, `{"a": 1, "b": 1}`, `{"a": 1, "b": 2}`}},
	{"unification and membership", `package t
out := [[a, b] | some pair in input.pairs; [a, b] := pair; not a in {2, 3}]`, `{}`, []string{`{"pairs": [[1, 2], [2, 3], [4, 5], [6]]}`}},
	{"built-in errors are undefined", `package t
out := [n | some s in input.s; n := to_number(s)]`, `{}`, []string{`{"s": ["1", "x", "2.5"]}`}},
	{"data, sets, object.get, count", `package t
kb := data.kb
out := {"known": {i | some i in input.images; kb[i]}, "n": count(kb), "d": object.get(kb, "none", "default"), "union": {1, 2} | {input.x}}`, `{"kb": {"postgres": 1, "redis": 2}}`, []string{`{"images": ["postgres", "nginx"], "x": 5}`}},
	{"functions with several bodies", `package t
kind(x) := "num" if is_number(x)
kind(x) := "str" if is_string(x)
out := [kind(x) | some x in input.xs]`, `{}`, []string{`{"xs": [1, "a", true]}`}},
	{"iteration over objects and sets", `package t
out := {"keys": [k | input.obj[k]], "vals": [v | some v in {x | some x in input.xs}], "deep": [x | x := input.obj[_][_]]}`, `{}`, []string{`{"obj": {"b": [1], "a": [2, 3]}, "xs": [3, 1, 2, 1]}`}},
	{"objects and arrays of the input in every role", `package t
ports contains p if p := input.svcs[_].ports[_]
built := [s | some s in input.svcs]
extended := [object.union(s, {"svc": i, "name": "x"}) | some i, s in input.svcs]
out := {
	"union": [object.union(p, {"svc": s.name, "proto": "udp"}) | some s in input.svcs; some p in s.ports],
	"deep_union": [object.union(s, {"meta": {"b": 2}}) | some s in input.svcs],
	"get": [[object.get(s, "image", "none"), object.get(s, ["meta", "a"], 0), object.get(s, 3, "k"), object.get(s, ["ports", 1, "p"], "d"), object.get(s, ["ports", "0"], "d"), object.get(s, ["name", "x"], "d"), object.get(s, [], "d")] | some s in input.svcs],
	"count": [count(input.svcs), count(input.svcs[0]), count(input.svcs[0].ports), count(input.svcs[0].name)],
	"keys": [k | some k, _ in input.svcs[0]],
	"set": {s | some s in input.svcs},
	"by": {s.name: s | some s in input.svcs},
	"keyed": {k: 1 | some s in input.svcs; k := s.ports},
	"eq": [input.svcs[0] == input.svcs[1], input.svcs[0] == input.svcs[0], input.svcs[0] == {"name": "a", "image": "postgres", "meta": {"a": 1}, "ports": [{"p": 1}, {"p": 2}]}, input.svcs[0].ports == [{"p": 1}, {"p": 2}]],
	"kinds": [[is_object(s), is_array(s), is_array(s.ports), is_string(s.name)] | some s in input.svcs],
	"index": [input.svcs[0].ports[1], [y | y := input.svcs[0].ports[5]], [y | y := input.svcs[0].ports["a"]]],
	"missing": [x | x := input.svcs[0]["nope"]],
	"sprintf": sprintf("%v", [input.svcs[0]]),
	"lookup": {p | some p in input.svcs[_].ports} & {input.svcs[0].ports[0]},
	"json": json.marshal(input.svcs[1]),
	"ports": ports,
	"filter": [object.filter(s, {"name", "meta", "nope"}) | some s in input.svcs],
	"filter_array": object.filter(input.svcs[0], ["image"]),
	"built": [built, count(built), built == input.svcs, built[1].name, [s.name | some s in built], object.union(built[0], {"x": 1}).x],
	"concat": [array.concat(built, [1]), count(array.concat([0], built)), array.concat(built, built)[3].name],
	"member": [input.svcs[1] in built, {"name": "b"} in built],
	"extended": [[e.svc, e.name, e.ports, object.get(e, "image", "none"), count(e)] | some e in extended],
	"extended_eq": [extended[0] == object.union(input.svcs[0], {"svc": 0, "name": "x"}), extended[1] == extended[0]],
	"extended_twice": [object.union(e, {"name": "y", "more": true}) | some e in extended],
	"extended_keys": [[k | some k, _ in e] | some e in extended],
	"merge_objects": object.union(input.svcs[0], {"meta": {"b": 2}, "name": "z"}),
	"mixed": [x | some x in [1, input.svcs[0], "s"]],
	"json_built": json.marshal(built),
}`, `{}`, []string{`{"svcs": [{"name": "a", "image": "postgres", "meta": {"a": 1}, "ports": [{"p": 1}, {"p": 2}]}, {"name": "b", "ports": [], "meta": {"c": 3}}]}`}},
	{"or via else and early exit", `package t
first := x if {
some x in input.xs
x > 2
}
out := first`, `{}`, []string{`{"xs": [1, 5]}`, `{"xs": [1]}`, `{"xs": [3, 5]}`}},
}

// TestMatchesTopdown runs small policies that exercise each construct of
// the plans (else chains, every, not, multi-value and partial rules, nested
// comprehensions, unification, built-in errors, base and virtual data)
// on the machine and on topdown, over inputs that take each branch, and
// requires the same value.
func TestMatchesTopdown(t *testing.T) {
	for _, c := range topdownCases {
		t.Run(c.name, func(t *testing.T) {
			m := machine(t, c.module)
			for _, in := range c.inputs {
				want, werr := topdown(t, c.module, in, c.data)
				for kind, run := range map[string]func(*testing.T, *vm.Machine, string, string) (string, error){"OPA": run, "native": runNative} {
					got, gerr := run(t, m, in, c.data)
					if (werr != nil) != (gerr != nil) {
						t.Errorf("input %s (%s values): topdown error %v, machine error %v", in, kind, werr, gerr)
						continue
					}
					if got != want {
						t.Errorf("input %s (%s values): machine %s, topdown %s", in, kind, got, want)
					}
				}
			}
		})
	}
}

// TestCancel stops a long evaluation when its context ends.
func TestCancel(t *testing.T) {
	m := machine(t, `package t
out := count([x | some x in numbers.range(1, 1000000); x % 7 == 0])`)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := m.Eval(ctx, ast.NewObject(), ast.NewObject(), 1)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v, want context.Canceled", err)
	}
}

// TestUnknownBuiltin refuses a program that calls a built-in OPA lacks.
func TestUnknownBuiltin(t *testing.T) {
	_, err := vm.New(&vm.Program{Builtins: []string{"no.such.builtin"}})
	if err == nil || !strings.Contains(err.Error(), "no.such.builtin") {
		t.Fatalf("err = %v", err)
	}
}

func storeOf(t *testing.T, data any) storage.Store {
	t.Helper()
	m, ok := data.(map[string]any)
	if !ok {
		t.Fatal("data must be an object")
	}
	return inmem.NewFromObject(m)
}

// TestParallelRoots computes rules that share dependencies on several
// goroutines and gets the values of one goroutine.
func TestParallelRoots(t *testing.T) {
	module := `package t
base := [y | some x in input.xs; y := x * 2]
total := sum(base)
big contains x if { some x in base; x > total / 4 }
small contains x if { some x in base; not big[x] }
groups[x % 3] contains x if some x in base
out := {"big": big, "small": small, "groups": groups, "total": total}`
	m := machine(t, module)
	m.SetRoots(func(name string) bool { return !strings.HasSuffix(name, ".out") })
	in := `{"xs": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}`
	want, err := topdown(t, module, in, `{}`)
	if err != nil {
		t.Fatal(err)
	}
	for range 20 {
		v, err := ast.ValueFromReader(strings.NewReader(in))
		if err != nil {
			t.Fatal(err)
		}
		rs, err := m.Eval(context.Background(), v, ast.NewObject(), 4)
		if err != nil {
			t.Fatal(err)
		}
		x, _ := ast.JSON(rs[0].Value.(ast.Object).Get(ast.StringTerm("result")).Value)
		got, _ := json.Marshal(x)
		if string(got) != want {
			t.Fatalf("parallel %s, topdown %s", got, want)
		}
	}
}
