package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// sevFinding is a finding as these tests compare it: rule, severity and
// service, and with --show-suppressed its suppression.
type sevFinding struct {
	RuleID            string `json:"rule_id"`
	Severity          string `json:"severity"`
	Service           string `json:"service"`
	Message           string `json:"message"`
	Suggestion        string `json:"suggestion"`
	File              string `json:"file"`
	Line              int    `json:"line"`
	Suppressed        bool   `json:"suppressed"`
	SuppressionReason string `json:"suppression_reason"`
}

func classifyCheck(t *testing.T, args ...string) (int, []sevFinding) {
	t.Helper()
	res := run(t, invocation{args: append([]string{"check", "--format", "json"}, args...)})
	var r struct {
		Findings []sevFinding `json:"findings"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &r); err != nil {
		t.Fatalf("exit %d, stdout is not a JSON report: %v\n%s\nstderr: %s", res.code, err, res.stdout, res.stderr)
	}
	return res.code, r.Findings
}

// keys renders findings as "RULE severity service" sorted, suppressed ones
// marked.
func keys(fs []sevFinding) []string {
	out := []string{}
	for _, f := range fs {
		k := f.RuleID + " " + f.Severity + " " + f.Service
		if f.Suppressed {
			k += " suppressed"
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func sameKeys(t *testing.T, got []sevFinding, want ...string) {
	t.Helper()
	sort.Strings(want)
	if g := keys(got); strings.Join(g, "\n") != strings.Join(want, "\n") {
		t.Errorf("findings:\n  %s\nwant:\n  %s", strings.Join(g, "\n  "), strings.Join(want, "\n  "))
	}
}

// TestClassificationFromEvidence: the kinds of service that name words
// took for databases get no database rule; a database the knowledge base
// does not know is still found, as a warning that says why.
func TestClassificationFromEvidence(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		dc: `services:
  zabbix-server:
    image: zabbix/zabbix-server-mysql:alpine-7.0-latest
    ports: ["10051:10051"]
  zabbix-web:
    image: zabbix/zabbix-web-nginx-pgsql:alpine-7.0-latest
    ports: ["8080:8080"]
  mongo:
    image: mongo:7
    command: mongod --replSet rs0 --bind_ip_all
    ports: ["${MONGO_PORT:-7000}:27017"]
    volumes: [mongo-data:/data/db]
  mongo-init:
    image: mongo:7
    command: mongosh --host mongo:27017 --eval 'rs.initiate()'
  sentinel:
    image: redis:7
    command: redis-sentinel /etc/redis/sentinel.conf
    ports: ["${SENTINEL_PORT:-7001}:26379"]
  ledger-db:
    image: acme/ledger:3
    ports: ["9000:9000"]
volumes:
  mongo-data:
    name: mongo-data
    external: true
`,
		".env":                "MONGO_PORT=7000\nSENTINEL_PORT=7001\n",
		"PORTS-CONVENTION.md": "| Port | Service |\n|---|---|\n| 7000 | mongo |\n| 7001 | sentinel |\n",
	})
	code, fs := classifyCheck(t, root)
	if code != 0 {
		t.Errorf("exit %d, want 0: the guesses are warnings", code)
	}
	sameKeys(t, fs,
		"DBP101 warning ledger-db",
		"DBP201 warning ledger-db",
	)
	for _, f := range fs {
		if !strings.Contains(f.Message, `from the words "ledger-db" of the service name ledger-db alone, a guess: set the label portguard.category if it is wrong`) &&
			!strings.Contains(f.Message, `from the word "db" of the service name ledger-db alone, a guess: set the label portguard.category if it is wrong`) {
			t.Errorf("%s does not say what it rests on: %s", f.RuleID, f.Message)
		}
	}
}

// An image a --data file adds to the knowledge base is classified like a
// built-in one: its findings are errors, its data directory is judged.
func TestDataAddsAnImage(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		dc: "services:\n  books:\n    image: acme/ledger:3\n    ports: [\"9000:9000\"]\n",
		"kb/images.yaml": `images:
  ledger:
    category: database
    display: Ledger
    repos: [acme/ledger]
    ports: [9000]
    port_names: {"9000": ""}
    data_dirs: [/var/lib/ledger]
`,
	})
	code, fs := classifyCheck(t, root)
	if code != 0 {
		t.Errorf("without --data: exit %d", code)
	}
	sameKeys(t, fs) // an application: outside the range, nothing to say
	code, fs = classifyCheck(t, root, "--data", filepath.Join(root, "kb"))
	if code != 1 {
		t.Errorf("with --data: exit %d", code)
	}
	sameKeys(t, fs, "DBP101 error books", "DBP201 error books", "DBP601 error books")
}

// TestSymlinkedComposeFileCheckedOnce: a compose file that links to another
// under PATH is one file: its findings are reported once, under the
// target's name.
func TestSymlinkedComposeFileCheckedOnce(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		"stacks/db.yml": "services:\n  postgres:\n    image: postgres:16\n    ports: [\"5432:5432\"]\n    volumes: [pg:/var/lib/postgresql/data]\nvolumes:\n  pg:\n    name: pg\n    external: true\n",
	})
	if err := os.Symlink("stacks/db.yml", filepath.Join(root, dc)); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	code, fs := classifyCheck(t, root)
	if code != 1 {
		t.Errorf("exit %d", code)
	}
	sameKeys(t, fs, "DBP101 error postgres", "DBP201 error postgres")
	for _, f := range fs {
		if f.File != "stacks/db.yml" {
			t.Errorf("%s at %s, want stacks/db.yml", f.RuleID, f.File)
		}
	}
}

// TestEphemeralDatabase: x-portguard ephemeral or the label
// portguard.ephemeral opts a database out of DBP601-DBP603, shown like an
// exception; without a reason it is DBP001 and does not apply.
func TestEphemeralDatabase(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{
		dc: `services:
  cache:
    image: redis:7
    ports: ["${CACHE_PORT:-7000}:6379"]
    x-portguard: {ephemeral: true, reason: "a cache, warmed on start"}
  testdb:
    image: postgres:16
    ports: ["${TESTDB_PORT:-7001}:5432"]
    volumes: [testdb:/var/lib/postgresql/data]
    labels: {portguard.ephemeral: "test database, recreated by every run"}
  nodb:
    image: postgres:16
    ports: ["${NODB_PORT:-7002}:5432"]
    x-portguard: {ephemeral: true}
volumes:
  testdb: {}
`,
		".env":                "CACHE_PORT=7000\nTESTDB_PORT=7001\nNODB_PORT=7002\n",
		"PORTS-CONVENTION.md": "| Port | Service |\n|---|---|\n| 7000 | cache |\n| 7001 | testdb |\n| 7002 | nodb |\n",
	})
	code, fs := classifyCheck(t, root, "--show-suppressed")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	sameKeys(t, fs,
		"DBP001 error nodb",
		"DBP601 error cache suppressed",
		"DBP601 error nodb",
		"DBP602 error testdb suppressed",
		"DBP603 warning testdb suppressed",
	)
	for _, f := range fs {
		if f.Suppressed && !strings.HasPrefix(f.SuppressionReason, "ephemeral: ") {
			t.Errorf("%s %s: suppression reason %q", f.RuleID, f.Service, f.SuppressionReason)
		}
	}
	// Without --show-suppressed the opted-out findings are left out.
	_, fs = classifyCheck(t, root)
	sameKeys(t, fs, "DBP001 error nodb", "DBP601 error nodb")
}

// TestPortRangeKeepsItsLength: a range of host ports mapped one to one
// onto container ports (a cluster's nodes) is not DBP104, no suggestion
// squeezes it into one port, and fix leaves it alone.
func TestPortRangeKeepsItsLength(t *testing.T) {
	compose := `services:
  redis-cluster:
    image: redis:7
    command: redis-server --port 7000 --cluster-enabled yes
    ports:
      - "7000-7005:7000-7005"
      - "5000-5005:5000-5005"
    volumes: [nodes:/data]
volumes:
  nodes:
    name: nodes
    external: true
`
	root := treetest.WriteTemp(t, map[string]string{dc: compose})
	_, fs := classifyCheck(t, root)
	for _, f := range fs {
		if f.RuleID == "DBP104" {
			t.Errorf("%s: %s", f.RuleID, f.Message)
		}
		// 7000-7005 are its own: the next free run.
		if f.RuleID == "DBP101" && !strings.Contains(f.Suggestion, "keep the 6 ports together: publish them as one range on 7006-7011") {
			t.Errorf("DBP101 suggestion: %s", f.Suggestion)
		}
		if f.RuleID == "DBP201" && !strings.Contains(f.Suggestion, "write the range with variables of the root .env") {
			t.Errorf("DBP201 suggestion: %s", f.Suggestion)
		}
	}
	// Redis listens on the port --port sets, not on 5000-5005: DBP205.
	sameKeys(t, fs, "DBP101 error redis-cluster", "DBP201 error redis-cluster", "DBP201 error redis-cluster", "DBP205 error redis-cluster", "DBP501 error redis-cluster")
	if res := run(t, invocation{args: []string{"fix", root}}); res.code > 1 {
		t.Fatalf("fix: exit %d: %s", res.code, res.stderr)
	}
	got, err := os.ReadFile(filepath.Join(root, dc))
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != compose {
		t.Errorf("fix rewrote the ranges:\n%s", got)
	}
}
