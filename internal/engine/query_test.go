package engine

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestEvalQuery(t *testing.T) {
	cases := []struct {
		query string
		value bool
		vars  []string
		rows  string // JSON of the rows
		err   string
	}{
		{query: "input.services[0].name", value: true, rows: `[{"Bindings":{},"Values":["db"]}]`},
		{query: "count(input.services)", value: true, rows: `[{"Bindings":{},"Values":[2]}]`},
		{query: `input.services[0].name == "web"`, value: true, rows: `[{"Bindings":{},"Values":[false]}]`},
		{query: `[s.name | some s in input.services; startswith(s.image, "nginx")]`, value: true, rows: `[{"Bindings":{},"Values":[["web"]]}]`},
		{query: "data.portguard.nothing", value: true, rows: `[]`},
		{query: "input.services[_].name", rows: `[{"Bindings":{},"Values":["db"]},{"Bindings":{},"Values":["web"]}]`},
		{query: "some s in input.services; image := s.image; name := s.name", vars: []string{"s", "image", "name"}},
		{query: `x := count(data.portguard.lib.ports.mappings)`, vars: []string{"x"}, rows: `[{"Bindings":{"x":0},"Values":[true]}]`},
		{query: `some s in input.services; s.name == "nothing"`, vars: []string{"s"}, rows: `[]`},
		{query: "input.services[_].prots", err: "query:1:1: undefined ref: input.services[_].prots"},
		{query: "x := y", err: "query:1:1: var y is unsafe"},
		{query: "input.services[", err: "query does not parse:\n  query:1:15: unexpected eof token"},
	}
	// The planned engine (the built-in policies alone) answers through the
	// compiled one; one with --data compiles at once.
	planned, err := New(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	compiled, err := New(context.Background(), Options{DataPaths: []string{writeTree(t, map[string]string{"d.json": `{"team": {"x": 1}}`})}})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		for name, e := range map[string]*Engine{"planned": planned, "compiled": compiled} {
			res, err := e.EvalQuery(context.Background(), sampleDoc, c.query)
			if c.err != "" {
				var pe *PolicyError
				if !errors.As(err, &pe) || !strings.Contains(pe.Msg, c.err) {
					t.Errorf("%s: %q: %v, want a policy error with %q", name, c.query, err, c.err)
				}
				continue
			}
			if err != nil {
				t.Errorf("%s: %q: %v", name, c.query, err)
				continue
			}
			if res.Value != c.value || !reflect.DeepEqual(res.Vars, c.vars) {
				t.Errorf("%s: %q: value %v vars %v, want %v %v", name, c.query, res.Value, res.Vars, c.value, c.vars)
			}
			if c.rows != "" {
				b, _ := json.Marshal(res.Rows)
				if string(b) != c.rows {
					t.Errorf("%s: %q: rows %s, want %s", name, c.query, b, c.rows)
				}
			} else if len(res.Rows) != 2 || res.Rows[1].Bindings["name"] != "web" || res.Rows[1].Bindings["image"] != "nginx:1.27" {
				t.Errorf("%s: %q: rows %+v", name, c.query, res.Rows)
			}
		}
	}
	res, err := compiled.EvalQuery(context.Background(), sampleDoc, "data.portguard.team.x")
	if err != nil || len(res.Rows) != 1 || res.Rows[0].Values[0] != json.Number("1") {
		t.Errorf("--data is not under data.portguard: %+v %v", res, err)
	}
}
