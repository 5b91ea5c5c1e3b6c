package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/treetest"
)

// factoryWithBuffers is a Factory whose streams are buffers.
func factoryWithBuffers() (*Factory, *bytes.Buffer, *bytes.Buffer) {
	var out, errOut bytes.Buffer
	f := &Factory{
		IO:     &IOStreams{In: strings.NewReader(""), Out: &out, ErrOut: &errOut},
		Getenv: func(string) string { return "" },
		NewEngine: func(opts engine.Options) (*engine.Engine, error) {
			return engine.New(context.Background(), opts)
		},
	}
	return f, &out, &errOut
}

// exitCode is the code an error from a run function maps to.
func exitCode(err error) int {
	var exit *ExitError
	if errors.As(err, &exit) {
		return exit.Code
	}
	if err == nil {
		return ExitClean
	}
	return -1
}

func TestNewCmdVerifyFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    VerifyOptions
		wantErr bool
	}{
		{name: "defaults", args: nil, want: VerifyOptions{}},
		{name: "all flags", args: []string{"--policy", "a", "--policy", "b/c.rego", "--data", "d.json", "--no-builtin", "--min-coverage", "85.5", "-v", "--run", "deny_", "--coverage", "cov.json"},
			want: VerifyOptions{Policies: []string{"a", "b/c.rego"}, Data: []string{"d.json"}, NoBuiltin: true, MinCoverage: 85.5, Verbose: true, Run: "deny_", Coverage: "cov.json"}},
		{name: "long verbose", args: []string{"--verbose"}, want: VerifyOptions{Verbose: true}},
		{name: "coverage to stdout", args: []string{"--coverage", "-"}, want: VerifyOptions{Coverage: "-"}},
		{name: "coverage without a file", args: []string{"--coverage"}, wantErr: true},
		{name: "no argument", args: []string{"policy"}, wantErr: true},
		{name: "coverage not a number", args: []string{"--min-coverage", "most"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := factoryWithBuffers()
			var got *VerifyOptions
			cmd := NewCmdVerify(f, func(o *VerifyOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if c.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.BuiltinTests == nil {
				t.Error("the built-in tests are not set")
			}
			if got.IO != f.IO {
				t.Error("the streams are not the factory's")
			}
			want := c.want
			want.IO, want.BuiltinTests = got.IO, got.BuiltinTests
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("options %+v, want %+v", *got, want)
			}
		})
	}
}

// verifyRule is a rule package without METADATA: check would reject it,
// so verify does too.
const verifyRule = "package portguard.rules.custom.no_latest\n\nreport contains 1 if false\n"

// userPolicy is a conftest-style rule with a test that passes, and a
// second rule no test reaches (coverage below 100).
var userPolicy = map[string]string{
	"main.rego": `package main

deny contains sprintf("%s: latest", [s.name]) if {
	some s in input.services
	endswith(s.image, ":latest")
}

warn contains "untested" if {
	input.explicit_files
}
`,
	"main_test.rego": `package main_test

import data.main

test_deny_latest if {
	main.deny == {"db: latest"} with input as {"services": [{"name": "db", "image": "postgres:latest"}]}
}
`,
}

// twoTests is userPolicy with a second test.
var twoTests = map[string]string{
	"main.rego": userPolicy["main.rego"],
	"main_test.rego": userPolicy["main_test.rego"] + `
test_deny_other if {
	main.deny == set() with input as {"services": [{"name": "db", "image": "postgres:16"}]}
}
`,
}

// failingTest is a test of userPolicy that fails.
const failingTest = `package main_test

import data.main

test_deny_nothing if {
	main.deny == set() with input as {"services": [{"name": "db", "image": "postgres:latest"}]}
}
`

// verifyCase is a run of verify on a directory of policy files, and what
// it must print and exit with.
type verifyCase struct {
	name        string
	files       map[string]string
	minCoverage float64
	noBuiltin   bool
	noPolicy    bool
	verbose     bool
	run         string
	code        int
	stdout      []string
	notStdout   []string
	stderr      string
}

