// Package report prints the result of a check in the formats CI and people
// read. One file per format, each behind the Writer interface; Formats is
// the single list that feeds both --format help and its validation.
package report

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// Result is everything a format may print about one check.
type Result struct {
	Tool       Tool
	Root       string
	EnvFile    string
	Files      int
	Services   int
	Findings   []finding.Finding
	Suppressed []finding.Finding
	Errors     []input.InputError
	Unset      []input.UnsetVar
	Rules      []finding.Rule
	FailOn     string
	ExitCode   int
	// ShowSuppressed asks the formats that hide suppressed findings by
	// default to list them.
	ShowSuppressed bool
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

// Writer prints a result in one format.
type Writer interface {
	Write(w io.Writer, r Result) error
}

// Options tune the writers that have choices.
type Options struct {
	// Color enables ANSI colours in the text format.
	Color bool
}

// Formats maps each --format name to its writer.
var Formats = map[string]func(Options) Writer{
	"text":   func(o Options) Writer { return Text{Color: o.Color} },
	"json":   func(Options) Writer { return JSON{} },
	"sarif":  func(Options) Writer { return SARIF{} },
	"junit":  func(Options) Writer { return JUnit{} },
	"github": func(Options) Writer { return GitHub{} },
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
