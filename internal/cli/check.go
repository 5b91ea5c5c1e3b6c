package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/osfile"
	"github.com/portguard/portguard/internal/report"
)

// CheckOptions are the inputs of `portguard check`.
type CheckOptions struct {
	IO      *IOStreams
	Factory *Factory

	StackOptions
	Formats        []string
	Outputs        []string
	FailOn         string
	NoBuiltin      bool
	ShowSuppressed bool
	Baseline       string
	Quiet          bool
	KeepGoing      bool
	Timeout        time.Duration
}

// NewCmdCheck builds `portguard check [PATH]`.
func NewCmdCheck(f *Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "check [PATH]",
		Short: "Check the compose stacks under PATH against the port convention",
		Long: `Check the compose stacks under PATH (default: the current directory) against
the port convention and print the findings.

Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage, config or
input error; 3 policy error.

Several --format/--output pairs print several reports from one evaluation,
paired in order: --format text --format json --output - --output out.json.
A format without an output goes to stdout.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, checkRun, intoPath(&opts.Path)),
	}
	addReportFlags(cmd.Flags(), opts)
	return cmd
}

// output is one report to write: a format and its destination.
type output struct {
	format string
	path   string // "-" for stdout
}

// outputs pairs --format and --output in order (a format without an
// output goes to stdout), and checks --fail-on: the usage errors of
// check, run and audit, found before anything is evaluated.
func (o *CheckOptions) outputs() ([]output, error) {
	formats := o.Formats
	if len(formats) == 0 {
		formats = []string{"text"}
	}
	if len(o.Outputs) > len(formats) {
		return nil, usage("%d --output for %d --format: give one --format per --output", len(o.Outputs), len(formats))
	}
	var outs []output
	for i, f := range formats {
		if _, ok := report.Formats[f]; !ok {
			return nil, usage("unknown format %q (use %s)", f, strings.Join(report.Names(), ", "))
		}
		path := "-"
		if i < len(o.Outputs) && o.Outputs[i] != "" {
			path = o.Outputs[i]
		}
		outs = append(outs, output{format: f, path: path})
	}
	if o.FailOn != "" && !slices.Contains(input.FailLevels, o.FailOn) {
		return nil, usage("--fail-on %q: use %s", o.FailOn, strings.Join(input.FailLevels, ", "))
	}
	return outs, nil
}

// reportOptions are what the flags say about the report.
func (o *CheckOptions) reportOptions() check.ReportOptions {
	return check.ReportOptions{
		Tool:      report.Tool{Name: "portguard", Version: Version, InformationURI: "https://github.com/portguard/portguard"},
		FailOn:    o.FailOn,
		KeepGoing: o.KeepGoing, ShowSuppressed: o.ShowSuppressed,
	}
}

// writeReports writes r in every format to its output; stdout is the
// writer of "-", coloured when color is set.
func (o *CheckOptions) writeReports(outs []output, r report.Result, stdout io.Writer, color bool) error {
	for _, out := range outs {
		w, _ := report.New(out.format, report.Options{Color: color && out.path == "-", Quiet: o.Quiet})
		if err := writeReport(stdout, out.path, w, r); err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
	}
	return nil
}

// checkRun evaluates the stack once and writes every report of it; the
// exit code is the report's (ExitFindings, or ExitInput with input
// errors and without --keep-going).
func checkRun(ctx context.Context, opts *CheckOptions) error {
	outs, err := opts.outputs()
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	eo := opts.evalOptions()
	eo.Engine.NoBuiltin, eo.Timeout, eo.NeedFiles, eo.Baseline = opts.NoBuiltin, opts.evalTimeout(), true, opts.Baseline
	res, err := evaluate(ctx, opts.Factory, eo)
	if err != nil {
		return err
	}
	r := res.Report(opts.Path, opts.reportOptions())
	if err := opts.writeReports(outs, r, opts.IO.Out, opts.Factory.colorEnabled()); err != nil {
		return err
	}
	if r.ExitCode != ExitClean {
		return &ExitError{Code: r.ExitCode}
	}
	return nil
}

// evalTimeout is --timeout as check.Options takes it: 0 means the default
// there, so --timeout 0 (no limit) becomes negative.
func (o *CheckOptions) evalTimeout() time.Duration {
	if o.Timeout == 0 {
		return -1
	}
	return o.Timeout
}

// writeReport writes one report to stdout or, atomically, to a file.
func writeReport(stdout io.Writer, path string, w report.Writer, r report.Result) error {
	if path == "-" {
		return w.Write(stdout, r)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		return err
	}
	if err := atomicfile.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, osfile.Reason(err))
	}
	return nil
}
