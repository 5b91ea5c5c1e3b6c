package main

// fix on every repository at hand: the corpus of real repositories (read
// from ../shared/corpus, copied to a temporary directory, never into this
// repository), the examples and the fixtures. A fix that cannot make its finding go away
// is not applied, so the second run of fix changes nothing, and every
// finding a fix was applied for is gone.

import (
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/corpus"
	"github.com/portguard/portguard/internal/treetest"
)

func TestFixIsIdempotentOnEveryRepository(t *testing.T) {
	for _, src := range repositoriesAtHand(t) {
		t.Run(src.name, func(t *testing.T) {
			t.Parallel()
			fixTwice(t, src.dir, filepath.Base(src.dir))
		})
	}
}

// fixTwice fixes a copy of the repository at src twice: the table after
// the first fix is as assertTableAfterFix wants it, the second changes
// nothing, and every finding the first fixed is gone.
func fixTwice(t *testing.T, src, name string) {
	t.Helper()
	root := filepath.Join(t.TempDir(), name)
	treetest.Copy(t, src, root)
	if !checkable(t, root) {
		t.Skip("input errors: fix refuses to change this tree")
	}
	before, ok := checkFindings(t, root)
	if !ok {
		t.Skip("no compose file: nothing to fix")
	}
	rowsBefore := tableRows(t, root)

	first := run(t, invocation{args: []string{"fix", root}})
	if first.code != 0 {
		// A plan the fixes cannot agree on changes nothing.
		if first.code != 2 || !strings.Contains(first.stderr, "the fixes conflict, nothing was changed") {
			t.Fatalf("first fix: exit %d\n%s%s", first.code, first.stdout, first.stderr)
		}
	}
	fixed := treetest.Read(t, root)
	after := checkJSON(t, root)
	if first.code == 0 {
		assertTableAfterFix(t, rowsBefore, tableRows(t, root))
	}

	second := run(t, invocation{args: []string{"fix", root}})
	if second.code != first.code {
		t.Errorf("second fix: exit %d, the first %d\n%s%s", second.code, first.code, second.stdout, second.stderr)
	}
	if again := treetest.Read(t, root); !maps.Equal(again, fixed) {
		for f := range again {
			if again[f] != fixed[f] {
				t.Errorf("the second fix changed %s:\n%s", f, again[f])
			}
		}
	}
	if first.code == 0 && !strings.HasPrefix(second.stdout, "nothing to fix") {
		t.Errorf("the second fix has something to do:\n%s", second.stdout)
	}
	if first.code == 0 {
		checkFixedAreGone(t, before, after)
	}
}

// checkFixedAreGone: every finding a fix was applied for is gone, as many
// fewer findings of its rule, service and place as were fixed.
func checkFixedAreGone(t *testing.T, before, after []fixFinding) {
	t.Helper()
	left := map[string]int{}
	for _, f := range after {
		left[placeKey(f)]++
		if hasFix(f) {
			t.Errorf("after fix, %s still has a machine fix", placeKey(f))
		}
	}
	count, fixedCount := map[string]int{}, map[string]int{}
	for _, f := range before {
		count[placeKey(f)]++
		if hasFix(f) {
			fixedCount[placeKey(f)]++
		}
	}
	for _, k := range slices.Sorted(maps.Keys(fixedCount)) {
		if left[k] > count[k]-fixedCount[k] {
			t.Errorf("%s: %d fixed of %d, %d left", k, fixedCount[k], count[k], left[k])
		}
	}
}

// placeKey names a finding by rule, service and place: the line in a
// compose file (fix edits in place, so lines stay), the file elsewhere (an
// added .env line or table row moves the lines after it).
func placeKey(f fixFinding) string {
	k := f.RuleID + " " + f.Service + " " + f.File
	if ext := filepath.Ext(f.File); ext == ".yml" || ext == ".yaml" {
		k += ":" + strconv.Itoa(f.Line)
	}
	return k
}

// hasFix reports whether a finding's fix changes anything.
func hasFix(f fixFinding) bool {
	var fx struct {
		Edits, Env, Rows []json.RawMessage
	}
	return len(f.Fix) > 0 && json.Unmarshal(f.Fix, &fx) == nil && len(fx.Edits)+len(fx.Env)+len(fx.Rows) > 0
}

// repository is a tree fix runs on: a copy of dir, the subtest's name.
type repository struct{ name, dir string }

