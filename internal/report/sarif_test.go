package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portguard/portguard/internal/finding"
)

// sarifSchemaFile is the official OASIS SARIF 2.1.0 schema (draft-04).
const sarifSchemaFile = "testdata/sarif-schema-2.1.0.json"

func compileSARIFSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	f, err := os.Open(sarifSchemaFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	doc, err := jsonschema.UnmarshalJSON(f)
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	if err := c.AddResource(sarifSchema, doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile(sarifSchema)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// sarifOf prints r as SARIF and decodes it.
func sarifOf(t *testing.T, r Result) (string, sarifLog) {
	t.Helper()
	out := render(t, "sarif", r)
	var log sarifLog
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&log); err != nil {
		t.Fatalf("the SARIF log does not decode: %v", err)
	}
	return out, log
}

// edgeResult is a hand-made result with the cases the fixture lacks: a
// rule id the catalog does not know, a finding without a position, paths
// that need escaping, a conftest-style rule, a note, a finding about the
// running host.
func edgeResult() Result {
	r := Result{
		Tool:     Tool{Name: "portguard", Version: "dev", InformationURI: "https://github.com/portguard/portguard"},
		FailOn:   "error",
		ExitCode: 1,
		Rules: []finding.Rule{
			{ID: "DBP101", Severity: "error", Title: "t", Description: "d", Remediation: "r", Package: "portguard.rules.ranges.database_outside_range", Tags: []string{"ports"}},
			{ID: "main.deny", Severity: "error", Title: "deny rules of package main", Description: "d", Remediation: "r", Package: "main"},
			{ID: "DBP801", Severity: "error", Title: "t", Description: "d", Remediation: "r", Package: "portguard.rules.live.non_database_listener"},
		},
		Live: &Live{Host: "db-host-1"},
	}
	onHost := findingAt("DBP801", "error", "", 0, 0, "python3 listens on tcp 127.0.0.1:7500")
	onHost.EndColumn = 0
	noPosition := findingAt("main.deny", "error", "", 0, 0, "a repository-wide message")
	noPosition.EndColumn = 0
	r.Findings = []finding.Finding{
		findingAt("DBP101", "error", "dir with space/compose 100%.yml", 3, 9, "m1"),
		findingAt("DBP101", "error", "a:b/docker-compose.yml", 4, 9, "m2"),
		findingAt("CUSTOM9", "note", "docker-compose.yml", 5, 1, "from a rule outside the catalog"),
		noPosition,
		onHost,
	}
	return r
}

func TestSARIFValidatesAgainstTheSchema(t *testing.T) {
	schema := compileSARIFSchema(t)
	for name, r := range map[string]Result{"fixture": fixture(t), "edge cases": edgeResult(), "empty": {Tool: Tool{Name: "portguard", Version: "dev"}}} {
		t.Run(name, func(t *testing.T) {
			out := render(t, "sarif", r)
			v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
			if err != nil {
				t.Fatal(err)
			}
			if err := schema.Validate(v); err != nil {
				t.Errorf("the SARIF log does not validate against %s:\n%v", sarifSchemaFile, err)
			}
		})
	}
}

// TestSARIFGitHubUploadRules checks what GitHub code scanning requires on
// top of the schema.
func TestSARIFGitHubUploadRules(t *testing.T) {
	for name, r := range map[string]Result{"fixture": fixture(t), "edge cases": edgeResult()} {
		t.Run(name, func(t *testing.T) {
			_, log := sarifOf(t, r)
			if log.Version != "2.1.0" || len(log.Runs) != 1 {
				t.Fatalf("version %q, %d runs", log.Version, len(log.Runs))
			}
			run := log.Runs[0]
			d := run.Tool.Driver
			if d.Name == "" || d.Version == "" || d.InformationURI == "" {
				t.Errorf("driver %+v lacks name, version or informationUri", d)
			}
			index := map[string]int{}
			for i, rule := range d.Rules {
				if _, dup := index[rule.ID]; dup {
					t.Errorf("rule id %s appears twice in rules[]", rule.ID)
				}
				index[rule.ID] = i
				if rule.ShortDescription.Text == "" || rule.FullDescription.Text == "" || rule.Help.Text == "" || rule.Help.Markdown == "" {
					t.Errorf("rule %s lacks shortDescription, fullDescription or help: %+v", rule.ID, rule)
				}
				if rule.Name == "" || strings.ContainsAny(rule.Name, " ._") {
					t.Errorf("rule %s has name %q", rule.ID, rule.Name)
				}
				if l := rule.DefaultConfiguration.Level; l != "error" && l != "warning" && l != "note" {
					t.Errorf("rule %s has level %q", rule.ID, l)
				}
			}
			for _, rule := range r.Rules {
				if _, ok := index[rule.ID]; !ok {
					t.Errorf("catalog rule %s is not in rules[]", rule.ID)
				}
			}
			if len(run.Results) != len(r.Findings)+len(r.Suppressed) {
				t.Errorf("%d results for %d findings and %d suppressed", len(run.Results), len(r.Findings), len(r.Suppressed))
			}
			for _, res := range run.Results {
				where := fmt.Sprintf("result %s %q", res.RuleID, res.Message.Text)
				i, ok := index[res.RuleID]
				if !ok || res.RuleIndex != i {
					t.Errorf("%s: ruleIndex %d, rules[] has %s at %d", where, res.RuleIndex, res.RuleID, i)
				}
				if res.Message.Text == "" {
					t.Errorf("%s: empty message", where)
				}
				if len(res.Locations) != 1 {
					t.Errorf("%s: %d locations", where, len(res.Locations))
				}
				for _, loc := range append(append([]sarifLocation{}, res.Locations...), res.RelatedLocations...) {
					if loc.PhysicalLocation == nil && len(loc.LogicalLocations) == 1 {
						continue // the running host: no file
					}
					checkLocation(t, where, loc.PhysicalLocation)
				}
				if res.PartialFingerprints["primaryLocationLineHash"] == "" {
					t.Errorf("%s: no primaryLocationLineHash", where)
				}
			}
			for _, n := range run.Invocations[0].Notifications {
				for _, loc := range n.Locations {
					checkLocation(t, "notification "+n.Message.Text, loc.PhysicalLocation)
				}
			}
		})
	}
}

func checkLocation(t *testing.T, where string, p *sarifPhysical) {
	t.Helper()
	if p == nil {
		t.Errorf("%s: no physicalLocation", where)
		return
	}
	uri := p.ArtifactLocation.URI
	if strings.HasPrefix(uri, "/") || strings.HasPrefix(uri, "file:") || strings.Contains(uri, "://") || strings.HasPrefix(uri, "../") || strings.ContainsAny(uri, " \\#") {
		t.Errorf("%s: uri %q is not a relative URI reference", where, uri)
	}
	if p.ArtifactLocation.URIBaseID != srcRoot {
		t.Errorf("%s: uriBaseId %q", where, p.ArtifactLocation.URIBaseID)
	}
	if p.Region == nil || p.Region.StartLine < 1 {
		t.Errorf("%s: region %+v: startLine must be >= 1", where, p.Region)
	} else if p.Region.EndColumn != 0 && p.Region.EndColumn <= p.Region.StartColumn {
		t.Errorf("%s: region %+v: endColumn before startColumn", where, *p.Region)
	}
}

func TestSARIFDetails(t *testing.T) {
	r := fixture(t)
	_, log := sarifOf(t, r)
	run := log.Runs[0]
	if inv := run.Invocations[0]; inv.ExitCode != r.ExitCode || inv.ExecutionSuccessful != (r.ExitCode <= 1) {
		t.Errorf("invocation %+v for exit code %d", inv, r.ExitCode)
	}
	if n := len(run.Invocations[0].Notifications); n != len(r.Errors) {
		t.Errorf("%d notifications for %d input errors", n, len(r.Errors))
	}
	suppressed, related := 0, 0
	for _, res := range run.Results {
		if len(res.Suppressions) > 0 {
			suppressed++
			// The fixture's suppression is an x-portguard block: in source.
			if s := res.Suppressions[0]; s.Kind != "inSource" || s.Justification == "" || s.Location == nil {
				t.Errorf("suppression %+v lacks its kind, justification or location", s)
			}
		}
		for _, rel := range res.RelatedLocations {
			related++
			if rel.Message == nil || rel.Message.Text == "" || rel.ID == nil {
				t.Errorf("related location %+v lacks an id or message", rel)
			}
		}
	}
	if suppressed != len(r.Suppressed) || suppressed == 0 {
		t.Errorf("%d results with suppressions, %d suppressed findings", suppressed, len(r.Suppressed))
	}
	if related == 0 {
		t.Error("no related locations")
	}

	// Escaped paths, a rule the catalog lacks, the name of a conftest rule.
	_, edge := sarifOf(t, edgeResult())
	uris := map[string]bool{}
	for _, res := range edge.Runs[0].Results {
		if p := res.Locations[0].PhysicalLocation; p != nil {
			uris[p.ArtifactLocation.URI] = true
		}
	}
	for _, want := range []string{"dir%20with%20space/compose%20100%25.yml", "./a:b/docker-compose.yml", ""} {
		if !uris[want] {
			t.Errorf("no result at uri %q: %v", want, uris)
		}
	}
	names := map[string]string{}
	for _, rule := range edge.Runs[0].Tool.Driver.Rules {
		names[rule.ID] = rule.Name
	}
	if names["main.deny"] != "MainDeny" || names["DBP101"] != "DatabaseOutsideRange" || names["CUSTOM9"] == "" {
		t.Errorf("rule names %v", names)
	}
}

func TestSARIFFingerprints(t *testing.T) {
	fingerprints := func() []string {
		// A fresh evaluation each time: the fingerprints must not depend on
		// anything but the findings.
		r, err := runPipeline(fixtureRoot)
		if err != nil {
			t.Fatal(err)
		}
		_, log := sarifOf(t, r)
		var out []string
		for _, res := range log.Runs[0].Results {
			out = append(out, res.PartialFingerprints["primaryLocationLineHash"])
		}
		return out
	}
	first, second := fingerprints(), fingerprints()
	if strings.Join(first, ",") != strings.Join(second, ",") {
		t.Errorf("two runs give different fingerprints:\n%v\n%v", first, second)
	}
	seen := map[string]bool{}
	for _, fp := range first {
		if seen[fp] {
			t.Errorf("fingerprint %s is shared by two findings", fp)
		}
		seen[fp] = true
	}

	// Identical findings on two lines still get distinct fingerprints, and
	// a line moving (an edit above the finding) does not change them.
	r := Result{Rules: nil, Findings: []finding.Finding{
		findingAt("DBP401", "error", "docker-compose.yml", 5, 9, "same"),
		findingAt("DBP401", "error", "docker-compose.yml", 9, 9, "same"),
	}}
	_, a := sarifOf(t, r)
	r.Findings[0].Line, r.Findings[1].Line = 7, 11
	_, b := sarifOf(t, r)
	fa0, fa1 := a.Runs[0].Results[0].PartialFingerprints["primaryLocationLineHash"], a.Runs[0].Results[1].PartialFingerprints["primaryLocationLineHash"]
	if fa0 == fa1 {
		t.Errorf("two identical findings share fingerprint %s", fa0)
	}
	if fb0 := b.Runs[0].Results[0].PartialFingerprints["primaryLocationLineHash"]; fb0 != fa0 {
		t.Errorf("moving a finding down two lines changes its fingerprint: %s -> %s", fa0, fb0)
	}
}

// TestSARIFHostFindings: a finding about the running host (a live rule, no
// file) has no physicalLocation, whose empty uri would name the repository
// root, but the host as its logical location; a repository-wide finding of
// another rule keeps the root.
func TestSARIFHostFindings(t *testing.T) {
	_, log := sarifOf(t, edgeResult())
	seen := 0
	for _, res := range log.Runs[0].Results {
		loc := res.Locations[0]
		switch res.RuleID {
		case "DBP801":
			seen++
			want := []sarifLogical{{Name: "host", FullyQualifiedName: "db-host-1", Kind: "resource"}}
			if loc.PhysicalLocation != nil || !reflect.DeepEqual(loc.LogicalLocations, want) {
				t.Errorf("host finding at %+v, logical %+v", loc.PhysicalLocation, loc.LogicalLocations)
			}
		case "main.deny":
			seen++
			if loc.PhysicalLocation == nil || loc.PhysicalLocation.ArtifactLocation.URI != "" || len(loc.LogicalLocations) > 0 {
				t.Errorf("repository-wide finding at %+v, logical %+v", loc.PhysicalLocation, loc.LogicalLocations)
			}
		}
	}
	if seen != 2 {
		t.Errorf("%d of the 2 findings without a file", seen)
	}
}
