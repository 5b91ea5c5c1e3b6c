package report

import (
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"sort"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// SARIF prints a SARIF 2.1.0 log for GitHub code scanning: one rules[]
// entry per rule of the catalog, one result per finding (suppressed ones
// with suppressions), related locations for the other side of a conflict,
// the .env line and the table row, and fingerprints stable across runs.
type SARIF struct{}

// sarifSchema is the OASIS schema the output is validated against in tests.
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	ColumnKind  string            `json:"columnKind"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	Version        string      `json:"version"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string         `json:"id"`
	Name                 string         `json:"name"`
	ShortDescription     sarifText      `json:"shortDescription"`
	FullDescription      sarifText      `json:"fullDescription"`
	Help                 sarifText      `json:"help"`
	HelpURI              string         `json:"helpUri,omitempty"`
	DefaultConfiguration sarifConfig    `json:"defaultConfiguration"`
	Properties           map[string]any `json:"properties"`
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool                `json:"executionSuccessful"`
	ExitCode            int                 `json:"exitCode"`
	Notifications       []sarifNotification `json:"toolExecutionNotifications,omitempty"`
}

type sarifNotification struct {
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn,omitempty"`
	EndLine     int `json:"endLine,omitempty"`
	EndColumn   int `json:"endColumn,omitempty"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifLocation struct {
	ID               *int           `json:"id,omitempty"`
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations,omitempty"`
	Message          *sarifText     `json:"message,omitempty"`
}

// sarifLogical names a place that is no file: the running host.
type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName,omitempty"`
	Kind               string `json:"kind"`
}

type sarifSuppression struct {
	Kind          string         `json:"kind"`
	Status        string         `json:"status"`
	Justification string         `json:"justification,omitempty"`
	Location      *sarifLocation `json:"location,omitempty"`
}

type sarifResult struct {
	RuleID              string             `json:"ruleId"`
	RuleIndex           int                `json:"ruleIndex"`
	Level               string             `json:"level"`
	Message             sarifText          `json:"message"`
	Locations           []sarifLocation    `json:"locations"`
	RelatedLocations    []sarifLocation    `json:"relatedLocations,omitempty"`
	PartialFingerprints map[string]string  `json:"partialFingerprints"`
	Suppressions        []sarifSuppression `json:"suppressions,omitempty"`
	Properties          map[string]any     `json:"properties,omitempty"`
	Fixes               []sarifFix         `json:"fixes,omitempty"`
}

// sarifFix is a finding's machine fix: the replacements it makes, file by
// file, each a region of the file as it is and the text that replaces it
// (an empty region inserts).
type sarifFix struct {
	Description     sarifText             `json:"description"`
	ArtifactChanges []sarifArtifactChange `json:"artifactChanges"`
}

type sarifArtifactChange struct {
	ArtifactLocation sarifArtifact      `json:"artifactLocation"`
	Replacements     []sarifReplacement `json:"replacements"`
}

type sarifReplacement struct {
	DeletedRegion   sarifRegion  `json:"deletedRegion"`
	InsertedContent sarifContent `json:"insertedContent"`
}

type sarifContent struct {
	Text string `json:"text"`
}

// sarifLevel maps a severity to a SARIF level.
func sarifLevel(severity string) string {
	switch severity {
	case "error":
		return "error"
	case "warning":
		return "warning"
	}
	return "note"
}

const srcRoot = "%SRCROOT%"

