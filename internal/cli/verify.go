package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/cover"
	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/osfile"
	policiestest "github.com/portguard/portguard/policies_test"
)

// VerifyOptions are the inputs of `portguard verify`.
type VerifyOptions struct {
	IO *IOStreams

	Policies    []string
	Data        []string
	NoBuiltin   bool
	MinCoverage float64
	// Verbose prints every test and the coverage of every file, not only
	// the failures and the summary.
	Verbose bool
	// Run is a regular expression: only the tests whose full name
	// (data.<package>.<rule>) it matches run.
	Run string
	// Coverage is where OPA's JSON coverage report goes ("-": stdout, and
	// the text report to stderr); "" writes none.
	Coverage string
	// BuiltinTests are the built-in Rego tests; tests may replace them.
	BuiltinTests fs.FS
}

// NewCmdVerify builds `portguard verify`.
func NewCmdVerify(f *Factory, runF func(*VerifyOptions) error) *cobra.Command {
	opts := &VerifyOptions{IO: f.IO, BuiltinTests: policiestest.FS}
	cmd := &cobra.Command{
		Use:   "verify",
		Short: "Run the Rego unit tests of the built-in and user policies, with coverage",
		Long: `Run the Rego unit tests (rules named test_*) of the built-in policies and of
every --policy directory (its *_test.rego files), with the same sandboxed
builtins, data and input schema as check. Like opa test, it prints the tests
that fail or err and a summary; -v prints every test and the coverage of each
policy file. Coverage is measured with -v, --coverage or --min-coverage (it
makes the run several times slower). A test package (a name ending in _test,
or any package of a *_test.rego file) needs no METADATA.

--run REGEX runs only the tests whose full name, data.<package>.<rule>, the
expression matches (as opa test --run). --coverage FILE writes OPA's coverage
report (opa test --coverage: per policy file, the covered and not covered
line ranges) as JSON to FILE; with "-" the JSON goes to stdout and the text
report to stderr.

Exit codes: 0 every test passes (and coverage reaches --min-coverage);
1 a test fails or errs, no test ran, or coverage is below --min-coverage;
2 usage error; 3 a policy or test does not compile.`,
		Example: `  portguard verify
  portguard verify --policy policy --min-coverage 90 -v
  portguard verify --policy policy --no-builtin --run 'image_tag'
  portguard verify --policy policy --coverage coverage.json`,
		Args: cobra.NoArgs,
		RunE: runE(opts, runF, verifyRun, nil),
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Policies, "policy", nil, "directory (or .rego file) of user policies and their *_test.rego tests (repeatable)")
	fl.StringArrayVar(&opts.Data, "data", nil, "JSON or YAML data file or directory merged under data.portguard (repeatable)")
	fl.BoolVar(&opts.NoBuiltin, "no-builtin", false, "leave out the built-in rules and their tests")
	fl.Float64Var(&opts.MinCoverage, "min-coverage", 0, "fail when the total coverage is below N percent (0-100)")
	fl.BoolVarP(&opts.Verbose, "verbose", "v", false, "print every test and the coverage of every policy file")
	fl.StringVar(&opts.Run, "run", "", "run only the tests whose full name (data.<package>.<rule>) matches this regular expression")
	fl.StringVar(&opts.Coverage, "coverage", "", "write OPA's JSON coverage report to `FILE` (\"-\": stdout)")
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	if opts.MinCoverage < 0 || opts.MinCoverage > 100 {
		return &ExitError{Code: ExitInput, Err: usage("--min-coverage %g: give a percentage from 0 to 100", opts.MinCoverage)}
	}
	if opts.NoBuiltin && len(opts.Policies) == 0 {
		return &ExitError{Code: ExitInput, Err: usage("--no-builtin without --policy: there is nothing to verify")}
	}
	if _, err := regexp.Compile(opts.Run); err != nil {
		return &ExitError{Code: ExitInput, Err: usage("--run %q is not a regular expression: %v", opts.Run, err)}
	}
	rep, err := engine.RunTests(ctx, engine.TestOptions{
		BuiltinTests: opts.BuiltinTests,
		PolicyDirs:   opts.Policies,
		DataPaths:    opts.Data,
		NoBuiltin:    opts.NoBuiltin,
		// Tracing for coverage makes the run about four times slower: only
		// when something shows or judges it.
		Coverage: opts.Verbose || opts.Coverage != "" || opts.MinCoverage > 0,
		Run:      opts.Run,
	})
	if err != nil {
		return policyExit(err)
	}
	text := opts.IO.Out
	if opts.Coverage != "" {
		if opts.Coverage == "-" {
			text = opts.IO.ErrOut
		}
		if err := writeCoverage(opts.IO.Out, opts.Coverage, rep.CoverReport); err != nil {
			return err
		}
	}
	if err := writeTestReport(text, rep, opts); err != nil {
		return err
	}
	bad := rep.Count(engine.TestFail) + rep.Count(engine.TestError)
	switch {
	case len(rep.Tests) == 0 && opts.Run != "":
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("no Rego test matches --run %q", opts.Run)}
	case len(rep.Tests) == 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("no Rego test ran: tests are rules named test_* in *_test.rego files")}
	case bad > 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d Rego tests failed", bad, len(rep.Tests))}
	case rep.Coverage < opts.MinCoverage:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("coverage %.1f%% is below --min-coverage %g%%", rep.Coverage, opts.MinCoverage)}
	}
	return nil
}

