package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// suppressedReport is the JSON report with what suppresses each finding.
type suppressedReport struct {
	Findings   []finding `json:"findings"`
	Suppressed []struct {
		finding
		Suppression struct {
			Kind   string `json:"kind"`
			Reason string `json:"reason"`
			File   string `json:"file"`
			Line   int    `json:"line"`
		} `json:"suppression"`
	} `json:"suppressed"`
	Errors []inputError `json:"errors"`
}

func checkSuppressed(t *testing.T, wantCode int, args ...string) suppressedReport {
	t.Helper()
	res := run(t, invocation{args: append([]string{"check", "--format", "json"}, args...)})
	if res.code != wantCode {
		t.Fatalf("check %v: exit %d, want %d\n%s%s", args, res.code, wantCode, res.stdout, res.stderr)
	}
	var r suppressedReport
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("check %v: %v\n%s", args, err, res.stdout)
	}
	return r
}

func editFile(t *testing.T, path string, edit func(string) string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(edit(string(b))), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestBaselineAdoption: record the violating example, edit lines above the
// recorded findings (they still match), add one new violation (it alone
// fails the check), fix one recorded finding (a note; --update prunes it).
func TestBaselineAdoption(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, example("violating"), root)
	before := checkSuppressed(t, 1, root)

	rec := run(t, invocation{args: []string{"baseline", root}})
	file := filepath.Join(root, ".portguard-baseline.json")
	if rec.code != 0 || !strings.HasPrefix(rec.stdout, "recorded 19 findings in "+file) {
		t.Fatalf("baseline: exit %d\n%s%s", rec.code, rec.stdout, rec.stderr)
	}
	r := checkSuppressed(t, 0, root, "--baseline", file)
	if len(r.Findings) != 0 || len(r.Suppressed) != len(before.Findings) {
		t.Fatalf("with the baseline: %d findings, %d suppressed; want 0 and %d", len(r.Findings), len(r.Suppressed), len(before.Findings))
	}
	for _, s := range r.Suppressed {
		if s.Suppression.Kind != "baseline" || s.Suppression.File != ".portguard-baseline.json" || s.Suppression.Line < 4 {
			t.Errorf("%s %s:%d suppressed by %+v, want the baseline", s.RuleID, s.File, s.Line, s.Suppression)
		}
	}
	sarif := run(t, invocation{args: []string{"check", root, "--baseline", file, "--format", "sarif"}})
	if sarif.code != 0 || strings.Count(sarif.stdout, `"kind": "external"`) != len(before.Findings) {
		t.Errorf("SARIF: exit %d, want every result suppressed as external", sarif.code)
	}

	// Lines above the recorded findings, and services reordered: every
	// recorded finding still matches.
	db := filepath.Join(root, "tools/compose/docker-compose.database.yml")
	editFile(t, db, func(s string) string { return "# the database stack\n# owned by the data team\n\n" + s })
	editFile(t, filepath.Join(root, ".env"), func(s string) string { return "# ports of the stacks\nLOG_LEVEL=info\n" + s })
	editFile(t, filepath.Join(root, "PORTS-CONVENTION.md"), func(s string) string { return "<!-- reviewed by the platform team -->\n\n" + s })
	r = checkSuppressed(t, 0, root, "--baseline", file)
	if len(r.Findings) != 0 || len(r.Suppressed) != len(before.Findings) {
		t.Fatalf("after edits above the findings: %d findings %+v, %d suppressed", len(r.Findings), r.Findings, len(r.Suppressed))
	}

	// One new violation fails the check, alone.
	editFile(t, db, func(s string) string {
		return strings.Replace(s, "services:\n", "services:\n  mongo:\n    image: mongo:7\n    ports:\n      - \"27017:27017\"\n", 1)
	})
	r = checkSuppressed(t, 1, root, "--baseline", file)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.RuleID+" "+f.Service)
	}
	slices.Sort(got)
	if want := []string{"DBP101 mongo", "DBP201 mongo", "DBP601 mongo"}; !slices.Equal(got, want) {
		t.Errorf("new findings %v, want %v", got, want)
	}

	// baseline: in .portguard.yaml reads the same file.
	if err := os.WriteFile(filepath.Join(root, ".portguard.yaml"), []byte("baseline: .portguard-baseline.json\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r2 := checkSuppressed(t, 1, root); len(r2.Findings) != len(r.Findings) {
		t.Errorf("baseline: of the config: %d findings, want %d", len(r2.Findings), len(r.Findings))
	}

	checkStaleBaselineEntry(t, root, db, file)
}