func (SARIF) Write(w io.Writer, r Result) error {
	rules, index := sarifRules(r)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{
			Name: r.Tool.Name, Version: r.Tool.Version, InformationURI: r.Tool.InformationURI, Rules: rules,
		}},
		Invocations: []sarifInvocation{{ExecutionSuccessful: r.ExitCode == 0 || r.ExitCode == 1, ExitCode: r.ExitCode}},
		ColumnKind:  "unicodeCodePoints",
		Results:     []sarifResult{},
	}
	for _, e := range r.Errors {
		n := sarifNotification{Level: "error", Message: sarifText{Text: e.Message}}
		if e.File != "" {
			n.Locations = []sarifLocation{{PhysicalLocation: physical(e.File, e.Line, e.Column, 0)}}
		}
		run.Invocations[0].Notifications = append(run.Invocations[0].Notifications, n)
	}
	all := append(append([]finding.Finding{}, r.Findings...), r.Suppressed...)
	finding.Sort(all)
	if needsFingerprints(all) {
		finding.Fingerprints(pointers(all), nil)
	}
	hostRules := liveRules(r.Rules)
	for _, f := range all {
		res := sarifResult{
			RuleID:    f.RuleID,
			RuleIndex: index[f.RuleID],
			Level:     sarifLevel(f.Severity),
			Message:   sarifText{Text: sarifMessage(f)},
			Locations: []sarifLocation{{PhysicalLocation: physical(f.File, f.Line, f.Column, f.EndColumn)}},
		}
		if f.File == "" && hostRules[f.RuleID] {
			res.Locations = []sarifLocation{hostLocation(r.Live)}
		}
		for i, rel := range f.Related {
			id := i + 1
			res.RelatedLocations = append(res.RelatedLocations, sarifLocation{
				ID: &id, PhysicalLocation: physical(rel.File, rel.Line, 0, 0), Message: &sarifText{Text: rel.Message},
			})
		}
		res.PartialFingerprints = map[string]string{"primaryLocationLineHash": f.Fingerprint}
		if f.Suppressed {
			res.Suppressions = []sarifSuppression{sarifSuppressionOf(f)}
		}
		if f.Service != "" {
			res.Properties = map[string]any{"service": f.Service}
		}
		res.Fixes = sarifFixes(f)
		run.Results = append(run.Results, res)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}})
}

