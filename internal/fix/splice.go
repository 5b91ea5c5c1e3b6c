package fix

import (
	"fmt"
	"sort"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// splice replaces data[start:end] of one file by text; start == end
// inserts. Everything else of the file stays byte for byte.
type splice struct {
	file       *textFile
	start, end int
	text       string
	// seq orders insertions at the same offset (the order they were planned).
	seq int
	// ops are the indexes of the planned changes it carries out.
	ops []int
	// what names the change in messages: "DBP201 compose.yml:8:9".
	what string
	// desc says what changes, for --dry-run.
	desc string
}

// applySplices returns data with the splices applied. Splices must not
// overlap; two insertions at one offset keep their order.
func applySplices(data []byte, ss []splice) ([]byte, error) {
	sorted := append([]splice(nil), ss...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].start != sorted[j].start {
			return sorted[i].start < sorted[j].start
		}
		return sorted[i].seq < sorted[j].seq
	})
	var b strings.Builder
	b.Grow(len(data))
	prev := 0
	for i, s := range sorted {
		if s.start < prev || s.end < s.start || s.end > len(data) {
			other := "the end of the file"
			if i > 0 {
				other = sorted[i-1].what
			}
			return nil, fmt.Errorf("%s overlaps %s", s.what, other)
		}
		b.Write(data[prev:s.start])
		b.WriteString(s.text)
		prev = s.end
	}
	b.Write(data[prev:])
	return []byte(b.String()), nil
}

// change renders a splice as the replacement SARIF and the JSON report
// carry: a region of one line (in characters) and its new text.
func (s splice) change() finding.Change {
	f := s.file
	text := s.text
	if s.start == len(f.data) && s.end == s.start && len(f.data) > 0 && f.endsWithEOL() && strings.HasSuffix(text, f.eol) {
		// Appending to a file that ends with a line ending: the region is
		// the end of its last line, which exists, rather than the line
		// after it.
		s.start--
		if f.eol == "\r\n" {
			s.start--
		}
		s.end = s.start
		text = f.eol + strings.TrimSuffix(text, f.eol)
	}
	line, col := f.position(s.start)
	endLine, endCol := f.position(s.end)
	c := finding.Change{File: f.path, Line: line, Column: col, EndColumn: endCol, Text: text, Create: !f.exists}
	if endLine != line {
		c.EndLine = endLine
	}
	return c
}
