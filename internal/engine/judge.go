package engine

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// judgeQuery asks the suppressions library, after the rules have reported,
// which findings are suppressed and what the rules about suppressions
// (DBP002-DBP004) report.
const judgeQuery = "judged := data.portguard.lib.suppressions.result"

// JudgeSchema is the JSON Schema of the judge input (schema.judge), which
// policies/lib/suppressions.rego and the rules about suppressions read.
//
//go:embed judge_schema.json
var JudgeSchema []byte

// JudgeInput is what the judge stage reads: the findings with their
// fingerprints, the facts that suppress them, the baseline, and today's
// date (the policies have no clock).
type JudgeInput struct {
	Today string `json:"today"`
	// Rules are the ids of the loaded rules: a suppression that names
	// another id is an input error (check.UnknownRuleIDs), not also an
	// unused suppression.
	Rules    []string       `json:"rules"`
	Findings []JudgeFinding `json:"findings"`
	Baseline *JudgeBaseline `json:"baseline"`
	Document JudgeDocument  `json:"document"`
}

// JudgeFinding is what the judge needs of a finding.
type JudgeFinding struct {
	RuleID      string            `json:"rule_id"`
	File        string            `json:"file"`
	Line        int               `json:"line"`
	Service     string            `json:"service"`
	Fingerprint string            `json:"fingerprint"`
	Related     []finding.Related `json:"related"`
}

// JudgeBaseline is a baseline file: its entries with their lines.
type JudgeBaseline struct {
	File    string          `json:"file"`
	Entries []BaselineEntry `json:"entries"`
}

// BaselineEntry is one finding recorded in a baseline: it matches a
// finding with the same rule, file, service and fingerprint, never by its
// line. Line is where the entry is written in the baseline file.
type BaselineEntry struct {
	RuleID      string `json:"rule_id"`
	File        string `json:"file"`
	Service     string `json:"service"`
	Fingerprint string `json:"fingerprint"`
	Message     string `json:"message"`
	Line        int    `json:"line"`
}

// JudgeDocument is the part of the input document that suppresses
// findings.
type JudgeDocument struct {
	Config struct {
		File       string            `json:"file"`
		Exceptions []input.Exception `json:"exceptions"`
	} `json:"config"`
	Files       []judgeFile    `json:"files"`
	Services    []judgeService `json:"services"`
	Volumes     []judgeVolume  `json:"volumes"`
	Env         judgeFile2     `json:"env"`
	Conventions judgeFile2     `json:"conventions"`
	Ignores     []input.Ignore `json:"ignores"`
}

type judgeFile struct {
	Path string `json:"path"`
}

type judgeFile2 struct {
	File string `json:"file"`
}

type judgeService struct {
	Name        string            `json:"name"`
	File        string            `json:"file"`
	Line        int               `json:"line"`
	ProjectFile string            `json:"project_file"`
	XPortguard  map[string]any    `json:"x_portguard"`
	Labels      map[string]string `json:"labels"`
	Ports       []judgeFile2      `json:"ports"`
}

// judgeVolume is a top-level volume: a finding about a service's data
// volume points at it, in a file of the service's project.
type judgeVolume struct {
	File        string `json:"file"`
	ProjectFile string `json:"project_file"`
}

// NewJudgeInput builds the judge input of a document and its findings.
func NewJudgeInput(doc *input.Document, fs []finding.Finding, baseline *JudgeBaseline, today string) JudgeInput {
	in := JudgeInput{Today: today, Baseline: baseline, Rules: []string{}, Findings: make([]JudgeFinding, len(fs))}
	for i, f := range fs {
		rel := f.Related
		if rel == nil {
			rel = []finding.Related{}
		}
		in.Findings[i] = JudgeFinding{RuleID: f.RuleID, File: f.File, Line: f.Line, Service: f.Service, Fingerprint: f.Fingerprint, Related: rel}
	}
	d := &in.Document
	d.Config.File, d.Config.Exceptions = doc.Config.File, doc.Config.Exceptions
	if d.Config.Exceptions == nil {
		d.Config.Exceptions = []input.Exception{}
	}
	d.Files = make([]judgeFile, len(doc.Files))
	for i, f := range doc.Files {
		d.Files[i] = judgeFile{f.Path}
	}
	d.Services = make([]judgeService, len(doc.Services))
	for i, s := range doc.Services {
		js := judgeService{Name: s.Name, File: s.File, Line: s.Line, ProjectFile: s.ProjectFile, XPortguard: s.XPortguard, Labels: s.Labels, Ports: make([]judgeFile2, len(s.Ports))}
		if js.XPortguard == nil {
			js.XPortguard = map[string]any{}
		}
		if js.Labels == nil {
			js.Labels = map[string]string{}
		}
		for j, p := range s.Ports {
			js.Ports[j] = judgeFile2{p.File}
		}
		d.Services[i] = js
	}
	d.Volumes = make([]judgeVolume, len(doc.Volumes))
	for i, v := range doc.Volumes {
		d.Volumes[i] = judgeVolume{File: v.File, ProjectFile: v.ProjectFile}
	}
	d.Env.File, d.Conventions.File = doc.Env.File, doc.Conventions.File
	d.Ignores = doc.Ignores
	if d.Ignores == nil {
		d.Ignores = []input.Ignore{}
	}
	return in
}

