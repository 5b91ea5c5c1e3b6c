package fix

import (
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/portguard/portguard/internal/diff"
)

// WriteSteps lists the planned changes, file by file, for --dry-run.
func (p *Plan) WriteSteps(w io.Writer) error {
	var b strings.Builder
	for _, f := range p.Files {
		if f.Create {
			fmt.Fprintf(&b, "%s (new file)\n", f.Path)
		} else {
			fmt.Fprintf(&b, "%s\n", f.Path)
		}
		for _, s := range f.Steps {
			where := fmt.Sprintf("%s:%d", f.Path, s.Line)
			if f.Create {
				where = f.Path
			}
			fmt.Fprintf(&b, "  %s  %s  (%s)\n", where, s.Text, strings.Join(s.Rules, ", "))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteDiff prints the unified diff of every changed file. No secret is
// printed: a .env shows the values of port variables only, a compose file
// its changed lines alone (see display.go).
func (p *Plan) WriteDiff(w io.Writer) error {
	var b strings.Builder
	for _, f := range p.Files {
		b.WriteString(diff.UnifiedWith(f.Path, f.Old, f.New, f.Create, f.show.options()))
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// Rules lists the rules whose findings the plan fixes, sorted, each once.
func (p *Plan) Rules() []string {
	var out []string
	for _, f := range p.Fixed {
		out = appendRule(out, f.RuleID)
	}
	slices.Sort(out)
	return out
}
