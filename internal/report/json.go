package report

import (
	"encoding/json"
	"io"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// JSON prints {"version":1,"findings":[...],"errors":[...],"summary":{...}}.
// Suppressed findings are listed with "suppressed": true when asked for.
type JSON struct{}

// JSONReport is the document of the json format; the MCP check tool returns
// it as its structured result.
type JSONReport struct {
	Version  int                `json:"version"`
	EnvFile  string             `json:"env_file"`
	Findings []finding.Finding  `json:"findings"`
	Errors   []input.InputError `json:"errors"`
	Unset    []input.UnsetVar   `json:"unset_variables"`
	Summary  Summary            `json:"summary"`
	// Live says what a run or an audit looked at on the host.
	Live *Live `json:"live,omitempty"`
}

// NewJSONReport builds the json document of a result; its lists are never
// null.
func NewJSONReport(r Result) JSONReport {
	out := JSONReport{Version: 1, EnvFile: r.EnvFile, Findings: []finding.Finding{}, Errors: r.Errors, Unset: r.Unset, Summary: r.Summary(), Live: r.Live}
	out.Findings = append(out.Findings, r.Findings...)
	if r.ShowSuppressed {
		out.Findings = append(out.Findings, r.Suppressed...)
		finding.Sort(out.Findings)
	}
	if out.Errors == nil {
		out.Errors = []input.InputError{}
	}
	if out.Unset == nil {
		out.Unset = []input.UnsetVar{}
	}
	return out
}

func (JSON) Write(w io.Writer, r Result) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(NewJSONReport(r))
}
