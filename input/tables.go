package input

import (
	"strings"

	"github.com/yuin/goldmark"
	gast "github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	extast "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

// GeneratedBegin and GeneratedEnd enclose, each alone on its line, the
// table that `portguard docs` writes into the convention file.
const (
	GeneratedBegin = "<!-- portguard:begin -->"
	GeneratedEnd   = "<!-- portguard:end -->"
)

// ConventionTable is one table of the convention file as it is written:
// where its header and rows are, what each column holds, and the ports its
// rows document. `portguard fix` adds rows to it.
type ConventionTable struct {
	Section string
	// HeaderLine is the line of the header row; the delimiter row follows.
	HeaderLine int
	// RowLines are the lines of every body row, with a port or not.
	RowLines []int
	// Columns is the role of each header cell: "port", "service",
	// "env_var", "category", "internal_port", or "" for any other column.
	Columns []string
	// Rows are the rows that document a port or a range.
	Rows []ConventionRow
	// Generated is true for the table between the portguard markers.
	Generated bool
}

var roleNames = map[int]string{
	-1: "", colPort: "port", colService: "service", colEnvVar: "env_var",
	colCategory: "category", colInternal: "internal_port",
}

// ConventionTables lists, in order, the tables of a convention file whose
// header has a port column. Lines count from the start of data (a BOM
// does not count). It is a pure function of the bytes.
func ConventionTables(data []byte) []ConventionTable {
	return conventionTables(trimBOM(data))
}

func conventionTables(data []byte) []ConventionTable {
	md := goldmark.New(goldmark.WithExtensions(extension.Table))
	doc := md.Parser().Parse(text.NewReader(data))
	li := newLineIndex(data)
	section := ""
	generated := false
	var out []ConventionTable
	for n := doc.FirstChild(); n != nil; n = n.NextSibling() {
		switch node := n.(type) {
		case *gast.HTMLBlock:
			switch marker(node, data) {
			case GeneratedBegin:
				generated = true
			case GeneratedEnd:
				generated = false
			}
		case *gast.Heading:
			section = strings.TrimSpace(plainText(node, data))
		case *extast.Table:
			if t, ok := conventionTable(node, data, li, section); ok {
				t.Generated = generated
				out = append(out, t)
			}
		}
	}
	return out
}

// marker is the last portguard marker alone on a line of an HTML block.
func marker(b *gast.HTMLBlock, data []byte) string {
	found := ""
	check := func(line []byte) {
		switch strings.TrimSpace(string(line)) {
		case GeneratedBegin:
			found = GeneratedBegin
		case GeneratedEnd:
			found = GeneratedEnd
		}
	}
	lines := b.Lines()
	for i := 0; i < lines.Len(); i++ {
		seg := lines.At(i)
		check(seg.Value(data))
	}
	if b.HasClosure() {
		check(b.ClosureLine.Value(data))
	}
	return found
}
