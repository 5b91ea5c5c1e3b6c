// Package treetest reads, writes and copies files and trees of files for
// tests: a fixture copied where a command may rewrite it, a tree read whole
// to compare it before and after, the files of a test repository.
package treetest

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"
)

// Read maps every file under root (its slash path relative to root) to its
// content.
func Read(t testing.TB, root string) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(root, p)
		out[filepath.ToSlash(rel)] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// ReadFile is the content of the file at p.
func ReadFile(t testing.TB, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// Copy copies the tree at src into dst, byte for byte: directories 0755,
// files 0644 (a link is copied as the file it points to).
func Copy(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// CopyTemp copies the tree at src into a new temporary directory of the
// test, and returns it.
func CopyTemp(t testing.TB, src string) string {
	t.Helper()
	dst := t.TempDir()
	Copy(t, src, dst)
	return dst
}

// Write writes files (slash path relative to dir -> content) under dir,
// with the directories they need.
func Write(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// WriteTemp writes files into a new temporary directory of the test, and
// returns it.
func WriteTemp(t testing.TB, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	Write(t, dir, files)
	return dir
}
