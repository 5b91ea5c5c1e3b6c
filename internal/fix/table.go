package fix

import (
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// tableHeader is the header of the table fix writes when the convention
// file has none: the columns `portguard docs` uses, without the file.
var tableHeader = []string{"port", "service", "env_var", "category", "internal_port"}

var headerTitles = map[string]string{
	"port": "Port", "service": "Service", "env_var": "Variable", "category": "Category", "internal_port": "Internal port",
}

// rowSplices documents ports in one convention file. A row that moves
// (Line and Replaces) gets its port cell rewritten; a new row goes into
// the hand-written table whose ports lie nearest, before the first row of
// a higher port; a file without such a table gets one at its end (and a
// missing file is created with it).
func rowSplices(f *textFile, rows []finding.Row, what func(finding.Row) string) ([]splice, error) {
	tables := f.conventionTables()
	var out []splice
	type addedRow struct {
		finding.Row
		op int
	}
	var added []addedRow
	moved := map[int]int{} // row line -> its new port
	for i, r := range rows {
		if r.Port < 1 || r.Port > 65535 || strings.ContainsAny(r.Service+r.EnvVar+r.Category, "|\r\n") {
			return nil, fmt.Errorf("%s: cannot write the row %d %q to %s", what(r), r.Port, r.Service, f.path)
		}
		if r.Remove {
			if s, ok := removeRow(f, tables, r); ok {
				s.seq, s.ops, s.what = i, []int{i}, what(r)
				s.desc = fmt.Sprintf("remove the row of %s for %d (%d has its row)", r.Service, r.Replaces, r.Port)
				out = append(out, s)
			}
			continue
		}
		if documented(tables, r.Port) {
			continue
		}
		if r.Line > 0 {
			if s, ok := moveRow(f, tables, r); ok {
				s.seq, s.ops, s.what = i, []int{i}, what(r)
				s.desc = fmt.Sprintf("move the row of %s from %d to %d", r.Service, r.Replaces, r.Port)
				out = append(out, s)
				moved[r.Line] = r.Port
				continue
			}
		}
		added = append(added, addedRow{r, i})
	}
	if len(added) == 0 {
		return out, nil
	}
	sort.SliceStable(added, func(i, j int) bool { return added[i].Port < added[j].Port })
	var written []input.ConventionTable
	for _, t := range tables {
		if !t.Generated {
			written = append(written, t)
		}
	}
	if len(written) == 0 {
		// One new table holds every added row.
		var rs []finding.Row
		s := splice{}
		for _, r := range added {
			rs = append(rs, r.Row)
			s.ops = append(s.ops, r.op)
		}
		ops := s.ops
		s = newTable(f, rs, what)
		s.ops = ops
		return append(out, s), nil
	}
	for i, r := range added {
		t := nearestTable(written, r.Port)
		at, lead := rowInsertAt(f, t, r.Port, moved)
		row := renderRow(f, t, r.Row)
		out = append(out, splice{file: f, start: at, end: at, text: lead + row + f.eol, seq: len(rows) + i, ops: []int{r.op},
			what: what(r.Row), desc: "add the row " + row})
	}
	return out, nil
}

// documented reports whether a hand-written row documents port already.
func documented(tables []input.ConventionTable, port int) bool {
	for _, t := range tables {
		if t.Generated {
			continue
		}
		for _, r := range t.Rows {
			if r.Port != nil && *r.Port == port {
				return true
			}
		}
	}
	return false
}

var digitsRE = regexp.MustCompile(`[0-9]+`)

// rowTable finds the hand-written table whose row at r.Line documents
// r.Replaces, the row a fix moves or removes.
func rowTable(tables []input.ConventionTable, r finding.Row) (input.ConventionTable, bool) {
	for _, t := range tables {
		if t.Generated {
			continue
		}
		for _, row := range t.Rows {
			if row.Line == r.Line && row.Port != nil && *row.Port == r.Replaces {
				return t, true
			}
		}
	}
	return input.ConventionTable{}, false
}

// moveRow rewrites the port cell of the hand-written row at r.Line from
// r.Replaces to r.Port, keeping its markup (**7005** becomes **7001**).
func moveRow(f *textFile, tables []input.ConventionTable, r finding.Row) (splice, bool) {
	t, ok := rowTable(tables, r)
	if !ok {
		return splice{}, false
	}
	col := columnIndex(t, "port")
	s, _, ok := f.lineSpan(r.Line)
	cells := splitRow(string(f.line(r.Line)))
	if !ok || col < 0 || col >= len(cells) {
		return splice{}, false
	}
	cell := cells[col]
	for _, m := range digitsRE.FindAllStringIndex(cell.text, -1) {
		if cell.text[m[0]:m[1]] == strconv.Itoa(r.Replaces) {
			return splice{file: f, start: s + cell.start + m[0], end: s + cell.start + m[1], text: strconv.Itoa(r.Port)}, true
		}
	}
	return splice{}, false
}

// removeRow deletes the hand-written row at r.Line, line ending included,
// when it still documents r.Replaces; a row already gone is no change.
func removeRow(f *textFile, tables []input.ConventionTable, r finding.Row) (splice, bool) {
	if _, ok := rowTable(tables, r); !ok {
		return splice{}, false
	}
	if r.Line >= len(f.starts) {
		// The last line of the file: its line ending, if any, goes with
		// the line before it.
		start := f.starts[r.Line-1]
		if start > 0 {
			start -= len(f.eol)
		}
		return splice{file: f, start: start, end: len(f.data)}, true
	}
	return splice{file: f, start: f.starts[r.Line-1], end: f.starts[r.Line]}, true
}

// nearestTable is the table with the row nearest to port; the first table
// when none has a row.
func nearestTable(tables []input.ConventionTable, port int) input.ConventionTable {
	best, dist := 0, -1
	for i, t := range tables {
		for _, r := range t.Rows {
			if r.Port == nil {
				continue
			}
			d := max(*r.Port-port, port-*r.Port)
			if dist < 0 || d < dist {
				best, dist = i, d
			}
		}
	}
	return tables[best]
}

// rowInsertAt is the offset before the first row of the table that
// documents a higher port (after the moves), else after its last row (or
// its delimiter).
func rowInsertAt(f *textFile, t input.ConventionTable, port int, moved map[int]int) (int, string) {
	byLine := map[int]int{}
	for _, r := range t.Rows {
		if r.Port != nil {
			byLine[r.Line] = *r.Port
		} else if len(r.PortRange) == 2 {
			byLine[r.Line] = r.PortRange[0]
		}
		if p, ok := moved[r.Line]; ok {
			byLine[r.Line] = p
		}
	}
	last := t.HeaderLine + 1
	for _, l := range t.RowLines {
		if p, ok := byLine[l]; ok && p > port {
			return f.starts[l-1], ""
		}
		last = l
	}
	if last < len(f.starts) {
		return f.starts[last], ""
	}
	// The table ends the file without a line ending.
	return len(f.data), f.eol
}

// renderRow writes a row in the table's columns and style: the pipes at
// the ends as the header has them, the variable in backticks when the
// table writes it so.
func renderRow(f *textFile, t input.ConventionTable, r finding.Row) string {
	header := strings.TrimSpace(string(f.line(t.HeaderLine)))
	cells := make([]string, len(t.Columns))
	for i, c := range t.Columns {
		cells[i] = cellText(c, r, backticked(f, t, i))
	}
	s := strings.Join(cells, " | ")
	if strings.HasPrefix(header, "|") {
		s = "| " + s
	}
	if strings.HasSuffix(header, "|") {
		s += " |"
	}
	return s
}

func cellText(column string, r finding.Row, ticks bool) string {
	switch column {
	case "port":
		return strconv.Itoa(r.Port)
	case "service":
		return r.Service
	case "env_var":
		if r.EnvVar == "" {
			return ""
		}
		if ticks {
			return "`" + r.EnvVar + "`"
		}
		return r.EnvVar
	case "category":
		return r.Category
	case "internal_port":
		if r.InternalPort > 0 {
			return strconv.Itoa(r.InternalPort)
		}
	}
	return ""
}

// backticked reports whether the table writes column i in backticks: the
// first of its rows with that cell filled decides.
func backticked(f *textFile, t input.ConventionTable, i int) bool {
	for _, l := range t.RowLines {
		cells := splitRow(string(f.line(l)))
		if i < len(cells) {
			if c := strings.TrimSpace(cells[i].text); c != "" {
				return strings.HasPrefix(c, "`")
			}
		}
	}
	return true
}

func columnIndex(t input.ConventionTable, role string) int {
	for i, c := range t.Columns {
		if c == role {
			return i
		}
	}
	return -1
}

// cell is the text of a table cell and its byte offset in the line.
type cell struct {
	text  string
	start int
}

// splitRow splits a table row at its unescaped pipes, outside code spans,
// leaving out the empty cells before a leading and after a trailing pipe.
func splitRow(line string) []cell {
	var cells []cell
	start, inCode := 0, false
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '`':
			inCode = !inCode
		case '|':
			if !inCode {
				cells = append(cells, cell{line[start:i], start})
				start = i + 1
			}
		}
	}
	cells = append(cells, cell{line[start:], start})
	if len(cells) > 0 && strings.TrimSpace(cells[0].text) == "" && strings.HasPrefix(strings.TrimSpace(line), "|") {
		cells = cells[1:]
	}
	if n := len(cells); n > 0 && strings.TrimSpace(cells[n-1].text) == "" && strings.HasSuffix(strings.TrimSpace(line), "|") {
		cells = cells[:n-1]
	}
	return cells
}

