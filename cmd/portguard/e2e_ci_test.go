package main

// End-to-end tests of what CI runs: every output format, several outputs
// of one evaluation, user policies (portguard contract, conftest-style,
// sandboxed), verify, init, the CI example and the pre-commit hook.

import (
	"encoding/json"
	"encoding/xml"
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

// ciSARIFLog is the part of a SARIF log the tests read.
type ciSARIFLog struct {
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Rules []struct {
					ID string `json:"id"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Invocations []struct {
			ExitCode int `json:"exitCode"`
		} `json:"invocations"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			Locations []struct {
				PhysicalLocation struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

func ciDecodeSARIF(t *testing.T, data string) ciSARIFLog {
	t.Helper()
	var log ciSARIFLog
	if err := json.Unmarshal([]byte(data), &log); err != nil {
		t.Fatalf("not a SARIF log: %v\n%s", err, data)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 {
		t.Fatalf("SARIF version %q with %d runs", log.Version, len(log.Runs))
	}
	return log
}

// sarifKeys are the results of a SARIF log as rule file:line keys.
func ciSARIFKeys(log ciSARIFLog) []string {
	var out []string
	for _, r := range log.Runs[0].Results {
		loc := r.Locations[0].PhysicalLocation
		out = append(out, r.RuleID+" "+loc.ArtifactLocation.URI+":"+strconv.Itoa(loc.Region.StartLine))
	}
	slices.Sort(out)
	return out
}

func ciJSONKeys(r report) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, f.RuleID+" "+f.File+":"+strconv.Itoa(f.Line))
	}
	slices.Sort(out)
	return out
}

func ciRuleIDs(log ciSARIFLog) []string {
	var ids []string
	for _, r := range log.Runs[0].Tool.Driver.Rules {
		ids = append(ids, r.ID)
	}
	return ids
}

var ciGHCommandRE = regexp.MustCompile(`^::(error|warning|notice) file=[^,:]*,line=[1-9][0-9]*(,col=[0-9]+)?(,endColumn=[0-9]+)?,title=[^,:]+::.+$`)

// TestEveryFormat runs check in each format on one repository: the same
// findings, the same exit code, each in a shape its consumer reads.
func TestEveryFormat(t *testing.T) {
	path := example("violating")
	jsonRes := run(t, invocation{args: []string{"check", path, "--format", "json"}})
	r := decodeReport(t, jsonRes)
	if jsonRes.code != 1 || len(r.Findings) == 0 {
		t.Fatalf("json: exit %d, %d findings", jsonRes.code, len(r.Findings))
	}
	want := ciJSONKeys(r)
	check := func(t *testing.T, format string) string {
		t.Helper()
		res := run(t, invocation{args: []string{"check", path, "--format", format}})
		if res.code != 1 {
			t.Errorf("exit %d", res.code)
		}
		return res.stdout
	}

	t.Run("text", func(t *testing.T) {
		checkText(t, check(t, "text"), r)
	})
	t.Run("sarif", func(t *testing.T) {
		log := ciDecodeSARIF(t, check(t, "sarif"))
		if got := ciSARIFKeys(log); !slices.Equal(got, want) {
			t.Errorf("SARIF results\n%v\nJSON findings\n%v", got, want)
		}
		if inv := log.Runs[0].Invocations; len(inv) != 1 || inv[0].ExitCode != 1 {
			t.Errorf("invocations %+v, want exit code 1", inv)
		}
	})
	t.Run("junit", func(t *testing.T) {
		got, failures := ciJUnitKeys(t, check(t, "junit"))
		if !slices.Equal(got, want) {
			t.Errorf("JUnit testcases\n%v\nJSON findings\n%v", got, want)
		}
		if failures != r.Summary.Errors {
			t.Errorf("%d failures for %d error findings", failures, r.Summary.Errors)
		}
	})
	t.Run("github", func(t *testing.T) {
		lines := strings.Split(strings.TrimSuffix(check(t, "github"), "\n"), "\n")
		commands := 0
		for _, line := range lines {
			if strings.HasPrefix(line, "portguard: ") {
				continue
			}
			if !ciGHCommandRE.MatchString(line) {
				t.Errorf("not a workflow command: %q", line)
			}
			commands++
		}
		if commands != len(r.Findings)+len(r.Errors) {
			t.Errorf("%d workflow commands for %d findings and %d input errors", commands, len(r.Findings), len(r.Errors))
		}
	})
}

// ciJUnitKeys are the test cases of a JUnit report that name a file, as
// rule file:line keys, and the report's count of failures.
func ciJUnitKeys(t *testing.T, out string) ([]string, int) {
	t.Helper()
	var suites struct {
		Failures int `xml:"failures,attr"`
		Suites   []struct {
			Name  string `xml:"name,attr"`
			Cases []struct {
				Classname string    `xml:"classname,attr"`
				File      string    `xml:"file,attr"`
				Line      int       `xml:"line,attr"`
				Failure   *struct{} `xml:"failure"`
				SystemOut string    `xml:"system-out"`
			} `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal([]byte(out), &suites); err != nil {
		t.Fatalf("not XML: %v", err)
	}
	var got []string
	for _, s := range suites.Suites {
		for _, c := range s.Cases {
			if c.File != "" {
				got = append(got, c.Classname+" "+c.File+":"+strconv.Itoa(c.Line))
			}
		}
	}
	slices.Sort(got)
	return got, suites.Failures
}

// TestMultiOutputForCI is the run of the CI example: annotations in the log
// and a SARIF file, from one evaluation.
func TestMultiOutputForCI(t *testing.T) {
	dir := t.TempDir()
	sarifPath := filepath.Join(dir, "portguard.sarif")
	junitPath := filepath.Join(dir, "junit.xml")
	res := run(t, invocation{args: []string{"check", example("violating"),
		"--format", "github", "--format", "sarif", "--format", "junit",
		"--output", "-", "--output", sarifPath, "--output", junitPath}})
	if res.code != 1 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if !strings.HasPrefix(res.stdout, "::error ") && !strings.HasPrefix(res.stdout, "::warning ") {
		t.Errorf("stdout is not the github format:\n%s", res.stdout)
	}
	if strings.Contains(res.stdout, `"$schema"`) || strings.Contains(res.stdout, "<testsuites") {
		t.Error("the SARIF or JUnit report went to stdout too")
	}
	data, err := os.ReadFile(sarifPath)
	if err != nil {
		t.Fatalf("the SARIF file was not written: %v", err)
	}
	log := ciDecodeSARIF(t, string(data))
	if n := strings.Count(res.stdout, "\n::") + 1; len(log.Runs[0].Results) != n-strings.Count(res.stdout, "title=portguard input error") {
		t.Errorf("%d SARIF results, %d annotations", len(log.Runs[0].Results), n)
	}
	if b, err := os.ReadFile(junitPath); err != nil || !strings.Contains(string(b), "<testsuites") {
		t.Errorf("the JUnit file was not written: %v", err)
	}
	// No temporary file of the atomic writes is left.
	entries, _ := os.ReadDir(dir)
	if len(entries) != 2 {
		t.Errorf("the output directory holds %d entries, want 2", len(entries))
	}

	t.Run("format without output goes to stdout", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "r.json")
		res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--format", "json", "--format", "github", "--output", out}})
		if res.code != 1 || !strings.Contains(res.stdout, "::error ") {
			t.Errorf("exit %d, stdout:\n%s", res.code, res.stdout)
		}
		if _, err := os.Stat(out); err != nil {
			t.Errorf("the JSON file was not written: %v", err)
		}
	})
	t.Run("more outputs than formats", func(t *testing.T) {
		res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--format", "json", "--output", "a.json", "--output", "b.json"}})
		if res.code != 2 || !strings.Contains(res.stderr, "--output") {
			t.Errorf("exit %d, stderr %s", res.code, res.stderr)
		}
	})
	t.Run("output in a missing directory", func(t *testing.T) {
		out := filepath.Join(t.TempDir(), "missing", "r.sarif")
		res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--format", "sarif", "--output", out}})
		if res.code != 2 || !strings.Contains(res.stderr, out) {
			t.Errorf("exit %d, stderr %s", res.code, res.stderr)
		}
	})
}

// --- user policies ------------------------------------------------------------

func ciPolicyDir(name string) string { return fixture(name) }

func TestSandboxedPolicy(t *testing.T) {
	for _, cmd := range [][]string{
		{"check", fixture("port-var-default"), "--policy", ciPolicyDir("policy-sandboxed")},
		{"rules", "--policy", ciPolicyDir("policy-sandboxed")},
		{"verify", "--policy", ciPolicyDir("policy-sandboxed"), "--no-builtin"},
	} {
		t.Run(cmd[0], func(t *testing.T) {
			res := run(t, invocation{args: cmd})
			if res.code != 3 {
				t.Fatalf("exit %d, want 3\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			for _, want := range []string{
				"policy-sandboxed/http_send.rego:5:", "builtin http.send is not available",
				"policy-sandboxed/lookup.rego:5:", "builtin net.lookup_ip_addr is not available",
				"policy-sandboxed/runtime.rego:5:", "builtin opa.runtime is not available",
				"policy-sandboxed/clock.rego:5:", "builtin time.now_ns is not available",
				"policy-sandboxed/random.rego:5:", "builtin rand.intn is not available",
				"policy-sandboxed/uuid.rego:5:", "builtin uuid.rfc4122 is not available",
			} {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("stderr lacks %q:\n%s", want, res.stderr)
				}
			}
		})
	}
}

func TestConftestStylePolicy(t *testing.T) {
	base := []string{"check", fixture("hardcoded-port"), "--policy", ciPolicyDir("policy-conftest"), "--format", "json"}
	res := run(t, invocation{args: base})
	r := decodeReport(t, res)
	if res.code != 1 {
		t.Errorf("exit %d, want 1", res.code)
	}
	var got []string
	for _, f := range r.Findings {
		if strings.HasPrefix(f.RuleID, "main.") {
			got = append(got, f.RuleID+" "+f.Severity+" "+f.File+":"+strconv.Itoa(f.Line)+" "+f.Service+" "+f.Message)
		}
	}
	want := []string{`main.warn warning docker-compose.yml:6 timescaledb timescaledb publishes 7000:5432 on every interface`}
	if !slices.Equal(got, want) {
		t.Errorf("conftest findings\n%v\nwant\n%v", got, want)
	}
	// The built-in rules still run next to it.
	if !slices.ContainsFunc(r.Findings, func(f finding) bool { return f.RuleID == "DBP201" }) {
		t.Error("the built-in DBP201 finding is missing")
	}

	t.Run("--data", func(t *testing.T) {
		res := run(t, invocation{args: append(slices.Clone(base), "--data", ciPolicyDir("policy-data"), "--no-builtin")})
		r := decodeReport(t, res)
		var ids []string
		for _, f := range r.Findings {
			ids = append(ids, f.RuleID+" "+f.Severity+" "+f.File+":"+strconv.Itoa(f.Line))
		}
		slices.Sort(ids)
		want := []string{"main.violation_blocked error docker-compose.yml:3", "main.warn warning docker-compose.yml:6"}
		if !slices.Equal(ids, want) || res.code != 1 {
			t.Errorf("exit %d, findings %v, want %v (built-ins dropped, blocked image from --data)", res.code, ids, want)
		}
	})
	t.Run("sarif and rules list the conftest rules", func(t *testing.T) {
		res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--policy", ciPolicyDir("policy-conftest"), "--format", "sarif"}})
		ids := ciRuleIDs(ciDecodeSARIF(t, res.stdout))
		for _, id := range []string{"DBP101", "main.deny", "main.warn", "main.violation_blocked"} {
			if !slices.Contains(ids, id) {
				t.Errorf("SARIF rules[] lacks %s: %v", id, ids)
			}
		}
		res = run(t, invocation{args: []string{"rules", "--policy", ciPolicyDir("policy-conftest")}})
		if res.code != 0 || !strings.Contains(res.stdout, "main.deny") || !strings.Contains(res.stdout, "main.warn") {
			t.Errorf("rules --policy: exit %d\n%s", res.code, res.stdout)
		}
	})
}

func TestContractPolicy(t *testing.T) {
	dir := t.TempDir()
	ciWriteFile(t, filepath.Join(dir, "docker-compose.yml"), "services:\n  cache:\n    image: redis:latest\n    ports:\n      - \"${CACHE_PORT:-7030}:6379\"\n")
	ciWriteFile(t, filepath.Join(dir, ".env"), "CACHE_PORT=7030\n")
	ciWriteFile(t, filepath.Join(dir, "PORTS-CONVENTION.md"), "| Port | Service | Env var | Category |\n|---|---|---|---|\n| 7030 | cache | `CACHE_PORT` | database |\n")
	res := run(t, invocation{args: []string{"check", dir, "--policy", ciPolicyDir("policy-contract"), "--format", "json"}})
	r := decodeReport(t, res)
	found := false
	for _, f := range r.Findings {
		if f.RuleID == "TEAM001" {
			found = f.Severity == "warning" && f.File == "docker-compose.yml" && f.Line == 2 && f.Service == "cache"
		}
	}
	if !found {
		t.Errorf("no TEAM001 warning at docker-compose.yml:2 for cache: %+v", r.Findings)
	}

	res = run(t, invocation{args: []string{"rules", "--policy", ciPolicyDir("policy-contract"), "--format", "json"}})
	var rules []struct{ ID, Severity, Title, HelpURI string }
	if err := json.Unmarshal([]byte(res.stdout), &rules); err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(rules, func(r struct{ ID, Severity, Title, HelpURI string }) bool {
		return r.ID == "TEAM001" && r.Severity == "warning" && r.Title == "Image without a pinned version"
	}) {
		t.Errorf("rules --policy does not list TEAM001: %s", res.stdout)
	}
	res = run(t, invocation{args: []string{"check", dir, "--policy", ciPolicyDir("policy-contract"), "--format", "sarif"}})
	if ids := ciRuleIDs(ciDecodeSARIF(t, res.stdout)); !slices.Contains(ids, "TEAM001") {
		t.Errorf("SARIF rules[] lacks TEAM001: %v", ids)
	}
}

// TestTestFilesNeverLoadedByCheck: the policy directory holds a test file
// that would not compile in the sandbox and adds a finding.
func TestTestFilesNeverLoadedByCheck(t *testing.T) {
	res := run(t, invocation{args: []string{"check", fixture("port-var-default"), "--policy", ciPolicyDir("policy-test-files"), "--format", "json"}})
	r := decodeReport(t, res)
	if res.code != 0 || len(r.Findings) != 0 {
		t.Errorf("exit %d, findings %+v, want a clean check", res.code, r.Findings)
	}
	res = run(t, invocation{args: []string{"verify", "--policy", ciPolicyDir("policy-test-files"), "--no-builtin"}})
	if res.code != 3 || !strings.Contains(res.stderr, "broken_test.rego:8:") {
		t.Errorf("verify loads the test file: exit %d, want 3 at broken_test.rego:8\n%s", res.code, res.stderr)
	}
}

// --- verify -------------------------------------------------------------------

func TestVerify(t *testing.T) {
	t.Run("built-in and user tests", func(t *testing.T) {
		res := run(t, invocation{args: []string{"verify", "-v", "--policy", ciPolicyDir("policy-conftest")}})
		if res.code != 0 {
			t.Fatalf("exit %d\n%s\n%s", res.code, ciLastLines(res.stdout, 20), res.stderr)
		}
		for _, want := range []string{
			"PASS   portguard.test.rules.", "PASS   main_test.test_deny_untagged  (",
			"coverage:", "policies/ranges/database_outside_range.rego", "policy-conftest/compose.rego",
			" 0 failed, 0 errors",
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("stdout lacks %q", want)
			}
		}
		if strings.Contains(res.stdout, "compose_test.rego  (") || strings.Contains(res.stdout, "%  policies_test/") {
			t.Error("test files are counted in the coverage")
		}
	})
	t.Run("failing test", func(t *testing.T) {
		res := run(t, invocation{args: []string{"verify", "--policy", ciPolicyDir("verify-failing"), "--no-builtin"}})
		if res.code != 1 {
			t.Errorf("exit %d, want 1", res.code)
		}
		for _, want := range []string{
			"FAIL   main_test.test_deny_7000  (", "verify-failing/ports_test.rego:10)",
			"failed at ", "verify-failing/ports_test.rego:11: main.deny == {\"db publishes 7000\"}",
			"2 tests: 1 passed, 1 failed",
		} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("stdout lacks %q:\n%s", want, res.stdout)
			}
		}
		if !strings.Contains(res.stderr, "1 of 2 Rego tests failed") {
			t.Errorf("stderr: %s", res.stderr)
		}
		// Like opa test: the failures and the summary; -v lists every test.
		if strings.Contains(res.stdout, "PASS") {
			t.Errorf("a passing test is listed without -v:\n%s", res.stdout)
		}
		res = run(t, invocation{args: []string{"verify", "-v", "--policy", ciPolicyDir("verify-failing"), "--no-builtin"}})
		if !strings.Contains(res.stdout, "PASS   main_test.test_deny_7999  (") {
			t.Errorf("-v does not list the passing test:\n%s", res.stdout)
		}
	})
	t.Run("coverage threshold", func(t *testing.T) {
		args := []string{"verify", "--policy", ciPolicyDir("verify-partial-coverage"), "--no-builtin"}
		res := run(t, invocation{args: append(slices.Clone(args), "--min-coverage", "90")})
		if res.code != 1 || !strings.Contains(res.stderr, "below --min-coverage 90%") {
			t.Errorf("--min-coverage 90: exit %d, stderr %s", res.code, res.stderr)
		}
		if !strings.Contains(res.stdout, "verify-partial-coverage/ports.rego  (not covered: lines ") {
			t.Errorf("stdout lacks the uncovered lines:\n%s", res.stdout)
		}
		res = run(t, invocation{args: append(slices.Clone(args), "--min-coverage", "40")})
		if res.code != 0 {
			t.Errorf("--min-coverage 40: exit %d\n%s%s", res.code, res.stdout, res.stderr)
		}
		res = run(t, invocation{args: append(slices.Clone(args), "--min-coverage", "120")})
		if res.code != 2 {
			t.Errorf("--min-coverage 120: exit %d, want 2", res.code)
		}
	})
}

// --- init ---------------------------------------------------------------------

func TestInitThenVerifyAndCheck(t *testing.T) {
	dir := t.TempDir()
	res := run(t, invocation{args: []string{"init"}, dir: dir})
	if res.code != 0 {
		t.Fatalf("init: exit %d\n%s", res.code, res.stderr)
	}
	for _, p := range []string{".portguard.yaml", "policy/image_tag_pinned.rego", "policy/image_tag_pinned_test.rego"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			t.Errorf("init did not write %s", p)
		}
	}

	res = run(t, invocation{args: []string{"verify", "-v", "--policy", "policy"}, dir: dir})
	if res.code != 0 || !strings.Contains(res.stdout, "PASS   portguard.test.rules.custom.image_tag_pinned.test_fail_latest") {
		t.Errorf("verify --policy policy: exit %d\n%s\n%s", res.code, ciLastLines(res.stdout, 10), res.stderr)
	}
	if !regexp.MustCompile(`100\.0%  policy/image_tag_pinned\.rego\n`).MatchString(res.stdout) {
		t.Errorf("the example rule is not fully covered:\n%s", res.stdout)
	}

	ciWriteFile(t, filepath.Join(dir, "docker-compose.yml"), "services:\n  postgres:\n    image: postgres:latest\n    ports:\n      - \"${POSTGRES_PORT:-7000}:5432\"\n")
	ciWriteFile(t, filepath.Join(dir, ".env"), "POSTGRES_PORT=7000\n")
	ciWriteFile(t, filepath.Join(dir, "PORTS-CONVENTION.md"), "| Port | Service | Env var | Category |\n|---|---|---|---|\n| 7000 | postgres | `POSTGRES_PORT` | database |\n")
	res = run(t, invocation{args: []string{"check", "--policy", "policy", "--format", "json"}, dir: dir})
	r := decodeReport(t, res)
	var custom []string
	for _, f := range r.Findings {
		if f.RuleID == "CUSTOM001" {
			custom = append(custom, f.File+":"+strconv.Itoa(f.Line)+" "+f.Service)
		}
	}
	if !slices.Equal(custom, []string{"docker-compose.yml:2 postgres"}) {
		t.Errorf("CUSTOM001 findings %v, want one at docker-compose.yml:2; all: %+v", custom, r.Findings)
	}

	res = run(t, invocation{args: []string{"init"}, dir: dir})
	if res.code != 2 || !strings.Contains(res.stderr, "--force") {
		t.Errorf("init over existing files: exit %d, stderr %s", res.code, res.stderr)
	}
	res = run(t, invocation{args: []string{"init", "--force"}, dir: dir})
	if res.code != 0 {
		t.Errorf("init --force: exit %d, stderr %s", res.code, res.stderr)
	}
}

// --- CI example and pre-commit hook -------------------------------------------

// TestGitHubActionsExample runs the check command of examples/ci, word for
// word, on a copy of the violating example.
func TestGitHubActionsExample(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "examples", "ci", "github-actions.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var wf struct {
		Permissions map[string]string `yaml:"permissions"`
		Jobs        map[string]struct {
			Permissions map[string]string `yaml:"permissions"`
			Steps       []struct {
				Uses string            `yaml:"uses"`
				Run  string            `yaml:"run"`
				If   string            `yaml:"if"`
				With map[string]string `yaml:"with"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	if err := yaml.Unmarshal(data, &wf); err != nil {
		t.Fatalf("examples/ci/github-actions.yml: %v", err)
	}
	var check, sarifFile string
	uploads := false
	for _, job := range wf.Jobs {
		perm := wf.Permissions
		if job.Permissions != nil {
			perm = job.Permissions
		}
		if perm["security-events"] != "write" {
			t.Errorf("the job lacks permissions security-events: write (%v)", perm)
		}
		for _, s := range job.Steps {
			if strings.Contains(s.Run, "portguard check") {
				check = strings.TrimSpace(s.Run)
			}
			if strings.HasPrefix(s.Uses, "github/codeql-action/upload-sarif@") {
				uploads = true
				sarifFile = s.With["sarif_file"]
				if s.If == "" {
					t.Error("the upload step does not run when the check fails (no if:)")
				}
			}
		}
	}
	if !uploads {
		t.Fatal("no github/codeql-action/upload-sarif step")
	}
	if !strings.Contains(check, "--format github --format sarif --output - --output "+sarifFile) {
		t.Fatalf("the check step %q does not write annotations and %s", check, sarifFile)
	}

	dir := t.TempDir()
	treetest.Copy(t, example("violating"), dir)
	args := strings.Fields(check)[1:] // drop "portguard"
	res := run(t, invocation{args: args, dir: dir})
	if res.code != 1 || !strings.Contains(res.stdout, "::error file=") {
		t.Errorf("%s: exit %d\n%s", check, res.code, res.stdout)
	}
	out, err := os.ReadFile(filepath.Join(dir, sarifFile))
	if err != nil {
		t.Fatalf("%s did not write %s", check, sarifFile)
	}
	if log := ciDecodeSARIF(t, string(out)); len(log.Runs[0].Results) == 0 {
		t.Error("the SARIF file has no results")
	}
}

func TestPreCommitHook(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".pre-commit-hooks.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var hooks []struct {
		ID            string `yaml:"id"`
		Name          string `yaml:"name"`
		Entry         string `yaml:"entry"`
		Language      string `yaml:"language"`
		PassFilenames *bool  `yaml:"pass_filenames"`
		Files         string `yaml:"files"`
	}
	if err := yaml.Unmarshal(data, &hooks); err != nil {
		t.Fatal(err)
	}
	if len(hooks) != 1 {
		t.Fatalf("%d hooks, want 1", len(hooks))
	}
	h := hooks[0]
	if h.ID != "portguard" || h.Entry != "portguard check" || h.Language != "golang" || h.PassFilenames == nil || *h.PassFilenames || h.Name == "" {
		t.Errorf("hook %+v", h)
	}
	re, err := regexp.Compile(h.Files)
	if err != nil {
		t.Fatalf("files %q: %v", h.Files, err)
	}
	for _, name := range []string{"docker-compose.yml", "tools/compose/docker-compose.database.yml", "compose.yaml", "apps/x/compose.prod.yml", ".env", ".env.example", "PORTS-CONVENTION.md", "docs/PORTS-CONVENTION.md", ".portguard.yaml"} {
		if !re.MatchString(name) {
			t.Errorf("files does not match %s", name)
		}
	}
	for _, name := range []string{"README.md", "main.go", "compose.go", "src/environment.ts", "docker-compose.yml.bak", "policy/custom.rego"} {
		if re.MatchString(name) {
			t.Errorf("files matches %s", name)
		}
	}
}

// --- helpers ------------------------------------------------------------------

func ciWriteFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ciLastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
