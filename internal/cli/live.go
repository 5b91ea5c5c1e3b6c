package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/live"
	"github.com/portguard/portguard/internal/report"
)

// addReportFlags registers the flags of the reports and the policies, as
// check has them.
func addReportFlags(fl *pflag.FlagSet, o *CheckOptions) {
	o.StackOptions.addFlags(fl)
	addExcludeFlag(fl, &o.Exclude)
	addProfileFlag(fl, &o.Profiles)
	fl.StringArrayVar(&o.Formats, "format", nil, "output format: "+strings.Join(report.Names(), ", ")+" (repeatable; default text)")
	fl.StringArrayVarP(&o.Outputs, "output", "o", nil, "output file for the format at the same position, - for stdout (run: stderr) (repeatable)")
	fl.StringVar(&o.FailOn, "fail-on", "", "lowest severity that fails the check: "+strings.Join(input.FailLevels, ", ")+" (default: fail_on of .portguard.yaml, else error)")
	fl.BoolVar(&o.NoBuiltin, "no-builtin", false, "do not load the built-in rules")
	fl.BoolVar(&o.ShowSuppressed, "show-suppressed", false, "also list findings suppressed by exceptions, ignores or the baseline")
	fl.StringVar(&o.Baseline, "baseline", "", "baseline file (portguard baseline): its findings are suppressed, only new ones fail (default: baseline: of .portguard.yaml)")
	fl.BoolVarP(&o.Quiet, "quiet", "q", false, "text format: print the findings alone (no headings, suggestions, notes or summary)")
	fl.BoolVar(&o.KeepGoing, "keep-going", false, "let the exit code reflect the findings alone, even with input errors")
	fl.DurationVar(&o.Timeout, "timeout", engine.DefaultTimeout, "stop the policy evaluation after this long, with exit 3 (0: no limit)")
}

// liveCheck judges the stack under o.Path (or doc, a host document) with
// the live facts, keeping the findings of the static rules and of the live
// rules in want, and writes the reports to w. A host audit (doc set) also
// judges the stacks its containers were started from (stackRules). It
// returns the report.
func liveCheck(ctx context.Context, o *CheckOptions, doc *input.Document, l *input.Live, want []string, w reportStream) (report.Result, error) {
	outs, err := o.outputs()
	if err != nil {
		return report.Result{}, &ExitError{Code: ExitInput, Err: err}
	}
	ev, err := liveEval(ctx, o, check.Options{
		Path: o.Path, Files: o.Files, Config: o.Config, Profiles: o.Profiles, ExcludePaths: o.Exclude,
		NeedFiles: doc == nil, Doc: doc, Baseline: o.Baseline,
	}, l, live.Omitted(want))
	if err != nil {
		return report.Result{}, err
	}
	var st stacksJudged
	if doc != nil {
		st = judgeStacks(ctx, o, ev, l)
	}
	r := ev.Report(o.Path, o.reportOptions())
	if doc != nil {
		r.Files, r.Services, r.EnvCandidates = st.files, st.services, nil
		r.Live.Stacks, r.Live.Unread = st.stacks, st.unread
		r.ExitCode = check.ExitCode(r.Findings, len(r.Errors), r.FailOn, o.KeepGoing)
	}
	return r, o.writeReports(outs, r, w.w, w.color)
}

// liveEval evaluates one document (co.Doc, or the files co names) with the
// live facts and the flags of o, without the findings of the rules omit
// names.
func liveEval(ctx context.Context, o *CheckOptions, co check.Options, l *input.Live, omit []string) (*check.Evaluation, error) {
	co.Engine = engine.Options{PolicyDirs: o.Policies, DataPaths: o.Data, NoBuiltin: o.NoBuiltin}
	co.Timeout, co.NewEngine, co.Live, co.OmitRules = o.evalTimeout(), o.Factory.NewEngine, l, omit
	ev, err := check.Evaluate(ctx, co)
	if err != nil {
		return nil, exitError(err)
	}
	return ev, nil
}

// stackRules are judged on the stacks a host audit finds through their
// containers: how they run against their files. Their static findings
// belong to a check of their repository.
var stackRules = []string{"DBP804", "DBP805"}

