// Package finding holds what the engine produces and the reports print: the
// findings of an evaluation and the rule catalog read from METADATA.
package finding

import (
	"cmp"
	"slices"
)

// Finding is one violation, in the shape every rule emits through
// policies/lib/finding.rego.
type Finding struct {
	RuleID     string    `json:"rule_id"`
	Severity   string    `json:"severity"`
	Message    string    `json:"message"`
	Suggestion string    `json:"suggestion"`
	File       string    `json:"file"`
	Line       int       `json:"line"`
	Column     int       `json:"column"`
	EndColumn  int       `json:"end_column"`
	Service    string    `json:"service"`
	Related    []Related `json:"related"`
	// Fix is the machine fix a rule computed, when it has one.
	Fix map[string]any `json:"fix,omitempty"`
	// Suppressed is set when an exception covers the finding; Reason says why.
	Suppressed        bool   `json:"suppressed,omitempty"`
	SuppressionReason string `json:"suppression_reason,omitempty"`
}

// Related is another place a finding involves: the other side of a
// conflict, the .env line, the table row.
type Related struct {
	File    string `json:"file"`
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// Rule is one entry of the catalog, read from a rule's package METADATA.
type Rule struct {
	ID          string   `json:"id"`
	Severity    string   `json:"severity"`
	Title       string   `json:"title"`
	Description string   `json:"description"`
	Remediation string   `json:"remediation"`
	HelpURI     string   `json:"help_uri"`
	Tags        []string `json:"tags"`
	Package     string   `json:"package"`
	File        string   `json:"file"`
}

// Sort orders findings by file, line, column, rule and message, so every
// format prints them in the same stable order.
func Sort(fs []Finding) {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		return cmp.Or(
			cmp.Compare(a.File, b.File),
			cmp.Compare(a.Line, b.Line),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.RuleID, b.RuleID),
			cmp.Compare(a.Message, b.Message),
		)
	})
}

// SeverityRank orders severities: error 3, warning 2, note 1, unknown 0.
func SeverityRank(s string) int {
	switch s {
	case "error":
		return 3
	case "warning":
		return 2
	case "note":
		return 1
	}
	return 0
}
