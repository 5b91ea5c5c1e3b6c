package engine

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
)

const userRule = `package main

deny contains msg if {
	some s in input.services
	s.image == "postgres:latest"
	msg := sprintf("%s: latest", [s.name])
}

warn contains "never tested" if {
	input.explicit_files
}
`

const userTests = `package main_test

import data.main

test_deny_latest if {
	main.deny == {"db: latest"} with input as {"services": [{"name": "db", "image": "postgres:latest"}]}
}

test_deny_wrong if {
	print("printed by the failing test")
	main.deny == {"something else"} with input as {"services": [{"name": "db", "image": "postgres:latest"}]}
}

test_error if {
	to_number("x") == 1
}

todo_test_later if {
	false
}
`

func TestRunTestsOfUserPolicies(t *testing.T) {
	dir := writeTree(t, map[string]string{"main.rego": userRule, "main_test.rego": userTests})
	rep, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, NoBuiltin: true, Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	status := map[string]TestResult{}
	for _, r := range rep.Tests {
		status[r.Name] = r
	}
	testFile := filepath.ToSlash(filepath.Join(dir, "main_test.rego"))
	for name, want := range map[string]string{
		"main_test.test_deny_latest": TestPass,
		"main_test.test_deny_wrong":  TestFail,
		"main_test.test_error":       TestError,
		"main_test.todo_test_later":  TestSkip,
	} {
		r, ok := status[name]
		if !ok {
			t.Errorf("%s did not run; ran %v", name, rep.Tests)
			continue
		}
		if r.Status != want {
			t.Errorf("%s: status %s, want %s", name, r.Status, want)
		}
		if r.File != testFile || r.Line < 1 {
			t.Errorf("%s: at %s:%d, want %s", name, r.File, r.Line, testFile)
		}
	}
	if len(rep.Tests) != 4 {
		t.Errorf("%d tests ran, want 4", len(rep.Tests))
	}
	failing := status["main_test.test_deny_wrong"]
	if !strings.Contains(failing.Output, "printed by the failing test") {
		t.Errorf("output of the failing test: %q", failing.Output)
	}
	if !strings.HasPrefix(failing.FailedAt, testFile+":11:") {
		t.Errorf("failed at %q, want %s:11", failing.FailedAt, testFile)
	}
	if e := status["main_test.test_error"].Error; !strings.Contains(e, "to_number") {
		t.Errorf("error of test_error: %q", e)
	}
	if rep.Count(TestPass) != 1 || rep.Count(TestFail) != 1 || rep.Count(TestError) != 1 || rep.Count(TestSkip) != 1 {
		t.Errorf("counts pass %d fail %d error %d skip %d", rep.Count(TestPass), rep.Count(TestFail), rep.Count(TestError), rep.Count(TestSkip))
	}

	// Coverage: the user's policy file alone (not the tests, not the
	// library kept for --no-builtin); the warn rule is never reached.
	if len(rep.Files) != 1 || rep.Files[0].File != filepath.ToSlash(filepath.Join(dir, "main.rego")) {
		t.Fatalf("coverage files %+v, want main.rego alone", rep.Files)
	}
	f := rep.Files[0]
	if f.Coverage <= 0 || f.Coverage >= 100 || f.NotCovered == 0 {
		t.Errorf("coverage of main.rego %+v, want partial", f)
	}
	if !strings.Contains(strings.Join(f.Uncovered, ","), "10") {
		t.Errorf("uncovered lines %v, want line 10 (the warn rule body)", f.Uncovered)
	}
	if rep.Coverage != f.Coverage {
		t.Errorf("total coverage %.2f, file coverage %.2f", rep.Coverage, f.Coverage)
	}
}