func TestVerifyRun(t *testing.T) {
	cases := []verifyCase{
		{name: "passing tests: the summary alone", files: userPolicy, noBuiltin: true, code: ExitClean,
			stdout:    []string{"1 test: 1 passed, 0 failed, 0 errors, 0 skipped\n"},
			notStdout: []string{"PASS", "coverage"}},
		{name: "passing tests, verbose", files: userPolicy, noBuiltin: true, verbose: true, code: ExitClean,
			stdout: []string{"PASS   main_test.test_deny_latest  (", "main_test.rego:5)", "coverage:", "main.rego  (not covered: lines 8-9)", "1 test: 1 passed, 0 failed, 0 errors, 0 skipped; coverage"}},
		{name: "failing test", files: map[string]string{"main.rego": userPolicy["main.rego"], "main_test.rego": failingTest}, noBuiltin: true, code: ExitFindings,
			stdout:    []string{"FAIL   main_test.test_deny_nothing  (", "main_test.rego:5)", "failed at ", "main_test.rego:6: main.deny == set()", "1 failed"},
			notStdout: []string{"coverage:"},
			stderr:    "1 of 1 Rego tests failed"},
		{name: "--run selects the tests", files: twoTests, noBuiltin: true, run: "deny_latest$", verbose: true, code: ExitClean,
			stdout:    []string{"PASS   main_test.test_deny_latest  (", "1 test: 1 passed"},
			notStdout: []string{"test_deny_other"}},
		{name: "--run on the package", files: twoTests, noBuiltin: true, run: "^data\\.main_test\\.", code: ExitClean,
			stdout: []string{"2 tests: 2 passed"}},
		{name: "--run matching nothing", files: twoTests, noBuiltin: true, run: "nothing_matches", code: ExitFindings,
			stderr: `no Rego test matches --run "nothing_matches"`},
		{name: "--run not a regular expression", files: twoTests, noBuiltin: true, run: "deny_(", code: ExitInput,
			stderr: "--run"},
		{name: "coverage below the minimum names the files short of it", files: userPolicy, noBuiltin: true, minCoverage: 99, code: ExitFindings,
			stdout: []string{"coverage:\n", "main.rego  (not covered: lines 8-9)", "(minimum 99%)"}, stderr: "is below --min-coverage 99%"},
		{name: "coverage at the minimum", files: userPolicy, noBuiltin: true, minCoverage: 10, code: ExitClean},
		{name: "policy does not compile", files: map[string]string{"bad.rego": "package main\n\ndeny contains x if {\n\tx := nope(1)\n}\n"}, noBuiltin: true, code: ExitPolicy,
			stderr: "bad.rego:4:"},
		{name: "sandboxed builtin", files: map[string]string{"net.rego": "package main\n\ndeny contains x if {\n\tx := opa.runtime()\n}\n"}, noBuiltin: true, code: ExitPolicy,
			stderr: "builtin opa.runtime is not available"},
		{name: "rule package without METADATA is still tested", files: map[string]string{"r.rego": verifyRule}, noBuiltin: true, code: ExitPolicy,
			stderr: "r.rego"},
		{name: "no test", files: map[string]string{"main.rego": userPolicy["main.rego"]}, noBuiltin: true, code: ExitFindings,
			stderr: "no Rego test ran"},
		{name: "minimum out of range", files: userPolicy, noBuiltin: true, minCoverage: 101, code: ExitInput, stderr: "--min-coverage"},
		{name: "--no-builtin without --policy", noBuiltin: true, noPolicy: true, code: ExitInput, stderr: "nothing to verify"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkVerifyCase(t, c)
		})
	}
}

func checkVerifyCase(t *testing.T, c verifyCase) {
	t.Helper()
	dir := t.TempDir()
	treetest.Write(t, dir, c.files)
	f, out, _ := factoryWithBuffers()
	opts := &VerifyOptions{IO: f.IO, Policies: []string{dir}, NoBuiltin: c.noBuiltin, MinCoverage: c.minCoverage, Verbose: c.verbose, Run: c.run}
	if c.noPolicy {
		opts.Policies = nil
	}
	err := verifyRun(context.Background(), opts)
	if got := exitCode(err); got != c.code {
		t.Fatalf("exit %d (%v), want %d\nstdout:\n%s", got, err, c.code, out)
	}
	for _, s := range c.stdout {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stdout lacks %q:\n%s", s, out)
		}
	}
	for _, s := range c.notStdout {
		if strings.Contains(out.String(), s) {
			t.Errorf("stdout holds %q:\n%s", s, out)
		}
	}
	if c.stderr != "" && (err == nil || !strings.Contains(err.Error(), c.stderr)) {
		t.Errorf("error %v does not mention %q", err, c.stderr)
	}
}

