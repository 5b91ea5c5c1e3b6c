package report

import (
	"strings"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

func TestGitHubEscaping(t *testing.T) {
	cases := []struct{ in, property, data string }{
		{"plain", "plain", "plain"},
		{"100%", "100%25", "100%25"},
		{"a:b", "a%3Ab", "a:b"},
		{"a,b", "a%2Cb", "a,b"},
		{"line1\nline2", "line1%0Aline2", "line1%0Aline2"},
		{"cr\r", "cr%0D", "cr%0D"},
		// % first, so an escape is never escaped again.
		{"%3A:", "%253A%3A", "%253A:"},
	}
	for _, c := range cases {
		if got := ghProperty(c.in); got != c.property {
			t.Errorf("ghProperty(%q) = %q, want %q", c.in, got, c.property)
		}
		if got := ghData(c.in); got != c.data {
			t.Errorf("ghData(%q) = %q, want %q", c.in, got, c.data)
		}
	}
}

func TestGitHubCommands(t *testing.T) {
	r := Result{
		Findings: []finding.Finding{
			{RuleID: "DBP401", Severity: "error", File: "dir,with:odd%chars/docker-compose.yml", Line: 6, Column: 9, EndColumn: 35,
				Message: "queue publishes 7000, 100% taken", Suggestion: "move it:\nsomewhere"},
			{RuleID: "DBP204", Severity: "warning", File: ".env", Line: 5, Column: 1, Message: "w"},
			{RuleID: "main.note", Severity: "note", File: "", Line: 0, Message: "n"},
		},
		Errors: []input.InputError{{File: "bad.yml", Line: 3, Column: 2, Message: "bad: yaml"}},
	}
	out := render(t, "github", r)
	want := []string{
		"::error file=bad.yml,line=3,col=2,title=portguard input error::bad: yaml\n",
		"::error file=dir%2Cwith%3Aodd%25chars/docker-compose.yml,line=6,col=9,endColumn=35,title=DBP401::queue publishes 7000, 100%25 taken%0A-> move it:%0Asomewhere\n",
		"::warning file=.env,line=5,col=1,title=DBP204::w\n",
		// A finding without a position still gives line 1, which GitHub needs.
		"::notice file=,line=1,title=main.note::n\n",
	}
	for _, w := range want {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %q:\n%s", w, out)
		}
	}
	// Every line is a workflow command or the summary: nothing breaks out of
	// its command onto a line of its own.
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if !strings.HasPrefix(line, "::") && !strings.HasPrefix(line, "portguard: ") {
			t.Errorf("line %q is neither a workflow command nor the summary", line)
		}
	}
}
