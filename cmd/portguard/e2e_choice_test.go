package main

// One choice of port, on every repository at hand: the port check's fixes
// give a mapping is the one migrate plan moves it to, a mapping that no
// plan moves keeps its port in check's fixes too, and suggest offers none
// of these ports for a new service.

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"testing"
)

// mappingKey names a mapping of a service by its place.
type mappingKey struct {
	service, file string
	line, column  int
}

func (k mappingKey) String() string {
	return fmt.Sprintf("%s %s:%d:%d", k.service, k.file, k.line, k.column)
}

// docMapping is a mapping of the input document: its variable and port.
type docMapping struct {
	variable  string
	effective int
}

func TestOneChoiceOfPortEverywhere(t *testing.T) {
	for _, src := range repositoriesAtHand(t) {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			if !checkable(t, src.dir) {
				t.Skip("input errors: no choice to compare")
			}
			mappings := documentMappings(t, src.dir)
			if len(mappings) == 0 {
				t.Skip("no port mapping")
			}
			chosen := checkChoices(t, src.dir, mappings)
			moves := planMoves(t, src.dir)
			taken := map[int]bool{}
			for k, m := range mappings {
				want, moved := moves[k]
				if !moved {
					want = m.effective
				}
				got, ok := chosen[k]
				if !ok {
					got = m.effective
				}
				if got != want {
					t.Errorf("%s: check's fix gives %d, migrate plan %d", k, got, want)
				}
				taken[got], taken[m.effective] = true, true
			}
			for _, category := range []string{"database", "ui", "exporter"} {
				res := run(t, invocation{args: []string{"suggest", src.dir, "--category", category}})
				if n, err := strconv.Atoi(strings.TrimSpace(res.stdout)); err == nil && taken[n] {
					t.Errorf("suggest --category %s offers %d, which a mapping publishes or moves to", category, n)
				}
			}
		})
	}
}

// documentMappings are the single-port mappings of the input document.
func documentMappings(t *testing.T, root string) map[mappingKey]docMapping {
	t.Helper()
	res := run(t, invocation{args: []string{"input", root}})
	var doc struct {
		Services []struct {
			Name  string `json:"name"`
			Ports []struct {
				File      string `json:"file"`
				Line      int    `json:"line"`
				Column    int    `json:"column"`
				Effective *int   `json:"effective"`
				Range     []int  `json:"effective_range"`
				Variable  *struct {
					Name string `json:"name"`
				} `json:"variable"`
			} `json:"ports"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("input %s: %v\n%s", root, err, res.stderr)
	}
	out := map[mappingKey]docMapping{}
	for _, s := range doc.Services {
		for _, p := range s.Ports {
			if p.Effective == nil || len(p.Range) != 2 || p.Range[0] != p.Range[1] {
				continue
			}
			m := docMapping{effective: *p.Effective}
			if p.Variable != nil {
				m.variable = p.Variable.Name
			}
			out[mappingKey{s.Name, p.File, p.Line, p.Column}] = m
		}
	}
	return out
}

// checkChoices are the ports check's fixes give mappings: the port of an
// edit, else the value a fix sets the mapping's variable to in the .env.
func checkChoices(t *testing.T, root string, mappings map[mappingKey]docMapping) map[mappingKey]int {
	t.Helper()
	res := run(t, invocation{args: []string{"check", root, "--format", "json"}})
	var r struct {
		Findings []struct {
			Service string `json:"service"`
			Fix     struct {
				Edits []struct {
					File   string `json:"file"`
					Line   int    `json:"line"`
					Column int    `json:"column"`
					Port   int    `json:"port"`
				} `json:"edits"`
				Env []struct {
					Name  string `json:"name"`
					Value string `json:"value"`
				} `json:"env"`
			} `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("check %s: %v\n%s", root, err, res.stderr)
	}
	chosen := map[mappingKey]int{}
	choose := func(k mappingKey, port int) {
		if prev, ok := chosen[k]; ok && prev != port {
			t.Errorf("%s: check's fixes give both %d and %d", k, prev, port)
		}
		chosen[k] = port
	}
	for _, f := range r.Findings {
		for _, e := range f.Fix.Edits {
			choose(mappingKey{f.Service, e.File, e.Line, e.Column}, e.Port)
		}
		if len(f.Fix.Edits) > 0 {
			continue
		}
		for _, e := range f.Fix.Env {
			port, err := strconv.Atoi(e.Value)
			for k, m := range mappings {
				if err == nil && k.service == f.Service && m.variable == e.Name {
					choose(k, port)
				}
			}
		}
	}
	return chosen
}

// planMoves are the ports migrate plan moves mappings to.
func planMoves(t *testing.T, root string) map[mappingKey]int {
	t.Helper()
	res := run(t, invocation{args: []string{"migrate", "plan", root, "--format", "json"}})
	var plan struct {
		Moves []struct {
			Service string `json:"service"`
			File    string `json:"file"`
			Line    int    `json:"line"`
			Column  int    `json:"column"`
			To      int    `json:"to"`
		} `json:"moves"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatalf("migrate plan %s: exit %d %v\n%s", root, res.code, err, res.stderr)
	}
	moves := map[mappingKey]int{}
	for _, m := range plan.Moves {
		moves[mappingKey{m.Service, m.File, m.Line, m.Column}] = m.To
	}
	return moves
}
