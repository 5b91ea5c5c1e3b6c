package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/treetest"
)

var stack = map[string]string{
	".env":                         "POSTGRES_PORT=5433\nPOSTGRES_PASSWORD=hunter2-secret\n",
	"docker-compose.yml":           "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"${POSTGRES_PORT:-5433}:5432\"\n",
	"tools/compose/compose.db.yml": "services: {}\n",
	"PORTS-CONVENTION.md":          "| Port | Service |\n|---|---|\n| 5433 | postgres |\n",
}

func fixedNow() time.Time { return time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC) }

func create(t *testing.T, root, dir string, streams ...Stream) (*Manifest, string) {
	t.Helper()
	m, bdir, err := Create(context.Background(), Options{
		Dir: dir, Root: root, Config: []string{".env", "PORTS-CONVENTION.md", "docker-compose.yml", "tools/compose/compose.db.yml"},
		Absent: []string{".portguard.yaml"}, Streams: streams, Reason: "test", Version: "v1.2.3", Now: fixedNow,
	})
	if err != nil {
		t.Fatal(err)
	}
	return m, bdir
}

func TestConfigOnlyBackupRecordsEveryFile(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	dir := filepath.Join(root, "backups")
	m, bdir := create(t, root, dir)
	if m.ID != "20260304T050607Z" || bdir != filepath.Join(dir, m.ID) || !m.ConfigOnly || m.PortguardVersion != "v1.2.3" {
		t.Fatalf("manifest = %+v in %s", m, bdir)
	}
	if !slices.Equal(m.Absent, []string{".portguard.yaml"}) {
		t.Errorf("absent = %v", m.Absent)
	}
	// The manifest on disk is the one returned, and holds the sha256 of
	// every configuration file.
	onDisk, err := ReadManifest(bdir)
	if err != nil {
		t.Fatal(err)
	}
	if len(onDisk.Files) != len(stack) {
		t.Fatalf("%d files in the manifest, want %d", len(onDisk.Files), len(stack))
	}
	for _, f := range onDisk.Files {
		content, ok := stack[f.Source]
		if !ok {
			t.Errorf("unexpected file %s", f.Source)
			continue
		}
		sum := sha256.Sum256([]byte(content))
		if f.Kind != KindConfig || f.SHA256 != hex.EncodeToString(sum[:]) || f.Size != int64(len(content)) || f.Path != "config/"+f.Source || f.Mode != "0644" {
			t.Errorf("%s: %+v", f.Source, f)
		}
		stored, err := os.ReadFile(filepath.Join(bdir, filepath.FromSlash(f.Path)))
		if err != nil || string(stored) != content {
			t.Errorf("%s stored as %q (%v)", f.Path, stored, err)
		}
	}
	// No secret value in the manifest or the log.
	for _, name := range []string{filepath.Join(bdir, ManifestName), filepath.Join(dir, LogName)} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(data, []byte("hunter2")) {
			t.Errorf("%s holds a secret:\n%s", name, data)
		}
	}
	var entry LogEntry
	logData, _ := os.ReadFile(filepath.Join(dir, LogName))
	if err := json.Unmarshal(logData, &entry); err != nil {
		t.Fatalf("log %q: %v", logData, err)
	}
	if entry.ID != m.ID || entry.Path != bdir || entry.ConfigFiles != 4 || entry.Reason != "test" || !entry.ConfigOnly {
		t.Errorf("log entry = %+v", entry)
	}
	// The backups root keeps out of git and out of discovery.
	for _, name := range []string{".gitignore", MarkerName} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestBackupPermissions(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no POSIX permissions on Windows")
	}
	root := treetest.WriteTemp(t, stack)
	dir := filepath.Join(root, "backups")
	_, bdir := create(t, root, dir, dumpStream("dumps/a.sql.gz", completeDump))
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		want := fs.FileMode(0o600)
		if d.IsDir() {
			want = 0o700
		}
		if st.Mode().Perm() != want {
			t.Errorf("%s: mode %v, want %v", p, st.Mode().Perm(), want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(bdir, "dumps", "a.sql.gz")); err != nil {
		t.Fatal(err)
	}
}

