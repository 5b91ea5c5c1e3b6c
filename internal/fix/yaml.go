package fix

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/finding"
)

// scalarEdit is an edit of a YAML scalar resolved to bytes.
type scalarEdit struct {
	splice
	edit finding.Edit
}

// resolveEdit finds the scalar an edit points at, checks that it still
// holds the value the check saw, and renders the new value in the
// scalar's quoting style.
func resolveEdit(f *textFile, e finding.Edit) (scalarEdit, error) {
	where := fmt.Sprintf("%s:%d:%d", e.File, e.Line, e.Column)
	if !f.exists {
		return scalarEdit{}, fmt.Errorf("%s: the file does not exist", where)
	}
	if e.EndColumn <= e.Column {
		return scalarEdit{}, fmt.Errorf("%s: the fix has no end column", where)
	}
	start, err := f.offset(e.Line, e.Column)
	if err != nil {
		return scalarEdit{}, err
	}
	end, err := f.offset(e.Line, e.EndColumn)
	if err != nil {
		return scalarEdit{}, err
	}
	src := string(f.data[start:end])
	style, value, err := readScalar(src)
	if err != nil {
		return scalarEdit{}, fmt.Errorf("%s: %s", where, err)
	}
	if e.Old != "" && value != e.Old {
		return scalarEdit{}, fmt.Errorf("%s: expected %q here, found %q: the file changed since it was checked", where, e.Old, value)
	}
	return scalarEdit{splice: splice{file: f, start: start, end: end, text: renderScalar(style, e.Text)}, edit: e}, nil
}

// readScalar reads the source text of a one-line scalar: its quoting style
// (the quote character, or 0 for a plain scalar) and its value.
func readScalar(src string) (byte, string, error) {
	if src == "" {
		return 0, "", fmt.Errorf("no scalar here")
	}
	style := byte(0)
	if q := src[0]; q == '"' || q == '\'' {
		if len(src) < 2 || src[len(src)-1] != q {
			return 0, "", fmt.Errorf("the quoted scalar %s does not close where the check said", src)
		}
		style = q
	}
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil || len(n.Content) != 1 || n.Content[0].Kind != yaml.ScalarNode {
		return 0, "", fmt.Errorf("%s is not a YAML scalar", src)
	}
	return style, n.Content[0].Value, nil
}

// renderScalar writes value in a quoting style: double-quoted stays
// double-quoted, single-quoted single-quoted, and a plain scalar stays
// plain when the value reads back the same anywhere (block or flow
// context), else it is double-quoted.
func renderScalar(style byte, value string) string {
	switch {
	case style == '\'':
		return "'" + strings.ReplaceAll(value, "'", "''") + "'"
	case style == 0 && plainSafe(value):
		return value
	}
	return doubleQuoted(value)
}

func doubleQuoted(value string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range value {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, "\\x%02x", r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// plainSafe reports whether value can be written as a plain scalar in
// block and flow context alike and reads back as the same string: port
// numbers and simple words do, anything with YAML indicators is quoted.
func plainSafe(value string) bool {
	if value == "" || strings.ContainsAny(value[:1], "-?:") {
		return false
	}
	for _, r := range value {
		ok := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._/:-", r)
		if !ok {
			return false
		}
	}
	return !strings.HasSuffix(value, ":")
}

// checkEdits parses a compose file after its edits and checks that each
// edited scalar reads its new value where it was, so a fix can never
// leave a file that docker compose reads differently than planned.
func checkEdits(path string, data []byte, edits []scalarEdit) error {
	var doc yaml.Node
	if err := yaml.Unmarshal(bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")), &doc); err != nil {
		return fmt.Errorf("%s would not be valid YAML after the fixes (%v); nothing was written", path, err)
	}
	type pos struct{ line, col int }
	// Earlier edits on a line shift the columns of later ones.
	shift := map[pos]int{}
	want := map[pos]string{}
	for _, e := range sortedEdits(edits) {
		line := e.edit.Line
		delta := shift[pos{line, 0}]
		want[pos{line, e.edit.Column + delta}] = e.edit.Text
		shift[pos{line, 0}] = delta + runeLen(e.text) - (e.edit.EndColumn - e.edit.Column)
	}
	var walk func(n *yaml.Node)
	walk = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode {
			p := pos{n.Line, n.Column}
			if v, ok := want[p]; ok && n.Value == v {
				delete(want, p)
			}
		}
		for _, c := range n.Content {
			walk(c)
		}
	}
	walk(&doc)
	for p, v := range want {
		return fmt.Errorf("%s:%d:%d would not read %q after the fixes; nothing was written", path, p.line, p.col, v)
	}
	return nil
}

func sortedEdits(edits []scalarEdit) []scalarEdit {
	out := slices.Clone(edits)
	slices.SortStableFunc(out, func(a, b scalarEdit) int { return a.start - b.start })
	return out
}

func runeLen(s string) int { return len([]rune(s)) }
