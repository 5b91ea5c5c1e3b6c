package fix

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
)

func TestOffsetAndPositionCountCharactersNotBytes(t *testing.T) {
	data := []byte("\ufeffa: é\r\n  - \"ünï\": x\r\nlast")
	f := newTextFile("f.yml", "", data, true)
	if f.eol != "\r\n" || f.bom != 3 || f.lines() != 3 {
		t.Fatalf("eol %q bom %d lines %d", f.eol, f.bom, f.lines())
	}
	cases := []struct {
		line, col int
		at        string // the text from the offset on
	}{
		{1, 1, "a: é\r\n"},       // line 1 starts after the byte order mark
		{1, 4, "é\r\n"},          // 3 characters, 3 bytes
		{1, 5, "\r\n"},           // one past the last character: before the CR
		{2, 5, "\"ünï\": x\r\n"}, // after "  - "
		{2, 7, "nï\": x\r\n"},    // ü is one character, two bytes
		{2, 10, ": x\r\n"},       // the closing quote is column 9
		{3, 5, ""},               // the end of a last line without a line ending
	}
	for _, c := range cases {
		off, err := f.offset(c.line, c.col)
		if err != nil {
			t.Errorf("%d:%d: %v", c.line, c.col, err)
			continue
		}
		rest := string(data[off:])
		if i := strings.Index(rest, "\n"); i >= 0 && c.line < 3 {
			rest = rest[:i+1]
		}
		if rest != c.at {
			t.Errorf("%d:%d: offset %d starts %q, want %q", c.line, c.col, off, rest, c.at)
		}
		if l, col := f.position(off); l != c.line || col != c.col {
			t.Errorf("position(%d) = %d:%d, want %d:%d", off, l, col, c.line, c.col)
		}
	}
	for _, bad := range [][2]int{{0, 1}, {4, 1}, {1, 7}} {
		if _, err := f.offset(bad[0], bad[1]); err == nil {
			t.Errorf("%d:%d: want an error", bad[0], bad[1])
		}
	}
}

