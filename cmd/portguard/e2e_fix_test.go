package main

// End-to-end tests of fix, suggest and docs (issue 5): the binary on
// copies of the example stacks, asserting exit codes, output and files.

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"io"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// fixFinding is what these tests read of a JSON finding.
type fixFinding struct {
	RuleID  string          `json:"rule_id"`
	File    string          `json:"file"`
	Line    int             `json:"line"`
	Service string          `json:"service"`
	Fix     json.RawMessage `json:"fix"`
}

func checkJSON(t *testing.T, root string) []fixFinding {
	t.Helper()
	fs, ok := checkFindings(t, root)
	if !ok {
		t.Fatalf("check %s: nothing to check", root)
	}
	return fs
}

// checkFindings are the findings of check on root; false when there is
// nothing to check (no compose file).
func checkFindings(t *testing.T, root string) ([]fixFinding, bool) {
	t.Helper()
	res := run(t, invocation{args: []string{"check", root, "--format", "json"}})
	if res.code == 2 && strings.Contains(res.stderr, "nothing to check") {
		return nil, false
	}
	if res.code > 1 {
		t.Fatalf("check %s: exit %d\n%s", root, res.code, res.stderr)
	}
	var r struct {
		Findings []fixFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	return r.Findings, true
}

func key(f fixFinding) string { return f.RuleID + " " + f.File + " " + f.Service }

// TestFixTheViolatingExample: --dry-run and --diff write nothing; fix
// writes the planned changes; check then reports exactly the findings that
// had no machine fix; a second fix changes nothing.
func TestFixTheViolatingExample(t *testing.T) {
	root := filepath.Join(t.TempDir(), "violating")
	treetest.Copy(t, example("violating"), root)
	before := checkJSON(t, root)
	var unfixable []string
	fixable := 0
	for _, f := range before {
		if len(f.Fix) == 0 || string(f.Fix) == "null" {
			unfixable = append(unfixable, key(f))
		} else {
			fixable++
		}
	}
	if fixable < 8 {
		t.Fatalf("only %d findings of the violating example carry a fix", fixable)
	}
	orig := treetest.Read(t, root)

	checkFixPreviews(t, root, orig)

	apply := run(t, invocation{args: []string{"fix", root}})
	if apply.code != 0 || !strings.Contains(apply.stdout, "fixed ") {
		t.Fatalf("fix: exit %d\n%s%s", apply.code, apply.stdout, apply.stderr)
	}
	after := checkJSON(t, root)
	var got []string
	for _, f := range after {
		got = append(got, key(f))
		if len(f.Fix) > 0 && string(f.Fix) != "null" {
			t.Errorf("after fix, %s still has a fix: %s", key(f), f.Fix)
		}
	}
	missing, unexpected := multisetDiff(unfixable, got)
	if len(missing)+len(unexpected) > 0 {
		t.Errorf("after fix: missing %v, unexpected %v", missing, unexpected)
	}
	fixed := treetest.Read(t, root)
	compose := fixed["tools/compose/docker-compose.database.yml"]
	for _, want := range []string{
		`- "${TIMESCALEDB_PORT:-7000}:5432"   # moved from 5433 in the migration; the variable never followed`,
		`- "${REDIS_PORT:-7002}:6379"   # still on the stock port`,
	} {
		if !strings.Contains(compose, want) {
			t.Errorf("the fixed compose file lacks %q", want)
		}
	}
	if !strings.Contains(fixed[".env"], "TIMESCALEDB_PASSWORD=change-me\n") {
		t.Error("fix lost a line of .env")
	}

	again := run(t, invocation{args: []string{"fix", root}})
	if again.code != 0 || !strings.HasPrefix(again.stdout, "nothing to fix") {
		t.Errorf("second fix: exit %d\n%s%s", again.code, again.stdout, again.stderr)
	}
	if !maps.Equal(treetest.Read(t, root), fixed) {
		t.Error("a second fix changed files")
	}
}

// checkFixPreviews: fix --dry-run lists the changes, --diff shows them
// (without a secret), --dry-run --diff is the diff; none of them changes
// the files (orig).
func checkFixPreviews(t *testing.T, root string, orig map[string]string) {
	t.Helper()
	dry := run(t, invocation{args: []string{"fix", root, "--dry-run"}})
	if dry.code != 0 {
		t.Fatalf("fix --dry-run: exit %d\n%s", dry.code, dry.stderr)
	}
	for _, want := range []string{
		`tools/compose/docker-compose.database.yml:17  "7000:5432" -> "${TIMESCALEDB_PORT:-7000}:5432"  (DBP201)`,
		".env:11  REDIS_PORT=6379 -> REDIS_PORT=7002  (DBP101)",
		"PORTS-CONVENTION.md:24  move the row of timescaledb-backup from 7005 to 7001  (DBP301)",
	} {
		if !strings.Contains(dry.stdout, want) {
			t.Errorf("fix --dry-run lacks %q:\n%s", want, dry.stdout)
		}
	}
	diff := run(t, invocation{args: []string{"fix", root, "--diff"}})
	if diff.code != 0 || !strings.HasPrefix(diff.stdout, "--- a/.env\n+++ b/.env\n") {
		t.Fatalf("fix --diff: exit %d\n%s%s", diff.code, diff.stdout, diff.stderr)
	}
	if strings.Contains(diff.stdout, "change-me") {
		t.Error("fix --diff prints the value of TIMESCALEDB_PASSWORD")
	}
	if got := treetest.Read(t, root); !maps.Equal(got, orig) {
		t.Fatal("--dry-run or --diff changed files")
	}
	// --dry-run --diff is the dry run shown as a diff.
	if res := run(t, invocation{args: []string{"fix", root, "--dry-run", "--diff"}}); res.code != 0 || res.stdout != diff.stdout {
		t.Errorf("--dry-run --diff: exit %d, want 0 and the output of --diff\n%s%s", res.code, res.stdout, res.stderr)
	}
	if got := treetest.Read(t, root); !maps.Equal(got, orig) {
		t.Fatal("--dry-run --diff changed files")
	}
	help := run(t, invocation{args: []string{"fix", "--help"}})
	if !strings.Contains(help.stdout, "      --dry-run   ") || strings.Contains(help.stdout, "[=true|false]") {
		t.Errorf("fix --help shows the boolean flags as pflag writes them:\n%s", help.stdout)
	}
}

// TestFixRefusesAConflictingPlan: a user rule whose fix writes another
// value into a scalar that a built-in fix edits makes fix refuse, write
// nothing and say where.
func TestFixRefusesAConflictingPlan(t *testing.T) {
	dir := t.TempDir()
	root := filepath.Join(dir, "stack")
	ciWriteFile(t, filepath.Join(root, "docker-compose.yml"), "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"\n")
	policy := filepath.Join(dir, "policy")
	ciWriteFile(t, filepath.Join(policy, "team", "other_port.rego"), `# METADATA
# title: Team port
# description: The team wants postgres elsewhere.
# related_resources:
#   - ref: https://example.com/team
# custom:
#   id: TEAM001
#   severity: error
#   remediation: Move it.
#   tags: [team]
package portguard.rules.team.other_port

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": "postgres",
	"message": "postgres must publish 7050",
	"fix": {"edits": [object.union(finding.at(p), {"old": p.raw, "text": "${POSTGRES_PORT:-7050}:5432", "port": 7050})], "env": [], "rows": []},
})) if {
	some svc in input.services
	some p in svc.ports
}
`)
	before := treetest.Read(t, root)
	res := run(t, invocation{args: []string{"fix", root, "--policy", policy}})
	if res.code != 2 || !strings.Contains(res.stderr, "the fixes conflict, nothing was changed") ||
		!strings.Contains(res.stderr, `docker-compose.yml:5:9 would read "${POSTGRES_PORT:-7000}:5432" (postgres, docker-compose.yml:5: DBP101, DBP201) or "${POSTGRES_PORT:-7050}:5432" (postgres, docker-compose.yml:5: TEAM001)`) {
		t.Errorf("exit %d\n%s", res.code, res.stderr)
	}
	if !maps.Equal(treetest.Read(t, root), before) {
		t.Error("a refused plan changed files")
	}
}

func TestSuggest(t *testing.T) {
	root := example("violating")
	cases := []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		// 7000-7002 are taken or due (the backup moves to 7001, redis to 7002).
		{[]string{"suggest", root}, 0, "7003\n", ""},
		{[]string{"suggest", root, "--category", "database", "--count", "3"}, 0, "7003\n7004\n7006\n", ""},
		{[]string{"suggest", root, "--category", "ui", "-n", "2"}, 0, "7101\n7102\n", ""},
		{[]string{"suggest", root, "--backup-of", "timescaledb", "--count", "2"}, 0, "7003\n7004\n", ""},
		{[]string{"suggest", root, "--backup-of", "nope"}, 2, "", `no service is named "nope"`},
		{[]string{"suggest", root, "--category", "web"}, 2, "", `unknown category "web": use database, exporter, ui`},
		{[]string{"suggest", root, "--count", "0"}, 2, "", "--count 0"},
		{[]string{"suggest", root, "--format", "yaml"}, 2, "", `unknown format "yaml"`},
	}
	for _, c := range cases {
		res := run(t, invocation{args: c.args})
		if res.code != c.code || res.stdout != c.stdout || !strings.Contains(res.stderr, c.stderr) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want %d, %q, %q", c.args[1:], res.code, res.stdout, res.stderr, c.code, c.stdout, c.stderr)
		}
	}
	res := run(t, invocation{args: []string{"suggest", root, "--category", "exporter", "--count", "2", "--format", "json"}})
	var s struct {
		Category string `json:"category"`
		Range    struct{ From, To int }
		Ports    []int `json:"ports"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &s); err != nil || res.code != 0 {
		t.Fatalf("suggest --format json: exit %d, %v\n%s", res.code, err, res.stdout)
	}
	if s.Category != "exporter" || s.Range.From != 7200 || !slices.Equal(s.Ports, []int{7201, 7202}) {
		t.Errorf("suggest json: %+v", s)
	}
}

// TestDocs: docs writes the generated table and leaves the rest of the
// file byte for byte; --check passes right after and fails once a port
// changes; the map is XML with a label for every used port.
func TestDocs(t *testing.T) {
	root := filepath.Join(t.TempDir(), "compliant")
	treetest.Copy(t, example("compliant"), root)
	table := filepath.Join(root, "PORTS-CONVENTION.md")
	orig, _ := os.ReadFile(table)
	svg := filepath.Join(t.TempDir(), "ports.svg")

	stale := run(t, invocation{args: []string{"docs", root, "--check"}})
	if stale.code != 1 || !strings.Contains(stale.stdout, "the generated table is stale") || !strings.Contains(stale.stdout, "+<!-- portguard:begin -->") {
		t.Errorf("docs --check before docs: exit %d\n%s", stale.code, stale.stdout)
	}
	if res := run(t, invocation{args: []string{"docs", root, "--map", svg}}); res.code != 0 {
		t.Fatalf("docs: exit %d\n%s", res.code, res.stderr)
	}
	written, _ := os.ReadFile(table)
	if !bytes.HasPrefix(written, orig) {
		t.Error("docs changed the hand-written part of PORTS-CONVENTION.md")
	}
	if res := run(t, invocation{args: []string{"docs", root, "--check", "--map", svg}}); res.code != 0 {
		t.Errorf("docs --check right after docs: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if res := run(t, invocation{args: []string{"check", root}}); res.code != 0 {
		t.Errorf("the generated table makes check fail: exit %d\n%s", res.code, res.stdout)
	}
	assertMapLabels(t, svg, usedPorts(t, root))

	env := filepath.Join(root, ".env")
	data, _ := os.ReadFile(env)
	os.WriteFile(env, bytes.Replace(data, []byte("REDIS_PORT=7030"), []byte("REDIS_PORT=7031"), 1), 0o644)
	res := run(t, invocation{args: []string{"docs", root, "--check"}})
	if res.code != 1 || !strings.Contains(res.stdout, "-| 7030 | redis |") || !strings.Contains(res.stdout, "+| 7031 | redis |") {
		t.Errorf("docs --check after a port moved: exit %d\n%s", res.code, res.stdout)
	}
}

// TestReadmeMap checks the picture of the violating example in docs/: it
// parses as SVG and shows every port the example publishes in the range.
func TestReadmeMap(t *testing.T) {
	assertMapLabels(t, filepath.Join(repoRoot, "docs", "portmap.svg"), usedPorts(t, example("violating")))
}

// usedPorts are the host ports of 7000-7999 that a stack publishes,
// from its input document.
func usedPorts(t *testing.T, root string) []int {
	t.Helper()
	res := run(t, invocation{args: []string{"input", root}})
	var doc struct {
		Services []struct {
			Ports []struct {
				Effective *int `json:"effective"`
			} `json:"ports"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var ports []int
	for _, s := range doc.Services {
		for _, p := range s.Ports {
			if p.Effective != nil && *p.Effective >= 7000 && *p.Effective <= 7999 && !slices.Contains(ports, *p.Effective) {
				ports = append(ports, *p.Effective)
			}
		}
	}
	if len(ports) < 5 {
		t.Fatalf("%s publishes only %v in the range", root, ports)
	}
	return ports
}

func assertMapLabels(t *testing.T, path string, ports []int) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	var labels []string
	inText, root := false, ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s is not valid XML: %v", path, err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Space + " " + el.Name.Local
			}
			if inText = el.Name.Local == "text"; inText {
				labels = append(labels, "")
			}
		case xml.EndElement:
			inText = false
		case xml.CharData:
			if inText {
				labels[len(labels)-1] += string(el)
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("%s: root element %q", path, root)
	}
	for _, p := range ports {
		if !slices.ContainsFunc(labels, func(l string) bool { return strings.HasPrefix(l, strconv.Itoa(p)+" ") }) {
			t.Errorf("%s has no label for port %d; labels: %q", path, p, labels)
		}
	}
}
