package cli

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/baseline"
	"github.com/portguard/portguard/internal/osfile"
	"github.com/portguard/portguard/internal/report"
)

// BaselineOptions are the inputs of `portguard baseline`.
type BaselineOptions struct {
	IO      *IOStreams
	Factory *Factory
	StackOptions

	NoBuiltin bool
	Output    string
	Update    bool
}

// NewCmdBaseline builds `portguard baseline [PATH]`.
func NewCmdBaseline(f *Factory, runF func(*BaselineOptions) error) *cobra.Command {
	opts := &BaselineOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "baseline [PATH]",
		Short: "Record today's findings so that check fails only on new ones",
		Long: `Record the findings of the stacks under PATH in a baseline file (default
PATH/` + baseline.DefaultFile + `, or baseline: of .portguard.yaml; with -f, both
in the first file's directory, where check reads them), one entry per
finding: rule id, file, service and fingerprint (the port, variable or
volume the finding is about), never the line, so edits above a finding and
reordered services still match it.

portguard check --baseline FILE (or baseline: in .portguard.yaml) then
reports the recorded findings as suppressed (kind baseline) and fails only
on new ones; entries that match nothing any more are notes (DBP004).

--update removes those stale entries and adds nothing: the baseline only
shrinks as findings are burned down.`,
		Example: `  portguard baseline
  portguard check --baseline .portguard-baseline.json
  portguard baseline --update`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, baselineRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	opts.addFlags(fl)
	fl.BoolVar(&opts.NoBuiltin, "no-builtin", false, "do not load the built-in rules")
	fl.StringVarP(&opts.Output, "output", "o", "", "baseline file (default: baseline: of .portguard.yaml, else PATH/"+baseline.DefaultFile+")")
	fl.BoolVar(&opts.Update, "update", false, "remove the entries that match no finding any more; add none")
	return cmd
}

func baselineRun(ctx context.Context, opts *BaselineOptions) error {
	path := opts.Output
	if path == "" {
		// The configuration and the baseline where check reads them: with
		// -f, in the first file's directory.
		dir, err := input.ProjectDir(opts.Path, opts.Files)
		if err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
		cfgPath, display := filepath.Join(dir, input.ConfigFileName), input.ConfigFileName
		if r, err := filepath.Rel(opts.Path, dir); err == nil {
			display = filepath.ToSlash(filepath.Join(r, input.ConfigFileName)) // as check names it
		}
		if opts.Config != "" {
			cfgPath, display = opts.Config, opts.Config
		}
		cfg, err := input.LoadConfig(cfgPath, display, opts.Config != "")
		if err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
		name := cfg.Baseline
		if name == "" {
			name = baseline.DefaultFile
		}
		path = filepath.Join(dir, filepath.FromSlash(name))
	}
	// Recording reads no baseline (it would hide what it records);
	// --update reads the one it prunes.
	eo := opts.evalOptions()
	eo.Engine.NoBuiltin, eo.NeedFiles, eo.Baseline, eo.SkipBaseline = opts.NoBuiltin, true, path, !opts.Update
	res, err := evaluate(ctx, opts.Factory, eo)
	if err != nil {
		return err
	}
	if errs := res.Doc.Errors; len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = "  " + e.Error()
		}
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot record a baseline while the input has errors (their findings would be missing); fix them first:\n%s", strings.Join(lines, "\n"))}
	}
	out := opts.IO.Out
	if !opts.Update {
		entries := baseline.Entries(res.Findings)
		if err := baseline.Write(path, entries); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", path, osfile.Reason(err))}
		}
		fmt.Fprintf(out, "recorded %s in %s; portguard check --baseline %s now fails only on new ones\n",
			report.Count(len(entries), "finding"), path, path)
		return nil
	}
	var kept []baseline.Entry
	for _, e := range res.Baseline.Entries {
		if !slices.Contains(res.StaleBaseline, e.Line) {
			kept = append(kept, baseline.Entry{RuleID: e.RuleID, File: e.File, Service: e.Service, Fingerprint: e.Fingerprint, Message: e.Message})
		}
	}
	removed := len(res.Baseline.Entries) - len(kept)
	if removed > 0 {
		if err := baseline.Write(path, kept); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", path, osfile.Reason(err))}
		}
	}
	fmt.Fprintf(out, "removed %s that %s no finding from %s; %s left\n",
		report.Count(removed, "entry"), plural(removed, "matches", "match"), path, report.Count(len(kept), "entry"))
	return nil
}