func TestApplySplicesKeepsEveryOtherByte(t *testing.T) {
	f := newTextFile("x", "", []byte("0123456789"), true)
	got, err := applySplices(f.data, []splice{
		{file: f, start: 7, end: 9, text: "ab", what: "b"},
		{file: f, start: 1, end: 3, text: "XYZ", what: "a"},
		{file: f, start: 5, end: 5, text: "<2>", seq: 2, what: "insert 2"},
		{file: f, start: 5, end: 5, text: "<1>", seq: 1, what: "insert 1"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(got) != "0XYZ34<1><2>56ab9" {
		t.Errorf("got %q", got)
	}
	_, err = applySplices(f.data, []splice{{file: f, start: 1, end: 5, what: "first"}, {file: f, start: 4, end: 6, what: "second"}})
	if err == nil || !strings.Contains(err.Error(), "second overlaps first") {
		t.Errorf("overlapping splices: %v", err)
	}
}

func TestRenderScalarKeepsTheQuotingStyle(t *testing.T) {
	cases := []struct {
		style byte
		value string
		want  string
	}{
		{'"', "${PG_PORT:-7000}:5432", `"${PG_PORT:-7000}:5432"`},
		{'\'', "${PG_PORT:-7000}:5432", `'${PG_PORT:-7000}:5432'`},
		{'\'', "it's", `'it''s'`},
		{0, "7000", "7000"},
		{0, "7000:5432", "7000:5432"},
		{0, "${PG_PORT:-7000}:5432", `"${PG_PORT:-7000}:5432"`}, // braces end a plain scalar in flow context
		{0, "-7000", `"-7000"`},
		{'"', `a"b\c`, `"a\"b\\c"`},
	}
	for _, c := range cases {
		if got := renderScalar(c.style, c.value); got != c.want {
			t.Errorf("renderScalar(%q, %q) = %s, want %s", c.style, c.value, got, c.want)
		}
	}
}

func TestResolveEditRefusesAStaleFile(t *testing.T) {
	f := newTextFile("c.yml", "", []byte("ports:\n  - \"7001:5432\"\n"), true)
	e := finding.Edit{File: "c.yml", Line: 2, Column: 5, EndColumn: 16, Old: "7000:5432", Text: "${PG:-7000}:5432", Port: 7000}
	if _, err := resolveEdit(f, e); err == nil || !strings.Contains(err.Error(), `expected "7000:5432" here, found "7001:5432"`) {
		t.Errorf("stale edit: %v", err)
	}
	e.Old = "7001:5432"
	se, err := resolveEdit(f, e)
	if err != nil {
		t.Fatal(err)
	}
	if se.text != `"${PG:-7000}:5432"` || string(f.data[se.start:se.end]) != `"7001:5432"` {
		t.Errorf("splice %q over %q", se.text, f.data[se.start:se.end])
	}
	e.EndColumn = 10 // inside the quotes
	if _, err := resolveEdit(f, e); err == nil {
		t.Error("an edit that cuts a quoted scalar must fail")
	}
}

func TestCheckEditsCatchesABrokenFile(t *testing.T) {
	// A plain scalar that does not read the value the edit wrote.
	data := []byte("ports:\n  - 70 00\n")
	e := scalarEdit{edit: finding.Edit{Line: 2, Column: 5, EndColumn: 9, Text: "7000"}}
	e.text = "7000"
	if err := checkEdits("c.yml", data, []scalarEdit{e}); err == nil {
		t.Error("want an error: the scalar does not read its value")
	}
	if err := checkEdits("c.yml", []byte("a: [\n"), nil); err == nil {
		t.Error("want an error for invalid YAML")
	}
}

func TestEnvSplices(t *testing.T) {
	src := "# ports\nexport PG_PORT=5432   # the primary\nPG_PASSWORD=x\nREDIS_PORT=\"6379\"\nQUEUE_PORT='7'\n\nLAST=1"
	f := newTextFile(".env", "", []byte(src), true)
	sets := []finding.EnvSet{
		{Name: "PG_PORT", Value: "7000"},
		{Name: "REDIS_PORT", Value: "7001"},
		{Name: "PG_BACKUP_PORT", Value: "7002"}, // after the last PG_ variable
		{Name: "MONGO_PORT", Value: "7003"},     // at the end, after a line ending
		{Name: "QUEUE_PORT", Value: "7"},        // already right: no change
	}
	ss, err := envSplices(f, sets, func(s finding.EnvSet) string { return s.Name })
	if err != nil {
		t.Fatal(err)
	}
	got, err := applySplices(f.data, ss)
	if err != nil {
		t.Fatal(err)
	}
	want := "# ports\nexport PG_PORT=7000   # the primary\nPG_PASSWORD=x\nPG_BACKUP_PORT=7002\nREDIS_PORT=\"7001\"\nQUEUE_PORT='7'\n\nLAST=1\nMONGO_PORT=7003\n"
	if string(got) != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if len(ss) != 4 {
		t.Errorf("%d splices, want 4 (no change for a value that is right)", len(ss))
	}

	crlf := newTextFile(".env", "", []byte("A_PORT=1\r\n"), true)
	ss, _ = envSplices(crlf, []finding.EnvSet{{Name: "B_PORT", Value: "2"}}, func(finding.EnvSet) string { return "" })
	got, _ = applySplices(crlf.data, ss)
	if string(got) != "A_PORT=1\r\nB_PORT=2\r\n" {
		t.Errorf("CRLF: got %q", got)
	}

	multi := newTextFile(".env", "", []byte("PG_PORT=\"70\n00\"\n"), true)
	if _, err := envSplices(multi, []finding.EnvSet{{Name: "PG_PORT", Value: "7000"}}, func(finding.EnvSet) string { return "" }); err == nil {
		t.Error("a value that spans lines must not be rewritten")
	}
	if _, err := envSplices(multi, []finding.EnvSet{{Name: "X_PORT", Value: "1 # x"}}, func(finding.EnvSet) string { return "" }); err == nil {
		t.Error("a value that needs quoting must be refused")
	}
}

func TestRowSplices(t *testing.T) {
	md := "# Ports\n\n| Port | Service | Env var | Category |\n|---|---|---|---|\n| 7000 | timescaledb | `TIMESCALEDB_PORT` | database |\n| **7005** | backup | `BACKUP_PORT` | database |\n| 7100 | pgadmin | `PGADMIN_PORT` | ui |\n\n" +
		input.GeneratedBegin + "\n\n| Port | Service |\n|---|---|\n| 7200 | exporter |\n\n" + input.GeneratedEnd + "\n"
	f := newTextFile("PORTS-CONVENTION.md", "", []byte(md), true)
	rows := []finding.Row{
		{Port: 7001, Service: "backup", EnvVar: "BACKUP_PORT", Category: "database", InternalPort: 5432, Line: 6, Replaces: 7005},
		{Port: 7002, Service: "redis", EnvVar: "REDIS_PORT", Category: "database", InternalPort: 6379},
		{Port: 7201, Service: "redis-exporter", EnvVar: "REDIS_EXPORTER_PORT", Category: "exporter"},
		{Port: 7100, Service: "pgadmin", EnvVar: "PGADMIN_PORT", Category: "ui"}, // documented already
	}
	ss, err := rowSplices(f, rows, func(r finding.Row) string { return r.Service })
	if err != nil {
		t.Fatal(err)
	}
	got, err := applySplices(f.data, ss)
	if err != nil {
		t.Fatal(err)
	}
	want := "# Ports\n\n| Port | Service | Env var | Category |\n|---|---|---|---|\n| 7000 | timescaledb | `TIMESCALEDB_PORT` | database |\n| **7001** | backup | `BACKUP_PORT` | database |\n| 7002 | redis | `REDIS_PORT` | database |\n| 7100 | pgadmin | `PGADMIN_PORT` | ui |\n| 7201 | redis-exporter | `REDIS_EXPORTER_PORT` | exporter |\n\n" +
		input.GeneratedBegin + "\n\n| Port | Service |\n|---|---|\n| 7200 | exporter |\n\n" + input.GeneratedEnd + "\n"
	if string(got) != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

// TestRowSplicesRemove: a row that goes takes its line ending along, also
// as the last line of a file without one (CRLF kept); a row that no longer
// documents the old port stays.
func TestRowSplicesRemove(t *testing.T) {
	cases := []struct{ md, want string }{
		{"| Port | Service |\n|---|---|\n| 7050 | pgadmin |\n| 7100 | pgAdmin |\n", "| Port | Service |\n|---|---|\n| 7100 | pgAdmin |\n"},
		{"| Port | Service |\r\n|---|---|\r\n| 7100 | pgAdmin |\r\n| 7050 | pgadmin |", "| Port | Service |\r\n|---|---|\r\n| 7100 | pgAdmin |"},
	}
	for _, c := range cases {
		f := newTextFile("PORTS-CONVENTION.md", "", []byte(c.md), true)
		line := 3
		if strings.HasSuffix(c.md, "| 7050 | pgadmin |") {
			line = 4
		}
		rows := []finding.Row{
			{Port: 7100, Service: "pgadmin", Line: line, Replaces: 7050, Remove: true},
			{Port: 7100, Service: "pgadmin", Line: 1, Replaces: 7050, Remove: true}, // the header: not a row of 7050
		}
		ss, err := rowSplices(f, rows, func(r finding.Row) string { return r.Service })
		if err != nil {
			t.Fatal(err)
		}
		got, err := applySplices(f.data, ss)
		if err != nil || string(got) != c.want {
			t.Errorf("%q: got %q (%v), want %q", c.md, got, err, c.want)
		}
	}
}

func TestRowSplicesWithoutATable(t *testing.T) {
	row := finding.Row{Port: 7000, Service: "postgres", EnvVar: "POSTGRES_PORT", Category: "database", InternalPort: 5432}
	for name, c := range map[string]struct {
		data   string
		exists bool
		want   string
	}{
		"missing file": {"", false, "# Port convention\n"},
		"prose only":   {"Some notes", true, "Some notes\n\n## Ports\n\n| Port | Service | Variable | Category | Internal port |\n|---|---|---|---|---|\n| 7000 | postgres | `POSTGRES_PORT` | database | 5432 |\n"},
	} {
		f := newTextFile("P.md", "", []byte(c.data), c.exists)
		ss, err := rowSplices(f, []finding.Row{row}, func(finding.Row) string { return "" })
		if err != nil {
			t.Fatal(err)
		}
		got, _ := applySplices(f.data, ss)
		if !strings.HasPrefix(string(got), c.want) {
			t.Errorf("%s: got\n%s", name, got)
		}
		if tables := input.ConventionTables(got); len(tables) != 1 || len(tables[0].Rows) != 1 || *tables[0].Rows[0].Port != 7000 {
			t.Errorf("%s: the new table does not read back: %+v", name, tables)
		}
	}
}

var (
	policiesOnce sync.Once
	builtin      *engine.Engine
	builtinErr   error
)

// policies are the built-in policies, which fix asks whether ports collide.
func policies(t *testing.T) Policies {
	t.Helper()
	policiesOnce.Do(func() { builtin, builtinErr = engine.New(context.Background(), engine.Options{}) })
	if builtinErr != nil {
		t.Fatal(builtinErr)
	}
	return builtin
}

// doc is a document with one compose file, the root .env and the table.
func doc(services ...input.Service) *input.Document {
	d := &input.Document{Files: []input.File{{Path: "docker-compose.yml"}}, Services: services}
	d.Config = input.DefaultConfig()
	d.Env.File = ".env"
	return d
}

func port(line, effective int, variable string) input.Port {
	p := input.Port{Position: input.Position{File: "docker-compose.yml", Line: line, Column: 9}, Protocol: "tcp"}
	p.Effective = &effective
	p.EffectiveRange = []int{effective, effective}
	if variable != "" {
		p.Variable = &input.PortVariable{Name: variable}
	}
	return p
}

func svc(name string, ports ...input.Port) input.Service {
	return input.Service{Name: name, Ports: ports}
}

func withFix(rule string, fx finding.Fix) finding.Finding {
	return finding.Finding{RuleID: rule, File: "docker-compose.yml", Line: 1, Fix: &fx}
}

func TestBuildRefusesConflictingFixes(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, "docker-compose.yml"), []byte("services:\n  a:\n    ports:\n      - \"5432:5432\"\n"), 0o644)
	edit := finding.Edit{File: "docker-compose.yml", Line: 4, Column: 9, EndColumn: 20, Old: "5432:5432", Text: "${A_PORT:-7000}:5432", Port: 7000}
	other := edit
	other.Text, other.Port = "${A_PORT:-7001}:5432", 7001
	d := doc(svc("a", port(4, 5432, "")), svc("b", port(8, 7000, "B_PORT")))

	cases := map[string]struct {
		findings []finding.Finding
		want     string
	}{
		"two texts for one scalar": {
			[]finding.Finding{withFix("DBP101", finding.Fix{Edits: []finding.Edit{edit}}), withFix("DBP201", finding.Fix{Edits: []finding.Edit{other}})},
			`docker-compose.yml:4:9 would read "${A_PORT:-7000}:5432" (docker-compose.yml:1: DBP101) or "${A_PORT:-7001}:5432" (docker-compose.yml:1: DBP201)`,
		},
		"two values for one variable": {
			[]finding.Finding{withFix("DBP203", finding.Fix{Env: []finding.EnvSet{{File: ".env", Name: "A_PORT", Value: "7000"}}}), withFix("DBP204", finding.Fix{Env: []finding.EnvSet{{File: ".env", Name: "A_PORT", Value: "7001"}}})},
			".env: A_PORT would be 7000 (docker-compose.yml:1: DBP203) or 7001 (docker-compose.yml:1: DBP204)",
		},
		"two services on one new port": {
			[]finding.Finding{withFix("DBP101", finding.Fix{Edits: []finding.Edit{edit}})},
			"7000/tcp: a (docker-compose.yml:4) and b (docker-compose.yml:8) would both publish it",
		},
		"a file outside the check": {
			[]finding.Finding{withFix("CUSTOM1", finding.Fix{Env: []finding.EnvSet{{File: "../etc/passwd", Name: "X", Value: "1"}}})},
			"which is not the root .env",
		},
		"two services' variables set to one port": {
			[]finding.Finding{withFix("DBP204", finding.Fix{Env: []finding.EnvSet{{File: ".env", Name: "B_PORT", Value: "5432"}}})},
			"5432/tcp: a (docker-compose.yml:4) and b (docker-compose.yml:8) would both publish it",
		},
	}
	for name, c := range cases {
		_, err := Build(context.Background(), root, d, c.findings, policies(t))
		if err == nil || !IsConflict(err) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want a conflict saying %q", name, err, c.want)
		}
	}
	// The same change asked by two rules is made once.
	plan, err := Build(context.Background(), root, doc(svc("a", port(4, 5432, ""))), []finding.Finding{
		withFix("DBP101", finding.Fix{Edits: []finding.Edit{edit}}),
		withFix("DBP201", finding.Fix{Edits: []finding.Edit{edit}}),
	}, policies(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Files) != 1 || len(plan.Files[0].Steps) != 1 || strings.Join(plan.Files[0].Steps[0].Rules, ",") != "DBP101,DBP201" {
		t.Errorf("plan %+v", plan.Files)
	}
	if string(plan.Files[0].New) != "services:\n  a:\n    ports:\n      - \"${A_PORT:-7000}:5432\"\n" {
		t.Errorf("new content %q", plan.Files[0].New)
	}
}

func TestApplyWritesAtomicallyAndKeepsPermissions(t *testing.T) {
	root := t.TempDir()
	path := filepath.Join(root, ".env")
	os.WriteFile(path, []byte("A_PORT=1\n"), 0o600)
	plan, err := Build(context.Background(), root, doc(), []finding.Finding{withFix("DBP204", finding.Fix{Env: []finding.EnvSet{{File: ".env", Name: "A_PORT", Value: "7000"}}})}, policies(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := plan.Apply(); err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	data, _ := os.ReadFile(path)
	if string(data) != "A_PORT=7000\n" || st.Mode().Perm() != 0o600 {
		t.Errorf("%q %v", data, st.Mode())
	}
	entries, _ := os.ReadDir(root)
	if len(entries) != 1 {
		t.Errorf("temporary files left: %v", entries)
	}
}

func TestResolveFillsChanges(t *testing.T) {
	root := t.TempDir()
	os.WriteFile(filepath.Join(root, ".env"), []byte("A_PORT=1\n"), 0o644)
	fs := []finding.Finding{withFix("DBP203", finding.Fix{Env: []finding.EnvSet{{File: ".env", Name: "B_PORT", Value: "7001"}}})}
	Resolve(root, fs)
	want := []finding.Change{{File: ".env", Line: 1, Column: 9, EndColumn: 9, Text: "\nB_PORT=7001"}}
	if got := fs[0].Fix.Changes; len(got) != 1 || got[0] != want[0] {
		t.Errorf("changes %+v, want %+v", got, want)
	}
	// A missing file is created.
	created := []finding.Finding{withFix("DBP203", finding.Fix{Env: []finding.EnvSet{{File: "missing/.env", Name: "B_PORT", Value: "7001"}}})}
	Resolve(root, created)
	if c := created[0].Fix.Changes; len(c) != 1 || !c[0].Create || c[0].Line != 1 || c[0].Text != "B_PORT=7001\n" {
		t.Errorf("a new file: %+v", c)
	}
	// A FIFO in place of the file is not read: it would block.
	if err := mkfifo(filepath.Join(root, "fifo.env")); err != nil {
		t.Skip("no FIFO here:", err)
	}
	fifo := []finding.Finding{withFix("DBP203", finding.Fix{Env: []finding.EnvSet{{File: "fifo.env", Name: "B_PORT", Value: "7001"}}})}
	Resolve(root, fifo)
	if c := fifo[0].Fix.Changes; len(c) != 0 {
		t.Errorf("a FIFO: %+v", c)
	}
}