// writeCoverage writes OPA's coverage report as JSON to path ("-": w),
// atomically.
func writeCoverage(w io.Writer, path string, rep *cover.Report) error {
	data, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	data = append(data, '\n')
	if path == "-" {
		_, err := w.Write(data)
		return err
	}
	if err := atomicfile.WriteFile(path, data, 0o644); err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("--coverage %s: %v", path, osfile.Reason(err))}
	}
	return nil
}

// writeTestReport prints the tests that fail or err (every test with -v)
// with the failing expression and what the test printed, the coverage of
// each policy file (with -v, or the files short of full coverage when the
// total is below --min-coverage) and a summary.
func writeTestReport(w io.Writer, rep *engine.TestReport, opts *VerifyOptions) error {
	var b strings.Builder
	for _, t := range rep.Tests {
		failed := t.Status == engine.TestFail || t.Status == engine.TestError
		if !failed && !opts.Verbose {
			continue
		}
		fmt.Fprintf(&b, "%-5s  %s  (%s:%d)\n", strings.ToUpper(t.Status), t.Name, t.File, t.Line)
		switch t.Status {
		case engine.TestFail:
			if t.FailedAt != "" {
				fmt.Fprintf(&b, "       failed at %s\n", truncate(t.FailedAt, 200))
			}
		case engine.TestError:
			fmt.Fprintf(&b, "       %s\n", oneLineMsg(t.Error))
		}
		if failed {
			for _, line := range strings.Split(strings.TrimRight(t.Output, "\n"), "\n") {
				if line != "" {
					fmt.Fprintf(&b, "       | %s\n", line)
				}
			}
		}
	}
	short := rep.Coverage < opts.MinCoverage
	var files []engine.FileCoverage
	for _, f := range rep.Files {
		if opts.Verbose || (short && f.NotCovered > 0) {
			files = append(files, f)
		}
	}
	if len(files) > 0 {
		if b.Len() > 0 {
			b.WriteString("\n")
		}
		b.WriteString("coverage:\n")
		for _, f := range files {
			fmt.Fprintf(&b, "  %6.1f%%  %s", f.Coverage, f.File)
			if len(f.Uncovered) > 0 {
				fmt.Fprintf(&b, "  (not covered: lines %s)", strings.Join(f.Uncovered, ", "))
			}
			b.WriteString("\n")
		}
	}
	if b.Len() > 0 {
		b.WriteString("\n")
	}
	errs := rep.Count(engine.TestError)
	fmt.Fprintf(&b, "%d %s: %d passed, %d failed, %d %s, %d skipped",
		len(rep.Tests), plural(len(rep.Tests), "test", "tests"), rep.Count(engine.TestPass), rep.Count(engine.TestFail),
		errs, plural(errs, "error", "errors"), rep.Count(engine.TestSkip))
	if rep.CoverReport != nil {
		fmt.Fprintf(&b, "; coverage %.1f%%", rep.Coverage)
	}
	if opts.MinCoverage > 0 {
		fmt.Fprintf(&b, " (minimum %g%%)", opts.MinCoverage)
	}
	b.WriteString("\n")
	_, err := io.WriteString(w, b.String())
	return err
}

func oneLineMsg(s string) string { return strings.Join(strings.Fields(s), " ") }

// truncate keeps a failing expression (which may hold a whole expected set)
// to one readable line.
func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + " ..."
	}
	return s
}
