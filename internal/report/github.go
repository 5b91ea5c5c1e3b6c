package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// GitHub prints workflow commands, so findings appear as annotations on the
// pull request: ::error file=,line=,col=,endColumn=,title=ID::message.
type GitHub struct{}

// ghData escapes a command's message.
func ghData(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace(s)
}

// ghProperty escapes a property value, which also ends at : and ,.
func ghProperty(s string) string {
	return strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace(s)
}

func ghCommand(severity string) string {
	switch severity {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "notice"
}

func (GitHub) Write(w io.Writer, r Result) error {
	var b strings.Builder
	for _, e := range r.Errors {
		props := []string{"file=" + ghProperty(e.File)}
		if e.Line > 0 {
			props = append(props, fmt.Sprintf("line=%d", e.Line))
		}
		if e.Column > 0 {
			props = append(props, fmt.Sprintf("col=%d", e.Column))
		}
		props = append(props, "title="+ghProperty("portguard input error"))
		fmt.Fprintf(&b, "::error %s::%s\n", strings.Join(props, ","), ghData(e.Message))
	}
	for _, f := range r.Findings {
		b.WriteString(ghAnnotation(f))
	}
	r.ShowSuppressed = false // annotations are the active findings
	fmt.Fprintf(&b, "portguard: %s\n", r.SummaryLine())
	_, err := io.WriteString(w, b.String())
	return err
}

func ghAnnotation(f finding.Finding) string {
	props := []string{"file=" + ghProperty(f.File), fmt.Sprintf("line=%d", max(f.Line, 1))}
	if f.Column > 0 {
		props = append(props, fmt.Sprintf("col=%d", f.Column))
		if f.EndColumn > f.Column {
			props = append(props, fmt.Sprintf("endColumn=%d", f.EndColumn))
		}
	}
	props = append(props, "title="+ghProperty(f.RuleID))
	msg := f.Message
	if f.Suggestion != "" {
		msg += "\n-> " + f.Suggestion
	}
	return fmt.Sprintf("::%s %s::%s\n", ghCommand(f.Severity), strings.Join(props, ","), ghData(msg))
}
