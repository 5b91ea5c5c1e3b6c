package input

import (
	"strconv"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// formatPos renders file:line:col, leaving out the parts that are unknown.
func formatPos(file string, line, col int) string {
	s := file
	if line > 0 {
		s += ":" + strconv.Itoa(line)
		if col > 0 {
			s += ":" + strconv.Itoa(col)
		}
	}
	return s
}

// lineIndex finds lines of a file by number without splitting it.
type lineIndex struct {
	data   []byte
	starts []int
}

func newLineIndex(data []byte) *lineIndex {
	starts := []int{0}
	for i, c := range data {
		if c == '\n' {
			starts = append(starts, i+1)
		}
	}
	return &lineIndex{data: data, starts: starts}
}

// line returns line n (1-based) without its line ending.
func (li *lineIndex) line(n int) []byte {
	if n < 1 || n > len(li.starts) {
		return nil
	}
	start := li.starts[n-1]
	end := len(li.data)
	if n < len(li.starts) {
		end = li.starts[n] - 1
	}
	if end > start && li.data[end-1] == '\r' {
		end--
	}
	return li.data[start:end]
}

// byteOffset converts a 1-based character column on line n to a byte
// offset within that line.
func byteOffset(line []byte, col int) int {
	off := 0
	for c := 1; c < col && off < len(line); c++ {
		_, size := utf8.DecodeRune(line[off:])
		off += size
	}
	return off
}

// position gives the place of a scalar node: its line and column and the
// column just past its source text (quotes included), when the scalar sits
// on one line.
func (li *lineIndex) position(file string, n *yaml.Node) Position {
	p := Position{File: file, Line: n.Line, Column: n.Column}
	p.EndColumn = n.Column + utf8.RuneCountInString(n.Value)
	if n.Kind != yaml.ScalarNode {
		return p
	}
	line := li.line(n.Line)
	off := byteOffset(line, n.Column)
	if off >= len(line) {
		return p
	}
	rest := line[off:]
	var width int
	switch n.Style {
	case yaml.DoubleQuotedStyle:
		width = quotedWidth(rest, '"')
	case yaml.SingleQuotedStyle:
		width = quotedWidth(rest, '\'')
	case yaml.LiteralStyle, yaml.FoldedStyle:
		return p
	default:
		width = len(n.Value)
		if width > len(rest) {
			width = len(rest)
		}
	}
	if width > 0 {
		p.EndColumn = n.Column + utf8.RuneCount(rest[:width])
	}
	return p
}

// quotedWidth returns the byte length of the quoted scalar at the start of
// s, both quotes included, or 0 when it does not close on this line.
func quotedWidth(s []byte, quote byte) int {
	for i := 1; i < len(s); i++ {
		switch {
		case quote == '"' && s[i] == '\\':
			i++
		case s[i] == quote:
			if quote == '\'' && i+1 < len(s) && s[i+1] == '\'' {
				i++
				continue
			}
			return i + 1
		}
	}
	return 0
}
