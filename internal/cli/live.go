package cli

import (
	"context"
	"io"
	"slices"
	"strings"

	"github.com/spf13/pflag"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/live"
	"github.com/portguard/portguard/internal/report"
)

// addReportFlags registers the flags of the reports and the policies, as
// check has them.
func addReportFlags(fl *pflag.FlagSet, o *CheckOptions) {
	addSourceFlags(fl, &o.Files, &o.Config)
	addProfileFlag(fl, &o.Profiles)
	addExcludeFlag(fl, &o.Exclude)
	fl.StringArrayVar(&o.Formats, "format", nil, "output format: "+strings.Join(report.Names(), ", ")+" (repeatable; default text)")
	fl.StringArrayVarP(&o.Outputs, "output", "o", nil, "output file for the format at the same position, - for stdout (run: stderr) (repeatable)")
	fl.StringVar(&o.FailOn, "fail-on", "", "lowest severity that fails the check: "+strings.Join(input.FailLevels, ", ")+" (default: fail_on of .portguard.yaml, else error)")
	addPolicyFlags(fl, &o.Policies, &o.Data)
	fl.BoolVar(&o.NoBuiltin, "no-builtin", false, "do not load the built-in rules")
	fl.BoolVar(&o.ShowSuppressed, "show-suppressed", false, "also list findings suppressed by exceptions, ignores or the baseline")
	fl.StringVar(&o.Baseline, "baseline", "", "baseline file (portguard baseline): its findings are suppressed, only new ones fail (default: baseline: of .portguard.yaml)")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "text format: print the findings alone (no headings, suggestions, notes or summary)")
	fl.BoolVar(&o.KeepGoing, "keep-going", false, "let the exit code reflect the findings alone, even with input errors")
	fl.DurationVar(&o.Timeout, "timeout", DefaultTimeout, "stop the policy evaluation after this long, with exit 3 (0: no limit)")
}

// liveCheck judges the stack under o.Path (or doc, a host document) with
// the live facts, keeping the findings of the static rules and of the live
// rules in want, and writes the reports to w. It returns the report.
func liveCheck(ctx context.Context, o *CheckOptions, doc *input.Document, l *input.Live, want []string, w reportStream) (report.Result, error) {
	outs, err := o.outputs()
	if err != nil {
		return report.Result{}, &ExitError{Code: ExitInput, Err: err}
	}
	if o.FailOn != "" && !slices.Contains(input.FailLevels, o.FailOn) {
		return report.Result{}, &ExitError{Code: ExitInput, Err: usage("--fail-on %q: use %s", o.FailOn, strings.Join(input.FailLevels, ", "))}
	}
	timeout := o.Timeout
	if timeout == 0 {
		timeout = -1 // --timeout 0: no limit
	}
	ev, err := check.Evaluate(ctx, check.Options{
		Path: o.Path, Files: o.Files, Config: o.Config, Profiles: o.Profiles, ExcludePaths: o.Exclude,
		Engine:  engine.Options{PolicyDirs: o.Policies, DataPaths: o.Data, NoBuiltin: o.NoBuiltin},
		Timeout: timeout, NewEngine: o.Factory.NewEngine, NeedFiles: doc == nil,
		Doc: doc, Live: l, OmitRules: live.Omitted(want), Baseline: o.Baseline,
	})
	if err != nil {
		return report.Result{}, exitError(err)
	}
	r := ev.Report(o.Path, check.ReportOptions{
		Tool:      report.Tool{Name: "portguard", Version: Version, InformationURI: "https://github.com/portguard/portguard"},
		FailOn:    o.FailOn,
		KeepGoing: o.KeepGoing, ShowSuppressed: o.ShowSuppressed,
	})
	for _, out := range outs {
		wr, _ := report.New(out.format, report.Options{Color: w.color && out.path == "-", Quiet: o.Quiet})
		if err := writeReport(w.w, out.path, wr, r); err != nil {
			return r, &ExitError{Code: ExitInput, Err: err}
		}
	}
	return r, nil
}

// reportStream is where the reports without an --output go.
type reportStream struct {
	w     io.Writer
	color bool
}
