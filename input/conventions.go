package input

import (
	"regexp"
	"strconv"
	"strings"
	"unicode"

	gast "github.com/yuin/goldmark/ast"
	extast "github.com/yuin/goldmark/extension/ast"
	"golang.org/x/text/unicode/norm"
)

// column roles of a convention table, recognised from the header in
// English, Portuguese and Spanish.
const (
	colPort = iota
	colService
	colEnvVar
	colCategory
	colInternal
)

// headerSynonyms maps a normalised header (lowercase, accents removed) to
// its column role.
var headerSynonyms = map[string]int{
	"port": colPort, "ports": colPort, "porta": colPort, "portas": colPort, "puerto": colPort, "puertos": colPort,
	"host port": colPort, "porta host": colPort, "puerto host": colPort, "published port": colPort,
	"service": colService, "services": colService, "servico": colService, "servicos": colService,
	"servicio": colService, "servicios": colService, "name": colService, "nome": colService, "nombre": colService,
	"env var": colEnvVar, "env": colEnvVar, "env variable": colEnvVar, "environment variable": colEnvVar,
	"variable": colEnvVar, "var": colEnvVar, "variavel": colEnvVar, "variavel de ambiente": colEnvVar,
	"variable de entorno": colEnvVar,
	"category":            colCategory, "categoria": colCategory, "type": colCategory, "tipo": colCategory,
	"internal port": colInternal, "container port": colInternal, "porta interna": colInternal,
	"porta do container": colInternal, "puerto interno": colInternal, "puerto del contenedor": colInternal,
}

var (
	portCellRE  = regexp.MustCompile(`^(\d{1,5})(?:\s*(?:[-–—]|to|a|até|hasta)\s*(\d{1,5})|\s*(\+))?(?:$|[^\d])`)
	envVarRE    = regexp.MustCompile(`^\$?\{?([A-Za-z_][A-Za-z0-9_]*)`)
	headerStrip = regexp.MustCompile(`[^a-z ]+`)
)

// parseConventions reads every table of a markdown file whose header has a
// port column. Markup (bold, code, links) is stripped; "7300+" and
// "7300-7399" are ranges, not ports. It is a pure function of path and
// bytes.
//
// Rows of the table that `portguard docs` writes between GeneratedBegin and
// GeneratedEnd are a view of the compose files: they are read, marked
// Generated, and come after the hand-written rows; a generated row whose
// port a hand-written row (or an earlier generated row) already documents
// is skipped, so the generated table never makes a port look assigned
// twice and the hand-written rows stay the authority.
func parseConventions(file string, data []byte) Conventions {
	data = blankIgnoreRows(trimBOM(data))
	out := Conventions{File: file, Rows: []ConventionRow{}}
	var generated []ConventionRow
	for _, t := range conventionTables(data) {
		if t.Generated {
			generated = append(generated, t.Rows...)
			continue
		}
		out.Rows = append(out.Rows, t.Rows...)
	}
	out.Rows = append(out.Rows, keptGenerated(out.Rows, generated)...)
	return out
}

// keptGenerated lists the generated rows for ports no other row documents.
func keptGenerated(written, generated []ConventionRow) []ConventionRow {
	seen := map[int]bool{}
	for _, r := range written {
		if r.Port != nil {
			seen[*r.Port] = true
		}
	}
	var out []ConventionRow
	for _, r := range generated {
		if r.Port == nil || seen[*r.Port] {
			continue
		}
		seen[*r.Port] = true
		r.Generated = true
		out = append(out, r)
	}
	return out
}

