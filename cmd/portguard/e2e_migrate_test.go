package main

// Migration without an engine: migrate plan, config-only backups (create,
// verify, list), rollback, migrate apply --config-only, and apply killed
// at any point of its rewrite.

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

const migrateFixture = repoRoot + "/testdata/migrate/postgres-off-convention"

// secret is the password of the fixture's .env: no output, manifest or
// log may hold it.
const secret = "correct-horse-battery-staple"

func noSecret(t *testing.T, what, s string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("%s holds the .env secret:\n%s", what, s)
	}
}

func TestMigratePlan(t *testing.T) {
	res := run(t, invocation{args: []string{"migrate", "plan", migrateFixture}})
	if res.code != 0 {
		t.Fatalf("exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	noSecret(t, "stdout", res.stdout)
	for _, line := range []string{
		"2 services move:",
		"  postgres  shop     database  5433 -> 7000  POSTGRES_PORT  docker-compose.yml:8",
		"  pgadmin   shop     ui        8080 -> 7100  PGADMIN_PORT   docker-compose.yml:14",
		"  postgres (project shop): keeps volume shop-pgdata at /var/lib/postgresql/data",
		"  pgadmin (project shop): no data volume",
		"  .env:1                 POSTGRES_PORT=5433 -> POSTGRES_PORT=7000",
		"  PORTS-CONVENTION.md:5  move the row of postgres from 5433 to 7000",
		`  docker-compose.yml:8   "${POSTGRES_PORT:-5433}:5432" -> "${POSTGRES_PORT:-7000}:5432"`,
	} {
		if !slices.Contains(strings.Split(res.stdout, "\n"), line) {
			t.Errorf("the plan has no line %q:\n%s", line, res.stdout)
		}
	}

	res = run(t, invocation{args: []string{"migrate", "plan", migrateFixture, "--format", "json"}})
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	noSecret(t, "JSON plan", res.stdout)
	var plan struct {
		Version int `json:"version"`
		Moves   []struct {
			Service  string   `json:"service"`
			From     int      `json:"from"`
			To       int      `json:"to"`
			Variable string   `json:"variable"`
			Rules    []string `json:"rules"`
		} `json:"moves"`
		Recreate []struct {
			Service string `json:"service"`
			Keeps   []struct {
				Volume string `json:"volume"`
				Target string `json:"target"`
			} `json:"keeps"`
		} `json:"recreate"`
		Changes []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"changes"`
	}
	if err := json.Unmarshal([]byte(res.stdout), &plan); err != nil {
		t.Fatalf("%v\n%s", err, res.stdout)
	}
	type move struct {
		service  string
		from, to int
		variable string
		rules    string
	}
	var moves []move
	for _, m := range plan.Moves {
		moves = append(moves, move{m.Service, m.From, m.To, m.Variable, strings.Join(m.Rules, ",")})
	}
	wantMoves := []move{{"postgres", 5433, 7000, "POSTGRES_PORT", "DBP101"}, {"pgadmin", 8080, 7100, "PGADMIN_PORT", "DBP103"}}
	if plan.Version != 1 || !slices.Equal(moves, wantMoves) {
		t.Errorf("moves = %+v, want %+v", moves, wantMoves)
	}
	if len(plan.Recreate) != 2 || plan.Recreate[1].Service != "postgres" || len(plan.Recreate[1].Keeps) != 1 ||
		plan.Recreate[1].Keeps[0].Volume != "shop-pgdata" || plan.Recreate[1].Keeps[0].Target != "/var/lib/postgresql/data" {
		t.Errorf("recreate = %+v", plan.Recreate)
	}
	if len(plan.Changes) != 6 {
		t.Errorf("%d changes, want 6: %+v", len(plan.Changes), plan.Changes)
	}
}

// An exception keeps a service where it is: the plan says so and moves
// the others.
func TestMigratePlanHonoursExceptions(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, migrateFixture, root)
	cfg := "exceptions:\n  - rule: DBP103\n    service: pgadmin\n    reason: the admin UI stays on 8080 until the proxy moves\n"
	if err := os.WriteFile(filepath.Join(root, ".portguard.yaml"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	res := run(t, invocation{args: []string{"migrate", "plan", root}})
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	if !strings.Contains(res.stdout, "1 service moves:") || !strings.Contains(res.stdout, "staying by exception:\n  pgadmin (docker-compose.yml:14) on 8080\n") ||
		strings.Contains(res.stdout, "PGADMIN_PORT=7100") {
		t.Errorf("plan:\n%s", res.stdout)
	}
}

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

type manifest struct {
	ID         string `json:"id"`
	ConfigOnly bool   `json:"config_only"`
	Files      []struct {
		Path   string `json:"path"`
		Kind   string `json:"kind"`
		Source string `json:"source"`
		Size   int64  `json:"size"`
		SHA256 string `json:"sha256"`
	} `json:"files"`
}

var backupLine = regexp.MustCompile(`(?m)^backup (\d{8}T\d{6}Z(?:-\d+)?): `)

func TestBackupVerifyRollbackConfigOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, migrateFixture, root)
	before, _ := fileSnapshot(t, root)
	checked := decodeReport(t, run(t, invocation{args: []string{"check", root, "--format", "json"}}))

	id, bdir := createConfigBackup(t, root, before)

	// The stacks are checked as before: discovery skips the backups.
	check := run(t, invocation{args: []string{"check", root, "--format", "json"}})
	if r := decodeReport(t, check); len(r.Findings) != len(checked.Findings) || len(r.Errors) != 0 {
		t.Errorf("check after the backup: %d findings and %v, want the %d of before", len(r.Findings), r.Errors, len(checked.Findings))
	}

	checkVerifyFindsAChangedFile(t, root, id, bdir)

	// Files change (fix rewrites them), then rollback restores them byte
	// for byte, keeping the changed ones in a backup of their own.
	if res := run(t, invocation{args: []string{"fix", root}}); res.code != 0 {
		t.Fatalf("fix: exit %d\n%s", res.code, res.stderr)
	}
	fixed, _ := fileSnapshot(t, root)
	if fixed["docker-compose.yml"] == before["docker-compose.yml"] {
		t.Fatal("fix changed nothing")
	}
	res := run(t, invocation{args: []string{"rollback", id, root, "--config-only"}})
	if res.code != 2 || !strings.Contains(res.stderr, "not confirmed") {
		t.Fatalf("rollback without an answer: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if now, _ := fileSnapshot(t, root); !maps.Equal(now, fixed) {
		t.Fatal("rollback changed files without confirmation")
	}
	res = run(t, invocation{args: []string{"rollback", id, root, "--config-only"}, stdin: "yes\n"})
	if res.code != 0 {
		t.Fatalf("rollback: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	noSecret(t, "rollback output", res.stdout+res.stderr)
	after, _ := fileSnapshot(t, root)
	if !maps.Equal(after, before) {
		t.Errorf("after the rollback the files differ from the backup")
	}
	saved := regexp.MustCompile(`saved the current files as backup (\S+)`).FindStringSubmatch(res.stdout)
	if saved == nil || !regexp.MustCompile(`rollback done in [0-9.]+m?s, within the 5m0s budget`).MatchString(res.stdout) {
		t.Fatalf("rollback output:\n%s", res.stdout)
	}
	// The files the rollback overwrote are in that backup, verified.
	res = run(t, invocation{args: []string{"backup", "verify", saved[1], root}})
	if res.code != 0 {
		t.Errorf("verify %s: exit %d\n%s", saved[1], res.code, res.stderr)
	}
	sf, err := os.ReadFile(filepath.Join(root, "backups", saved[1], "config", "docker-compose.yml"))
	if err != nil || string(sf) != fixed["docker-compose.yml"] {
		t.Errorf("the backup before the rollback does not hold the fixed compose file: %v", err)
	}
	res = run(t, invocation{args: []string{"backup", "list", root}})
	if res.code != 0 || !strings.Contains(res.stdout, id+"  ") || !strings.Contains(res.stdout, "before rollback to "+id) {
		t.Errorf("backup list:\n%s", res.stdout)
	}
}

// createConfigBackup takes a configuration backup of root with backup
// create: its manifest holds the sha256 of every file of root (before),
// the backups log has its line, and neither holds a secret.
func createConfigBackup(t *testing.T, root string, before map[string]string) (id, bdir string) {
	t.Helper()
	res := run(t, invocation{args: []string{"backup", "create", "--config-only", root}})
	if res.code != 0 {
		t.Fatalf("backup create: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	m := backupLine.FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no backup ID in:\n%s", res.stdout)
	}
	id = m[1]
	if !strings.Contains(res.stdout, "3 configuration files") || !strings.Contains(res.stdout, "verified 3 files of backup "+id) {
		t.Errorf("backup create:\n%s", res.stdout)
	}
	bdir = filepath.Join(root, "backups", id)
	raw, err := os.ReadFile(filepath.Join(bdir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	noSecret(t, "manifest.json", string(raw))
	logData, err := os.ReadFile(filepath.Join(root, "backups", "backups.log"))
	if err != nil {
		t.Fatal(err)
	}
	noSecret(t, "backups.log", string(logData))
	if !strings.Contains(string(logData), `"id":"`+id+`"`) {
		t.Errorf("backups.log has no line for %s:\n%s", id, logData)
	}
	var man manifest
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	// The manifest holds the sha256 of every configuration file.
	got := map[string]string{}
	for _, f := range man.Files {
		got[f.Source] = f.SHA256
	}
	wantSums := map[string]string{}
	for name, content := range before {
		wantSums[name] = sha(content)
	}
	if !man.ConfigOnly || !maps.Equal(got, wantSums) {
		t.Errorf("manifest sums = %v, want %v", got, wantSums)
	}
	return id, bdir
}

// checkVerifyFindsAChangedFile: backup verify passes, then names a stored
// file of which one byte changed (exit 1), which rollback refuses; the
// byte is then put back.
func checkVerifyFindsAChangedFile(t *testing.T, root, id, bdir string) {
	t.Helper()
	res := run(t, invocation{args: []string{"backup", "verify", id, root}})
	if res.code != 0 || res.stdout != "verified 3 files of backup "+id+"\n" {
		t.Fatalf("verify: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// One byte of a stored file changes: verify names it and exits 1.
	stored := filepath.Join(bdir, "config", "docker-compose.yml")
	data, _ := os.ReadFile(stored)
	data[0] ^= 0x20
	if err := os.WriteFile(stored, data, 0o600); err != nil {
		t.Fatal(err)
	}
	res = run(t, invocation{args: []string{"backup", "verify", id, root}})
	if res.code != 1 || !strings.Contains(res.stderr, "backup "+id+": 1 of 3 files fails verification:\n  config/docker-compose.yml: checksum mismatch") {
		t.Fatalf("verify of a changed file: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	// A rollback refuses a backup that fails verification, and changes
	// nothing.
	res = run(t, invocation{args: []string{"rollback", id, root, "--config-only", "--yes"}})
	if res.code != 1 || !strings.Contains(res.stderr, "fails verification, nothing was changed") {
		t.Fatalf("rollback of a bad backup: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	data[0] ^= 0x20
	if err := os.WriteFile(stored, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestMigrateApplyConfigOnly(t *testing.T) {
	root := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, migrateFixture, root)
	before, _ := fileSnapshot(t, root)
	// Without an engine, apply says so and changes nothing.
	noEngine := []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}
	res := run(t, invocation{args: []string{"migrate", "apply", root, "--yes"}, env: noEngine})
	if res.code != 2 || !strings.Contains(res.stderr, "migrate apply needs a Docker engine") || !strings.Contains(res.stderr, "--config-only works without one") {
		t.Errorf("apply without an engine: exit %d\n%s", res.code, res.stderr)
	}
	if now, _ := fileSnapshot(t, root); !maps.Equal(now, before) {
		t.Fatal("apply without an engine changed files")
	}
	res = run(t, invocation{args: []string{"migrate", "apply", root, "--config-only", "--yes"}})
	if res.code != 0 {
		t.Fatalf("apply: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	noSecret(t, "apply output", res.stdout+res.stderr)
	id := regexp.MustCompile(`(?m)^backup (\S+): 3 configuration files \(577 B\), 3 files verified$`).FindStringSubmatch(res.stdout)
	if id == nil {
		t.Fatalf("apply output:\n%s", res.stdout)
	}
	// The plan is done: nothing is left to move, the check has none of
	// the moves' findings.
	res = run(t, invocation{args: []string{"migrate", "plan", root}})
	if !strings.HasPrefix(res.stdout, "nothing to migrate") {
		t.Errorf("plan after apply:\n%s", res.stdout)
	}
	r := decodeReport(t, run(t, invocation{args: []string{"check", root, "--format", "json"}}))
	for _, f := range r.Findings {
		if f.RuleID == "DBP101" || f.RuleID == "DBP103" {
			t.Errorf("after apply: %s", f.key())
		}
	}
	env, _ := os.ReadFile(filepath.Join(root, ".env"))
	if want := "POSTGRES_PORT=7000\nPOSTGRES_PASSWORD=" + secret + "\nPGADMIN_PORT=7100\n"; string(env) != want {
		t.Errorf(".env = %q, want %q", env, want)
	}
	// Rolled back, the files are as before. The backup recorded no
	// running service, so no engine is needed, even without --config-only.
	res = run(t, invocation{args: []string{"rollback", id[1], root, "--yes"}, env: []string{"DOCKER_HOST=unix:///nonexistent/docker.sock"}})
	if res.code != 0 || !strings.Contains(res.stdout, "the backup recorded no running service: nothing to recreate") {
		t.Fatalf("rollback: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	if after, _ := fileSnapshot(t, root); !maps.Equal(after, before) {
		t.Error("the rollback did not restore the files")
	}
}

// A process killed at any point of apply (its backup, its rewrite) leaves
// every file of the stacks either as it was or as a whole apply leaves it.
func TestMigrateApplyKilledLeavesOldOrNew(t *testing.T) {
	killedRuns(t, migrateFixture, 3, "migrate", "apply", repoArg, "--config-only", "--yes")
}
