package fix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/osfile"
)

// textFile is one file of the repository as the fixes see it: its bytes,
// where its lines start, and the line ending it uses.
type textFile struct {
	path   string // relative to the root, with slashes
	abs    string
	data   []byte
	exists bool
	bom    int   // 3 when the file starts with a UTF-8 byte order mark
	starts []int // byte offset where each line starts
	eol    string
	// tables are the convention tables of data, parsed on first use
	// (Resolve asks for them once per finding).
	tables []input.ConventionTable
	parsed bool
	// env are the variables the file defines, as a .env, read on first
	// use (see envDefinitions).
	env map[string]envDefinition
}

// envDefinitions reads the file's variables once.
func (f *textFile) envDefinitions() map[string]envDefinition {
	if f.env == nil {
		f.env = envDefinitions(f)
	}
	return f.env
}

// conventionTables parses the file's convention tables once.
func (f *textFile) conventionTables() []input.ConventionTable {
	if !f.parsed {
		f.tables, f.parsed = input.ConventionTables(f.data), true
	}
	return f.tables
}

func newTextFile(rel, abs string, data []byte, exists bool) *textFile {
	f := &textFile{path: rel, abs: abs, data: data, exists: exists, eol: "\n"}
	if bytes.HasPrefix(data, []byte("\xef\xbb\xbf")) {
		f.bom = 3
	}
	f.starts = []int{0}
	for i, c := range data {
		if c == '\n' {
			f.starts = append(f.starts, i+1)
		}
	}
	if bytes.Contains(data, []byte("\r\n")) {
		f.eol = "\r\n"
	}
	return f
}

// lines is the number of lines; a final line ending does not start one.
func (f *textFile) lines() int {
	n := len(f.starts)
	if n > 1 && f.starts[n-1] == len(f.data) {
		n--
	}
	return n
}

// lineSpan gives the bytes of line n (1-based) without its line ending;
// the byte order mark is not part of line 1.
func (f *textFile) lineSpan(n int) (start, end int, ok bool) {
	if n < 1 || n > f.lines() {
		return 0, 0, false
	}
	start = f.starts[n-1]
	if n == 1 {
		start = f.bom
	}
	end = len(f.data)
	if n < len(f.starts) {
		end = f.starts[n] - 1
	}
	if end > start && f.data[end-1] == '\r' {
		end--
	}
	return start, end, true
}

func (f *textFile) line(n int) []byte {
	s, e, ok := f.lineSpan(n)
	if !ok {
		return nil
	}
	return f.data[s:e]
}

// offset converts line and column (1-based, in characters) to a byte
// offset; the column may be one past the end of the line.
func (f *textFile) offset(line, col int) (int, error) {
	s, e, ok := f.lineSpan(line)
	if !ok {
		return 0, fmt.Errorf("%s:%d: no such line (the file has %d)", f.path, line, f.lines())
	}
	off := s
	for c := 1; c < col; c++ {
		if off >= e {
			return 0, fmt.Errorf("%s:%d:%d: no such column (the line has %d characters)", f.path, line, col, utf8.RuneCount(f.data[s:e]))
		}
		_, size := utf8.DecodeRune(f.data[off:e])
		off += size
	}
	return off, nil
}

// position converts a byte offset to line and column (1-based, in
// characters). The end of a file that ends with a line ending is column 1
// of the line after the last.
func (f *textFile) position(off int) (line, col int) {
	i, found := slices.BinarySearch(f.starts, off)
	if !found {
		i--
	}
	start := f.starts[i]
	if i == 0 {
		start = min(f.bom, off)
	}
	return i + 1, utf8.RuneCount(f.data[start:off]) + 1
}

// endsWithEOL reports whether the file is empty or ends with a line ending.
func (f *textFile) endsWithEOL() bool {
	return len(f.data) == 0 || f.data[len(f.data)-1] == '\n'
}

// workspace reads the files the fixes touch, once each, from under root.
type workspace struct {
	root  string
	files map[string]*textFile
}

func newWorkspace(root string) *workspace {
	return &workspace{root: root, files: map[string]*textFile{}}
}

// file reads rel (relative to the root, with slashes). A missing file is
// empty and does not exist; the fixes may create it.
func (w *workspace) file(rel string) (*textFile, error) {
	if f, ok := w.files[rel]; ok {
		return f, nil
	}
	clean := path.Clean(rel)
	if rel == "" || path.IsAbs(clean) || clean == ".." || strings.HasPrefix(clean, "../") {
		return nil, fmt.Errorf("%s: a fix may only change files under the checked root", rel)
	}
	abs := filepath.Join(w.root, filepath.FromSlash(clean))
	data, err := osfile.Read(abs, maxFileSize)
	exists := true
	switch {
	case errors.Is(err, fs.ErrNotExist):
		exists, data = false, nil
	case err != nil:
		return nil, fmt.Errorf("%s: cannot read: %w", rel, osfile.Reason(err))
	}
	f := newTextFile(rel, abs, data, exists)
	w.files[rel] = f
	return f, nil
}

// maxFileSize bounds what a fix reads: the files it changes are small.
const maxFileSize = 64 << 20