// repositoriesAtHand are the examples, the corpus of real repositories and
// every fixture stack of the end-to-end and fix tests.
func repositoriesAtHand(t *testing.T) []repository {
	t.Helper()
	var repos []repository
	add := func(prefix, pattern string) {
		m, _ := filepath.Glob(pattern)
		for _, d := range m {
			if st, err := os.Stat(d); err == nil && st.IsDir() {
				rel := filepath.Base(d)
				if filepath.Base(d) == "input" {
					rel = filepath.Base(filepath.Dir(d))
				}
				repos = append(repos, repository{prefix + rel, d})
			}
		}
	}
	add("examples/", filepath.Join(repoRoot, "examples", "*"))
	add("e2e/", filepath.Join(repoRoot, "testdata", "e2e", "*"))
	add("fix/", filepath.Join(repoRoot, "testdata", "fix", "*", "input"))
	if c := corpus.Dir(); c != "" {
		for _, r := range corpus.Repositories(c) {
			repos = append(repos, repository{"corpus/" + filepath.Base(r), r})
		}
	} else {
		t.Log("../shared/corpus not found (set PORTGUARD_CORPUS): the corpus is left out")
	}
	return repos
}

// checkable reports whether check runs on root without input errors (some
// fixtures exist to show them, and fix refuses such a tree).
func checkable(t *testing.T, root string) bool {
	t.Helper()
	return run(t, invocation{args: []string{"check", root, "--format", "json"}}).code <= 1
}

// row is a row of the table, as the input document reads it.
type row struct {
	Port      *int   `json:"port"`
	Service   string `json:"service"`
	EnvVar    string `json:"env_var"`
	Generated bool   `json:"generated"`
}

// tableState is the hand-written rows of a tree's PORTS-CONVENTION.md and, for
// each service (lower case), the host ports it publishes.
type tableState struct {
	rows       []row
	publishers map[string]map[int]bool
}

