package engine

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/open-policy-agent/opa/v1/tester"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// TestOptions say which Rego unit tests RunTests runs.
type TestOptions struct {
	// BuiltinTests holds the built-in tests (policiestest.FS), named
	// policies_test/...; nil or NoBuiltin leaves them out.
	BuiltinTests fs.FS
	// PolicyDirs are user policy paths: their modules and *_test.rego files.
	PolicyDirs []string
	// DataPaths are merged over the built-in data, as for a check.
	DataPaths []string
	// NoBuiltin drops the built-in rules and their tests; the library and
	// the data stay, so user rules can use them.
	NoBuiltin bool
	// Timeout bounds each test (0: DefaultTimeout).
	Timeout time.Duration
	// Coverage traces the evaluation to report coverage (it makes the run
	// several times slower).
	Coverage bool
	// Run, when set, runs only the tests whose full name
	// (data.<package>.<rule>) the regular expression matches, as
	// `opa test --run` does.
	Run string
}

// Test outcomes.
const (
	TestPass  = "pass"
	TestFail  = "fail"
	TestError = "error"
	TestSkip  = "skip"
)

// TestResult is the outcome of one Rego test.
type TestResult struct {
	// Name is package.rule without "data.": portguard.test.rules.x.y.test_z.
	Name   string `json:"name"`
	File   string `json:"file"`
	Line   int    `json:"line"`
	Status string `json:"status"`
	// FailedAt is file:line of the expression that failed, when known.
	FailedAt string `json:"failed_at,omitempty"`
	// Error is the evaluation error of a test with status error.
	Error string `json:"error,omitempty"`
	// Output is what the test printed (print()).
	Output   string        `json:"output,omitempty"`
	Duration time.Duration `json:"duration_ns"`
}

// FileCoverage is the coverage of one policy file (tests are not counted).
type FileCoverage struct {
	File       string  `json:"file"`
	Coverage   float64 `json:"coverage"`
	Covered    int     `json:"covered_lines"`
	NotCovered int     `json:"not_covered_lines"`
	// Uncovered lists the lines no test reached, as "12" or "12-14".
	Uncovered []string `json:"uncovered,omitempty"`
}

// TestReport is the outcome of RunTests.
type TestReport struct {
	Tests []TestResult   `json:"tests"`
	Files []FileCoverage `json:"files"`
	// Coverage is the share of the policy lines, in percent, that the
	// tests reached (100 when there is nothing to cover); with
	// TestOptions.Coverage only.
	Coverage float64 `json:"coverage"`
	// CoverReport is OPA's coverage report (`opa test --coverage`) of the
	// same policy files: covered and not covered line ranges per file.
	CoverReport *cover.Report `json:"-"`
}

// Count returns how many tests ended with status.
func (r *TestReport) Count(status string) int {
	n := 0
	for _, t := range r.Tests {
		if t.Status == status {
			n++
		}
	}
	return n
}

