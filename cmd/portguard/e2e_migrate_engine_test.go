package main

// Migration with the engine, on a real PostgreSQL (the local image built
// by .ci/postgres-image from Debian's packages) started with Compose v2:
// rows written, migrated to the convention port, read there, the backup
// verified with its dump and volume archive, rolled back to the old port
// with the rows intact, and the refusals that keep a volume's data.

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/dockertest"
)

// pgImage is the PostgreSQL image of the engine tests: a shared, cached
// artifact that no test deletes.
const pgImage = "portguard-test/postgres:15"

// postgresImage makes sure the image exists, building it with the CI
// script when it does not (about two minutes, once per machine).
func postgresImage(t *testing.T) {
	t.Helper()
	if exec.Command("docker", "image", "inspect", pgImage).Run() == nil {
		return
	}
	t.Logf("building %s with .ci/postgres-image", pgImage)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", filepath.Join(repoRoot, ".ci", "postgres-image"))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf(".ci/postgres-image: %v\n%s", err, out)
	}
}

// pgStack is a compose project of one PostgreSQL with its data in a named
// volume, on a port outside the convention.
type pgStack struct {
	dir, project, volume string
	oldPort, newPort     int
	password             string
}

// pgCommand initialises the data directory on first start (password
// authentication over TCP, trusted local socket) and runs the server on
// every address, as the postgres user. The image holds the packages only.
const pgCommand = `      - sh
      - -c
      - |
        set -e
        chown postgres:postgres "$$PGDATA"
        chmod 700 "$$PGDATA"
        if [ ! -s "$$PGDATA/PG_VERSION" ]; then
          printf '%s\n' "$$POSTGRES_PASSWORD" > /tmp/pwfile
          runuser -u postgres -- initdb -D "$$PGDATA" -U postgres --pwfile=/tmp/pwfile --auth-local=trust --auth-host=scram-sha-256
          rm -f /tmp/pwfile
          echo "host all all all scram-sha-256" >> "$$PGDATA/pg_hba.conf"
        fi
        exec runuser -u postgres -- postgres -D "$$PGDATA" -c listen_addresses='*'
`