func TestRunTestsCompileError(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"main.rego":      "package main\n\ndeny contains msg if {\n\tmsg := undefined_function(1)\n}\n",
		"main_test.rego": "package main_test\n\ntest_x if true\n",
	})
	_, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, NoBuiltin: true})
	var pe *PolicyError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "main.rego:4:") {
		t.Errorf("RunTests = %v, want a policy error at main.rego:4", err)
	}
}

func TestRunTestsSandboxed(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"main_test.rego": "package main_test\n\ntest_net if {\n\thttp.send({\"method\": \"GET\", \"url\": \"https://example.com\"})\n}\n",
	})
	_, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, NoBuiltin: true})
	var pe *PolicyError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "builtin http.send is not available") || !strings.Contains(pe.Msg, "main_test.rego:4:") {
		t.Errorf("RunTests = %v, want the sandbox error at main_test.rego:4", err)
	}
}

// TestRunTestsTestPackagesNeedNoMetadata: a test package (a name ending in
// _test, or any package of a *_test.rego file) needs no METADATA, even
// under portguard.rules, and is not a rule of the catalog; a rule package
// without METADATA is still refused.
func TestRunTestsTestPackagesNeedNoMetadata(t *testing.T) {
	rule := `# METADATA
# title: Mine
# description: A rule of the team.
# custom:
#   id: TEAM100
#   severity: error
#   remediation: Fix it.
package portguard.rules.custom.mine

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), {"message": s.name}) if {
	some s in input.services
	s.name == "bad"
}
`
	test := func(pkg string) string {
		return "package " + pkg + "\n\nimport data.portguard.rules.custom.mine\n\ntest_fires if {\n\tcount(mine.report) == 1 with input as {\"services\": [{\"name\": \"bad\"}]}\n}\n"
	}
	cases := []struct {
		name    string
		files   map[string]string
		wantErr string
	}{
		{name: "_test package in a _test file", files: map[string]string{"mine.rego": rule, "mine_test.rego": test("portguard.rules.custom.mine_test")}},
		{name: "_test package deeper under portguard.rules", files: map[string]string{"mine.rego": rule, "mine_test.rego": test("portguard.rules.custom.mine.more_test")}},
		{name: "the rule's own package in a _test file", files: map[string]string{"mine.rego": rule, "mine_test.rego": test("portguard.rules.custom.mine")}},
		{name: "_test package in another file", files: map[string]string{"mine.rego": rule, "checks.rego": test("portguard.rules.custom.checks_test")}},
		{name: "a rule package without METADATA", files: map[string]string{"mine.rego": rule, "other.rego": "package portguard.rules.custom.other\n\nreport contains 1 if false\n", "mine_test.rego": test("portguard.rules.custom.mine_test")},
			wantErr: "other.rego (package portguard.rules.custom.other)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := writeTree(t, c.files)
			rep, err := RunTests(context.Background(), TestOptions{PolicyDirs: []string{dir}, NoBuiltin: true, Coverage: true})
			if c.wantErr != "" {
				var pe *PolicyError
				if !errors.As(err, &pe) || !strings.Contains(pe.Msg, c.wantErr) {
					t.Fatalf("RunTests = %v, want a policy error naming %s", err, c.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(rep.Tests) != 1 || rep.Tests[0].Status != TestPass {
				t.Fatalf("tests %+v, want test_fires passing", rep.Tests)
			}
			for _, f := range rep.Files {
				if !strings.HasSuffix(f.File, "/mine.rego") {
					t.Errorf("coverage counts %s, which holds tests", f.File)
				}
			}
			// check loads the same directory (without its *_test.rego files):
			// the catalog holds the rule alone.
			e, err := New(context.Background(), Options{PolicyDirs: []string{dir}, NoBuiltin: true})
			if err != nil {
				t.Fatal(err)
			}
			var ids []string
			for _, r := range e.Rules() {
				ids = append(ids, r.ID)
			}
			if strings.Join(ids, ",") != "TEAM100" {
				t.Errorf("catalog %v, want TEAM100 alone", ids)
			}
		})
	}
}
