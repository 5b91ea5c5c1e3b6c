// Package scaffold holds the files `portguard init` writes into a
// repository: a .portguard.yaml with every key at its default, and an
// example custom rule with its Rego unit test.
package scaffold

import (
	"embed"
	"io/fs"
	"sort"
)

//go:embed all:files
var files embed.FS

// File is one file to write, at Path relative to the repository root
// (slash-separated).
type File struct {
	Path string
	Data []byte
}

// Files returns the scaffold, sorted by path.
func Files() []File {
	var out []File
	// The tree is embedded: walking it cannot fail.
	_ = fs.WalkDir(files, "files", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := files.ReadFile(p)
		if err != nil {
			return err
		}
		out = append(out, File{Path: p[len("files/"):], Data: data})
		return nil
	})
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// PolicyDir is the directory of the example rule, for `--policy`.
const PolicyDir = "policy"
