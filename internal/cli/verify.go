package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/engine"
	policiestest "github.com/portguard/portguard/policies_test"
)

// VerifyOptions are the inputs of `portguard verify`.
type VerifyOptions struct {
	IO *IOStreams

	Policies    []string
	Data        []string
	NoBuiltin   bool
	MinCoverage float64
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
builtins as check, and report each test, the coverage of each policy file
and the total coverage.

Exit codes: 0 every test passes (and coverage reaches --min-coverage);
1 a test fails or errs, no test ran, or coverage is below --min-coverage;
2 usage error; 3 a policy or test does not compile.`,
		Example: `  portguard verify
  portguard verify --policy policy --min-coverage 90
  portguard verify --policy policy --no-builtin`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return verifyRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringArrayVar(&opts.Policies, "policy", nil, "directory (or .rego file) of user policies and their *_test.rego tests (repeatable)")
	fl.StringArrayVar(&opts.Data, "data", nil, "JSON or YAML data file or directory merged under data.portguard (repeatable)")
	fl.BoolVar(&opts.NoBuiltin, "no-builtin", false, "leave out the built-in rules and their tests")
	fl.Float64Var(&opts.MinCoverage, "min-coverage", 0, "fail when the total coverage is below N percent (0-100)")
	return cmd
}

func verifyRun(ctx context.Context, opts *VerifyOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if opts.MinCoverage < 0 || opts.MinCoverage > 100 {
		return &ExitError{Code: ExitInput, Err: usage("--min-coverage %g: give a percentage from 0 to 100", opts.MinCoverage)}
	}
	if opts.NoBuiltin && len(opts.Policies) == 0 {
		return &ExitError{Code: ExitInput, Err: usage("--no-builtin without --policy: there is nothing to verify")}
	}
	rep, err := engine.RunTests(ctx, engine.TestOptions{
		BuiltinTests: opts.BuiltinTests,
		PolicyDirs:   opts.Policies,
		DataPaths:    opts.Data,
		NoBuiltin:    opts.NoBuiltin,
		Coverage:     true,
	})
	if err != nil {
		return policyExit(err)
	}
	if err := writeTestReport(opts.IO.Out, rep, opts.MinCoverage); err != nil {
		return err
	}
	bad := rep.Count(engine.TestFail) + rep.Count(engine.TestError)
	switch {
	case len(rep.Tests) == 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("no Rego test ran: tests are rules named test_* in *_test.rego files")}
	case bad > 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d of %d Rego tests failed", bad, len(rep.Tests))}
	case rep.Coverage < opts.MinCoverage:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("coverage %.1f%% is below --min-coverage %g%%", rep.Coverage, opts.MinCoverage)}
	}
	return nil
}

// writeTestReport prints one line per test (with the failing expression and
// the test's output under a failure), the coverage of each policy file and
// a summary.
func writeTestReport(w io.Writer, rep *engine.TestReport, minCoverage float64) error {
	var b strings.Builder
	for _, t := range rep.Tests {
		fmt.Fprintf(&b, "%-5s  %s  (%s:%d)\n", strings.ToUpper(t.Status), t.Name, t.File, t.Line)
		switch t.Status {
		case engine.TestFail:
			if t.FailedAt != "" {
				fmt.Fprintf(&b, "       failed at %s\n", truncate(t.FailedAt, 200))
			}
		case engine.TestError:
			fmt.Fprintf(&b, "       %s\n", oneLineMsg(t.Error))
		}
		if t.Status == engine.TestFail || t.Status == engine.TestError {
			for _, line := range strings.Split(strings.TrimRight(t.Output, "\n"), "\n") {
				if line != "" {
					fmt.Fprintf(&b, "       | %s\n", line)
				}
			}
		}
	}
	if len(rep.Files) > 0 {
		b.WriteString("\ncoverage:\n")
		for _, f := range rep.Files {
			fmt.Fprintf(&b, "  %6.1f%%  %s", f.Coverage, f.File)
			if len(f.Uncovered) > 0 {
				fmt.Fprintf(&b, "  (not covered: lines %s)", strings.Join(f.Uncovered, ", "))
			}
			b.WriteString("\n")
		}
	}
	fmt.Fprintf(&b, "\n%d tests: %d passed, %d failed, %d errors, %d skipped; coverage %.1f%%",
		len(rep.Tests), rep.Count(engine.TestPass), rep.Count(engine.TestFail), rep.Count(engine.TestError), rep.Count(engine.TestSkip), rep.Coverage)
	if minCoverage > 0 {
		fmt.Fprintf(&b, " (minimum %g%%)", minCoverage)
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