func newPGStack(t *testing.T, what string) *pgStack {
	t.Helper()
	project := dockertest.Name(t, what)
	s := &pgStack{
		dir: filepath.Join(t.TempDir(), "stack"), project: project, volume: project + "-data",
		// The upper half of the database sub-range: tests that pin a port
		// take the first ones.
		oldPort: dockertest.FreePorts(t, 1, 0, 0)[0], newPort: dockertest.FreePorts(t, 1, 7050, 7099)[0],
		password: "pw-" + project,
	}
	files := map[string]string{
		"docker-compose.yml": `name: ` + project + `
services:
  postgres:
    image: ` + pgImage + `
    environment:
      POSTGRES_PASSWORD: ${POSTGRES_PASSWORD}
      PGDATA: /var/lib/postgresql/data
    command:
` + pgCommand + `    ports:
      - "${POSTGRES_PORT:-` + strconv.Itoa(s.oldPort) + `}:5432"
    volumes:
      - pgdata:/var/lib/postgresql/data
volumes:
  pgdata:
    name: ` + s.volume + `
`,
		".env": fmt.Sprintf("POSTGRES_PORT=%d\nPOSTGRES_PASSWORD=%s\n", s.oldPort, s.password),
		// The database sub-range is the one free port this test found, so
		// that the target cannot collide with another test's.
		".portguard.yaml":     fmt.Sprintf("ranges:\n  database: {from: %d, to: %d}\n", s.newPort, s.newPort),
		"PORTS-CONVENTION.md": fmt.Sprintf("# Ports\n\n| Port | Service | Env var |\n|---|---|---|\n| %d | postgres | `POSTGRES_PORT` |\n", s.oldPort),
	}
	for name, content := range files {
		p := filepath.Join(s.dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// The volume a test restores into is the test's own (removed after the
	// containers that could hold it, cleanups running last first).
	t.Cleanup(func() {
		if exec.Command("docker", "volume", "inspect", s.restored()).Run() == nil {
			dockertest.Docker(t, "volume", "rm", s.restored())
		}
	})
	// The containers portguard creates to read or fill the volume remove
	// themselves; a failed test must not leave one behind either.
	t.Cleanup(func() {
		for _, v := range []string{s.volume, s.restored()} {
			out, _ := exec.Command("docker", "ps", "-aq", "--filter", "label=portguard.volume="+v).Output()
			for _, id := range strings.Fields(string(out)) {
				dockertest.Docker(t, "rm", "-f", id)
			}
		}
	})
	return s
}

// restored is the volume a test restores an archive into.
func (s *pgStack) restored() string { return s.project + "-restored" }

// up starts the stack as a user would, from its directory.
func (s *pgStack) up(t *testing.T, cli *compose.CLI, envFiles ...string) {
	t.Helper()
	dockertest.Up(t, cli, compose.Project{Dir: s.dir, Name: s.project, EnvFiles: envFiles})
	s.waitFor(t, s.oldPort)
}

// psql runs SQL against the server through a host port, from a one-off
// container on the host's network: what answers is what the port serves.
func (s *pgStack) psql(port int, sql string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", "run", "--rm", "--network", "host", "--name", s.project+"-psql-"+strconv.FormatInt(time.Now().UnixNano(), 36),
		"-e", "PGPASSWORD="+s.password, "-e", "PGCONNECT_TIMEOUT=3", pgImage,
		"psql", "-h", "127.0.0.1", "-p", strconv.Itoa(port), "-U", "postgres", "-v", "ON_ERROR_STOP=1", "-tAc", sql)
	out, err := cmd.CombinedOutput()
	return strings.TrimSpace(string(out)), err
}

func (s *pgStack) waitFor(t *testing.T, port int) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for {
		out, err := s.psql(port, "select 1")
		if err == nil && out == "1" {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("PostgreSQL does not answer on %d: %v %s", port, err, out)
		}
		time.Sleep(time.Second)
	}
}

const rowsSQL = "select string_agg(id || ':' || name, ',' order by id) from items"

// startPGWithRows starts a pgStack (skipping the test when no engine
// answers) with two rows in a table items, and returns it with Compose v2
// and its rows as rowsSQL reads them.
func startPGWithRows(t *testing.T, what string) (*pgStack, *compose.CLI, string) {
	t.Helper()
	dockertest.Engine(t)
	cli := dockertest.Compose(t)
	postgresImage(t)
	s := newPGStack(t, what)
	s.up(t, cli)
	if out, err := s.psql(s.oldPort, "create table items (id int primary key, name text); insert into items values (1, 'alpha'), (2, 'beta-"+s.project+"')"); err != nil {
		t.Fatalf("writing rows: %v %s", err, out)
	}
	return s, cli, "1:alpha,2:beta-" + s.project
}

// engineStep bounds a step that dumps, archives or recreates containers
// through the engine: minutes on a loaded machine, not the two minutes of
// a check.
const engineStep = 5 * time.Minute

