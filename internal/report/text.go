package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// Text prints findings grouped by file, `file:line:col  severity  ID
// message`, then `  -> suggestion` and, for a finding of a rule with
// machine fixes that has none, `  no machine fix: why`; then a summary
// line. Quiet prints the finding lines (and input errors) alone, for logs
// that grep them.
type Text struct {
	Color bool
	Quiet bool
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
	if !t.Quiet {
		for _, n := range r.Notes() {
			fmt.Fprintf(&b, "%s\n", t.paint(ansiDim, "note: "+n))
		}
	}
	for _, e := range r.Errors {
		fmt.Fprintf(&b, "%s  %s  %s\n", e.Where(), t.paint(ansiRed+ansiBold, "error"), e.Message)
	}
	if len(r.Errors) > 0 && !t.Quiet {
		b.WriteString("\n")
	}
	shown := r.Listed()
	file := ""
	for _, f := range shown {
		if f.File != file && !t.Quiet {
			if file != "" {
				b.WriteString("\n")
			}
			fmt.Fprintf(&b, "%s\n", t.paint(ansiBold, heading(f.File)))
		}
		file = f.File
		sev, id := f.Severity, f.RuleID
		switch {
		case f.Suppressed:
			sev, id = t.paint(ansiDim, sev), t.paint(ansiDim, id)
		case f.Severity == "error":
			sev = t.paint(ansiRed, sev)
		case f.Severity == "warning":
			sev = t.paint(ansiYellow, sev)
		}
		fmt.Fprintf(&b, "%s  %s  %s  %s\n", where(f), sev, id, f.Message)
		if t.Quiet {
			continue
		}
		if f.Suggestion != "" {
			fmt.Fprintf(&b, "  %s %s\n", t.paint(ansiCyan, "->"), f.Suggestion)
		}
		if f.NoFix != "" {
			fmt.Fprintf(&b, "  %s\n", t.paint(ansiDim, "no machine fix: "+f.NoFix))
		}
		if f.Suppressed {
			fmt.Fprintf(&b, "  %s\n", t.paint(ansiDim, "suppressed: "+f.SuppressionReason))
		}
	}
	if !t.Quiet {
		if len(shown) > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "%s\n", r.SummaryLine())
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// hostPlace stands for the file of a finding about the running host (a
// live rule): it has no place in a file.
const hostPlace = "(host)"

func heading(file string) string {
	if file == "" {
		return hostPlace
	}
	return file
}

func where(f finding.Finding) string {
	if f.File == "" {
		return hostPlace
	}
	return fmt.Sprintf("%s:%d:%d", f.File, f.Line, f.Column)
}
