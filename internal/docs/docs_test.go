package docs

import (
	"bytes"
	"encoding/xml"
	"io"
	"strconv"
	"strings"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

var rows = []Row{
	{Port: 7000, Service: "timescaledb", Variable: "TIMESCALEDB_PORT", Category: "database", InternalPort: 5432, Files: []string{"a.yml", "b.yml"},
		At: []Position{{File: "a.yml", Line: 8, Column: 9}, {File: "b.yml", Line: 4, Column: 9}}},
	{Port: 7050, Service: "pgadmin", Category: "ui", InternalPort: 80, Files: []string{"a.yml"}, At: []Position{{File: "a.yml", Line: 12, Column: 9}}},
	{Port: 7051, Service: "redis", Category: "database", InternalPort: 6379, Files: []string{"a.yml"}, At: []Position{{File: "a.yml", Line: 16, Column: 9}}},
	{Port: 7051, Service: "keydb", Category: "database", InternalPort: 6379, Files: []string{"a.yml"}, At: []Position{{File: "a.yml", Line: 20, Column: 9}}},
}

func TestBlockIsATableTheParserReads(t *testing.T) {
	block := Block(rows, "\n")
	want := "| 7000 | timescaledb | `TIMESCALEDB_PORT` | database | 5432 | a.yml, b.yml |\n"
	if !strings.Contains(block, want) {
		t.Errorf("block lacks %q:\n%s", want, block)
	}
	tables := input.ConventionTables([]byte("# Ports\n\n" + block))
	if len(tables) != 1 || !tables[0].Generated || len(tables[0].Rows) != len(rows) {
		t.Fatalf("tables %+v", tables)
	}
	r := tables[0].Rows[0]
	if *r.Port != 7000 || r.Service != "timescaledb" || r.EnvVar != "TIMESCALEDB_PORT" || r.Category != "database" || *r.InternalPort != 5432 {
		t.Errorf("first row reads back as %+v", r)
	}
}

func TestRefresh(t *testing.T) {
	hand := "# Ports\r\n\r\n| Port | Service |\r\n|---|---|\r\n| 7000 | timescaledb |\r\n\r\nNotes."
	first, err := Refresh("P.md", []byte(hand), rows)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(string(first), hand+"\r\n\r\n"+input.GeneratedBegin+"\r\n") || !strings.HasSuffix(string(first), input.GeneratedEnd+"\r\n") {
		t.Errorf("appended block, CRLF kept:\n%q", first)
	}
	if strings.Count(string(first), "\n") != strings.Count(string(first), "\r\n") {
		t.Error("a line ending without CR in a CRLF file")
	}
	again, err := Refresh("P.md", first, rows)
	if err != nil || !bytes.Equal(again, first) {
		t.Errorf("refreshing an up-to-date table changes it (%v)", err)
	}
	// Text after the block and the block's place stay; only the rows change.
	edited := strings.Replace(string(first), "Notes.", "Notes.\r\n\r\n## More", 1) + "\r\nAfter the table.\r\n"
	fewer, err := Refresh("P.md", []byte(edited), rows[:1])
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(fewer), "pgadmin") || !strings.HasSuffix(string(fewer), input.GeneratedEnd+"\r\n\r\nAfter the table.\r\n") || !strings.HasPrefix(string(fewer), strings.Split(edited, input.GeneratedBegin)[0]) {
		t.Errorf("refresh in place:\n%q", fewer)
	}
}

func TestRefreshNewFileAndMarkerErrors(t *testing.T) {
	out, err := Refresh("P.md", nil, nil)
	if err != nil || !strings.HasPrefix(string(out), "# Port convention\n") || !HasTable(out) {
		t.Errorf("new file: %v\n%s", err, out)
	}
	for name, src := range map[string]string{
		"begin without end": "x\n" + input.GeneratedBegin + "\n| a |\n",
		"end without begin": "x\n" + input.GeneratedEnd + "\n",
	} {
		if _, err := Refresh("P.md", []byte(src), rows); err == nil || !strings.Contains(err.Error(), "P.md:2:") {
			t.Errorf("%s: error %v, want one at P.md:2", name, err)
		}
	}
	// Markers inside a code block are an example, not the table.
	fenced := "```\n" + input.GeneratedBegin + "\n```\n"
	out, err = Refresh("P.md", []byte(fenced), rows)
	if err != nil || !strings.HasPrefix(string(out), fenced+"\n"+input.GeneratedBegin) {
		t.Errorf("fenced markers: %v\n%s", err, out)
	}
}

