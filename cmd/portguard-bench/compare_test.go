package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/format"
	"github.com/open-policy-agent/opa/v1/rego"
	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/benchgen"
)

// TestConftestPolicy runs the comparison's policy as conftest test
// --combine would (one input: every file's path and parsed contents) on a
// generated repository: it reports exactly the injected violations it
// covers (portguard's DBP201 and DBP102) and nothing on a clean one, so
// the comparison times a policy that does its work.
func TestConftestPolicy(t *testing.T) {
	for _, violate := range []float64{0, 0.05} {
		dir := t.TempDir()
		injected, err := benchgen.Generate(dir, benchgen.Spec{Files: 6, Services: 300, Violate: violate})
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		for _, v := range injected {
			switch v.Rule {
			case "DBP201":
				want = append(want, v.File+": "+v.Service+": hard-coded host port")
			case "DBP102":
				want = append(want, v.File+": "+v.Service+": in the database range")
			}
		}
		got := denials(t, dir)
		sort.Strings(want)
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("violate %v: the policy reports\n%s\nwant\n%s", violate, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// The policy is as opa fmt writes it, like every Rego file of the project.
func TestConftestPolicyFormatted(t *testing.T) {
	formatted, err := format.Source("compose.rego", policy)
	if err != nil {
		t.Fatal(err)
	}
	if string(formatted) != string(policy) {
		t.Errorf("conftest/compose.rego is not formatted; opa fmt writes:\n%s", formatted)
	}
}

// denials evaluates the policy over the compose files of dir, each message
// cut to "file: service: what" for comparison.
func denials(t *testing.T, dir string) []string {
	files, _ := filepath.Glob(filepath.Join(dir, "stacks", "*", "docker-compose.yml"))
	var combined []any
	for _, f := range files {
		raw, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var contents map[string]any
		if err := yaml.Unmarshal(raw, &contents); err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel(dir, f)
		combined = append(combined, map[string]any{"path": filepath.ToSlash(rel), "contents": contents})
	}
	rs, err := rego.New(rego.Query("data.main.deny"), rego.Module("compose.rego", string(policy)), rego.Input(combined)).Eval(context.Background())
	if err != nil || len(rs) != 1 {
		t.Fatalf("%v (%d results)", err, len(rs))
	}
	var got []string
	for _, m := range rs[0].Expressions[0].Value.([]any) {
		file, rest, _ := strings.Cut(fmt.Sprint(m), ": ")
		service, what, _ := strings.Cut(rest, ": ")
		switch {
		case strings.HasPrefix(what, "hard-coded host port"):
			what = "hard-coded host port"
		case strings.HasSuffix(what, "is in the database range"):
			what = "in the database range"
		}
		got = append(got, file+": "+service+": "+what)
	}
	sort.Strings(got)
	return got
}
