package report

import (
	"bytes"
	"slices"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/fix"
)

// fixtureWithFixes is the golden fixture with each fix resolved against
// its files, as `portguard check` does before it prints.
func fixtureWithFixes(t *testing.T) Result {
	t.Helper()
	r := fixture(t)
	r.Findings = slices.Clone(r.Findings)
	for i := range r.Findings {
		if f := r.Findings[i].Fix; f != nil {
			c := *f
			r.Findings[i].Fix = &c
		}
	}
	fix.Resolve(fixtureRoot, r.Findings)
	return r
}

// TestSARIFFixes checks fixes[] against the official schema and that each
// result with a machine fix carries its replacements, file by file.
func TestSARIFFixes(t *testing.T) {
	r := fixtureWithFixes(t)
	withChanges := 0
	for _, f := range r.Findings {
		if f.Fix != nil && len(f.Fix.Changes) > 0 {
			withChanges++
		}
	}
	if withChanges == 0 {
		t.Fatal("the fixture has no finding with a resolved machine fix")
	}
	out, log := sarifOf(t, r)
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader([]byte(out)))
	if err != nil {
		t.Fatal(err)
	}
	if err := compileSARIFSchema(t).Validate(v); err != nil {
		t.Errorf("the SARIF log with fixes does not validate against %s:\n%v", sarifSchemaFile, err)
	}
	fixes := 0
	for _, res := range log.Runs[0].Results {
		for _, f := range res.Fixes {
			fixes++
			if f.Description.Text == "" || len(f.ArtifactChanges) == 0 {
				t.Errorf("%s: fix %+v lacks a description or changes", res.RuleID, f)
			}
			for _, ch := range f.ArtifactChanges {
				checkLocation(t, res.RuleID+" fix", &sarifPhysical{ArtifactLocation: ch.ArtifactLocation, Region: &sarifRegion{StartLine: 1}})
				for _, rep := range ch.Replacements {
					d := rep.DeletedRegion
					if d.StartLine < 1 || d.StartColumn < 1 || d.EndColumn < d.StartColumn {
						t.Errorf("%s: deleted region %+v", res.RuleID, d)
					}
				}
			}
		}
	}
	if fixes != withChanges {
		t.Errorf("%d results carry fixes, %d findings have resolved changes", fixes, withChanges)
	}
}

// TestSARIFFixReplacements renders a hand-made fix: one change per file,
// an insertion as an empty region.
func TestSARIFFixReplacements(t *testing.T) {
	f := findingAt("DBP201", "error", "dir with space/compose.yml", 8, 9, "hard-coded")
	f.Suggestion = `write "${PG_PORT:-7000}:5432"`
	f.Fix = &finding.Fix{Changes: []finding.Change{
		{File: "dir with space/compose.yml", Line: 8, Column: 9, EndColumn: 20, Text: `"${PG_PORT:-7000}:5432"`},
		{File: ".env", Line: 4, Column: 1, EndColumn: 1, Text: "PG_PORT=7000\n"},
	}}
	_, log := sarifOf(t, Result{Tool: Tool{Name: "portguard", Version: "dev"}, Findings: []finding.Finding{f}})
	fixes := log.Runs[0].Results[0].Fixes
	if len(fixes) != 1 || fixes[0].Description.Text != `portguard fix: write "${PG_PORT:-7000}:5432"` {
		t.Fatalf("fixes %+v", fixes)
	}
	got := fixes[0].ArtifactChanges
	if len(got) != 2 || got[0].ArtifactLocation.URI != "dir%20with%20space/compose.yml" || got[1].ArtifactLocation.URI != ".env" {
		t.Fatalf("artifact changes %+v", got)
	}
	if r := got[0].Replacements[0]; r.DeletedRegion != (sarifRegion{StartLine: 8, StartColumn: 9, EndColumn: 20}) || r.InsertedContent.Text != `"${PG_PORT:-7000}:5432"` {
		t.Errorf("replacement %+v", r)
	}
	if r := got[1].Replacements[0]; r.DeletedRegion != (sarifRegion{StartLine: 4, StartColumn: 1, EndColumn: 1}) {
		t.Errorf("insertion %+v", r)
	}
}