func TestTwoBackupsInOneSecond(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	dir := filepath.Join(root, "backups")
	a, _ := create(t, root, dir)
	b, _ := create(t, root, dir)
	if a.ID == b.ID || b.ID != a.ID+"-2" {
		t.Fatalf("ids %s and %s", a.ID, b.ID)
	}
	list, err := List(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].ID != a.ID || list[1].ID != b.ID || !list[0].Complete || list[0].ConfigFiles != 4 {
		t.Errorf("list = %+v", list)
	}
	lines := strings.Split(strings.TrimSpace(readFile(t, filepath.Join(dir, LogName))), "\n")
	if len(lines) != 2 {
		t.Errorf("log has %d lines, want 2", len(lines))
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestVerifyPassesThenFailsOnOneChangedByte(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	_, bdir := create(t, root, filepath.Join(root, "backups"))
	r, err := Verify(bdir)
	if err != nil {
		t.Fatal(err)
	}
	if !r.OK() || r.Checked != 4 {
		t.Fatalf("verify: %+v", r)
	}
	p := filepath.Join(bdir, "config", "docker-compose.yml")
	data := []byte(readFile(t, p))
	data[10] ^= 0x01
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = Verify(bdir)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Problems) != 1 || r.Problems[0].Path != "config/docker-compose.yml" || !strings.HasPrefix(r.Problems[0].Reason, "checksum mismatch") {
		t.Fatalf("problems = %v", r.Problems)
	}
}

const completeDump = "--\n-- PostgreSQL database cluster dump\n--\n\nCREATE ROLE app;\n\n--\n-- PostgreSQL database cluster dump complete\n--\n\n"

func dumpStream(path, content string) Stream {
	return Stream{Path: path, Kind: KindDump, Source: "shop/postgres", Container: "shop-postgres-1", Tool: "pg_dumpall",
		Write: func(_ context.Context, w io.Writer) error { _, err := io.WriteString(w, content); return err }}
}

func tarStream(path string, files map[string]string) Stream {
	return Stream{Path: path, Kind: KindVolume, Source: "shop_pgdata",
		Write: func(_ context.Context, w io.Writer) error {
			tw := tar.NewWriter(w)
			for _, name := range slices.Sorted(func(yield func(string) bool) {
				for k := range files {
					if !yield(k) {
						return
					}
				}
			}) {
				if err := tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: int64(len(files[name])), Typeflag: tar.TypeReg}); err != nil {
					return err
				}
				if _, err := io.WriteString(tw, files[name]); err != nil {
					return err
				}
			}
			return tw.Close()
		}}
}

