package backup

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/portguard/portguard/internal/osfile"
)

// Problem is a stored file that fails verification.
type Problem struct {
	Path   string `json:"path"`
	Reason string `json:"reason"`
}

func (p Problem) String() string { return p.Path + ": " + p.Reason }

// Result is the outcome of verifying a backup.
type Result struct {
	ID       string    `json:"id"`
	Dir      string    `json:"dir"`
	Manifest *Manifest `json:"-"`
	Checked  int       `json:"checked"`
	Problems []Problem `json:"problems"`
}

// OK reports whether every file passed.
func (r *Result) OK() bool { return len(r.Problems) == 0 }

// The markers pg_dumpall writes at the start and at the end of a dump: a
// dump without its trailer was cut short.
const (
	pgDumpHeader  = "-- PostgreSQL database cluster dump"
	pgDumpTrailer = "-- PostgreSQL database cluster dump complete"
)

// Verify checks every file of the backup in dir against its manifest: it
// exists inside the backup and is a regular file, its size and sha256 are
// the recorded ones, dumps and archives are not empty, a gzip file reads
// to its end, an archive is a tar that reads to its end, and a
// pg_dumpall dump has its header and its trailer. An error means the
// backup cannot be verified at all (no manifest); bad files are Problems.
func Verify(dir string) (*Result, error) {
	m, err := ReadManifest(dir)
	if err != nil {
		return nil, err
	}
	r := &Result{ID: m.ID, Dir: dir, Manifest: m, Problems: []Problem{}}
	seen := map[string]bool{}
	for _, f := range m.Files {
		r.Checked++
		if seen[f.Path] {
			r.Problems = append(r.Problems, Problem{f.Path, "listed twice in the manifest"})
			continue
		}
		seen[f.Path] = true
		if reason := verifyFile(dir, f); reason != "" {
			r.Problems = append(r.Problems, Problem{f.Path, reason})
		}
	}
	return r, nil
}

func verifyFile(dir string, f File) string {
	clean := path.Clean(f.Path)
	if f.Path == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") || strings.Contains(f.Path, `\`) {
		return "the manifest points outside the backup"
	}
	p := filepath.Join(dir, filepath.FromSlash(clean))
	st, err := os.Lstat(p)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "missing"
		}
		return "cannot read: " + osfile.Reason(err).Error()
	}
	if !st.Mode().IsRegular() {
		return "not a regular file"
	}
	if st.Size() == 0 && f.Kind != KindConfig {
		return "empty"
	}
	if st.Size() != f.Size {
		return fmt.Sprintf("size %d, the manifest says %d", st.Size(), f.Size)
	}
	in, err := os.Open(p)
	if err != nil {
		return "cannot read: " + osfile.Reason(err).Error()
	}
	defer in.Close()
	h := sha256.New()
	var check func(io.Reader) string
	switch f.Kind {
	case KindDump:
		check = func(r io.Reader) string { return checkGzip(r, checkDump(f.Tool)) }
	case KindVolume:
		check = func(r io.Reader) string { return checkGzip(r, checkTar) }
	}
	reason := ""
	if check != nil {
		// The format is read through the same bytes that are hashed.
		reason = check(io.TeeReader(in, h))
	}
	if _, err := io.Copy(h, in); err != nil {
		return "cannot read: " + osfile.Reason(err).Error()
	}
	if sum := hex.EncodeToString(h.Sum(nil)); sum != f.SHA256 {
		return "checksum mismatch: sha256 " + sum + ", the manifest says " + f.SHA256
	}
	return reason
}

// checkGzip reads a gzip stream to its end and checks the content.
func checkGzip(r io.Reader, content func(io.Reader) string) string {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return "not a gzip file: " + err.Error()
	}
	defer zr.Close()
	if reason := content(zr); reason != "" {
		return reason
	}
	// The content may stop before the stream does (tar's end blocks).
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return "gzip is not readable to the end: " + err.Error()
	}
	return ""
}

// checkDump checks a dump's markers; a tool without markers is only read.
func checkDump(tool string) func(io.Reader) string {
	return func(r io.Reader) string {
		if tool != "pg_dumpall" {
			if _, err := io.Copy(io.Discard, r); err != nil {
				return "gzip is not readable to the end: " + err.Error()
			}
			return ""
		}
		head := make([]byte, 512)
		n, err := io.ReadFull(r, head)
		if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
			return "gzip is not readable to the end: " + err.Error()
		}
		head = head[:n]
		tail := &tailBuffer{max: 512}
		tail.Write(head)
		if _, err := io.Copy(tail, r); err != nil {
			return "gzip is not readable to the end: " + err.Error()
		}
		if !bytes.Contains(head, []byte(pgDumpHeader+"\n")) {
			return "no pg_dumpall header (" + pgDumpHeader + ")"
		}
		if !bytes.Contains(tail.buf, []byte(pgDumpTrailer+"\n")) {
			return "no pg_dumpall trailer (" + pgDumpTrailer + "): the dump was cut short"
		}
		return ""
	}
}

// checkTar reads every entry of a tar to its end.
func checkTar(r io.Reader) string {
	tr := tar.NewReader(r)
	entries := 0
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return fmt.Sprintf("tar is not readable to the end (after %d entries): %v", entries, err)
		}
		if _, err := io.Copy(io.Discard, tr); err != nil {
			return fmt.Sprintf("tar entry %s is not readable: %v", h.Name, err)
		}
		entries++
	}
	if entries == 0 {
		return "the tar archive holds no entry"
	}
	return ""
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.buf = append(t.buf, p...)
	if len(t.buf) > t.max {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-t.max:]...)
	}
	return len(p), nil
}
