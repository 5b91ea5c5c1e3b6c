package main

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/corpus"
)

const table = "PORTS-CONVENTION.md"

// TestCheckConventionRules covers the rules of the table, the volumes, the
// application config and the exceptions, one fixture each.
func TestCheckConventionRules(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "DBP402 services take ports the table gives others", path: fixture("takes-documented-port"), exit: 1, findings: []want{
			{"DBP402", dc, 9, "cache-b"},
			{"DBP402", dc, 13, "cache-c"},
		}},
		{name: "DBP501 without a table", path: fixture("port-undocumented"), exit: 1, findings: []want{
			{"DBP501", dc, 5, "cache"},
		}},
		{name: "DBP502 row names a service that does not exist", path: fixture("row-unknown-service"), exit: 1, findings: []want{
			{"DBP502", table, 5, "Ghost Cache"},
		}},
		{name: "DBP503 row matches no service", path: fixture("row-without-service"), exit: 0, findings: []want{
			{"DBP503", table, 6, "Legacy Search"},
		}},
		{name: "DBP503 and DBP502 not judged with -f", path: fixture("row-without-service"), inside: true, args: []string{"-f", dc}, exit: 0},
		{name: "DBP504 table breaks the convention", path: fixture("table-breaks-convention"), exit: 1, findings: []want{
			{"DBP503", table, 6, "sessions"}, // a second row for a documented publisher is stale
			{"DBP504", table, 6, "sessions"},
			{"DBP504", table, 7, "cache admin"},
			{"DBP503", table, 8, "experiments"},
			{"DBP504", table, 8, "experiments"},
		}},
		{name: "DBP601 bind mount and no mount", path: fixture("data-not-on-named-volume"), exit: 1, findings: []want{
			{"DBP601", dc, 7, "postgres"},
			{"DBP601", dc, 8, "redis"},
		}},
		{name: "DBP602 and DBP603 volume without name", path: fixture("volume-without-name"), exit: 1, findings: []want{
			{"DBP602", dc, 9, "postgres"},
			{"DBP603", dc, 9, "postgres"},
		}},
		{name: "DBP701 DBP702 DBP703 application environment", path: fixture("app-config"), exit: 1, findings: []want{
			{"DBP702", dc, 9, "api"},
			{"DBP703", dc, 10, "api"},
			{"DBP701", dc, 11, "api"},
		}},
		{name: "DBP704 DBP705 stray .env and direct dotenv", path: fixture("app-env-files"), exit: 1, findings: []want{
			{"DBP704", "apps/api/.env", 1, ""},
			{"DBP705", "apps/api/src/index.ts", 1, ""},
		}},
		{name: "exception in .portguard.yaml", path: fixture("exception-config"), exit: 0},
		{name: "exception in x-portguard", path: fixture("exception-x-portguard"), exit: 0},
		{name: "exception without reason", path: fixture("exception-missing-reason"), exit: 1, findings: []want{
			{"DBP001", ".portguard.yaml", 2, "cache"},
			{"DBP201", dc, 5, "cache"},
		}},
		{name: "expired exception", path: fixture("exception-expired"), exit: 1, findings: []want{
			{"DBP201", dc, 5, "cache"},
			{"DBP003", ".portguard.yaml", 2, "cache"},
		}},
		// 2026-13-45 and 2026-02-30 are written YYYY-MM-DD but are no
		// dates: each exception is DBP001 and suppresses nothing.
		{name: "exceptions with impossible expiry dates", path: fixture("exception-bad-date"), exit: 1, findings: []want{
			{"DBP001", ".portguard.yaml", 2, "cache"},
			{"DBP201", dc, 5, "cache"},
			{"DBP001", dc, 6, "web"},
			{"DBP102", dc, 9, "web"},
		}},
		{name: "ranges from .portguard.yaml", path: fixture("config-ranges"), exit: 1, findings: []want{
			{"DBP103", dc, 5, "cache"},
			{"DBP103", ".env", 1, "cache"},
			{"DBP504", table, 5, "cache"},
		}},
	})
}