func TestMigrateApplyAndRollbackOnPostgres(t *testing.T) {
	s, _, rows := startPGWithRows(t, "migrate")
	before, _ := fileSnapshot(t, s.dir)

	checkMigrationRefusals(t, s, before)

	res := run(t, invocation{args: []string{"migrate", "apply", s.dir, "--yes"}, timeout: engineStep})
	if res.code != 0 {
		t.Fatalf("migrate apply: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	t.Logf("migrate apply:\n%s", res.stdout)
	noSecretIn(t, "migrate apply", res.stdout+res.stderr, s.password)
	m := regexp.MustCompile(`(?m)^backup (\S+): 4 configuration files, 1 dump, 1 volume archive \([^)]+\), 6 files verified$`).FindStringSubmatch(res.stdout)
	if m == nil {
		t.Fatalf("no verified backup with a dump and an archive in:\n%s", res.stdout)
	}
	id := m[1]
	for _, line := range []string{
		fmt.Sprintf("postgres answers on port %d and mounts volume %s at /var/lib/postgresql/data as before", s.newPort, s.volume),
		"migrated 1 service in ",
	} {
		if !strings.Contains(res.stdout, line) {
			t.Errorf("apply output has no %q", line)
		}
	}
	// The rows are read on the new port; the old one serves nothing.
	if out, err := s.psql(s.newPort, rowsSQL); err != nil || out != rows {
		t.Errorf("rows on the new port %d: %q %v, want %q", s.newPort, out, err, rows)
	}
	if conn, err := net.DialTimeout("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(s.oldPort)), time.Second); err == nil {
		conn.Close()
		t.Errorf("the old port %d still accepts connections", s.oldPort)
	}

	checkMigrationBackup(t, s, id)
	checkRollbackOnPostgres(t, s, id, rows, before)
	checkBackupCreateAndRestore(t, s, id)
}

// checkMigrationRefusals: what would recreate the database on an empty
// volume (a renamed project, a renamed volume) is refused and changes
// nothing.
func checkMigrationRefusals(t *testing.T, s *pgStack, before map[string]string) {
	t.Helper()
	composeFile := filepath.Join(s.dir, "docker-compose.yml")
	for _, tc := range []struct{ what, from, to, says string }{
		{"renamed project", "name: " + s.project + "\n", "name: " + s.project + "-renamed\n", "runs as project " + s.project},
		{"renamed volume", "name: " + s.volume + "\n", "name: " + s.volume + "-new\n", "the recreated container would start on another (empty) volume"},
	} {
		if err := os.WriteFile(composeFile, []byte(strings.Replace(before["docker-compose.yml"], tc.from, tc.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		changed, _ := fileSnapshot(t, s.dir)
		res := run(t, invocation{args: []string{"migrate", "apply", s.dir, "--yes"}, timeout: engineStep})
		if res.code != 2 || !strings.Contains(res.stderr, "migration refused, nothing was changed") || !strings.Contains(res.stderr, tc.says) {
			t.Errorf("%s: exit %d\n%s%s", tc.what, res.code, res.stdout, res.stderr)
		}
		if now, _ := fileSnapshot(t, s.dir); !maps.Equal(now, changed) {
			t.Errorf("%s: the refused migration changed files", tc.what)
		}
		if err := os.WriteFile(composeFile, []byte(before["docker-compose.yml"]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// checkMigrationBackup: the backup of the migration holds a verified
// pg_dumpall with the rows and an archive of the volume, and never the
// password.
func checkMigrationBackup(t *testing.T, s *pgStack, id string) {
	t.Helper()
	bdir := filepath.Join(s.dir, "backups", id)
	if res := run(t, invocation{args: []string{"backup", "verify", id, s.dir}}); res.code != 0 {
		t.Errorf("backup verify: exit %d\n%s", res.code, res.stderr)
	}
	var man struct {
		Files []struct {
			Path, Kind, Tool string
		} `json:"files"`
		Volumes []struct {
			Name    string `json:"name"`
			Size    int64  `json:"size"`
			Archive string `json:"archive"`
			Live    bool   `json:"live"`
		} `json:"volumes"`
	}
	raw, err := os.ReadFile(filepath.Join(bdir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	noSecretIn(t, "manifest.json", string(raw), s.password)
	if err := json.Unmarshal(raw, &man); err != nil {
		t.Fatal(err)
	}
	if len(man.Volumes) != 1 || man.Volumes[0].Name != s.volume || man.Volumes[0].Size <= 0 || man.Volumes[0].Live {
		t.Errorf("volumes = %+v, want %s with its size, archived stopped", man.Volumes, s.volume)
	}
	dump := gunzip(t, filepath.Join(bdir, "dumps", s.project+"_postgres.sql.gz"))
	for _, want := range []string{"PostgreSQL database cluster dump complete", "CREATE TABLE public.items", "beta-" + s.project} {
		if !strings.Contains(dump, want) {
			t.Errorf("the dump has no %q", want)
		}
	}
	entries := tarEntries(t, filepath.Join(bdir, man.Volumes[0].Archive))
	if entries["portguard-volume/PG_VERSION"] != "15\n" {
		t.Errorf("the volume archive has no PG_VERSION 15 (%d entries)", len(entries))
	}
	logData, _ := os.ReadFile(filepath.Join(s.dir, "backups", "backups.log"))
	noSecretIn(t, "backups.log", string(logData), s.password)
}

// checkRollbackOnPostgres: rollback returns the old port, the rows intact,
// the files as before, in well under five minutes.
func checkRollbackOnPostgres(t *testing.T, s *pgStack, id, rows string, before map[string]string) {
	t.Helper()
	res := run(t, invocation{args: []string{"rollback", id, s.dir, "--yes"}, timeout: engineStep})
	if res.code != 0 {
		t.Fatalf("rollback: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	t.Logf("rollback:\n%s", res.stdout)
	if !strings.Contains(res.stdout, fmt.Sprintf("postgres answers on port %d and mounts volume %s", s.oldPort, s.volume)) {
		t.Errorf("rollback output:\n%s", res.stdout)
	}
	took := regexp.MustCompile(`rollback done in (\S+), within the 5m0s budget`).FindStringSubmatch(res.stdout)
	if took == nil {
		t.Fatalf("rollback reports no time within the budget:\n%s", res.stdout)
	}
	if d, err := time.ParseDuration(took[1]); err != nil || d >= 5*time.Minute {
		t.Errorf("rollback took %s", took[1])
	}
	if out, err := s.psql(s.oldPort, rowsSQL); err != nil || out != rows {
		t.Errorf("rows on the old port %d after the rollback: %q %v, want %q", s.oldPort, out, err, rows)
	}
	if after, _ := fileSnapshot(t, s.dir); !maps.Equal(after, before) {
		t.Errorf("the files after the rollback differ from the files before the migration")
	}
}

// checkBackupCreateAndRestore: backup create with the engine takes the
// dump and the archive of the running database, marked live; backup
// restore of a volume archive refuses without confirmation and into a
// volume in use or holding data, and restores into a new volume.
func checkBackupCreateAndRestore(t *testing.T, s *pgStack, id string) {
	t.Helper()
	res := run(t, invocation{args: []string{"backup", "create", s.dir}, timeout: engineStep})
	if res.code != 0 || !strings.Contains(res.stdout, "4 configuration files, 1 dump, 1 volume archive") ||
		!strings.Contains(res.stdout, "volume "+s.volume+" of postgres") || !strings.Contains(res.stdout, "archived while postgres ran") ||
		!regexp.MustCompile(`(?m)^verified 6 files of backup `).MatchString(res.stdout) {
		t.Errorf("backup create: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}

	// Restoring a volume archive is its own step: refused without
	// confirmation, refused into a volume in use, done into a new volume.
	res = run(t, invocation{args: []string{"backup", "restore", id, s.dir, "--volume", s.volume}, timeout: engineStep})
	if res.code != 2 || !strings.Contains(res.stderr, "not confirmed") {
		t.Errorf("restore without confirmation: exit %d\n%s", res.code, res.stderr)
	}
	res = run(t, invocation{args: []string{"backup", "restore", id, s.dir, "--volume", s.volume, "--yes"}, timeout: engineStep})
	if res.code != 2 || !strings.Contains(res.stderr, "in use by the running container") {
		t.Errorf("restore into the volume in use: exit %d\n%s", res.code, res.stderr)
	}
	restored := s.restored()
	res = run(t, invocation{args: []string{"backup", "restore", id, s.dir, "--volume", s.volume, "--into", restored, "--yes"}, timeout: engineStep})
	if res.code != 0 || !strings.Contains(res.stdout, "into volume "+restored) {
		t.Fatalf("restore into a new volume: exit %d\n%s%s", res.code, res.stdout, res.stderr)
	}
	out, err := exec.Command("docker", "run", "--rm", "--name", s.project+"-check", "-v", restored+":/v:ro", pgImage, "stat", "-c", "%U %a", "/v", "/v/PG_VERSION").CombinedOutput()
	if err != nil || strings.Fields(string(out))[0] != "postgres" || !strings.Contains(string(out), "postgres 700") {
		t.Errorf("restored volume: %v %s", err, out)
	}
	// A volume that holds data is never overwritten.
	res = run(t, invocation{args: []string{"backup", "restore", id, s.dir, "--volume", s.volume, "--into", restored, "--yes"}, timeout: engineStep})
	if res.code != 2 || !strings.Contains(res.stderr, "holds data") {
		t.Errorf("restore into a volume with data: exit %d\n%s", res.code, res.stderr)
	}
}

// When docker compose, as the stack was started (here with --env-file),
// would not publish the new port, apply rolls back by itself: the files
// as before, the database on its old port with its rows.
func TestMigrateApplyRollsBackByItself(t *testing.T) {
	dockertest.Engine(t)
	cli := dockertest.Compose(t)
	postgresImage(t)
	s := newPGStack(t, "rollsback")
	envFile := filepath.Join(s.dir, "deploy.env")
	if err := os.WriteFile(envFile, []byte(fmt.Sprintf("POSTGRES_PORT=%d\nPOSTGRES_PASSWORD=%s\n", s.oldPort, s.password)), 0o644); err != nil {
		t.Fatal(err)
	}
	s.up(t, cli, envFile)
	if out, err := s.psql(s.oldPort, "create table items (id int primary key, name text); insert into items values (1, 'kept')"); err != nil {
		t.Fatalf("writing rows: %v %s", err, out)
	}
	before, _ := fileSnapshot(t, s.dir)
	res := run(t, invocation{args: []string{"migrate", "apply", s.dir, "--yes"}, timeout: engineStep})
	if res.code != 1 {
		t.Fatalf("migrate apply: exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	noSecretIn(t, "migrate apply", res.stdout+res.stderr, s.password)
	for _, want := range []string{"--env-file " + envFile, "would publish [" + strconv.Itoa(s.oldPort) + "]", "rolled back to backup"} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr has no %q:\n%s", want, res.stderr)
		}
	}
	if !strings.Contains(res.stdout, fmt.Sprintf("postgres answers on port %d again", s.oldPort)) {
		t.Errorf("stdout:\n%s", res.stdout)
	}
	if after, _ := fileSnapshot(t, s.dir); !maps.Equal(after, before) {
		t.Error("the files after the automatic rollback differ from before")
	}
	if out, err := s.psql(s.oldPort, rowsSQL); err != nil || out != "1:kept" {
		t.Errorf("rows on the old port: %q %v", out, err)
	}
}

func noSecretIn(t *testing.T, what, s, secret string) {
	t.Helper()
	if strings.Contains(s, secret) {
		t.Errorf("%s holds the password", what)
	}
}

func gunzip(t *testing.T, p string) string {
	t.Helper()
	f, err := os.Open(p)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// tarEntries maps the small regular files of a gzipped tar to their
// content (larger ones to "").
func tarEntries(t *testing.T, p string) map[string]string {
	t.Helper()
	out := map[string]string{}
	tr := tar.NewReader(strings.NewReader(gunzip(t, p)))
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = ""
		if h.Size < 1024 {
			b, _ := io.ReadAll(tr)
			out[h.Name] = string(b)
		}
	}
}
