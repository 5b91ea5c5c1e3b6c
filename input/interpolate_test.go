package input

import (
	"reflect"
	"testing"
)

func TestScanVars(t *testing.T) {
	tests := []struct {
		in   string
		want []varRef
		err  bool
	}{
		{in: "7000:5432", want: nil},
		{in: "$$HOME:5432", want: nil},
		{in: "${PG_PORT:-7000}:5432", want: []varRef{{Start: 0, End: 16, Name: "PG_PORT", Form: ":-", Arg: "7000"}}},
		{in: "${PG_PORT-7000}", want: []varRef{{Start: 0, End: 15, Name: "PG_PORT", Form: "-", Arg: "7000"}}},
		{in: "${PG_PORT}", want: []varRef{{Start: 0, End: 10, Name: "PG_PORT", Form: ""}}},
		{in: "$PG_PORT:5432", want: []varRef{{Start: 0, End: 8, Name: "PG_PORT", Form: "$"}}},
		{in: "${PG_PORT:?must be set}", want: []varRef{{Start: 0, End: 23, Name: "PG_PORT", Form: ":?", Arg: "must be set"}}},
		{in: "${A:-${B:-7000}}", want: []varRef{{Start: 0, End: 16, Name: "A", Form: ":-", Arg: "${B:-7000}"}}},
		{in: "${A:+x}${B?}", want: []varRef{{Start: 0, End: 7, Name: "A", Form: ":+", Arg: "x"}, {Start: 7, End: 12, Name: "B", Form: "?", Arg: ""}}},
		{in: "${UNCLOSED:-7000:5432", err: true},
		{in: "${1BAD}", err: true},
		{in: "${A*b}", err: true},
		{in: "trailing $", want: nil},
	}
	for _, tt := range tests {
		got, err := scanVars(tt.in)
		if (err != nil) != tt.err {
			t.Errorf("scanVars(%q) error = %v, want error %v", tt.in, err, tt.err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("scanVars(%q) = %+v, want %+v", tt.in, got, tt.want)
		}
	}
}

func TestResolve(t *testing.T) {
	env := map[string]string{"SET": "7001", "EMPTY": ""}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	tests := []struct {
		ref       string
		want      string
		wantKnown bool
	}{
		{"${SET:-7000}", "7001", true},
		{"${UNSET:-7000}", "7000", true},
		{"${EMPTY:-7000}", "7000", true},
		{"${EMPTY-7000}", "", true},
		{"${UNSET-7000}", "7000", true},
		{"${SET}", "7001", true},
		{"$SET", "7001", true},
		{"${UNSET}", "", false},
		{"${UNSET:?x}", "", false},
		{"${EMPTY:?x}", "", false},
		{"${EMPTY?x}", "", true},
		{"${SET:+alt}", "alt", true},
		{"${UNSET:+alt}", "", true},
		{"${UNSET:-${SET}}", "7001", true},
		{"${UNSET:-${ALSO_UNSET}}", "", false},
	}
	for _, tt := range tests {
		refs, err := scanVars(tt.ref)
		if err != nil || len(refs) != 1 {
			t.Fatalf("scanVars(%q) = %v, %v", tt.ref, refs, err)
		}
		got, known := resolve(refs[0], lookup)
		if got != tt.want || known != tt.wantKnown {
			t.Errorf("resolve(%q) = %q, %v; want %q, %v", tt.ref, got, known, tt.want, tt.wantKnown)
		}
	}
}

func TestTolerantSubstitute(t *testing.T) {
	lookup := func(k string) (string, bool) {
		if k == "SET" {
			return "x", true
		}
		return "", false
	}
	// A variable without value is empty, also a required one, as docker
	// compose interpolates it (where compose would stop on the required
	// one, the check goes on).
	got, err := tolerantSubstitute("${SET}/${MISSING:?must be set}:$$HOME:${DEF:-d}:${UNSET}:${SET:+alt}${UNSET+alt}", lookup)
	if err != nil {
		t.Fatal(err)
	}
	if want := "x/:$HOME:d::alt"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if _, err := tolerantSubstitute("${UNCLOSED", lookup); err == nil {
		t.Error("an unclosed reference must be an error")
	}
}
