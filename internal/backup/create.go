package backup

import (
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/osfile"
)

// Stream is a file of the backup produced by writing to it: a dump made
// inside a container, a volume's archive.
type Stream struct {
	// Path is where it goes in the backup ("dumps/shop_postgres.sql.gz").
	Path      string
	Kind      string
	Source    string
	Container string
	Tool      string
	// Write writes the content, uncompressed: the backup compresses it
	// with gzip.
	Write func(ctx context.Context, w io.Writer) error
}

// Options say what a backup takes and where it goes.
type Options struct {
	// Dir is the backups root (created 0700 when absent).
	Dir string
	// Root is the directory the configuration files are relative to.
	Root string
	// Config are the configuration files to copy (relative to Root, with
	// slashes; "../" for a file outside it); Absent the configuration
	// files that do not exist now.
	Config []string
	Absent []string
	// Streams are the dumps and archives, written in order.
	Streams  []Stream
	Volumes  []Volume
	Services []ServiceState
	Reason   string
	Version  string
	// Now gives the time (time.Now when nil).
	Now func() time.Time
}

// Create takes a backup: a new directory named for the UTC time, the
// configuration files copied byte for byte, each stream written
// compressed, and the manifest last, atomically; then a line in the log.
// On error the directory stays without a manifest (an incomplete backup,
// listed as such) and the error says which file failed.
func Create(ctx context.Context, o Options) (*Manifest, string, error) {
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	if err := initRoot(o.Dir); err != nil {
		return nil, "", err
	}
	root, err := filepath.Abs(o.Root)
	if err != nil {
		return nil, "", err
	}
	created := now().UTC().Truncate(time.Second)
	id, dir, err := newBackupDir(o.Dir, created)
	if err != nil {
		return nil, "", err
	}
	m := &Manifest{
		Version: ManifestVersion, ID: id, Created: created, PortguardVersion: o.Version,
		Root: root, Reason: o.Reason, ConfigOnly: len(o.Streams) == 0 && len(o.Volumes) == 0,
		Files: []File{}, Absent: nonNil(o.Absent), Volumes: nonNil(o.Volumes), Services: nonNil(o.Services),
	}
	for _, rel := range o.Config {
		f, err := copyConfig(root, dir, rel, now)
		if err != nil {
			return nil, dir, err
		}
		m.Files = append(m.Files, f)
	}
	for _, s := range o.Streams {
		if err := ctx.Err(); err != nil {
			return nil, dir, err
		}
		f, err := writeStream(ctx, dir, s, now)
		if err != nil {
			return nil, dir, fmt.Errorf("%s: %w", s.Path, err)
		}
		m.Files = append(m.Files, f)
		for i := range m.Volumes {
			if s.Kind == KindVolume && m.Volumes[i].Name == s.Source && m.Volumes[i].Archive == "" {
				m.Volumes[i].Archive = f.Path
			}
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, dir, err
	}
	if err := atomicfile.WriteFile(filepath.Join(dir, ManifestName), append(data, '\n'), 0o600); err != nil {
		return nil, dir, err
	}
	if err := appendLog(o.Dir, m, dir); err != nil {
		return m, dir, fmt.Errorf("backup %s is complete, but its log line was not written: %w", id, err)
	}
	return m, dir, nil
}

// initRoot creates the backups root with its marker (discovery skips the
// directory) and a .gitignore that keeps the backups, which hold
// secrets, out of git.
func initRoot(dir string) error {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("cannot create the backups directory: %w", err)
	}
	files := map[string]string{
		MarkerName:   "portguard backups: portguard never searches this directory for compose or .env files.\n",
		".gitignore": "# portguard backups hold secrets (.env, database dumps): never commit them.\n*\n",
	}
	for name, content := range files {
		p := filepath.Join(dir, name)
		if _, err := os.Lstat(p); err == nil {
			continue
		}
		if err := atomicfile.WriteFile(p, []byte(content), 0o600); err != nil {
			return err
		}
	}
	return nil
}

// newBackupDir creates the directory of a new backup, named for its UTC
// time; a second backup within the same second gets a suffix.
func newBackupDir(root string, t time.Time) (string, string, error) {
	base := t.Format(idLayout)
	for n := 1; n < 1000; n++ {
		id := base
		if n > 1 {
			id = fmt.Sprintf("%s-%d", base, n)
		}
		dir := filepath.Join(root, id)
		err := os.Mkdir(dir, 0o700)
		if err == nil {
			return id, dir, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", "", fmt.Errorf("cannot create the backup directory: %w", err)
		}
	}
	return "", "", fmt.Errorf("cannot create a backup directory for %s in %s: too many backups in that second", base, root)
}

