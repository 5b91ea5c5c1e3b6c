package input

import (
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

func TestParseDotenvErrors(t *testing.T) {
	_, err := parseDotenv(".env", []byte("A=1\nB=\"never closed\nC=3\n"))
	ie, ok := err.(InputError)
	if !ok || ie.Line != 2 || ie.File != ".env" {
		t.Fatalf("error = %#v, want an InputError at .env:2", err)
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