// conventionTable reads one markdown table; ok is false when its header
// has no port column.
func conventionTable(t *extast.Table, data []byte, li *lineIndex, section string) (ConventionTable, bool) {
	out := ConventionTable{Section: section, Rows: []ConventionRow{}}
	var roles []int
	for r := t.FirstChild(); r != nil; r = r.NextSibling() {
		var cells []string
		for c := r.FirstChild(); c != nil; c = c.NextSibling() {
			cells = append(cells, strings.TrimSpace(plainText(c, data)))
		}
		line := lineOfOffset(li, rowOffset(r))
		if _, isHeader := r.(*extast.TableHeader); isHeader {
			roles = headerRoles(cells)
			if !hasRole(roles, colPort) {
				return out, false
			}
			out.HeaderLine = line
			for _, role := range roles {
				out.Columns = append(out.Columns, roleNames[role])
			}
			continue
		}
		out.RowLines = append(out.RowLines, line)
		row := ConventionRow{Section: section, Line: line}
		for i, cell := range cells {
			if i >= len(roles) {
				break
			}
			switch roles[i] {
			case colPort:
				row.Port, row.PortRange = parsePortCell(cell)
			case colService:
				row.Service = cell
			case colEnvVar:
				if m := envVarRE.FindStringSubmatch(cell); m != nil {
					row.EnvVar = m[1]
				}
			case colCategory:
				row.Category = strings.ToLower(cell)
			case colInternal:
				if p, _ := parsePortCell(cell); p != nil {
					row.InternalPort = p
				}
			}
		}
		if row.Port == nil && row.PortRange == nil {
			continue
		}
		out.Rows = append(out.Rows, row)
	}
	return out, roles != nil
}

// headerRoles gives each header cell its role, or -1.
func headerRoles(cells []string) []int {
	roles := make([]int, len(cells))
	for i, c := range cells {
		roles[i] = -1
		key := strings.Join(strings.Fields(headerStrip.ReplaceAllString(foldAccents(strings.ToLower(c)), " ")), " ")
		if r, ok := headerSynonyms[key]; ok {
			roles[i] = r
		}
	}
	return roles
}

func hasRole(roles []int, role int) bool {
	for _, r := range roles {
		if r == role {
			return true
		}
	}
	return false
}

// parsePortCell reads "7000", "**7000**", "7300-7399" or "7300+"; the
// second and third are ranges.
func parsePortCell(cell string) (*int, []int) {
	m := portCellRE.FindStringSubmatch(strings.TrimSpace(cell))
	if m == nil {
		return nil, nil
	}
	lo, _ := strconv.Atoi(m[1])
	if lo < 1 || lo > 65535 {
		return nil, nil
	}
	switch {
	case m[2] != "":
		hi, _ := strconv.Atoi(m[2])
		if hi < lo || hi > 65535 {
			return nil, nil
		}
		return nil, []int{lo, hi}
	case m[3] != "":
		return nil, []int{lo, 65535}
	}
	return &lo, []int{lo, lo}
}

// plainText is the text of a node with its markup stripped.
func plainText(n gast.Node, src []byte) string {
	var b strings.Builder
	_ = gast.Walk(n, func(c gast.Node, entering bool) (gast.WalkStatus, error) {
		if !entering {
			return gast.WalkContinue, nil
		}
		switch t := c.(type) {
		case *gast.Text:
			b.Write(t.Segment.Value(src))
			if t.SoftLineBreak() || t.HardLineBreak() {
				b.WriteByte(' ')
			}
		case *gast.String:
			b.Write(t.Value)
		}
		return gast.WalkContinue, nil
	})
	return b.String()
}

// rowOffset is the byte offset where a table row starts.
func rowOffset(r gast.Node) int {
	if p, ok := r.(interface{ Pos() int }); ok && p.Pos() >= 0 {
		return p.Pos()
	}
	for c := r.FirstChild(); c != nil; c = c.NextSibling() {
		if lines := c.Lines(); lines.Len() > 0 {
			return lines.At(0).Start
		}
	}
	return 0
}

func lineOfOffset(li *lineIndex, off int) int {
	lo, hi := 0, len(li.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if li.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo + 1
}

// foldAccents removes diacritics: "Serviço" reads as "servico".
func foldAccents(s string) string {
	var b strings.Builder
	for _, r := range norm.NFD.String(s) {
		if unicode.Is(unicode.Mn, r) {
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}