func TestVerifyDumpsAndArchives(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	streams := []Stream{
		dumpStream("dumps/good.sql.gz", completeDump),
		dumpStream("dumps/cut.sql.gz", completeDump[:60]),
		dumpStream("dumps/headless.sql.gz", "CREATE ROLE app;\n"+completeDump[40:]),
		tarStream("volumes/good.tar.gz", map[string]string{"data/PG_VERSION": "15\n", "data/base/1": strings.Repeat("x", 5000)}),
		tarStream("volumes/empty.tar.gz", map[string]string{}),
	}
	_, bdir := create(t, root, filepath.Join(root, "backups"), streams...)
	r, err := Verify(bdir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, p := range r.Problems {
		got[p.Path] = p.Reason
	}
	want := map[string]string{
		"dumps/cut.sql.gz":      "no pg_dumpall trailer (-- PostgreSQL database cluster dump complete): the dump was cut short",
		"dumps/headless.sql.gz": "no pg_dumpall header (-- PostgreSQL database cluster dump)",
		"volumes/empty.tar.gz":  "the tar archive holds no entry",
	}
	if !equalMaps(got, want) {
		t.Fatalf("problems = %v, want %v", got, want)
	}

	// A gzip file cut short: its checksum fails and so does its format.
	p := filepath.Join(bdir, "volumes", "good.tar.gz")
	data := []byte(readFile(t, p))
	m, _ := ReadManifest(bdir)
	for i, f := range m.Files {
		if f.Path == "volumes/good.tar.gz" {
			// Keep the manifest consistent with the cut file, so that the
			// format check alone has to find it.
			cut := data[:len(data)-30]
			sum := sha256.Sum256(cut)
			m.Files[i].Size, m.Files[i].SHA256 = int64(len(cut)), hex.EncodeToString(sum[:])
			if err := os.WriteFile(p, cut, 0o600); err != nil {
				t.Fatal(err)
			}
		}
	}
	raw, _ := json.Marshal(m)
	if err := os.WriteFile(filepath.Join(bdir, ManifestName), raw, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err = Verify(bdir)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, pr := range r.Problems {
		if pr.Path == "volumes/good.tar.gz" {
			found = strings.Contains(pr.Reason, "not readable to the end")
			if !found {
				t.Errorf("cut archive: %s", pr.Reason)
			}
		}
	}
	if !found {
		t.Errorf("the cut archive passed: %v", r.Problems)
	}
}

func equalMaps(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestVerifyMissingAndEmptyFiles(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	_, bdir := create(t, root, filepath.Join(root, "backups"), dumpStream("dumps/a.sql.gz", completeDump))
	if err := os.Remove(filepath.Join(bdir, "config", ".env")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bdir, "dumps", "a.sql.gz"), nil, 0o600); err != nil {
		t.Fatal(err)
	}
	r, err := Verify(bdir)
	if err != nil {
		t.Fatal(err)
	}
	want := []Problem{{"config/.env", "missing"}, {"dumps/a.sql.gz", "empty"}}
	if !slices.Equal(r.Problems, want) {
		t.Errorf("problems = %v, want %v", r.Problems, want)
	}
	// Without a manifest the backup is incomplete.
	if err := os.Rename(filepath.Join(bdir, ManifestName), filepath.Join(bdir, "saved.json")); err != nil {
		t.Fatal(err)
	}
	if _, err := Verify(bdir); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("verify without manifest: %v", err)
	}
	list, _ := List(filepath.Join(root, "backups"))
	if len(list) != 1 || list[0].Complete || list[0].Error == "" {
		t.Errorf("list = %+v", list)
	}
}

// An empty configuration file (an empty .env) is backed up and verifies:
// it has the size the manifest records.
func TestEmptyConfigFileVerifies(t *testing.T) {
	root := treetest.WriteTemp(t, map[string]string{".env": "", "docker-compose.yml": "services: {}\n"})
	_, bdir, err := Create(context.Background(), Options{Dir: filepath.Join(root, "b"), Root: root, Config: []string{".env", "docker-compose.yml"}})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Verify(bdir)
	if err != nil || !r.OK() {
		t.Fatalf("verify: %+v, %v", r, err)
	}
}

func TestRestoreConfigByteForByte(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	m, bdir := create(t, root, filepath.Join(root, "backups"))
	// The migration rewrote two files, created the config and left the
	// table alone.
	if err := os.WriteFile(filepath.Join(root, ".env"), []byte("POSTGRES_PORT=7000\nPOSTGRES_PASSWORD=hunter2-secret\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, "docker-compose.yml"), []byte("services: {}\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, ".portguard.yaml"), []byte("fail_on: error\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	r, err := RestoreConfig(bdir, m, root)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(r.Written, []string{".env", "docker-compose.yml"}) || !slices.Equal(r.Removed, []string{".portguard.yaml"}) || len(r.Unchanged) != 2 {
		t.Errorf("restored = %+v", r)
	}
	for name, content := range stack {
		if got := readFile(t, filepath.Join(root, filepath.FromSlash(name))); got != content {
			t.Errorf("%s = %q, want %q", name, got, content)
		}
	}
	if _, err := os.Stat(filepath.Join(root, ".portguard.yaml")); !os.IsNotExist(err) {
		t.Errorf(".portguard.yaml: %v", err)
	}
	// A stored file that no longer matches its checksum: nothing is written.
	if err := os.WriteFile(filepath.Join(root, ".env"), []byte("changed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(bdir, "config", "docker-compose.yml"), []byte("tampered\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := RestoreConfig(bdir, m, root); err == nil || !strings.Contains(err.Error(), "does not match its checksum") {
		t.Fatalf("restore of a tampered backup: %v", err)
	}
	if got := readFile(t, filepath.Join(root, ".env")); got != "changed\n" {
		t.Errorf(".env was written: %q", got)
	}
}

func TestResolve(t *testing.T) {
	root := treetest.WriteTemp(t, stack)
	dir := filepath.Join(root, "backups")
	m, bdir := create(t, root, dir)
	for _, id := range []string{m.ID, bdir} {
		got, err := Resolve(dir, id)
		if err != nil || got != bdir {
			t.Errorf("Resolve(%q) = %q, %v", id, got, err)
		}
	}
	if _, err := Resolve(dir, "20990101T000000Z"); err == nil || !strings.Contains(err.Error(), "no backup 20990101T000000Z") {
		t.Errorf("unknown id: %v", err)
	}
}