// checkStaleBaselineEntry: fixing a recorded finding (of the database
// stack db) leaves a stale entry in the baseline file: a note, which
// baseline --update prunes.
func checkStaleBaselineEntry(t *testing.T, root, db, file string) {
	t.Helper()
	editFile(t, db, func(s string) string {
		return strings.Replace(s, `"${QDRANT_HTTP_PORT}:6333"`, `"${QDRANT_HTTP_PORT:-7020}:6333"`, 1)
	})
	r := checkSuppressed(t, 1, root)
	notes := 0
	for _, f := range r.Findings {
		if f.RuleID == "DBP004" {
			notes++
			if f.Severity != "note" || f.File != ".portguard-baseline.json" || !strings.Contains(f.Message, "DBP202 on qdrant") {
				t.Errorf("stale entry: %+v", f)
			}
		}
	}
	if notes != 1 {
		t.Errorf("%d DBP004 notes, want 1: %+v", notes, r.Findings)
	}
	up := run(t, invocation{args: []string{"baseline", root, "--update"}})
	if up.code != 0 || !strings.HasPrefix(up.stdout, "removed 1 entry that matches no finding from "+file+"; 18 entries left") {
		t.Fatalf("baseline --update: exit %d\n%s%s", up.code, up.stdout, up.stderr)
	}
	r = checkSuppressed(t, 1, root)
	for _, f := range r.Findings {
		if f.RuleID == "DBP004" || f.Service != "mongo" {
			t.Errorf("after --update: %s %s", f.RuleID, f.Service)
		}
	}
	if len(r.Suppressed) != 18 {
		t.Errorf("after --update: %d suppressed, want 18", len(r.Suppressed))
	}
	if bad := run(t, invocation{args: []string{"check", root, "--baseline", filepath.Join(root, "nope.json")}}); bad.code != 2 || !strings.Contains(bad.stderr, "nope.json: cannot read the baseline") {
		t.Errorf("missing baseline: exit %d %s", bad.code, bad.stderr)
	}
}

// inlineRepo has each kind of inline suppression.
var inlineRepo = map[string]string{
	dc: `services:
  redis:
    image: redis:7
    ports:
      # portguard:ignore DBP201 -- the vendor chart pins this mapping
      - "7030:6379"
    volumes:
      - redis-data:/data # portguard:ignore DBP601 -- not in scope
  # portguard:ignore DBP101, DBP201 -- moves with the Q3 migration
  mongo:
    image: mongo:7
    ports:
      - "27017:27017"
  pg:
    image: postgres:16
    ports:
      - "7031:5432" # portguard:ignore DBP201
volumes:
  redis-data:
    name: redis-data
    external: true
`,
	"PORTS-CONVENTION.md": `# Ports

| Port | Service | Env var |
|---|---|---|
| 7030 | redis | |
| 7031 | pg | |
<!-- portguard:ignore DBP503 -- the legacy cache comes back in Q4 -->
| 7040 | legacy-cache | |
| 7041 | gone | |
`,
}

// TestInlineSuppressions: comments on a mapping, a service and a table
// row suppress their rules with their reason; a comment without a reason
// is DBP001 and suppresses nothing; one that matches nothing is DBP002.
func TestInlineSuppressions(t *testing.T) {
	root := treetest.WriteTemp(t, inlineRepo)
	r := checkSuppressed(t, 1, root)
	var active, suppressed []string
	for _, f := range r.Findings {
		active = append(active, f.RuleID+" "+f.Service)
	}
	for _, s := range r.Suppressed {
		if s.Suppression.Kind != "inline" {
			t.Errorf("%s %s suppressed by %s, want inline", s.RuleID, s.Service, s.Suppression.Kind)
		}
		suppressed = append(suppressed, s.RuleID+" "+s.Service+" "+s.Suppression.Reason)
	}
	slices.Sort(active)
	slices.Sort(suppressed)
	wantSuppressed := []string{
		"DBP101 mongo moves with the Q3 migration",
		"DBP201 mongo moves with the Q3 migration",
		"DBP201 redis the vendor chart pins this mapping",
		"DBP503 legacy-cache the legacy cache comes back in Q4",
	}
	if !slices.Equal(suppressed, wantSuppressed) {
		t.Errorf("suppressed:\n%v\nwant\n%v", suppressed, wantSuppressed)
	}
	wantActive := []string{"DBP001 pg", "DBP002 redis", "DBP201 pg", "DBP503 gone", "DBP601 mongo", "DBP601 pg"}
	if !slices.Equal(active, wantActive) {
		t.Errorf("active:\n%v\nwant\n%v", active, wantActive)
	}
	text := run(t, invocation{args: []string{"check", root}})
	for _, want := range []string{
		"docker-compose.yml:8:26  warning  DBP002  portguard:ignore DBP601 matches no finding of the volume on line 8",
		`docker-compose.yml:17:21  error  DBP001  portguard:ignore DBP201 has no reason after " -- " and does not apply`,
	} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, text.stdout)
		}
	}
}

