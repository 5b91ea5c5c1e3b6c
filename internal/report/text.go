package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// Text prints findings grouped by file, `file:line:col  ID  message` then
// `  -> suggestion`, and a summary line.
type Text struct {
	Color bool
}

const (
	ansiReset  = "\x1b[0m"
	ansiBold   = "\x1b[1m"
	ansiRed    = "\x1b[31m"
	ansiYellow = "\x1b[33m"
	ansiCyan   = "\x1b[36m"
	ansiDim    = "\x1b[2m"
)

func (t Text) paint(code, s string) string {
	if !t.Color {
		return s
	}
	return code + s + ansiReset
}

func (t Text) Write(w io.Writer, r Result) error {
	var b strings.Builder
	if r.EnvFile != "" && r.EnvFile != ".env" && !strings.HasSuffix(r.EnvFile, "/.env") {
		fmt.Fprintf(&b, "%s\n", t.paint(ansiDim, "note: read "+r.EnvFile+" (the root .env is absent)"))
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "%s  %s  %s\n", e.Where(), t.paint(ansiRed+ansiBold, "error"), e.Message)
	}
	if len(r.Errors) > 0 {
		b.WriteString("\n")
	}
	shown := r.Findings
	if r.ShowSuppressed {
		shown = append(append([]finding.Finding{}, r.Findings...), r.Suppressed...)
		finding.Sort(shown)
	}
	file := ""
	for _, f := range shown {
		if f.File != file {
			if file != "" {
				b.WriteString("\n")
			}
			file = f.File
			fmt.Fprintf(&b, "%s\n", t.paint(ansiBold, file))
		}
		id := f.RuleID
		switch {
		case f.Suppressed:
			id = t.paint(ansiDim, id)
		case f.Severity == "error":
			id = t.paint(ansiRed, id)
		case f.Severity == "warning":
			id = t.paint(ansiYellow, id)
		}
		fmt.Fprintf(&b, "%s:%d:%d  %s  %s\n", f.File, f.Line, f.Column, id, f.Message)
		if f.Suggestion != "" {
			fmt.Fprintf(&b, "  %s %s\n", t.paint(ansiCyan, "->"), f.Suggestion)
		}
		if f.Suppressed {
			fmt.Fprintf(&b, "  %s\n", t.paint(ansiDim, "suppressed: "+f.SuppressionReason))
		}
	}
	if len(shown) > 0 {
		b.WriteString("\n")
	}
	if len(r.Unset) > 0 {
		names := make([]string, 0, len(r.Unset))
		for _, u := range r.Unset {
			names = append(names, u.Name)
		}
		fmt.Fprintf(&b, "%s\n", t.paint(ansiDim, "note: variables without a value, checked as empty: "+strings.Join(names, ", ")))
	}
	s := r.Summary()
	line := fmt.Sprintf("%d errors, %d warnings", s.Errors, s.Warnings)
	if s.Notes > 0 {
		line += fmt.Sprintf(", %d notes", s.Notes)
	}
	if s.Suppressed > 0 {
		line += fmt.Sprintf(", %d suppressed", s.Suppressed)
	}
	if s.InputErrors > 0 {
		line += fmt.Sprintf(", %d input errors", s.InputErrors)
	}
	line += fmt.Sprintf(" in %d files, %d services", s.Files, s.Services)
	fmt.Fprintf(&b, "%s\n", line)
	_, err := io.WriteString(w, b.String())
	return err
}
