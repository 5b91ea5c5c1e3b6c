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
	Fix *Fix `json:"fix,omitempty"`
	// NoFix says why a finding of a rule that has machine fixes has none
	// (a mapping that cannot be rewritten, no free port left, ...): a fix
	// that cannot make its finding go away is not offered.
	NoFix string `json:"no_fix,omitempty"`
	// Fingerprint identifies the finding across runs without its line
	// (see Fingerprints): SARIF's partialFingerprints and the baseline use it.
	Fingerprint string `json:"fingerprint,omitempty"`
	// Suppressed is set when an exception, an ignore or the baseline covers
	// the finding; SuppressionReason says why, Suppression by what.
	Suppressed        bool         `json:"suppressed,omitempty"`
	SuppressionReason string       `json:"suppression_reason,omitempty"`
	Suppression       *Suppression `json:"suppression,omitempty"`
}

// Suppression says what suppresses a finding, as the policies decided
// (policies/lib/suppressions.rego): Kind is "inline" (a portguard:ignore
// comment), "x-portguard", "ephemeral" (x-portguard ephemeral or the label
// portguard.ephemeral), "exception" (.portguard.yaml) or "baseline";
// File and Line are where it is written.
type Suppression struct {
	Kind   string `json:"kind"`
	Reason string `json:"reason"`
	File   string `json:"file"`
	Line   int    `json:"line"`
}

// InSource reports whether the suppression is written next to the code
// (SARIF's inSource) rather than kept apart from it (external).
func (s *Suppression) InSource() bool {
	return s.Kind == "inline" || s.Kind == "x-portguard" || s.Kind == "ephemeral"
}

// Fix is the machine fix of a finding, computed by the rule
// (policies/lib/fix.rego) and applied by Go (internal/fix). Every list may
// be empty:
//
//   - Edits replace a YAML scalar of a compose file, at its exact position,
//     by one whose value is Text; the quoting style of the scalar is kept.
//   - Env sets variables in the root .env: the line that defines one is
//     corrected in place, a missing one is added.
//   - Rows document ports in the convention table: added to its table, or,
//     with Line and Replaces, moved from the old port the row documents,
//     or, with Remove too, deleted (the new port has its row already).
//
// Changes are the same fix resolved against the files, as text
// replacements (what SARIF fixes[] carry); they are filled in by
// internal/fix, never by a rule.
type Fix struct {
	Edits   []Edit   `json:"edits"`
	Env     []EnvSet `json:"env"`
	Rows    []Row    `json:"rows"`
	Changes []Change `json:"changes,omitempty"`
}

// Edit replaces the scalar at File:Line:Column..EndColumn (quotes
// included; columns in characters), whose value is Old, by one whose value
// is Text. Port is the host port the mapping publishes afterwards.
type Edit struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndColumn int    `json:"end_column"`
	Old       string `json:"old"`
	Text      string `json:"text"`
	Port      int    `json:"port"`
}

// EnvSet sets Name=Value in the .env file File.
type EnvSet struct {
	File  string `json:"file"`
	Name  string `json:"name"`
	Value string `json:"value"`
}

// Row documents Port in the convention table File. When Line is set, the
// row at Line documents the mapping's old port Replaces and is moved to
// Port instead of adding one.
type Row struct {
	File         string `json:"file"`
	Port         int    `json:"port"`
	Service      string `json:"service"`
	EnvVar       string `json:"env_var"`
	Category     string `json:"category"`
	InternalPort int    `json:"internal_port"`
	Line         int    `json:"line,omitempty"`
	Replaces     int    `json:"replaces,omitempty"`
	// Remove deletes the row at Line instead: the mapping moves to Port,
	// which a row of its service documents already.
	Remove bool `json:"remove,omitempty"`
}

// Change is a fix resolved against a file: the text of Line from Column to
// EndColumn (1-based, in characters; EndColumn == Column inserts) is
// replaced by Text, which may hold whole lines. When EndLine is set, the
// region ends at EndColumn of EndLine instead (a row that goes: from the
// start of its line to the start of the next). Line one past the last
// line appends to the file; Create is set when the file does not exist.
type Change struct {
	File      string `json:"file"`
	Line      int    `json:"line"`
	Column    int    `json:"column"`
	EndLine   int    `json:"end_line,omitempty"`
	EndColumn int    `json:"end_column"`
	Text      string `json:"text"`
	Create    bool   `json:"create,omitempty"`
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
func Sort(fs []Finding) { slices.SortStableFunc(fs, compareFindings) }

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.File, b.File),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Column, b.Column),
		cmp.Compare(a.RuleID, b.RuleID),
		cmp.Compare(a.Message, b.Message),
	)
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