// TestSuppressedFindings checks that suppressed findings stay out of the
// report and the exit code, and are listed, flagged, with --show-suppressed.
func TestSuppressedFindings(t *testing.T) {
	for _, name := range []string{"exception-config", "exception-x-portguard"} {
		t.Run(name, func(t *testing.T) {
			plain := decodeReport(t, run(t, invocation{args: []string{"check", fixture(name), "--format", "json"}}))
			if len(plain.Findings) != 0 || plain.Summary.Suppressed != 1 {
				t.Errorf("findings %v, suppressed %d; want none shown and 1 suppressed", plain.Findings, plain.Summary.Suppressed)
			}
			res := run(t, invocation{args: []string{"check", fixture(name), "--format", "json", "--show-suppressed"}})
			if res.code != 0 {
				t.Errorf("exit %d, want 0: suppressed findings do not fail the check", res.code)
			}
			if !strings.Contains(res.stdout, `"suppressed": true`) || !strings.Contains(res.stdout, `"rule_id": "DBP201"`) {
				t.Errorf("--show-suppressed must list the finding flagged suppressed:\n%s", res.stdout)
			}
			text := run(t, invocation{args: []string{"check", fixture(name), "--show-suppressed"}})
			if !strings.Contains(text.stdout, "suppressed: the vendor image pins its port") {
				t.Errorf("text --show-suppressed must give the reason:\n%s", text.stdout)
			}
		})
	}
}

// TestConfigErrors checks that a broken .portguard.yaml stops the check with
// exit 2 and its file:line.
func TestConfigErrors(t *testing.T) {
	for _, c := range []struct{ fixture, want string }{
		{"config-unknown-key", ".portguard.yaml:4: unknown key excludes"},
		{"config-bad-range", ".portguard.yaml:3: range ui: 7199-7100 is not a valid port range"},
	} {
		res := run(t, invocation{args: []string{"check", fixture(c.fixture)}})
		if res.code != 2 || !strings.Contains(res.stderr, c.want) {
			t.Errorf("%s: exit %d, stderr %q; want exit 2 and %q", c.fixture, res.code, res.stderr, c.want)
		}
	}
	res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--config", "does-not-exist.yaml"}})
	if res.code != 2 || !strings.Contains(res.stderr, "does-not-exist.yaml: cannot read config") {
		t.Errorf("a missing --config: exit %d, stderr %q", res.code, res.stderr)
	}
	// A --policy or --data path that does not exist is a usage error, not a
	// broken policy.
	for _, args := range [][]string{
		{"check", fixture("hardcoded-port"), "--policy", "no-such-dir"},
		{"check", fixture("hardcoded-port"), "--data", "no-such.json"},
		{"rules", "--policy", "no-such-dir"},
		{"verify", "--policy", "no-such-dir"},
	} {
		res := run(t, invocation{args: args})
		if res.code != 2 || !strings.Contains(res.stderr, "no-such") {
			t.Errorf("%v: exit %d, stderr %q; want exit 2 naming the path", args, res.code, res.stderr)
		}
	}
}

// TestOriginCorpus checks the repository the convention comes from (read
// from ../shared/corpus, never copied): its table parses without a single
// finding about the table, and the hard-coded "7000:5432" mapping of its
// TimescaleDB is reported.
func TestOriginCorpus(t *testing.T) {
	c := corpus.Dir()
	if c == "" {
		t.Skip("../shared/corpus not found (set PORTGUARD_CORPUS)")
	}
	origin := filepath.Join(c, "origin")
	r := decodeReport(t, run(t, invocation{args: []string{"check", origin, "--format", "json"}}))
	found := false
	for _, f := range r.Findings {
		if f.File == table {
			t.Errorf("finding about the table: %s %s:%d %s", f.RuleID, f.File, f.Line, f.Message)
		}
		if f.RuleID == "DBP201" && f.File == "tools/compose/docker-compose.database.yml" && f.Line == 8 && f.Service == "timescaledb" {
			found = true
		}
	}
	if !found {
		t.Error(`the hard-coded "7000:5432" of timescaledb (tools/compose/docker-compose.database.yml:8) is not reported as DBP201`)
	}
	res := run(t, invocation{args: []string{"input", origin}})
	var doc struct {
		Conventions struct {
			Rows []struct {
				Port      *int  `json:"port"`
				PortRange []int `json:"port_range"`
			} `json:"rows"`
		} `json:"conventions"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil {
		t.Fatal(err)
	}
	var ports []int
	ranges := 0
	for _, row := range doc.Conventions.Rows {
		switch {
		case row.Port != nil && *row.Port >= 7000 && *row.Port <= 7999:
			ports = append(ports, *row.Port)
		case row.Port == nil:
			ranges++
		}
	}
	want := []int{7000, 7001, 7002, 7003, 7010, 7011, 7012, 7020, 7021, 7030, 7100, 7101, 7102, 7200}
	if fmt.Sprint(ports) != fmt.Sprint(want) || ranges != 1 {
		t.Errorf("table ports %v and %d range rows; want %v and the 7300+ row as the one range", ports, ranges, want)
	}
}