// RunTests runs the Rego unit tests of the built-in and user policies, with
// the sandboxed capabilities of a check and coverage of the policy files
// under test. A policy or test that does not compile is a *PolicyError.
func RunTests(ctx context.Context, opts TestOptions) (*TestReport, error) {
	builtinTests := opts.BuiltinTests
	if opts.NoBuiltin {
		builtinTests = nil
	}
	set, err := loadPolicies(Options{PolicyDirs: opts.PolicyDirs, DataPaths: opts.DataPaths, NoBuiltin: opts.NoBuiltin}, true, builtinTests)
	if err != nil {
		return nil, err
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	cov := cover.New()
	compiler, err := newCompiler(true)
	if err != nil {
		return nil, err
	}
	runner := newTestRunner(compiler, set.data, timeout)
	if opts.Run != "" {
		if _, err := regexp.Compile(opts.Run); err != nil {
			return nil, fmt.Errorf("test filter %q: %w", opts.Run, err)
		}
		runner = runner.Filter(opts.Run)
	}
	if opts.Coverage {
		runner.SetCoverageQueryTracer(cov)
	}
	results, err := runTests(ctx, runner, set.modules)
	if err != nil {
		return nil, err
	}
	// A rule check would reject (incomplete METADATA) fails verify too.
	if _, err := catalog(compiler); err != nil {
		return nil, err
	}
	report := &TestReport{Tests: []TestResult{}, Files: []FileCoverage{}}
	for _, r := range results {
		report.Tests = append(report.Tests, testResult(r))
	}
	if err := locateFailures(ctx, report.Tests, set, timeout); err != nil {
		return nil, err
	}
	sort.Slice(report.Tests, func(i, j int) bool {
		a, b := report.Tests[i], report.Tests[j]
		if a.File != b.File {
			return a.File < b.File
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Name < b.Name
	})
	if opts.Coverage {
		covered := set.underTest(!opts.NoBuiltin)
		cr := policyCoverage(cov.Report(covered), covered)
		report.CoverReport = &cr
		report.Files, report.Coverage = coverage(cr, covered)
	}
	return report, nil
}

// underTest are the policies whose coverage verify reports: the built-in
// ones unless dropped, and the user's (the library alone, kept for
// --no-builtin, is not the user's to cover), never tests.
func (set *policySet) underTest(builtin bool) map[string]*ast.Module {
	covered := map[string]*ast.Module{}
	if builtin {
		maps.Copy(covered, set.builtin)
	}
	for name, m := range set.user {
		if !isTestPackage(name, m.Package.Path) {
			covered[name] = m
		}
	}
	return covered
}

// locateFailures runs the failing tests again with a trace (which coverage
// cannot share) to point at the expression that failed.
func locateFailures(ctx context.Context, tests []TestResult, set *policySet, timeout time.Duration) error {
	var failed []string
	for _, t := range tests {
		if t.Status == TestFail {
			failed = append(failed, regexp.QuoteMeta("data."+t.Name))
		}
	}
	if len(failed) == 0 {
		return nil
	}
	compiler, err := newCompiler(true)
	if err != nil {
		return err
	}
	runner := newTestRunner(compiler, set.data, timeout).EnableTracing(true).Filter("^(" + strings.Join(failed, "|") + ")$")
	traced, err := runTests(ctx, runner, set.modules)
	if err != nil {
		return nil // the failures stay where they are, unlocated
	}
	at := map[string]string{}
	for _, r := range traced {
		at[strings.TrimPrefix(r.Package, "data.")+"."+r.Name] = failureLine(r.Trace)
	}
	for i, t := range tests {
		if t.Status == TestFail {
			tests[i].FailedAt = at[t.Name]
		}
	}
	return nil
}

func testResult(r *tester.Result) TestResult {
	t := TestResult{
		Name:     strings.TrimPrefix(r.Package, "data.") + "." + r.Name,
		Status:   TestPass,
		Output:   string(r.Output),
		Duration: r.Duration,
	}
	if r.Location != nil {
		t.File, t.Line = r.Location.File, r.Location.Row
	}
	switch {
	case r.Skip:
		t.Status = TestSkip
	case r.Error != nil:
		t.Status, t.Error = TestError, r.Error.Error()
	case r.Fail:
		t.Status = TestFail
	}
	return t
}

func newTestRunner(compiler *ast.Compiler, data map[string]any, timeout time.Duration) *tester.Runner {
	return tester.NewRunner().
		SetCompiler(compiler).
		SetStore(NewStore(data)).
		CapturePrintOutput(true).
		// A builtin error (to_number of a bad value) fails the test: in a
		// check it would silently drop a finding.
		RaiseBuiltinErrors(true).
		SetTimeout(timeout)
}

func runTests(ctx context.Context, runner *tester.Runner, modules map[string]*ast.Module) ([]*tester.Result, error) {
	ch, err := runner.SetModules(modules).RunTests(ctx, nil)
	if err != nil {
		var errs ast.Errors
		if errors.As(err, &errs) {
			return nil, &PolicyError{Msg: "policy does not compile:\n" + formatAstErrors(errs)}
		}
		return nil, &PolicyError{Msg: "cannot run the Rego tests: " + err.Error()}
	}
	var out []*tester.Result
	for r := range ch {
		out = append(out, r)
	}
	return out, nil
}

// failureLine finds the expression that failed in a test's trace, as OPA's
// own reporter does: the last failure of a query below the test's.
func failureLine(trace []*topdown.Event) string {
	for _, e := range slices.Backward(trace) {
		if e.Op != topdown.FailOp || e.Location == nil || e.QueryID == 0 {
			continue
		}
		if expr, ok := e.Node.(*ast.Expr); ok {
			if _, every := expr.Terms.(*ast.Every); every {
				continue
			}
		}
		text := strings.Join(strings.Fields(string(e.Location.Text)), " ")
		return fmt.Sprintf("%s:%d: %s", e.Location.File, e.Location.Row, text)
	}
	return ""
}

// policyCoverage keeps the files of OPA's report that are policies under
// test (it also lists the tests and the library they reached) and totals
// them again, as OPA does.
func policyCoverage(rep cover.Report, modules map[string]*ast.Module) cover.Report {
	out := cover.Report{Files: map[string]*cover.FileReport{}}
	for name := range modules {
		fr := rep.Files[name]
		if fr == nil {
			fr = &cover.FileReport{}
		}
		out.Files[name] = fr
		out.CoveredLines += fr.CoveredLines
		out.NotCoveredLines += fr.NotCoveredLines
	}
	if total := out.CoveredLines + out.NotCoveredLines; total > 0 {
		out.Coverage = 100 * float64(out.CoveredLines) / float64(total)
	}
	return out
}

// coverage turns OPA's report into one entry per policy file, sorted, and
// the total over them.
func coverage(rep cover.Report, modules map[string]*ast.Module) ([]FileCoverage, float64) {
	out := []FileCoverage{}
	var covered, notCovered int
	for name := range modules {
		fc := FileCoverage{File: name, Coverage: 100}
		if fr := rep.Files[name]; fr != nil {
			fc.Covered, fc.NotCovered = fr.CoveredLines, fr.NotCoveredLines
			fc.Uncovered = lineRanges(fr.NotCovered)
		}
		if total := fc.Covered + fc.NotCovered; total > 0 {
			fc.Coverage = 100 * float64(fc.Covered) / float64(total)
		}
		covered += fc.Covered
		notCovered += fc.NotCovered
		out = append(out, fc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].File < out[j].File })
	total := 100.0
	if covered+notCovered > 0 {
		total = 100 * float64(covered) / float64(covered+notCovered)
	}
	return out, total
}

// lineRanges renders line ranges as "8" or "8-12", merging adjacent ones.
func lineRanges(rs []cover.Range) []string {
	rs = slices.Clone(rs)
	sort.Slice(rs, func(i, j int) bool { return rs[i].Start.Row < rs[j].Start.Row })
	var merged [][2]int
	for _, r := range rs {
		if n := len(merged); n > 0 && r.Start.Row <= merged[n-1][1]+1 {
			merged[n-1][1] = max(merged[n-1][1], r.End.Row)
			continue
		}
		merged = append(merged, [2]int{r.Start.Row, r.End.Row})
	}
	out := make([]string, 0, len(merged))
	for _, m := range merged {
		if m[0] == m[1] {
			out = append(out, fmt.Sprint(m[0]))
		} else {
			out = append(out, fmt.Sprintf("%d-%d", m[0], m[1]))
		}
	}
	return out
}
