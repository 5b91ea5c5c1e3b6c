package cli

import (
	"context"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/docs"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/fix"
	"github.com/portguard/portguard/internal/osfile"
)

// FixOptions are the inputs of `portguard fix`.
type FixOptions struct {
	IO      *IOStreams
	Factory *Factory

	StackOptions
	DryRun bool
	Diff   bool
}

// NewCmdFix builds `portguard fix [PATH]`.
func NewCmdFix(f *Factory, runF func(*FixOptions) error) *cobra.Command {
	opts := &FixOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "fix [PATH]",
		Short: "Apply the machine fixes of the findings (rewrite mappings, set .env, document ports)",
		Long: `Apply every machine fix that the check computes for the stacks under PATH:
hard-coded or variable-less mappings become "${VAR:-port}:<container port>",
ports outside their sub-range move to the suggested port, a backup moves to
its primary's port + 1, the variable is added to or corrected in the root
.env, and every published port of the range gets a row in
PORTS-CONVENTION.md (created when absent).

Edits are splices at the exact position of each scalar: comments, quoting,
key order and blank lines stay, and every other byte is unchanged. Fixes
that compete for ports are planned together; a plan in which two fixes
disagree, or two services would share a port, is refused and nothing is
written. Files are written atomically. Findings suppressed by exceptions
are not fixed.

--dry-run lists the planned changes, --diff prints them as a unified diff;
neither writes anything (--dry-run --diff is --diff).`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, fixRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	opts.StackOptions.addFlags(fl)
	addExcludeFlag(fl, &opts.Exclude)
	addProfileFlag(fl, &opts.Profiles)
	fl.BoolVar(&opts.DryRun, "dry-run", false, "list the planned changes, write nothing")
	fl.BoolVar(&opts.Diff, "diff", false, "print the planned changes as a unified diff, write nothing")
	return cmd
}

func fixRun(ctx context.Context, opts *FixOptions) error {
	// A fix could move a service onto a port of a file that was not read.
	res, err := evaluateComplete(ctx, opts.Factory, &opts.StackOptions, "cannot fix while the input has errors; fix them first")
	if err != nil {
		return err
	}
	plan, err := fix.Build(ctx, opts.Path, res.Doc, res.Findings, res.Engine)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	out := opts.IO.Out
	if len(plan.Files) == 0 {
		fmt.Fprintln(out, "nothing to fix")
		writeLeft(out, res.Findings, len(plan.Fixed))
		return nil
	}
	switch {
	case opts.Diff:
		return plan.WriteDiff(out)
	case opts.DryRun:
		return plan.WriteSteps(out)
	}
	if err := plan.Apply(); err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	fmt.Fprintf(out, "fixed %d %s (%s) in %d %s:\n", len(plan.Fixed), plural(len(plan.Fixed), "finding", "findings"),
		strings.Join(plan.Rules(), ", "), len(plan.Files), plural(len(plan.Files), "file", "files"))
	for _, f := range plan.Files {
		what := fmt.Sprintf("%d %s", len(f.Steps), plural(len(f.Steps), "change", "changes"))
		if f.Create {
			what = "created"
		}
		fmt.Fprintf(out, "  %s: %s\n", f.Path, what)
	}
	writeLeft(out, res.Findings, len(plan.Fixed))
	table := res.Doc.Conventions.File
	if data, err := osfile.Read(filepath.Join(opts.Path, filepath.FromSlash(table)), res.Doc.Config.MaxFileSize); table != "" && err == nil && docs.HasTable(data) {
		fmt.Fprintf(out, "%s has a generated table: run portguard docs to refresh it\n", table)
	}
	return nil
}

// writeLeft says what fix leaves: each finding of a rule with machine
// fixes that has none, with why (its no_fix), and how many others have no
// machine fix, by rule.
func writeLeft(w io.Writer, findings []finding.Finding, fixed int) {
	var why []finding.Finding
	var rules []string
	for _, f := range findings {
		if f.Fix != nil {
			continue
		}
		if f.NoFix != "" {
			why = append(why, f)
		} else if !slices.Contains(rules, f.RuleID) {
			rules = append(rules, f.RuleID)
		}
	}
	if len(why) > 0 {
		fmt.Fprintf(w, "no machine fix for %d %s:\n", len(why), plural(len(why), "finding", "findings"))
		for _, f := range why {
			fmt.Fprintf(w, "  %s:%d:%d  %s  %s: %s\n", f.File, f.Line, f.Column, f.RuleID, f.Service, f.NoFix)
		}
	}
	if n := len(findings) - fixed - len(why); n > 0 {
		slices.Sort(rules)
		other := ""
		if len(why) > 0 {
			other = "other "
		}
		fmt.Fprintf(w, "%d %s%s no machine fix (%s): portguard check lists %s\n", n, other, plural(n, "finding has", "findings have"), strings.Join(rules, ", "), plural(n, "it", "them"))
	}
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
