package main

// End-to-end tests of writing rules: policies compiled against the input
// schema, test packages without METADATA, and the schema itself.

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/treetest"
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

// TestVerifyRunAndCoverage: --run selects tests by their full name as opa
// test --run does; --coverage writes OPA's JSON coverage report.
func TestVerifyRunAndCoverage(t *testing.T) {
	failing := fixture("verify-failing")
	res := run(t, invocation{args: []string{"verify", "--policy", failing, "--no-builtin", "--run", "test_deny_7999$", "-v"}})
	if res.code != 0 || !strings.Contains(res.stdout, "PASS   main_test.test_deny_7999  (") || strings.Contains(res.stdout, "test_deny_7000") ||
		!strings.Contains(res.stdout, "1 test: 1 passed, 0 failed") {
		t.Errorf("--run test_deny_7999$: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, invocation{args: []string{"verify", "--policy", failing, "--no-builtin", "--run", `^data\.main_test\.test_deny_7000$`}})
	if res.code != 1 || !strings.Contains(res.stdout, "1 test: 0 passed, 1 failed") {
		t.Errorf("--run on the failing test: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// The built-in tests of one rule: a package name.
	res = run(t, invocation{args: []string{"verify", "--run", `rules\.ranges\.database_outside_range\.`}})
	if res.code != 0 || !regexp.MustCompile(`^[1-9][0-9]* tests?: [1-9][0-9]* passed, 0 failed`).MatchString(res.stdout) {
		t.Errorf("--run on a built-in rule: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, invocation{args: []string{"verify", "--policy", failing, "--no-builtin", "--run", "no_such_test"}})
	if res.code != 1 || !strings.Contains(res.stderr, `no Rego test matches --run "no_such_test"`) {
		t.Errorf("--run matching nothing: exit %d\n%s", res.code, res.stderr)
	}
	res = run(t, invocation{args: []string{"verify", "--policy", failing, "--no-builtin", "--run", "test_(deny"}})
	if res.code != 2 {
		t.Errorf("--run with a bad expression: exit %d, want 2\n%s", res.code, res.stderr)
	}

	partial := fixture("verify-partial-coverage")
	out := filepath.Join(t.TempDir(), "coverage.json")
	res = run(t, invocation{args: []string{"verify", "--policy", partial, "--no-builtin", "--coverage", out}})
	if res.code != 0 || !strings.Contains(res.stdout, "1 test: 1 passed") {
		t.Fatalf("--coverage FILE: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	type rng struct{ Start, End struct{ Row int } }
	var rep struct {
		Files map[string]struct {
			Covered    []rng `json:"covered"`
			NotCovered []rng `json:"not_covered"`
		} `json:"files"`
		Coverage float64 `json:"coverage"`
	}
	if err := json.Unmarshal(data, &rep); err != nil {
		t.Fatalf("--coverage FILE is not JSON: %v", err)
	}
	f, ok := rep.Files[filepath.ToSlash(filepath.Join(partial, "ports.rego"))]
	if len(rep.Files) != 1 || !ok || len(f.Covered) == 0 {
		t.Fatalf("coverage report files %v, want ports.rego alone with covered ranges", rep.Files)
	}
	var rows []int
	for _, r := range f.NotCovered {
		rows = append(rows, r.Start.Row)
	}
	if !slices.Equal(rows, []int{10, 12}) || rep.Coverage < 66 || rep.Coverage > 67 {
		t.Errorf("not covered rows %v (want [10 12], as the summary says), coverage %.1f", rows, rep.Coverage)
	}
	res = run(t, invocation{args: []string{"verify", "--policy", partial, "--no-builtin", "--coverage", "-"}})
	if res.code != 0 || !json.Valid([]byte(res.stdout)) || !strings.Contains(res.stderr, "1 test: 1 passed") {
		t.Errorf("--coverage -: exit %d, stdout must be the JSON alone and the summary on stderr\n%s\n%s", res.code, res.stdout, res.stderr)
	}
}

// TestFmt: --check names the file that is not formatted and exits 1; fmt
// rewrites it to what opa fmt (1.22.3, the OPA of go.mod) wrote for it,
// bad.rego.opa-fmt, and leaves the others (and vendor/) alone.
func TestFmt(t *testing.T) {
	dir := t.TempDir()
	treetest.Copy(t, fixture("fmt-unformatted"), dir)
	bad := filepath.Join("policy", "team", "bad.rego")
	before, _ := os.ReadFile(filepath.Join(dir, bad))

	res := run(t, invocation{args: []string{"fmt", "--check", "policy"}, dir: dir})
	if res.code != 1 || res.stdout != bad+"\n" || !strings.Contains(res.stderr, "1 file is not formatted") {
		t.Errorf("fmt --check: exit %d, stdout %q, stderr %q; want 1 naming %s alone", res.code, res.stdout, res.stderr, bad)
	}
	res = run(t, invocation{args: []string{"fmt", "--diff", "policy"}, dir: dir})
	if res.code != 0 || !strings.HasPrefix(res.stdout, "--- a/"+filepath.ToSlash(bad)+"\n+++ b/"+filepath.ToSlash(bad)+"\n@@ ") || !strings.Contains(res.stdout, "\n+deny contains msg if {\n") {
		t.Errorf("fmt --diff: exit %d\n%s", res.code, res.stdout)
	}
	if after, _ := os.ReadFile(filepath.Join(dir, bad)); string(after) != string(before) {
		t.Error("--check or --diff changed the file")
	}

	res = run(t, invocation{args: []string{"fmt", "policy"}, dir: dir})
	if res.code != 0 || res.stdout != "formatted "+bad+"\n" {
		t.Errorf("fmt: exit %d, stdout %q\n%s", res.code, res.stdout, res.stderr)
	}
	want, _ := os.ReadFile(filepath.Join(dir, "bad.rego.opa-fmt"))
	if got, _ := os.ReadFile(filepath.Join(dir, bad)); string(got) != string(want) {
		t.Errorf("fmt wrote:\n%s\nopa fmt writes:\n%s", got, want)
	}
	res = run(t, invocation{args: []string{"fmt", "--check", "policy"}, dir: dir})
	if res.code != 0 || res.stdout != "" {
		t.Errorf("fmt --check after fmt: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got, _ := os.ReadFile(filepath.Join(dir, "policy", "vendor", "skipped.rego")); !strings.Contains(string(got), "allow if {true}") {
		t.Error("fmt rewrote a file under vendor/")
	}

	// A module that is not Rego v1 is a policy error at its place.
	ciWriteFile(t, filepath.Join(dir, "policy", "old.rego"), "package old\n\np[x] { x := 1 }\n")
	res = run(t, invocation{args: []string{"fmt", "--check", "policy"}, dir: dir})
	if res.code != 3 || !strings.Contains(res.stderr, filepath.Join("policy", "old.rego")+":3:1: `if` keyword is required before rule body") {
		t.Errorf("fmt on Rego v0: exit %d, want 3 at old.rego:3:1\n%s", res.code, res.stderr)
	}
}

// TestEval: eval prints the facts and the library's values of the examples,
// as JSON and as a table.
func TestEval(t *testing.T) {
	res := run(t, invocation{args: []string{"eval", "data.portguard.lib.ports.mappings", example("violating")}})
	var ports []struct {
		Service   string `json:"service"`
		Category  string `json:"category"`
		Effective *int   `json:"effective"`
		File      string `json:"file"`
		Line      int    `json:"line"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &ports); res.code != 0 || err != nil {
		t.Fatalf("eval ports.mappings: exit %d, %v\n%s%s", res.code, err, res.stdout, res.stderr)
	}
	found := false
	for _, p := range ports {
		if p.Service == "timescaledb-backup" && p.Category == "database" && p.Effective != nil && *p.Effective == 7005 &&
			p.File == "tools/compose/docker-compose.database.yml" && p.Line > 0 {
			found = true
		}
	}
	if !found {
		t.Errorf("ports.mappings lacks timescaledb-backup on 7005 (database): %+v", ports)
	}

	res = run(t, invocation{args: []string{"eval", "--format", "pretty",
		`[{"service": p.service, "port": p.effective, "category": p.category} | some p in data.portguard.lib.ports.mappings]`, example("violating")}})
	lines := strings.Split(res.stdout, "\n")
	if res.code != 0 || !regexp.MustCompile(`^CATEGORY +PORT +SERVICE$`).MatchString(lines[0]) ||
		!regexp.MustCompile(`(?m)^database +7005 +timescaledb-backup$`).MatchString(res.stdout) || len(lines) != len(ports)+2 {
		t.Errorf("eval --format pretty: exit %d, %d lines for %d ports\n%s%s", res.code, len(lines), len(ports), res.stdout, res.stderr)
	}

	res = run(t, invocation{args: []string{"eval", "data.portguard.lib.suggest.free.database[0]", example("compliant")}})
	if n, err := strconv.Atoi(strings.TrimSpace(res.stdout)); res.code != 0 || err != nil || n < 7000 || n > 7099 {
		t.Errorf("the lowest free database port: exit %d, %q", res.code, res.stdout)
	}
	res = run(t, invocation{args: []string{"eval", "input.services[_].prots", example("compliant")}})
	if res.code != 3 || !strings.Contains(res.stderr, "query:1:1: undefined ref: input.services[_].prots") {
		t.Errorf("a misspelt field: exit %d\n%s", res.code, res.stderr)
	}
	res = run(t, invocation{args: []string{"eval", "data.portguard.nothing", example("compliant")}})
	if res.code != 1 || res.stdout != "" || !strings.Contains(res.stderr, "the query is undefined") {
		t.Errorf("an undefined query: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	res = run(t, invocation{args: []string{"eval"}})
	if res.code != 2 {
		t.Errorf("eval without a query: exit %d, want 2", res.code)
	}
}

// TestInitCI: the workflow step and the pre-commit hooks init writes run
// portguard fmt --check and verify on the policy directory: run as written,
// they pass on what init wrote, fail on a file that is not formatted, and
// fail on a misspelt input field.
func TestInitCI(t *testing.T) {
	dir := t.TempDir()
	ciWriteFile(t, filepath.Join(dir, ".pre-commit-config.yaml"), "repos:\n- repo: https://github.com/pre-commit/pre-commit-hooks\n  rev: v5.0.0\n  hooks:\n  - id: check-yaml\n")
	res := run(t, invocation{args: []string{"init"}, dir: dir})
	if res.code != 0 || !strings.Contains(res.stdout, "wrote .github/workflows/portguard-policy.yml\n") ||
		!strings.Contains(res.stdout, "added the portguard hooks to .pre-commit-config.yaml\n") {
		t.Fatalf("init: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	var wf struct {
		Jobs map[string]struct {
			Steps []struct{ Run string } `yaml:"steps"`
		} `yaml:"jobs"`
	}
	var pc struct {
		Repos []struct {
			Repo  string
			Hooks []struct{ ID, Entry string }
		}
	}
	for p, v := range map[string]any{".github/workflows/portguard-policy.yml": &wf, ".pre-commit-config.yaml": &pc} {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)))
		if err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(data, v); err != nil {
			t.Fatalf("%s: %v", p, err)
		}
	}
	var commands []string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if strings.HasPrefix(s.Run, "portguard ") {
				commands = append(commands, s.Run)
			}
		}
	}
	hooks := map[string]string{}
	for _, r := range pc.Repos {
		for _, h := range r.Hooks {
			hooks[h.ID] = h.Entry
		}
	}
	if _, ok := hooks["check-yaml"]; !ok || pc.Repos[0].Repo != "https://github.com/pre-commit/pre-commit-hooks" {
		t.Errorf("the team's hook is gone: %+v", pc.Repos)
	}
	commands = append(commands, hooks["portguard-fmt"], hooks["portguard-verify"])
	want := []string{"portguard fmt --check policy", "portguard verify --policy policy", "portguard fmt --check policy", "portguard verify --policy policy"}
	if !slices.Equal(commands, want) {
		t.Fatalf("the workflow and the hooks run %q, want %q", commands, want)
	}
	for _, c := range commands[:2] {
		if res := run(t, invocation{args: strings.Fields(c)[1:], dir: dir}); res.code != 0 {
			t.Errorf("%s on what init wrote: exit %d\n%s%s", c, res.code, res.stdout, res.stderr)
		}
	}

	rule := filepath.Join(dir, "policy", "image_tag_pinned.rego")
	src, _ := os.ReadFile(rule)
	ciWriteFile(t, rule, strings.Replace(string(src), "\tsome s in input.services\n", "\tsome s in input.services\n\n\n", 1))
	res = run(t, invocation{args: strings.Fields(commands[0])[1:], dir: dir})
	if res.code != 1 || res.stdout != filepath.Join("policy", "image_tag_pinned.rego")+"\n" {
		t.Errorf("%s on an unformatted rule: exit %d, stdout %q", commands[0], res.code, res.stdout)
	}
	ciWriteFile(t, rule, strings.Replace(string(src), "s.image != \"\"", "s.imag != \"\"", 1))
	res = run(t, invocation{args: strings.Fields(commands[1])[1:], dir: dir})
	if res.code != 3 || !strings.Contains(res.stderr, "undefined ref: s.imag") {
		t.Errorf("%s on a misspelt field: exit %d\n%s", commands[1], res.code, res.stderr)
	}
}
