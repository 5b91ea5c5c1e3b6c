// Package report prints the result of a check in the formats CI and people
// read. One file per format, each behind the Writer interface; Formats is
// the single list that feeds both --format help and its validation.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// Result is everything a format may print about one check.
type Result struct {
	Tool    Tool
	Root    string
	EnvFile string
	// EnvCandidates are the names the root .env is looked for under, in
	// order (the .env, then its templates), for the notes about it.
	EnvCandidates []string
	Files         int
	Services      int
	Findings      []finding.Finding
	Suppressed    []finding.Finding
	Errors        []input.InputError
	Unset         []input.UnsetVar
	Rules         []finding.Rule
	FailOn        string
	ExitCode      int
	// ShowSuppressed asks the formats that hide suppressed findings by
	// default to list them.
	ShowSuppressed bool
	// Time is when the evaluation ended (the prometheus format reports it).
	Time time.Time
	// Live says what a live check (run, audit) looked at; nil for check.
	Live *Live
}

// Live summarizes the live facts a run or an audit judged.
type Live struct {
	Host       string `json:"host"`
	Listeners  int    `json:"listeners"`
	ListError  string `json:"list_error,omitempty"`
	Containers int    `json:"running_containers"`
	// Inspected is false when no Docker engine answered: DockerError says
	// why, and the containers were not judged.
	Inspected   bool   `json:"containers_inspected"`
	DockerError string `json:"docker_error,omitempty"`
	// Stacks is how many compose projects of the containers a host audit
	// read from their files; Unread says which it could not read, and why.
	Stacks int      `json:"stacks,omitempty"`
	Unread []string `json:"unread_stacks,omitempty"`
}

// Tool identifies portguard in the reports that name their producer.
type Tool struct {
	Name, Version, InformationURI string
}

// Summary counts a result's findings and errors.
type Summary struct {
	Errors      int `json:"errors"`
	Warnings    int `json:"warnings"`
	Notes       int `json:"notes"`
	Suppressed  int `json:"suppressed"`
	InputErrors int `json:"input_errors"`
	Files       int `json:"files"`
	Services    int `json:"services"`
	ExitCode    int `json:"exit_code"`
}

// Summary counts the findings by severity.
func (r Result) Summary() Summary {
	s := Summary{Suppressed: len(r.Suppressed), InputErrors: len(r.Errors), Files: r.Files, Services: r.Services, ExitCode: r.ExitCode}
	for _, f := range r.Findings {
		switch f.Severity {
		case "error":
			s.Errors++
		case "warning":
			s.Warnings++
		default:
			s.Notes++
		}
	}
	return s
}

// Listed is what the text formats list: the active findings, and the
// suppressed ones too when ShowSuppressed asks for them, in one order.
func (r Result) Listed() []finding.Finding {
	if !r.ShowSuppressed {
		return r.Findings
	}
	shown := append(append([]finding.Finding{}, r.Findings...), r.Suppressed...)
	finding.Sort(shown)
	return shown
}

// Notes are what a reader of the report should know about the input
// itself: which .env was read, which variables had no value.
func (r Result) Notes() []string {
	var notes []string
	if l := r.Live; l != nil {
		notes = append(notes, l.notes()...)
	}
	switch {
	case r.EnvFile == "" && len(r.EnvCandidates) == 0:
		// No root .env was looked for (a host audit without PATH).
	case r.EnvFile == "":
		notes = append(notes, "no root .env and no template of it ("+strings.Join(r.EnvCandidates, ", ")+"): port variables are checked with their compose defaults")
	case r.EnvFile != ".env" && !strings.HasSuffix(r.EnvFile, "/.env") && len(r.EnvCandidates) > 0 && r.EnvFile != r.EnvCandidates[0]:
		notes = append(notes, "read "+r.EnvFile+" (the root "+r.EnvCandidates[0]+" is absent)")
	}
	if len(r.Unset) > 0 {
		names := make([]string, 0, len(r.Unset))
		for _, u := range r.Unset {
			names = append(names, u.Name)
		}
		notes = append(notes, "variables without a value, checked as empty: "+strings.Join(names, ", "))
	}
	return notes
}