func TestMarks(t *testing.T) {
	fs := []finding.Finding{
		{RuleID: "DBP103", File: "a.yml", Line: 12},
		{RuleID: "DBP204", File: ".env", Line: 3, Related: []finding.Related{{File: "b.yml", Line: 4}}},
	}
	marks := Marks(rows, fs)
	got := map[int]Mark{}
	for _, m := range marks {
		got[m.Port] = m
	}
	if m := got[7000]; m.Status != StatusViolation || strings.Join(m.Rules, ",") != "DBP204" {
		t.Errorf("7000: %+v (a finding naming the mapping as related counts)", m)
	}
	if m := got[7050]; m.Status != StatusViolation {
		t.Errorf("7050: %+v", m)
	}
	if m := got[7051]; m.Status != StatusConflict || strings.Join(m.Services, ",") != "redis,keydb" {
		t.Errorf("7051: %+v (two services on one port)", m)
	}
}

// TestSVGIsXMLWithALabelPerUsedPort parses the map and finds every used
// port as the start of a label.
func TestSVGIsXMLWithALabelPerUsedPort(t *testing.T) {
	m := Map{
		Title: "Host ports 7000-7999 of <demo> & co", From: 7000, To: 7999,
		Bands:      []Band{{"database", 7000, 7099}, {"ui", 7100, 7199}, {"exporter", 7200, 7299}, {"reserved", 7300, 7999}},
		Marks:      Marks(rows, nil),
		Documented: []int{7010},
	}
	for p := 7001; p < 7040; p += 3 { // a crowd of neighbours
		m.Marks = append(m.Marks, Mark{Port: p, Services: []string{"svc"}, Status: StatusOK})
	}
	m.Marks = append(m.Marks, Mark{Port: 7999, Services: []string{"last-one"}, Status: StatusOK})
	var b bytes.Buffer
	if err := WriteSVG(&b, m); err != nil {
		t.Fatal(err)
	}
	texts := svgTexts(t, b.Bytes())
	for _, mk := range m.Marks {
		if !hasLabel(texts, mk.Port) {
			t.Errorf("no label for %d", mk.Port)
		}
	}
	for _, band := range []string{"database", "ui", "exporter", "reserved"} {
		if !containsText(texts, band) {
			t.Errorf("no band named %s", band)
		}
	}
}

// svgTexts decodes an SVG and returns the text of its <text> elements.
func svgTexts(t *testing.T, data []byte) []string {
	t.Helper()
	dec := xml.NewDecoder(bytes.NewReader(data))
	var texts []string
	inText := false
	root := ""
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("the SVG is not valid XML: %v", err)
		}
		switch el := tok.(type) {
		case xml.StartElement:
			if root == "" {
				root = el.Name.Space + " " + el.Name.Local
			}
			if el.Name.Local == "text" {
				inText = true
				texts = append(texts, "")
			}
		case xml.EndElement:
			if el.Name.Local == "text" {
				inText = false
			}
		case xml.CharData:
			if inText {
				texts[len(texts)-1] += string(el)
			}
		}
	}
	if root != "http://www.w3.org/2000/svg svg" {
		t.Errorf("root element %q, want an svg", root)
	}
	return texts
}

func hasLabel(texts []string, port int) bool {
	prefix := strconv.Itoa(port) + " "
	for _, s := range texts {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func containsText(texts []string, s string) bool {
	for _, x := range texts {
		if x == s {
			return true
		}
	}
	return false
}
