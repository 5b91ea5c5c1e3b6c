package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/engine"
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

// writeFiles writes files (slash path -> content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
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
		{name: "all flags", args: []string{"--policy", "a", "--policy", "b/c.rego", "--data", "d.json", "--no-builtin", "--min-coverage", "85.5"},
			want: VerifyOptions{Policies: []string{"a", "b/c.rego"}, Data: []string{"d.json"}, NoBuiltin: true, MinCoverage: 85.5}},
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

func TestVerifyRun(t *testing.T) {
	failing := `package main_test

import data.main

test_deny_nothing if {
	main.deny == set() with input as {"services": [{"name": "db", "image": "postgres:latest"}]}
}
`
	cases := []struct {
		name        string
		files       map[string]string
		minCoverage float64
		noBuiltin   bool
		noPolicy    bool
		code        int
		stdout      []string
		stderr      string
	}{
		{name: "passing tests", files: userPolicy, noBuiltin: true, code: ExitClean,
			stdout: []string{"PASS   main_test.test_deny_latest  (", "main_test.rego:5)", "coverage:", "main.rego  (not covered: lines 8-9)", "1 tests: 1 passed, 0 failed, 0 errors, 0 skipped; coverage"}},
		{name: "failing test", files: map[string]string{"main.rego": userPolicy["main.rego"], "main_test.rego": failing}, noBuiltin: true, code: ExitFindings,
			stdout: []string{"FAIL   main_test.test_deny_nothing  (", "main_test.rego:5)", "failed at ", "main_test.rego:6: main.deny == set()", "1 failed"},
			stderr: "1 of 1 Rego tests failed"},
		{name: "coverage below the minimum", files: userPolicy, noBuiltin: true, minCoverage: 99, code: ExitFindings,
			stdout: []string{"(minimum 99%)"}, stderr: "is below --min-coverage 99%"},
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
			dir := t.TempDir()
			writeFiles(t, dir, c.files)
			f, out, _ := factoryWithBuffers()
			opts := &VerifyOptions{IO: f.IO, Policies: []string{dir}, NoBuiltin: c.noBuiltin, MinCoverage: c.minCoverage}
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
			if c.stderr != "" && (err == nil || !strings.Contains(err.Error(), c.stderr)) {
				t.Errorf("error %v does not mention %q", err, c.stderr)
			}
		})
	}
}