// configPath is where a configuration file goes in the backup: under
// config/, at its path relative to the root; a file outside the root
// (given with -f ../x.yml) under config/_outside/ at its absolute path.
func configPath(root, rel string) string {
	if rel == ".." || strings.HasPrefix(rel, "../") {
		abs := filepath.ToSlash(filepath.Clean(filepath.Join(root, filepath.FromSlash(rel))))
		abs = strings.TrimPrefix(strings.ReplaceAll(abs, ":", ""), "/")
		return path.Join("config", "_outside", abs)
	}
	return path.Join("config", rel)
}

func copyConfig(root, dir, rel string, now func() time.Time) (File, error) {
	src := filepath.Join(root, filepath.FromSlash(rel))
	st, err := os.Stat(src)
	if err != nil {
		return File{}, fmt.Errorf("cannot read %s: %w", rel, osfile.Reason(err))
	}
	if !st.Mode().IsRegular() {
		return File{}, fmt.Errorf("%s is not a regular file", rel)
	}
	in, err := os.Open(src)
	if err != nil {
		return File{}, fmt.Errorf("cannot read %s: %w", rel, osfile.Reason(err))
	}
	defer in.Close()
	f := File{Path: configPath(root, rel), Kind: KindConfig, Source: rel, Mode: fmt.Sprintf("%04o", st.Mode().Perm())}
	out, err := createStored(dir, f.Path)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(out, h), in)
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, fmt.Errorf("cannot copy %s: %w", rel, osfile.Reason(err))
	}
	f.Size, f.SHA256, f.Time = n, hex.EncodeToString(h.Sum(nil)), now().UTC()
	return f, nil
}

func writeStream(ctx context.Context, dir string, s Stream, now func() time.Time) (File, error) {
	f := File{Path: s.Path, Kind: s.Kind, Source: s.Source, Container: s.Container, Tool: s.Tool}
	out, err := createStored(dir, s.Path)
	if err != nil {
		return File{}, err
	}
	h := sha256.New()
	c := &counter{}
	zw := gzip.NewWriter(io.MultiWriter(out, h, c))
	err = s.Write(ctx, zw)
	if cerr := zw.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = out.Sync()
	}
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return File{}, err
	}
	f.Size, f.SHA256, f.Time = c.n, hex.EncodeToString(h.Sum(nil)), now().UTC()
	return f, nil
}

// createStored creates a new file of the backup (0600, in 0700
// directories); it never overwrites one.
func createStored(dir, rel string) (*os.File, error) {
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
		return nil, err
	}
	return os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
}

type counter struct{ n int64 }

func (c *counter) Write(p []byte) (int, error) {
	c.n += int64(len(p))
	return len(p), nil
}

// LogEntry is one line of the backups log.
type LogEntry struct {
	Time             time.Time `json:"time"`
	ID               string    `json:"id"`
	Path             string    `json:"path"`
	Reason           string    `json:"reason"`
	ConfigOnly       bool      `json:"config_only"`
	ConfigFiles      int       `json:"config_files"`
	Dumps            int       `json:"dumps"`
	Volumes          int       `json:"volumes"`
	Bytes            int64     `json:"bytes"`
	PortguardVersion string    `json:"portguard_version"`
}

// appendLog appends the backup's line to the log with one write, so
// concurrent backups never interleave their lines.
func appendLog(root string, m *Manifest, dir string) error {
	cfg, dumps, vols, bytes := m.Counts()
	abs, err := filepath.Abs(dir)
	if err != nil {
		abs = dir
	}
	line, err := json.Marshal(LogEntry{
		Time: m.Created, ID: m.ID, Path: abs, Reason: m.Reason, ConfigOnly: m.ConfigOnly,
		ConfigFiles: cfg, Dumps: dumps, Volumes: vols, Bytes: bytes, PortguardVersion: m.PortguardVersion,
	})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(root, LogName), os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	_, err = f.Write(append(line, '\n'))
	if serr := f.Sync(); err == nil {
		err = serr
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