// TestConfigSaysWhatIsWrong: an unknown rule id is an error at its line
// naming the closest id (exit 2); an invalid date is DBP001 and does not
// suppress; an expired exception is a note.
func TestConfigSaysWhatIsWrong(t *testing.T) {
	const compose = "services:\n  redis:\n    image: redis:7\n    ports:\n      - \"7030:6379\" # portguard:ignore DBP20l -- typo\n"
	root := treetest.WriteTemp(t, map[string]string{
		dc: compose,
		".portguard.yaml": `disabled_rules: [DBP302, DBP6O1]
severity:
  DBP204: error
  DBP2O4: warning
exceptions:
  - rule: DBP-501
    service: redis
    reason: documented later
`,
	})
	res := run(t, invocation{args: []string{"check", root}})
	for _, want := range []string{
		`.portguard.yaml:1:26  error  unknown rule id "DBP6O1" in disabled_rules; did you mean DBP601?`,
		`.portguard.yaml:4:3  error  unknown rule id "DBP2O4" in severity; did you mean DBP204?`,
		`.portguard.yaml:6:11  error  unknown rule id "DBP-501" in exceptions; did you mean DBP501?`,
		`docker-compose.yml:5:21  error  unknown rule id "DBP20l" in portguard:ignore; did you mean DBP201?`,
	} {
		if !strings.Contains(res.stdout, want) {
			t.Errorf("report lacks %q:\n%s", want, res.stdout)
		}
	}
	if res.code != 2 {
		t.Errorf("exit %d, want 2", res.code)
	}

	root = treetest.WriteTemp(t, map[string]string{
		dc:                    strings.Replace(compose, " # portguard:ignore DBP20l -- typo", "", 1),
		"PORTS-CONVENTION.md": "| Port | Service |\n|---|---|\n| 7030 | redis |\n",
		".portguard.yaml": `exceptions:
  - rule: DBP201
    service: redis
    reason: impossible date
    expires: "2026-13-45"
  - rule: DBP601
    service: redis
    reason: the data volume comes with the migration
    expires: "2020-01-31"
`,
	})
	r := checkSuppressed(t, 1, root)
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.RuleID+" "+f.Severity+" "+f.Message)
	}
	slices.Sort(got)
	want := []string{
		`DBP001 error the exception for DBP201 on redis has the expiry date "2026-13-45", which is not a date written YYYY-MM-DD, and does not apply`,
		"DBP003 note the exception for DBP601 on redis expired on 2020-01-31",
		`DBP201 error redis hard-codes host port 7030 in "7030:6379"`,
		"DBP601 error redis does not mount its data directory /data: the data dies with the container",
	}
	if !slices.Equal(got, want) {
		t.Errorf("findings:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestBaselineWithAFileFromAnotherDirectory: baseline -f FILE reads the
// .portguard.yaml of the project directory (the file's directory), as
// check does: the baseline goes where its baseline: key says, relative to
// that directory, and check -f FILE then fails on nothing recorded.
func TestBaselineWithAFileFromAnotherDirectory(t *testing.T) {
	dir := t.TempDir()
	writeFile("repo/docker-compose.yml", "services:\n  db:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n")(t, dir)
	writeFile("repo/.portguard.yaml", "baseline: team-baseline.json\n")(t, dir)
	res := run(t, invocation{args: []string{"baseline", "-f", "repo/docker-compose.yml"}, dir: dir})
	if res.code != 0 || !strings.Contains(res.stdout, " in repo/team-baseline.json;") {
		t.Fatalf("baseline: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, stray := range []string{".portguard-baseline.json", "repo/.portguard-baseline.json", "team-baseline.json"} {
		if _, err := os.Stat(filepath.Join(dir, stray)); err == nil {
			t.Errorf("baseline wrote %s: it did not read repo/.portguard.yaml", stray)
		}
	}
	res = run(t, invocation{args: []string{"check", "-f", "repo/docker-compose.yml"}, dir: dir})
	if res.code != 0 {
		t.Errorf("check after baseline: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
}
