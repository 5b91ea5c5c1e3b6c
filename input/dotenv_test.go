package input

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func TestParseDotenv(t *testing.T) {
	src := "\xef\xbb\xbf# comment\r\n" +
		"PG_PORT=7000\r\n" +
		"export REDIS_PORT=7030\n" +
		"QUOTED=\"multi\nline\"\n" +
		"BASE=7100\n" +
		"UI_PORT=${BASE:-7101}\n" +
		"PG_PORT=7001\n" +
		"  SPACED = 'x'  \n"
	d, err := parseDotenv(".env", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	wantCompose := map[string]string{"PG_PORT": "7001", "REDIS_PORT": "7030", "QUOTED": "multi\nline", "BASE": "7100", "UI_PORT": "7100", "SPACED": "x"}
	if !reflect.DeepEqual(d.Compose, wantCompose) {
		t.Errorf("compose view = %q, want %q", d.Compose, wantCompose)
	}
	// The applications' loaders do not understand ${A:-x}: the two views
	// differ on UI_PORT, which is what DBP206 reports.
	if d.App["UI_PORT"] == "7100" {
		t.Errorf("app view of UI_PORT = %q; godotenv must not interpolate defaults like compose", d.App["UI_PORT"])
	}
	// A redefinition moves the line to the last definition, as it wins.
	wantLines := map[string]int{"PG_PORT": 8, "REDIS_PORT": 3, "QUOTED": 4, "BASE": 6, "UI_PORT": 7, "SPACED": 9}
	if !reflect.DeepEqual(d.Lines, wantLines) {
		t.Errorf("lines = %v, want %v", d.Lines, wantLines)
	}
	wantOrder := []string{"PG_PORT", "REDIS_PORT", "QUOTED", "BASE", "UI_PORT", "SPACED"}
	if !reflect.DeepEqual(d.Order, wantOrder) {
		t.Errorf("order = %v, want %v", d.Order, wantOrder)
	}
}

// TestParseDotenvRejectedLines: a line docker compose rejects is an input
// error at its line, and the variables before and after it are known in
// both views (no DBP206 or DBP203 is built on a half-read file).
func TestParseDotenvRejectedLines(t *testing.T) {
	for name, bad := range map[string]string{
		"a name with spaces":   "BAD LINE HERE",
		"a stray word":         "oops!",
		"an unclosed quote":    `SECRET="hunter2 CANARY`,
		"a broken reference":   "SECRET=x${CANARY",
		"a required variable":  "SECRET=${MISSING:?set it}",
		"a space in the name":  "PG PORT=7000",
		"an invalid character": "PG$PORT=7000",
	} {
		src := "# header\nREDIS_PORT=7030\n" + bad + "\nPG_PORT=7000\nQUOTED='a\nb'\n"
		d, err := parseDotenv(".env", []byte(src))
		ie, ok := err.(InputError)
		if !ok || ie.Line != 3 || ie.File != ".env" {
			t.Errorf("%s: error = %#v, want an InputError at .env:3", name, err)
			continue
		}
		if strings.Contains(ie.Message, "CANARY") {
			t.Errorf("%s: the error quotes the value: %q", name, ie.Message)
		}
		want := map[string]string{"REDIS_PORT": "7030", "PG_PORT": "7000", "QUOTED": "a\nb"}
		for k, v := range want {
			if d.Compose[k] != v || d.App[k] != v {
				t.Errorf("%s: %s is %q to docker compose, %q to the applications; want %q for both", name, k, d.Compose[k], d.App[k], v)
			}
		}
		if d.Lines["PG_PORT"] != 4 || d.Lines["QUOTED"] != 5 {
			t.Errorf("%s: lines %v", name, d.Lines)
		}
	}
}

// TestDotenvStatements: statements split where compose-go's parser splits
// them: a quoted value spans lines, a statement may follow a quoted value
// on its line, comments and blank lines are skipped.
func TestDotenvStatements(t *testing.T) {
	src := "A=1\n\n# c\n  export B=\"x\ny\" C=3 # trailing\nD\nE: 'q'\n"
	var got []string
	for _, st := range dotenvStatements([]byte(src)) {
		got = append(got, fmt.Sprintf("%d:%q", st.line, src[st.start:st.end]))
	}
	want := []string{`1:"A=1\n"`, `4:"export B=\"x\ny\""`, `5:"C=3 # trailing\n"`, `6:"D\n"`, `7:"E: 'q'"`}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("statements %v, want %v", got, want)
	}
}

func TestPortLikeName(t *testing.T) {
	for name, want := range map[string]bool{"PORT": true, "PG_PORT": true, "pg_port": true, "PASSWORD": false, "PORTAL": false, "SUPPORT": false} {
		if got := portLikeName(name); got != want {
			t.Errorf("portLikeName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestParseDotenvBrokenStatement(t *testing.T) {
	src := "REDIS_PORT=7030\nLEGACY_PASSWORD=x${CANARY_do_not_print\nPG_PORT=7000\n"
	d, err := parseDotenv(".env", []byte(src))
	ie, ok := err.(InputError)
	if !ok || ie.Line != 2 || ie.File != ".env" {
		t.Fatalf("error = %#v, want an InputError at .env:2", err)
	}
	if strings.Contains(ie.Message, "CANARY") || strings.Contains(ie.Message, "x${") {
		t.Errorf("the error quotes the value: %q", ie.Message)
	}
	if d == nil || d.Compose["REDIS_PORT"] != "7030" || d.Compose["PG_PORT"] != "7000" {
		t.Errorf("the other variables must still be read: %+v", d)
	}
}