// TestVerifyCoverageReport: --coverage FILE writes OPA's JSON coverage
// report of the policy files (not the tests), the text report staying on
// stdout; with "-" the JSON is stdout and the text goes to stderr.
func TestVerifyCoverageReport(t *testing.T) {
	dir := t.TempDir()
	treetest.Write(t, dir, userPolicy)
	policy := filepath.ToSlash(filepath.Join(dir, "main.rego"))
	check := func(t *testing.T, data []byte) {
		t.Helper()
		var rep struct {
			Files map[string]struct {
				Covered         []struct{ Start, End struct{ Row int } } `json:"covered"`
				NotCovered      []struct{ Start, End struct{ Row int } } `json:"not_covered"`
				CoveredLines    int                                      `json:"covered_lines"`
				NotCoveredLines int                                      `json:"not_covered_lines"`
			} `json:"files"`
			CoveredLines    int     `json:"covered_lines"`
			NotCoveredLines int     `json:"not_covered_lines"`
			Coverage        float64 `json:"coverage"`
		}
		if err := json.Unmarshal(data, &rep); err != nil {
			t.Fatalf("not a JSON coverage report: %v\n%s", err, data)
		}
		if len(rep.Files) != 1 {
			t.Fatalf("files %v, want %s alone", reflect.ValueOf(rep.Files).MapKeys(), policy)
		}
		f, ok := rep.Files[policy]
		if !ok {
			t.Fatalf("the report has no entry for %s", policy)
		}
		var notCovered []int
		for _, r := range f.NotCovered {
			for row := r.Start.Row; row <= r.End.Row; row++ {
				notCovered = append(notCovered, row)
			}
		}
		if !reflect.DeepEqual(notCovered, []int{8, 9}) || len(f.Covered) == 0 {
			t.Errorf("not covered rows %v (want [8 9]), covered ranges %d", notCovered, len(f.Covered))
		}
		if rep.CoveredLines != f.CoveredLines || rep.NotCoveredLines != 2 || rep.Coverage != 60 {
			t.Errorf("totals %d/%d %.1f%%, want the file's %d covered, 2 not covered, 60%%", rep.CoveredLines, rep.NotCoveredLines, rep.Coverage, f.CoveredLines)
		}
	}

	t.Run("to a file", func(t *testing.T) {
		f, out, _ := factoryWithBuffers()
		path := filepath.Join(t.TempDir(), "coverage.json")
		if err := verifyRun(context.Background(), &VerifyOptions{IO: f.IO, Policies: []string{dir}, NoBuiltin: true, Coverage: path}); err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		check(t, data)
		if !strings.Contains(out.String(), "1 test: 1 passed") {
			t.Errorf("the summary is not on stdout:\n%s", out)
		}
	})
	t.Run("to stdout", func(t *testing.T) {
		f, out, errOut := factoryWithBuffers()
		if err := verifyRun(context.Background(), &VerifyOptions{IO: f.IO, Policies: []string{dir}, NoBuiltin: true, Coverage: "-"}); err != nil {
			t.Fatal(err)
		}
		check(t, out.Bytes())
		if !strings.Contains(errOut.String(), "1 test: 1 passed") {
			t.Errorf("the summary is not on stderr:\n%s", errOut)
		}
	})
	t.Run("unwritable file", func(t *testing.T) {
		f, _, _ := factoryWithBuffers()
		err := verifyRun(context.Background(), &VerifyOptions{IO: f.IO, Policies: []string{dir}, NoBuiltin: true, Coverage: filepath.Join(t.TempDir(), "missing", "c.json")})
		if exitCode(err) != ExitInput || !strings.Contains(err.Error(), "--coverage") {
			t.Errorf("verifyRun = %v, want exit 2 naming --coverage", err)
		}
	})
}
