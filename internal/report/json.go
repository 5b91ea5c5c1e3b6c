package report

import (
	"encoding/json"
	"io"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// JSON prints {"version":1,"findings":[...],"suppressed":[...],"errors":[...],
// "summary":{...}}: the active findings, and every suppressed one with what
// suppresses it; --show-suppressed also lists them among the findings.
type JSON struct{}

// JSONReport is the document of the json format; the MCP check tool returns
// it as its structured result.
type JSONReport struct {
	Version  int               `json:"version"`
	EnvFile  string            `json:"env_file"`
	Findings []finding.Finding `json:"findings"`
	// Suppressed lists every suppressed finding, each with its
	// suppression (kind inline, x-portguard, ephemeral, exception or baseline).
	Suppressed []finding.Finding  `json:"suppressed"`
	Errors     []input.InputError `json:"errors"`
	Unset      []input.UnsetVar   `json:"unset_variables"`
	Summary    Summary            `json:"summary"`
	// Live says what a run or an audit looked at on the host.
	Live *Live `json:"live,omitempty"`
}

// NewJSONReport builds the json document of a result; its lists are never
// null.
func NewJSONReport(r Result) JSONReport {
	out := JSONReport{Version: 1, EnvFile: r.EnvFile, Findings: []finding.Finding{}, Errors: r.Errors, Unset: r.Unset, Summary: r.Summary(), Live: r.Live}
	out.Findings = append(out.Findings, r.Findings...)
	out.Suppressed = append([]finding.Finding{}, r.Suppressed...)
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
