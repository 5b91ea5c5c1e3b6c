// Package check is the data flow of `portguard check`: load the document,
// compile the policies, evaluate, apply the configuration and exceptions,
// and assemble the report. The commands and the MCP server call it, so a
// check gives the same answer wherever it is asked for.
package check

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/baseline"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/fix"
	"github.com/portguard/portguard/internal/report"
)

// Exit codes, in one place: a check's report carries its code, and main
// returns it.
const (
	ExitClean    = 0 // no finding at or above the fail level
	ExitFindings = 1 // findings at or above the fail level
	ExitInput    = 2 // usage, config or input error
	ExitPolicy   = 3 // policy error (Rego compile or eval)
)

// Error is a check that could not be carried out, with the exit code it
// maps to: ExitInput when nothing could be loaded, ExitPolicy when the
// policies did not compile or evaluate.
type Error struct {
	Code int
	Err  error
}

func (e *Error) Error() string { return e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// Options say what to load and which policies to run.
type Options struct {
	Path   string
	Files  []string
	Config string
	// Profiles are the profiles enabled with --profile; empty checks
	// every service.
	Profiles []string
	// ExcludePaths are the --exclude patterns of paths.
	ExcludePaths []string
	Engine       engine.Options
	// Timeout bounds the evaluation (0: engine.DefaultTimeout, negative:
	// none).
	Timeout time.Duration
	// NewEngine compiles the policies; nil means engine.New. Callers that
	// check many times share one engine through it.
	NewEngine func(engine.Options) (*engine.Engine, error)
	// Baseline is a baseline file (check --baseline) that replaces the
	// config's baseline:; its findings are reported as suppressed.
	Baseline string
	// SkipBaseline reads no baseline at all (portguard baseline records
	// what a baseline would hide).
	SkipBaseline bool
	// Today is the date exceptions expire against (zero: now, in UTC).
	Today time.Time
	// NeedFiles makes a repository without a compose file a usage error:
	// a gate that checked nothing has not passed.
	NeedFiles bool
	// Doc, when set, is judged instead of loading Path (a host audit
	// without compose files: input.EmptyDocument).
	Doc *input.Document
	// Live, when set, is what runs on the host (internal/live): the
	// document carries it for the DBP8xx rules.
	Live *input.Live
	// OmitRules names the rules whose findings the caller does not ask for
	// (run asks for the live pre-flight, not the host audit).
	OmitRules []string
	// OneShot says the process ends after this evaluation (a command, not
	// the MCP server): the collector is tuned to the document (memory.go).
	OneShot bool
}

// Evaluation is the outcome shared by everything that judges a stack.
type Evaluation struct {
	Doc        *input.Document
	Findings   []finding.Finding
	Suppressed []finding.Finding
	Rules      []finding.Rule
	// Engine is the policies, for further queries (docs, fix, migrate).
	Engine *engine.Engine
	// Baseline is the baseline that was read, nil when none;
	// StaleBaseline the lines of its entries that match no finding.
	Baseline      *engine.JudgeBaseline
	StaleBaseline []int
}

// Evaluate loads the document, compiles the policies, evaluates them and
// applies the configuration. Input errors of single files are in
// Doc.Errors; an error return is an *Error.
func Evaluate(ctx context.Context, o Options) (*Evaluation, error) {
	doc, eng, err := Load(ctx, o)
	if err != nil {
		return nil, err
	}
	evalCtx, cancel := evalDeadline(ctx, o.Timeout)
	defer cancel()
	fs, err := eng.Eval(evalCtx, doc)
	if err != nil {
		if errors.Is(evalCtx.Err(), context.DeadlineExceeded) {
			err = timeoutError(o, err)
		}
		return nil, &Error{Code: ExitPolicy, Err: err}
	}
	if len(o.OmitRules) > 0 {
		fs = slices.DeleteFunc(fs, func(f finding.Finding) bool { return slices.Contains(o.OmitRules, f.RuleID) })
	}
	// A rule id the catalog does not know is an error at its line.
	if unknown := UnknownRuleIDs(doc, eng.Rules()); len(unknown) > 0 {
		doc.Errors = append(doc.Errors, unknown...)
		sort.SliceStable(doc.Errors, func(i, j int) bool {
			a, b := doc.Errors[i], doc.Errors[j]
			return a.File < b.File || a.File == b.File && a.Line < b.Line
		})
	}
	bl, err := readBaseline(o, doc)
	if err != nil {
		return nil, &Error{Code: ExitInput, Err: err}
	}
	today := o.Today
	if today.IsZero() {
		today = time.Now().UTC()
	}
	sup, err := eng.Suppress(evalCtx, doc, fs, bl, today)
	if err != nil {
		return nil, &Error{Code: ExitPolicy, Err: err}
	}
	return &Evaluation{Doc: doc, Findings: sup.Active, Suppressed: sup.Suppressed, Rules: eng.Rules(), Engine: eng,
		Baseline: bl, StaleBaseline: sup.StaleBaseline}, nil
}

// Load loads the document (Options.Doc, or the repository at Path, with
// the knowledge base of the --data files) and the policies, the two at
// the same time: they do not depend on each other. Every command that
// judges a stack or asks the policies about one starts here. An error
// return is an *Error.
func Load(ctx context.Context, o Options) (*input.Document, *engine.Engine, error) {
	newEngine := o.NewEngine
	if newEngine == nil {
		newEngine = func(opts engine.Options) (*engine.Engine, error) { return engine.New(ctx, opts) }
	}
	type compiled struct {
		eng *engine.Engine
		err error
	}
	done := make(chan compiled, 1)
	go func() {
		eng, err := newEngine(o.Engine)
		done <- compiled{eng, err}
	}()
	kb, err := engine.KnowledgeBase(o.Engine.DataPaths)
	if err != nil {
		<-done
		return nil, nil, CompileError(err)
	}
	doc, err := loadDocument(o, kb)
	c := <-done
	if err != nil {
		return nil, nil, &Error{Code: ExitInput, Err: err}
	}
	if o.NeedFiles && len(doc.Files) == 0 && len(doc.Errors) == 0 {
		return nil, nil, &Error{Code: ExitInput, Err: fmt.Errorf("nothing to check: no compose file under %s matches compose_files (%s)",
			o.Path, strings.Join(doc.Config.ComposeFiles, ", "))}
	}
	eng, err := c.eng, c.err
	if err != nil {
		return nil, nil, CompileError(err)
	}
	if o.Live != nil {
		if err := doc.JoinLive(o.Live, kb); err != nil {
			return nil, nil, CompileError(err)
		}
	}
	return doc, eng, nil
}

// loadDocument is the document to judge: o.Doc, or the one under o.Path.
// A command's collector is set for it (memory.go).
func loadDocument(o Options, kb *input.KnowledgeBase) (*input.Document, error) {
	if o.OneShot {
		gcWhileLoading()
	}
	doc, err := o.Doc, error(nil)
	if doc == nil {
		doc, err = input.Load(input.Options{Root: o.Path, Files: o.Files, ConfigPath: o.Config, Profiles: o.Profiles, Exclude: o.ExcludePaths, Knowledge: kb})
	}
	if o.OneShot && err == nil {
		gcForDocument(len(doc.Services))
	}
	return doc, err
}

// readBaseline reads --baseline (as given) or the config's baseline:
// (relative to the root); nil when neither names one.
func readBaseline(o Options, doc *input.Document) (*engine.JudgeBaseline, error) {
	if o.SkipBaseline {
		return nil, nil
	}
	path, display := o.Baseline, o.Baseline
	if path == "" && doc.Config.Baseline != "" {
		display = filepath.ToSlash(doc.Config.Baseline)
		path = filepath.Join(o.Path, filepath.FromSlash(doc.Config.Baseline))
	} else if path != "" {
		if rel, err := filepath.Rel(o.Path, path); err == nil && filepath.IsLocal(rel) {
			display = filepath.ToSlash(rel)
		}
	}
	if path == "" {
		return nil, nil
	}
	return baseline.Read(path, display)
}

// CompileError maps an error of loading or compiling the policies to its
// exit code: a --policy or --data path that cannot be read is a usage error
// (2), anything else a policy error (3).
func CompileError(err error) *Error {
	var path *engine.PathError
	if errors.As(err, &path) {
		return &Error{Code: ExitInput, Err: err}
	}
	return &Error{Code: ExitPolicy, Err: err}
}

// ReportOptions say how the findings are judged and presented.
type ReportOptions struct {
	Tool report.Tool
	// FailOn is the lowest failing severity; "" takes fail_on of the
	// configuration.
	FailOn         string
	KeepGoing      bool
	ShowSuppressed bool
}

// Report assembles what every format prints about the evaluation of the
// repository at root: each fix resolved to the text replacements it makes,
// the counts, and the exit code.
func (ev *Evaluation) Report(root string, o ReportOptions) report.Result {
	failOn := o.FailOn
	if failOn == "" {
		failOn = ev.Doc.Config.FailOn
	}
	fix.Resolve(root, ev.Findings)
	r := report.Result{
		Tool:           o.Tool,
		Root:           root,
		EnvFile:        ev.Doc.Env.File,
		EnvCandidates:  input.EnvCandidates(ev.Doc.Config),
		Files:          len(ev.Doc.Files),
		Services:       len(ev.Doc.Services),
		Findings:       ev.Findings,
		Suppressed:     ev.Suppressed,
		Errors:         ev.Doc.Errors,
		Unset:          ev.Doc.Unset,
		Rules:          ev.Rules,
		FailOn:         failOn,
		ShowSuppressed: o.ShowSuppressed,
		Time:           time.Now().UTC(),
		Live:           liveSummary(ev.Doc.Live),
	}
	r.ExitCode = ExitCode(r.Findings, len(r.Errors), failOn, o.KeepGoing)
	return r
}

// ExitCode gives 2 when the input had errors (unless keepGoing), else 1
// when a finding reaches the fail level, else 0.
func ExitCode(fs []finding.Finding, inputErrors int, failOn string, keepGoing bool) int {
	if inputErrors > 0 && !keepGoing {
		return ExitInput
	}
	if failOn == "never" {
		return ExitClean
	}
	threshold := finding.SeverityRank(failOn)
	for _, f := range fs {
		if finding.SeverityRank(f.Severity) >= threshold {
			return ExitFindings
		}
	}
	return ExitClean
}

// liveSummary says what a live check looked at; nil for a check of files.
func liveSummary(l *input.Live) *report.Live {
	if l == nil {
		return nil
	}
	s := &report.Live{Host: l.Host, Listeners: len(l.Listeners), ListError: l.ListError, Inspected: l.Docker.Inspected, DockerError: l.Docker.Error}
	for _, c := range l.Containers {
		if c.Running {
			s.Containers++
		}
	}
	return s
}