func tableRows(t *testing.T, root string) tableState {
	t.Helper()
	res := run(t, invocation{args: []string{"input", root}})
	var doc struct {
		Conventions struct {
			Rows []row `json:"rows"`
		} `json:"conventions"`
		Services []struct {
			Name  string `json:"name"`
			Ports []struct {
				Effective *int  `json:"effective"`
				Range     []int `json:"published_range"`
			} `json:"ports"`
		} `json:"services"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatalf("input %s: %v\n%s", root, err, res.stderr)
	}
	tb := tableState{publishers: map[string]map[int]bool{}}
	for _, r := range doc.Conventions.Rows {
		if !r.Generated && r.Port != nil {
			tb.rows = append(tb.rows, r)
		}
	}
	for _, s := range doc.Services {
		name := strings.ToLower(s.Name)
		ports := tb.publishers[name]
		if ports == nil {
			ports = map[int]bool{}
			tb.publishers[name] = ports
		}
		for _, p := range s.Ports {
			if len(p.Range) == 2 && p.Range[0] > 0 {
				for port := p.Range[0]; port <= p.Range[1]; port++ {
					ports[port] = true
				}
			} else if p.Effective != nil {
				ports[*p.Effective] = true
			}
		}
	}
	return tb
}

// assertTableAfterFix: fix adds no second row for a port, nor for a
// service and its variable (a moved service moves its row), every row it
// adds names a service that publishes its port, and it leaves no row behind
// on a port it stopped publishing.
func assertTableAfterFix(t *testing.T, before, after tableState) {
	t.Helper()
	existed := map[string]bool{}
	for _, r := range before.rows {
		existed[rowKey(r)] = true
	}
	dupsBefore, dupsAfter := duplicateRows(before.rows), duplicateRows(after.rows)
	for k, n := range dupsAfter {
		if n > dupsBefore[k] {
			t.Errorf("after fix, %d rows for %s (%d before)", n+1, k, dupsBefore[k]+1)
		}
	}
	for _, r := range after.rows {
		port := *r.Port
		if !existed[rowKey(r)] && !after.publishers[strings.ToLower(r.Service)][port] {
			t.Errorf("fix wrote the row | %d | %s | %s |, but %s does not publish %d", port, r.Service, r.EnvVar, r.Service, port)
		}
		if before.published(port) && !after.published(port) {
			t.Errorf("fix left the row | %d | %s | %s | behind: nothing publishes %d any more", port, r.Service, r.EnvVar, port)
		}
	}
}

// published reports whether a service publishes port.
func (tb tableState) published(port int) bool {
	for _, ports := range tb.publishers {
		if ports[port] {
			return true
		}
	}
	return false
}

// duplicateRows counts, for each port and each service and variable, the
// rows beyond the first.
func duplicateRows(rows []row) map[string]int {
	seen, dups := map[string]int{}, map[string]int{}
	for _, r := range rows {
		keys := []string{"port " + strconv.Itoa(*r.Port)}
		if r.EnvVar != "" {
			keys = append(keys, "service "+strings.ToLower(r.Service)+" "+r.EnvVar)
		}
		for _, k := range keys {
			if seen[k]++; seen[k] > 1 {
				dups[k]++
			}
		}
	}
	return dups
}

func rowKey(r row) string {
	return strconv.Itoa(*r.Port) + " " + strings.ToLower(r.Service) + " " + r.EnvVar
}

// TestOneChoiceOfPort: check's suggestion and fix, migrate plan and
// suggest ask one Rego library for the port: pgadmin, documented at 7100
// but publishing 7050, goes to 7100 everywhere, and suggest offers the next
// port.
func TestOneChoiceOfPort(t *testing.T) {
	root := filepath.Join(repoRoot, "testdata", "fix", "moves-to-its-row", "input")
	res := run(t, invocation{args: []string{"check", root, "--format", "json"}})
	var r struct {
		Findings []struct {
			RuleID     string `json:"rule_id"`
			File       string `json:"file"`
			Suggestion string `json:"suggestion"`
			Fix        struct {
				Edits []struct {
					Port int `json:"port"`
				} `json:"edits"`
			} `json:"fix"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("check: %v\n%s", err, res.stderr)
	}
	for _, f := range r.Findings {
		if !strings.Contains(f.Suggestion, "PGADMIN_PORT=7100") || len(f.Fix.Edits) != 1 || f.Fix.Edits[0].Port != 7100 {
			t.Errorf("check: %s %s: %s, fix %+v", f.RuleID, f.File, f.Suggestion, f.Fix)
		}
	}
	res = run(t, invocation{args: []string{"migrate", "plan", root, "--format", "json"}})
	var plan struct {
		Moves []struct {
			Service string `json:"service"`
			To      int    `json:"to"`
		} `json:"moves"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil || len(plan.Moves) != 1 || plan.Moves[0].To != 7100 {
		t.Errorf("migrate plan: %v %+v\n%s", err, plan, res.stderr)
	}
	res = run(t, invocation{args: []string{"suggest", root, "--category", "ui"}})
	if res.code != 0 || res.stdout != "7101\n" {
		t.Errorf("suggest --category ui: exit %d %q", res.code, res.stdout)
	}
}

// TestFixSaysWhyNot: a finding whose fix could not make it go away gets
// none, and fix and check's text report say why.
func TestFixSaysWhyNot(t *testing.T) {
	root := fixture("cluster-port-range")
	const why = "the mapping publishes the range of container ports 6000-6005, which moves as a whole: rewrite it by hand"
	res := run(t, invocation{args: []string{"fix", "--dry-run", root}})
	want := "nothing to fix\nno machine fix for 2 findings:\n" +
		"  docker-compose.yml:7:9  DBP101  redis-cluster: " + why + "\n" +
		"  docker-compose.yml:7:9  DBP201  redis-cluster: " + why + "\n" +
		"1 other finding has no machine fix (DBP205): portguard check lists it\n"
	if res.code != 0 || res.stdout != want {
		t.Errorf("exit %d\n%s\nwant\n%s", res.code, res.stdout, want)
	}
	res = run(t, invocation{args: []string{"check", root}})
	if n := strings.Count(res.stdout, "\n  no machine fix: "+why+"\n"); n != 2 {
		t.Errorf("check's text report says why there is no machine fix %d times, want 2:\n%s", n, res.stdout)
	}
	var r struct {
		Findings []struct {
			RuleID string          `json:"rule_id"`
			Fix    json.RawMessage `json:"fix"`
			NoFix  string          `json:"no_fix"`
		} `json:"findings"`
	}
	res = run(t, invocation{args: []string{"check", root, "--format", "json"}})
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatal(err)
	}
	for _, f := range r.Findings {
		if f.RuleID == "DBP205" {
			continue
		}
		if len(f.Fix) > 0 || f.NoFix != why {
			t.Errorf("%s: fix %s, no_fix %q", f.RuleID, f.Fix, f.NoFix)
		}
	}
}
