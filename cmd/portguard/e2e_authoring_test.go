package main

// End-to-end tests of writing rules: policies compiled against the input
// schema, test packages without METADATA, and the schema itself.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestTypedInput: a user rule that reads a field the input document does
// not have (s.prots) is a policy error at its line for check and verify;
// the same rule spelt right compiles, tests and reports.
func TestTypedInput(t *testing.T) {
	misspelt, right := fixture("policy-misspelt-field"), fixture("policy-field-spelt-right")
	at := filepath.Join(misspelt, "every_interface.rego") + ":20:12: undefined ref: s.prots"
	for _, args := range [][]string{
		{"check", fixture("port-var-default"), "--policy", misspelt},
		{"verify", "--policy", misspelt},
		{"verify", "--policy", misspelt, "--no-builtin"},
	} {
		res := run(t, invocation{args: args})
		if res.code != 3 {
			t.Errorf("%s: exit %d, want 3\n%s", strings.Join(args, " "), res.code, res.stderr)
		}
		for _, want := range []string{at, `have: "prots"`, `want (one of): [`, `"ports"`} {
			if !strings.Contains(res.stderr, want) {
				t.Errorf("%s: stderr lacks %q:\n%s", strings.Join(args, " "), want, res.stderr)
			}
		}
		if res.stdout != "" {
			t.Errorf("%s: a policy error prints nothing on stdout:\n%s", strings.Join(args, " "), res.stdout)
		}
	}

	res := run(t, invocation{args: []string{"check", fixture("port-var-default"), "--policy", right, "--format", "json"}})
	r := decodeReport(t, res)
	var team []string
	for _, f := range r.Findings {
		if f.RuleID == "TEAM010" {
			team = append(team, f.File+" "+f.Message)
		}
	}
	if res.code != 0 || strings.Join(team, "|") != "docker-compose.yml postgres publishes 7000 on every interface" {
		t.Errorf("check with the rule spelt right: exit %d, TEAM010 findings %v", res.code, team)
	}
	// Its tests live in package portguard.rules.team.every_interface_test,
	// which needs no METADATA.
	res = run(t, invocation{args: []string{"verify", "--policy", right, "--no-builtin"}})
	if res.code != 0 || !strings.Contains(res.stdout, "2 tests: 2 passed, 0 failed") {
		t.Errorf("verify with the rule spelt right: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}

// TestInputSchema: input --schema prints the schema the policies are
// compiled against, and every document input prints is an instance of it
// (validated in input's tests); here: it is the file of the repository.
func TestInputSchema(t *testing.T) {
	res := run(t, invocation{args: []string{"input", "--schema"}})
	want, err := os.ReadFile(filepath.Join(repoRoot, "input", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	if res.code != 0 || res.stdout != string(want) {
		t.Errorf("input --schema: exit %d, stdout is not input/schema.json", res.code)
	}
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil || s.Properties["services"] == nil {
		t.Errorf("not the document's schema: %v", err)
	}
	res = run(t, invocation{args: []string{"input", "--schema", fixture("port-var-default")}})
	if res.code != 2 || !strings.Contains(res.stderr, "--schema") {
		t.Errorf("input --schema PATH: exit %d, want 2\n%s", res.code, res.stderr)
	}
}
