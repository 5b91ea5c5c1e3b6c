package backup

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/osfile"
)

// Restored says what a restore of the configuration did, file by file
// (paths relative to the root).
type Restored struct {
	Written   []string `json:"written"`
	Unchanged []string `json:"unchanged"`
	// Removed are files that did not exist when the backup was taken; the
	// caller has saved them first (rollback takes a backup of the current
	// files before it restores).
	Removed []string `json:"removed"`
}

// RestoreConfig puts the configuration files of the backup in dir back
// under root byte for byte. Every stored file is read and its checksum
// checked before the first write; each write is atomic (a process killed
// at any point leaves every file old or restored) and keeps the mode the
// file had when it was backed up.
func RestoreConfig(dir string, m *Manifest, root string) (*Restored, error) {
	type pending struct {
		target string
		rel    string
		data   []byte
		mode   fs.FileMode
	}
	var todo []pending
	for _, f := range m.Files {
		if f.Kind != KindConfig {
			continue
		}
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			return nil, fmt.Errorf("backup %s: cannot read %s: %w", m.ID, f.Path, osfile.Reason(err))
		}
		sum := sha256.Sum256(data)
		if hex.EncodeToString(sum[:]) != f.SHA256 {
			return nil, fmt.Errorf("backup %s: %s does not match its checksum; nothing was restored", m.ID, f.Path)
		}
		mode := fs.FileMode(0o644)
		if n, err := strconv.ParseUint(f.Mode, 8, 32); err == nil {
			mode = fs.FileMode(n).Perm()
		}
		todo = append(todo, pending{target: filepath.Join(root, filepath.FromSlash(f.Source)), rel: f.Source, data: data, mode: mode})
	}
	r := &Restored{Written: []string{}, Unchanged: []string{}, Removed: []string{}}
	for _, p := range todo {
		if cur, err := os.ReadFile(p.target); err == nil && bytes.Equal(cur, p.data) {
			r.Unchanged = append(r.Unchanged, p.rel)
			continue
		}
		if err := os.MkdirAll(filepath.Dir(p.target), 0o755); err != nil {
			return r, fmt.Errorf("cannot restore %s: %w", p.rel, osfile.Reason(err))
		}
		if err := atomicfile.WriteFile(p.target, p.data, p.mode); err != nil {
			return r, fmt.Errorf("cannot restore %s: %w", p.rel, osfile.Reason(err))
		}
		r.Written = append(r.Written, p.rel)
	}
	for _, rel := range m.Absent {
		target := filepath.Join(root, filepath.FromSlash(rel))
		st, err := os.Lstat(target)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return r, fmt.Errorf("cannot restore %s: %w", rel, osfile.Reason(err))
		}
		if !st.Mode().IsRegular() {
			return r, fmt.Errorf("cannot restore %s: it did not exist when backup %s was taken, and it is not a regular file now", rel, m.ID)
		}
		if err := os.Remove(target); err != nil {
			return r, fmt.Errorf("cannot restore %s (absent when backup %s was taken): %w", rel, m.ID, osfile.Reason(err))
		}
		r.Removed = append(r.Removed, rel)
	}
	return r, nil
}