// stacksJudged counts what a host audit read of the stacks.
type stacksJudged struct {
	stacks, files, services int
	unread                  []string
}

// judgeStacks finds the compose projects of the host's containers (their
// compose labels name the files they were created from), loads each from
// its directory, and adds to ev the findings of stackRules about it, with
// the files' absolute paths.
func judgeStacks(ctx context.Context, o *CheckOptions, ev *check.Evaluation, l *input.Live) stacksJudged {
	var out stacksJudged
	for _, s := range composeStacks(l) {
		root := filepath.Dir(s.files[0])
		sl := liveFor(l, root)
		unread := func(why string) {
			out.unread = append(out.unread, fmt.Sprintf("%s (%s): %s", s.project, strings.Join(s.files, ", "), why))
		}
		// A stack started from files since moved or deleted, or broken, is
		// skipped with a note: the host audit judges the host.
		if missing := firstMissing(s.files); missing != "" {
			unread(missing + " is gone")
			continue
		}
		sev, err := liveEval(ctx, o, check.Options{Path: root, Files: s.files}, sl, nil)
		if err != nil {
			unread(err.Error())
			continue
		}
		if len(sev.Doc.Errors) > 0 {
			e := sev.Doc.Errors[0]
			e.File = filepath.Join(root, e.File)
			unread(e.Error())
			continue
		}
		out.stacks++
		out.files += len(sev.Doc.Files)
		out.services += len(sev.Doc.Services)
		ev.Findings = append(ev.Findings, absolute(root, onlyStackRules(sev.Findings))...)
		ev.Suppressed = append(ev.Suppressed, absolute(root, onlyStackRules(sev.Suppressed))...)
	}
	finding.Sort(ev.Findings)
	finding.Sort(ev.Suppressed)
	return out
}

func firstMissing(files []string) string {
	for _, f := range files {
		if _, err := os.Stat(f); err != nil {
			return f
		}
	}
	return ""
}

type composeStack struct {
	project string
	files   []string
}

// composeStacks are the compose projects of the host's containers, each
// with the absolute compose files its containers were created from.
func composeStacks(l *input.Live) []composeStack {
	seen := map[string]bool{}
	var out []composeStack
	for _, c := range l.Containers {
		if c.Project == "" || len(c.ConfigFiles) == 0 || !filepath.IsAbs(filepath.FromSlash(c.ConfigFiles[0])) {
			continue
		}
		key := c.Project + "\x00" + strings.Join(c.ConfigFiles, ",")
		if seen[key] {
			continue
		}
		seen[key] = true
		files := make([]string, len(c.ConfigFiles))
		for i, f := range c.ConfigFiles {
			files[i] = filepath.FromSlash(f)
		}
		out = append(out, composeStack{project: c.Project, files: files})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].project < out[j].project })
	return out
}

// liveFor is l with the compose files of the containers relative to root,
// as the document of the stack there names its files.
func liveFor(l *input.Live, root string) *input.Live {
	c := *l
	c.Containers = make([]input.LiveContainer, len(l.Containers))
	for i, ct := range l.Containers {
		files := make([]string, len(ct.ConfigFiles))
		for j, f := range ct.ConfigFiles {
			files[j] = f
			if rel, err := filepath.Rel(root, filepath.FromSlash(f)); err == nil && !strings.HasPrefix(rel, "..") {
				files[j] = filepath.ToSlash(rel)
			}
		}
		ct.ConfigFiles = files
		c.Containers[i] = ct
	}
	return &c
}

func onlyStackRules(fs []finding.Finding) []finding.Finding {
	return slices.DeleteFunc(fs, func(f finding.Finding) bool { return !slices.Contains(stackRules, f.RuleID) })
}

// absolute gives findings about the files of a stack at root their
// absolute paths: the report of a host audit has no one root.
func absolute(root string, fs []finding.Finding) []finding.Finding {
	for i := range fs {
		if fs[i].File != "" {
			fs[i].File = filepath.Join(root, fs[i].File)
		}
		for j := range fs[i].Related {
			if fs[i].Related[j].File != "" {
				fs[i].Related[j].File = filepath.Join(root, fs[i].Related[j].File)
			}
		}
	}
	return fs
}

// reportStream is where the reports without an --output go.
type reportStream struct {
	w     io.Writer
	color bool
}