// Judgement is the outcome of the judge stage: how each suppressed finding
// (by its index in the judged list) is suppressed, and the findings about
// suppressions themselves.
type Judgement struct {
	Decisions map[int]finding.Suppression
	Notices   []finding.Finding
	// StaleBaseline are the lines of the baseline entries that match no
	// finding.
	StaleBaseline []int
}

type judged struct {
	Decisions     []json.RawMessage `json:"decisions"`
	Notices       []finding.Finding `json:"notices"`
	StaleBaseline []int             `json:"stale_baseline"`
}

// Judge runs the judge stage: the suppressions library over the judge
// input.
func (e *Engine) Judge(ctx context.Context, in JudgeInput) (*Judgement, error) {
	value, err := e.eval.document(in)
	if err != nil {
		return nil, err
	}
	out, err := e.eval.judge(ctx, value)
	if err != nil {
		return nil, err
	}
	if out == nil {
		return nil, &PolicyError{Msg: "the suppressions library gave no result"}
	}
	b, err := json.Marshal(out)
	if err != nil {
		return nil, err
	}
	var j judged
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, &PolicyError{Msg: "the suppressions library gave a result of the wrong shape: " + err.Error()}
	}
	res := &Judgement{Decisions: map[int]finding.Suppression{}, Notices: j.Notices, StaleBaseline: j.StaleBaseline}
	for _, d := range j.Decisions {
		var pair [2]json.RawMessage
		var i int
		var s finding.Suppression
		if json.Unmarshal(d, &pair) != nil || json.Unmarshal(pair[0], &i) != nil || json.Unmarshal(pair[1], &s) != nil {
			return nil, &PolicyError{Msg: fmt.Sprintf("the suppressions library gave a decision of the wrong shape: %s", d)}
		}
		res.Decisions[i] = s
	}
	for i := range res.Notices {
		if res.Notices[i].Related == nil {
			res.Notices[i].Related = []finding.Related{}
		}
	}
	return res, nil
}

// DateLayout is the format of dates in exceptions and of the judge's today.
const DateLayout = "2006-01-02"

// Suppression is the outcome of the judge stage of a check.
type Suppression struct {
	// Active are the findings that count, the findings about suppressions
	// (DBP002-DBP004) among them; Suppressed carry their Suppression.
	Active, Suppressed []finding.Finding
	// StaleBaseline are the lines of the baseline entries that match no
	// finding.
	StaleBaseline []int
}

// Suppress is the judge stage of a check: it applies the configuration to
// the findings (ApplyConfig), fingerprints them, asks the suppressions
// library which are suppressed, and splits them by its decisions.
// baseline may be nil; today is a UTC date.
func (e *Engine) Suppress(ctx context.Context, doc *input.Document, fs []finding.Finding, baseline *JudgeBaseline, today time.Time) (*Suppression, error) {
	fs = ApplyConfig(fs, doc.Config)
	paths := FingerprintPaths(doc)
	if baseline != nil {
		paths = append(paths, baseline.File)
	}
	finding.Fingerprints(pointers(fs), paths)
	in := NewJudgeInput(doc, fs, baseline, today.Format(DateLayout))
	for _, r := range e.rules {
		in.Rules = append(in.Rules, r.ID)
	}
	j, err := e.Judge(ctx, in)
	if err != nil {
		return nil, err
	}
	out := &Suppression{Active: []finding.Finding{}, Suppressed: []finding.Finding{}, StaleBaseline: j.StaleBaseline}
	for i, f := range fs {
		if d, ok := j.Decisions[i]; ok {
			f.Suppressed, f.SuppressionReason, f.Suppression = true, d.Reason, &d
			out.Suppressed = append(out.Suppressed, f)
			continue
		}
		out.Active = append(out.Active, f)
	}
	notices := ApplyConfig(j.Notices, doc.Config)
	finding.Fingerprints(pointers(notices), paths)
	out.Active = append(out.Active, notices...)
	finding.Sort(out.Active)
	finding.Sort(out.Suppressed)
	return out, nil
}

// FingerprintPaths are the files a finding's message may cite as
// path:line: the compose files, the .env, the table, the configuration.
func FingerprintPaths(doc *input.Document) []string {
	paths := []string{doc.Env.File, doc.Conventions.File, doc.Config.File}
	for _, f := range doc.Files {
		paths = append(paths, f.Path)
	}
	paths = append(paths, doc.Repo.EnvFiles...)
	for _, l := range doc.Repo.EnvLoads {
		paths = append(paths, l.File)
	}
	return paths
}

func pointers(fs []finding.Finding) []*finding.Finding {
	out := make([]*finding.Finding, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}