// SummaryLine counts what the text formats list, with the singular and
// plural right: "3 errors, 1 warning in 2 files; checked 4 compose files,
// 10 services". The files are those the listed findings are in.
func (r Result) SummaryLine() string {
	listed := r.Listed()
	var errs, warns, notes int
	files := map[string]bool{}
	onHost := false
	for _, f := range listed {
		if f.File == "" {
			onHost = true
		} else {
			files[f.File] = true
		}
		if f.Suppressed {
			continue
		}
		switch f.Severity {
		case "error":
			errs++
		case "warning":
			warns++
		default:
			notes++
		}
	}
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{{len(r.Errors), "input error"}, {errs, "error"}, {warns, "warning"}, {notes, "note"}} {
		if c.n > 0 {
			parts = append(parts, Count(c.n, c.what))
		}
	}
	if len(r.Suppressed) > 0 {
		s := fmt.Sprintf("%d suppressed", len(r.Suppressed))
		if !r.ShowSuppressed {
			s += " (--show-suppressed lists them)"
		}
		parts = append(parts, s)
	}
	line := "no findings"
	if len(parts) > 0 {
		line = strings.Join(parts, ", ")
	}
	var where []string
	if len(files) > 0 {
		where = append(where, "in "+Count(len(files), "file"))
	}
	if onHost {
		where = append(where, "on the host")
	}
	if len(where) > 0 {
		line += " " + strings.Join(where, " and ")
	}
	line += "; checked " + Count(r.Files, "compose file") + ", " + Count(r.Services, "service")
	if r.Live != nil {
		line += " and the host"
	}
	return line
}

// Count writes n and the noun, in the plural unless n is 1.
func Count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	if strings.HasSuffix(noun, "y") {
		return fmt.Sprintf("%d %sies", n, strings.TrimSuffix(noun, "y"))
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// Writer prints a result in one format.
type Writer interface {
	Write(w io.Writer, r Result) error
}

// Options tune the writers that have choices.
type Options struct {
	// Color enables ANSI colours in the text format.
	Color bool
	// Quiet makes the text format print the findings alone.
	Quiet bool
}

// Formats maps each --format name to its writer.
var Formats = map[string]func(Options) Writer{
	"text":       func(o Options) Writer { return Text{Color: o.Color, Quiet: o.Quiet} },
	"json":       func(Options) Writer { return JSON{} },
	"sarif":      func(Options) Writer { return SARIF{} },
	"junit":      func(Options) Writer { return JUnit{} },
	"github":     func(Options) Writer { return GitHub{} },
	"prometheus": func(Options) Writer { return Prometheus{} },
}

// Names lists the format names, sorted, for help and errors.
func Names() []string {
	names := make([]string, 0, len(Formats))
	for n := range Formats {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// New returns the writer of a format.
func New(name string, o Options) (Writer, error) {
	mk, ok := Formats[name]
	if !ok {
		return nil, fmt.Errorf("unknown format %q (use %s)", name, strings.Join(Names(), ", "))
	}
	return mk(o), nil
}

func (l *Live) notes() []string {
	var notes []string
	if l.ListError != "" {
		notes = append(notes, "the host's sockets could not be listed: "+l.ListError)
	}
	if !l.Inspected {
		notes = append(notes, "containers were not inspected: "+l.DockerError)
		return notes
	}
	for _, u := range l.Unread {
		notes = append(notes, "stack "+u+"; not compared with its files")
	}
	line := fmt.Sprintf("host %s: %s, %s", l.Host, Count(l.Listeners, "listening socket"), Count(l.Containers, "running container"))
	if l.Stacks > 0 {
		whose := "their"
		if l.Stacks == 1 {
			whose = "its"
		}
		line += fmt.Sprintf("; %s compared with %s compose files", Count(l.Stacks, "stack"), whose)
	}
	return append(notes, line)
}
