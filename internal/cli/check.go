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
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/osfile"
	"github.com/portguard/portguard/internal/report"
)

// CheckOptions are the inputs of `portguard check`.
type CheckOptions struct {
	IO      *IOStreams
	Factory *Factory

	Path           string
	Files          []string
	Profiles       []string
	Exclude        []string
	Formats        []string
	Outputs        []string
	FailOn         string
	Policies       []string
	Data           []string
	Config         string
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return checkRun(cmd.Context(), opts)
		},
	}
	addReportFlags(cmd.Flags(), opts)
	return cmd
}

// output is one report to write: a format and its destination.
type output struct {
	format string
	path   string // "-" for stdout
}

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
	return outs, nil
}

func checkRun(ctx context.Context, opts *CheckOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	outs, err := opts.outputs()
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	if opts.FailOn != "" && !slices.Contains(input.FailLevels, opts.FailOn) {
		return &ExitError{Code: ExitInput, Err: usage("--fail-on %q: use %s", opts.FailOn, strings.Join(input.FailLevels, ", "))}
	}
	res, err := evaluate(ctx, opts.Factory, evalOptions{
		Path: opts.Path, Files: opts.Files, Config: opts.Config, Profiles: opts.Profiles, Exclude: opts.Exclude,
		Engine:  engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data, NoBuiltin: opts.NoBuiltin},
		Timeout: opts.evalTimeout(), NeedFiles: true, Baseline: opts.Baseline,
	})
	if err != nil {
		return err
	}
	r := res.Report(opts.Path, check.ReportOptions{
		Tool:      report.Tool{Name: "portguard", Version: Version, InformationURI: "https://github.com/portguard/portguard"},
		FailOn:    opts.FailOn,
		KeepGoing: opts.KeepGoing, ShowSuppressed: opts.ShowSuppressed,
	})
	color := opts.Factory.colorEnabled()
	for _, o := range outs {
		w, _ := report.New(o.format, report.Options{Color: color && o.path == "-", Quiet: opts.Quiet})
		if err := writeReport(opts.IO.Out, o.path, w, r); err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
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