// newTable writes a table of the added rows at the end of the file, with a
// heading (and a title when the file is new).
func newTable(f *textFile, rows []finding.Row, what func(finding.Row) string) splice {
	eol := f.eol
	var b strings.Builder
	switch {
	case !f.exists || len(strings.TrimSpace(string(f.data))) == 0:
		b.WriteString("# Port convention" + eol + eol)
		b.WriteString("Host ports 7000-7999 belong to the databases (7000-7099), their UIs" + eol)
		b.WriteString("(7100-7199) and exporters (7200-7299); 7300-7999 is reserved. Every" + eol)
		b.WriteString("published port of the range has a row below." + eol + eol)
	default:
		if !f.endsWithEOL() {
			b.WriteString(eol)
		}
		b.WriteString(eol + "## Ports" + eol + eol)
	}
	titles := make([]string, len(tableHeader))
	delims := make([]string, len(tableHeader))
	for i, c := range tableHeader {
		titles[i] = headerTitles[c]
		delims[i] = "---"
	}
	b.WriteString("| " + strings.Join(titles, " | ") + " |" + eol)
	b.WriteString("|" + strings.Join(delims, "|") + "|" + eol)
	for _, r := range rows {
		cells := make([]string, len(tableHeader))
		for i, c := range tableHeader {
			cells[i] = cellText(c, r, true)
		}
		b.WriteString("| " + strings.Join(cells, " | ") + " |" + eol)
	}
	ports := make([]string, len(rows))
	for i, r := range rows {
		ports[i] = strconv.Itoa(r.Port)
	}
	return splice{file: f, start: len(f.data), end: len(f.data), text: b.String(), seq: 1 << 30, what: what(rows[0]),
		desc: "add a table with the rows of " + strings.Join(ports, ", ")}
}
