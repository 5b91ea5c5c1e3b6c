package report

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestJUnitStructure(t *testing.T) {
	r := fixture(t)
	var got junitSuites
	if err := xml.Unmarshal([]byte(render(t, "junit", r)), &got); err != nil {
		t.Fatalf("the JUnit report is not XML: %v", err)
	}
	suites := map[string]junitSuite{}
	tests, failures := 0, 0
	for _, s := range got.Suites {
		id, _, _ := strings.Cut(s.Name, " ")
		suites[id] = s
		if s.Tests != len(s.Cases) {
			t.Errorf("suite %s: tests=%d for %d testcases", s.Name, s.Tests, len(s.Cases))
		}
		tests += s.Tests
		failures += s.Failures
	}
	if got.Tests != tests || got.Failures != failures {
		t.Errorf("testsuites counts %d tests, %d failures; the suites hold %d, %d", got.Tests, got.Failures, tests, failures)
	}
	// One suite per rule of the catalog, a passing testcase for a rule
	// without findings, one testcase per finding.
	byRule := map[string]int{}
	for _, f := range append(append(r.Findings[:0:0], r.Findings...), r.Suppressed...) {
		byRule[f.RuleID]++
	}
	for _, rule := range r.Rules {
		s, ok := suites[rule.ID]
		if !ok {
			t.Errorf("no testsuite for %s", rule.ID)
			continue
		}
		if n := byRule[rule.ID]; n == 0 {
			if len(s.Cases) != 1 || s.Cases[0].Failure != nil || s.Cases[0].Skipped != nil {
				t.Errorf("%s has no finding: want one passing testcase, got %+v", rule.ID, s.Cases)
			}
		} else if len(s.Cases) != n {
			t.Errorf("%s: %d testcases for %d findings", rule.ID, len(s.Cases), n)
		}
	}
	if s := suites["input"]; s.Errors != len(r.Errors) || len(r.Errors) == 0 {
		t.Errorf("input suite %+v for %d input errors", s, len(r.Errors))
	}
	// Warnings pass (below the fail level), suppressed findings are skipped.
	if s := suites["DBP204"]; s.Failures != 0 || len(s.Cases) == 0 || s.Cases[0].SystemOut == "" {
		t.Errorf("the DBP204 warning: %+v", s)
	}
	skipped := 0
	for _, s := range got.Suites {
		skipped += s.Skipped
	}
	if skipped != len(r.Suppressed) {
		t.Errorf("%d skipped testcases for %d suppressed findings", skipped, len(r.Suppressed))
	}
}
