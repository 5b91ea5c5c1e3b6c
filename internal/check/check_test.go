package check

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
)

func fixture(name string) string { return filepath.Join("..", "..", "testdata", "e2e", name) }

func TestExitCode(t *testing.T) {
	warn := []finding.Finding{{RuleID: "DBP204", Severity: "warning"}}
	errs := []finding.Finding{{RuleID: "DBP101", Severity: "error"}}
	for _, c := range []struct {
		name        string
		fs          []finding.Finding
		inputErrors int
		failOn      string
		keepGoing   bool
		want        int
	}{
		{"clean", nil, 0, "error", false, ExitClean},
		{"error fails", errs, 0, "error", false, ExitFindings},
		{"warning below error", warn, 0, "error", false, ExitClean},
		{"warning at warning", warn, 0, "warning", false, ExitFindings},
		{"never", errs, 0, "never", false, ExitClean},
		{"input errors first", errs, 1, "error", false, ExitInput},
		{"keep going", errs, 1, "error", true, ExitFindings},
		{"keep going clean", nil, 1, "error", true, ExitClean},
	} {
		if got := ExitCode(c.fs, c.inputErrors, c.failOn, c.keepGoing); got != c.want {
			t.Errorf("%s: ExitCode = %d, want %d", c.name, got, c.want)
		}
	}
}

func TestEvaluateReport(t *testing.T) {
	ev, err := Evaluate(context.Background(), Options{Path: fixture("hardcoded-port")})
	if err != nil {
		t.Fatal(err)
	}
	r := ev.Report(fixture("hardcoded-port"), ReportOptions{})
	var ids []string
	for _, f := range r.Findings {
		ids = append(ids, f.RuleID)
	}
	if len(ids) == 0 || ids[0] != "DBP201" {
		t.Fatalf("findings %v, want DBP201 first", ids)
	}
	if r.FailOn != "error" || r.ExitCode != ExitFindings || r.Services != len(ev.Doc.Services) {
		t.Errorf("fail_on %q, exit %d, services %d", r.FailOn, r.ExitCode, r.Services)
	}
}

// TestTodayDecidesExpiry: the date exceptions expire against is an option
// (the judge's input), not the clock: the exception of exception-expired
// (expires 2020-01-31) applies on its last day and not the day after.
func TestTodayDecidesExpiry(t *testing.T) {
	for _, c := range []struct {
		today      string
		active     []string
		suppressed []string
	}{
		{"2020-01-31", nil, []string{"DBP201"}},
		{"2020-02-01", []string{"DBP003", "DBP201"}, nil},
	} {
		today, _ := time.Parse(engine.DateLayout, c.today)
		ev, err := Evaluate(context.Background(), Options{Path: fixture("exception-expired"), Today: today})
		if err != nil {
			t.Fatal(err)
		}
		ids := func(fs []finding.Finding) []string {
			var out []string
			for _, f := range fs {
				out = append(out, f.RuleID)
			}
			slices.Sort(out)
			return out
		}
		if got := ids(ev.Findings); !slices.Equal(got, c.active) {
			t.Errorf("%s: findings %v, want %v", c.today, got, c.active)
		}
		if got := ids(ev.Suppressed); !slices.Equal(got, c.suppressed) {
			t.Errorf("%s: suppressed %v, want %v", c.today, got, c.suppressed)
		}
	}
}

func TestEvaluateErrors(t *testing.T) {
	for _, c := range []struct {
		name string
		o    Options
		want int
	}{
		{"missing root", Options{Path: fixture("no-such-fixture")}, ExitInput},
		{"policy path missing", Options{Path: fixture("hardcoded-port"), Engine: engine.Options{PolicyDirs: []string{fixture("no-such-policy")}}}, ExitInput},
		{"sandboxed policy", Options{Path: fixture("hardcoded-port"), Engine: engine.Options{PolicyDirs: []string{filepath.Join(fixture("policy-sandboxed"), "http_send.rego")}}}, ExitPolicy},
	} {
		_, err := Evaluate(context.Background(), c.o)
		var ce *Error
		if !errors.As(err, &ce) || ce.Code != c.want {
			t.Errorf("%s: err = %v, want a check error with exit %d", c.name, err, c.want)
		}
	}
}