// sarifRules builds rules[] from the catalog, adding any rule id a finding
// carries that the catalog lacks, so every result has its rule.
func sarifRules(r Result) ([]sarifRule, map[string]int) {
	byID := map[string]finding.Rule{}
	for _, rule := range r.Rules {
		byID[rule.ID] = rule
	}
	for _, f := range append(append([]finding.Finding{}, r.Findings...), r.Suppressed...) {
		if _, ok := byID[f.RuleID]; !ok {
			byID[f.RuleID] = finding.Rule{ID: f.RuleID, Severity: f.Severity, Title: f.RuleID, Description: f.RuleID, Remediation: "See the policy that reported it."}
		}
	}
	ids := make([]string, 0, len(byID))
	for id := range byID {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	rules := make([]sarifRule, 0, len(ids))
	index := map[string]int{}
	for i, id := range ids {
		rule := byID[id]
		index[id] = i
		tags := append([]string{}, rule.Tags...)
		sr := sarifRule{
			ID:                   id,
			Name:                 ruleName(rule),
			ShortDescription:     sarifText{Text: rule.Title},
			FullDescription:      sarifText{Text: oneLine(rule.Description)},
			Help:                 sarifText{Text: rule.Remediation, Markdown: fmt.Sprintf("**%s** %s\n\n%s\n\n**Fix:** %s", id, rule.Title, rule.Description, rule.Remediation)},
			HelpURI:              rule.HelpURI,
			DefaultConfiguration: sarifConfig{Level: sarifLevel(rule.Severity)},
			Properties:           map[string]any{"tags": tags, "precision": "very-high", "problem.severity": sarifLevel(rule.Severity)},
		}
		rules = append(rules, sr)
	}
	return rules, index
}

// ruleName is the rule's package leaf in PascalCase (DatabaseOutsideRange);
// for a conftest-style rule (main.deny), its id in PascalCase (MainDeny).
func ruleName(r finding.Rule) string {
	name := r.Package[strings.LastIndex(r.Package, ".")+1:]
	if !strings.HasPrefix(r.Package, "portguard.") {
		name = r.ID
	}
	var b strings.Builder
	for _, part := range strings.FieldsFunc(name, func(c rune) bool { return c == '_' || c == '.' || c == '-' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if b.Len() == 0 {
		return r.ID
	}
	return b.String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func sarifMessage(f finding.Finding) string {
	if f.Suggestion == "" {
		return f.Message
	}
	return f.Message + ". Fix: " + f.Suggestion
}

// liveRules are the ids of the rules about the running host (the
// packages under portguard.rules.live).
func liveRules(rules []finding.Rule) map[string]bool {
	ids := map[string]bool{}
	for _, rule := range rules {
		if strings.HasPrefix(rule.Package, "portguard.rules.live.") {
			ids[rule.ID] = true
		}
	}
	return ids
}

// hostLocation is where a finding about the running host is: no file (an
// empty uri would name the repository root), but the host as a logical
// location, which SARIF 2.1.0 allows in place of a physical one.
func hostLocation(l *Live) sarifLocation {
	host := sarifLogical{Name: "host", Kind: "resource"}
	if l != nil {
		host.FullyQualifiedName = l.Host
	}
	return sarifLocation{LogicalLocations: []sarifLogical{host}}
}

// physical is a location relative to the repository root (%SRCROOT%),
// with a region from line 1 at least: code scanning rejects others.
func physical(file string, line, col, endCol int) *sarifPhysical {
	p := &sarifPhysical{ArtifactLocation: sarifArtifact{URI: relativeURI(file), URIBaseID: srcRoot}}
	p.Region = &sarifRegion{StartLine: max(line, 1)}
	if line >= 1 && col >= 1 {
		p.Region.StartColumn = col
		if endCol > col {
			p.Region.EndColumn = endCol
		}
	}
	return p
}

// relativeURI writes a slash-separated path as a relative URI reference:
// spaces, % and # escaped, and a first segment with a colon kept from
// reading as a scheme.
func relativeURI(file string) string {
	return (&url.URL{Path: strings.TrimPrefix(filepath.ToSlash(file), "./")}).String()
}

// needsFingerprints is true for findings that did not come through the
// judge stage (which fingerprints every finding once, with the paths their
// messages cite).
func needsFingerprints(fs []finding.Finding) bool {
	for _, f := range fs {
		if f.Fingerprint == "" {
			return true
		}
	}
	return false
}

func pointers(fs []finding.Finding) []*finding.Finding {
	out := make([]*finding.Finding, len(fs))
	for i := range fs {
		out[i] = &fs[i]
	}
	return out
}

// sarifSuppressionOf says what suppresses a finding: a comment or an
// x-portguard block next to the code is inSource; an exception of
// .portguard.yaml or the baseline is external. The location is where it
// is written.
func sarifSuppressionOf(f finding.Finding) sarifSuppression {
	sup := sarifSuppression{Kind: "external", Status: "accepted", Justification: f.SuppressionReason}
	if s := f.Suppression; s != nil {
		if s.InSource() {
			sup.Kind = "inSource"
		}
		if s.File != "" {
			sup.Location = &sarifLocation{PhysicalLocation: physical(s.File, s.Line, 0, 0)}
		}
	}
	return sup
}

// sarifFixes renders the changes of a finding's fix (resolved against the
// files by internal/fix) as one SARIF fix.
func sarifFixes(f finding.Finding) []sarifFix {
	if f.Fix == nil || len(f.Fix.Changes) == 0 {
		return nil
	}
	fix := sarifFix{Description: sarifText{Text: "portguard fix: " + f.Suggestion}}
	if f.Suggestion == "" {
		fix.Description.Text = "portguard fix"
	}
	byFile := map[string]int{}
	for _, c := range f.Fix.Changes {
		i, ok := byFile[c.File]
		if !ok {
			i = len(fix.ArtifactChanges)
			byFile[c.File] = i
			fix.ArtifactChanges = append(fix.ArtifactChanges, sarifArtifactChange{
				ArtifactLocation: sarifArtifact{URI: relativeURI(c.File), URIBaseID: srcRoot},
			})
		}
		fix.ArtifactChanges[i].Replacements = append(fix.ArtifactChanges[i].Replacements, sarifReplacement{
			DeletedRegion:   deletedRegion(c),
			InsertedContent: sarifContent{Text: c.Text},
		})
	}
	return []sarifFix{fix}
}

// deletedRegion is the region a change replaces: on one line, or across
// lines for a row that goes.
func deletedRegion(c finding.Change) sarifRegion {
	if c.EndLine > c.Line {
		return sarifRegion{StartLine: max(c.Line, 1), StartColumn: max(c.Column, 1), EndLine: c.EndLine, EndColumn: max(c.EndColumn, 1)}
	}
	return sarifRegion{StartLine: max(c.Line, 1), StartColumn: max(c.Column, 1), EndColumn: max(c.EndColumn, c.Column, 1)}
}
