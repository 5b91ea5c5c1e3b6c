package input

// Fuzz targets (issue 7): the port parser, the interpolation parser, the
// .env scanner, the markdown table reader and the whole loader. Besides
// "no panic", each checks properties that are cheap to state. The seed
// corpora are testdata/fuzz/<FuzzName>/ (crashers found are kept there as
// regression seeds); `make fuzz` runs each target for FUZZTIME, CI for a
// few seconds.

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	composedotenv "github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/template"
	"go.yaml.in/yaml/v3"
)

// checkSpan asserts a port span is [lo, hi] with 0 <= lo <= hi <= 65535.
func checkSpan(t *testing.T, what string, span []int) {
	t.Helper()
	if span == nil {
		return
	}
	if len(span) != 2 || span[0] < 0 || span[0] > span[1] || span[1] > 65535 {
		t.Fatalf("%s = %v: want [lo, hi] with 0 <= lo <= hi <= 65535", what, span)
	}
}

// checkPort asserts the invariants of a parsed port.
func checkPort(t *testing.T, raw string, p Port) {
	t.Helper()
	checkSpan(t, "published_range", p.PublishedRange)
	checkSpan(t, "target_range", p.TargetRange)
	checkSpan(t, "effective_range", p.EffectiveRange)
	if (p.Published == nil) != (p.PublishedRange == nil) || (p.Published != nil && *p.Published != p.PublishedRange[0]) {
		t.Fatalf("%q: published %v does not start published_range %v", raw, p.Published, p.PublishedRange)
	}
	if (p.Effective == nil) != (p.EffectiveRange == nil) || (p.Effective != nil && *p.Effective != p.EffectiveRange[0]) {
		t.Fatalf("%q: effective %v does not start effective_range %v", raw, p.Effective, p.EffectiveRange)
	}
	if p.TargetRange != nil && p.Target != p.TargetRange[0] {
		t.Fatalf("%q: target %d does not start target_range %v", raw, p.Target, p.TargetRange)
	}
	if p.Variable != nil && (p.Variable.Name == "" || !isNameStart(p.Variable.Name[0])) {
		t.Fatalf("%q: variable name %q", raw, p.Variable.Name)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Fatalf("%q: the port does not marshal: %v", raw, err)
	}
}

// FuzzParseShortPort fuzzes a short mapping and the .env value of the
// variable it may use.
func FuzzParseShortPort(f *testing.F) {
	f.Fuzz(func(t *testing.T, raw, value string) {
		env := testEnv(map[string]string{"PG_PORT": value, "BIND": "127.0.0.1", "EMPTY": ""})
		p, err := parseShortPort(raw, Position{File: "c.yml", Line: 1, Column: 1}, env)
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Fatalf("error message of %d bytes: a broken value must be clipped", len(err.Error()))
			}
			return
		}
		if p.Raw != raw || p.Syntax != "short" {
			t.Fatalf("raw %q syntax %q, want %q short", p.Raw, p.Syntax, raw)
		}
		checkPort(t, raw, p)
	})
}

// FuzzParseLongPort fuzzes the fields of a long-syntax mapping.
func FuzzParseLongPort(f *testing.F) {
	f.Fuzz(func(t *testing.T, target, published, hostIP, protocol, value string) {
		fields := map[string]string{"target": target, "published": published, "host_ip": hostIP, "protocol": protocol}
		for k, v := range fields {
			if v == "" {
				delete(fields, k)
			}
		}
		src, err := yaml.Marshal(fields)
		if err != nil {
			return
		}
		var doc yaml.Node
		if err := yaml.Unmarshal(src, &doc); err != nil || len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
			return
		}
		env := testEnv(map[string]string{"PG_PORT": value})
		p, err := parseLongPort(doc.Content[0], newLineIndex(src), "c.yml", env)
		if err != nil {
			return
		}
		checkPort(t, string(src), p)
		if p.Line < 1 || p.Column < 1 {
			t.Fatalf("%q: position %d:%d", src, p.Line, p.Column)
		}
	})
}

// FuzzInterpolation fuzzes the reference scanner and resolution.
func FuzzInterpolation(f *testing.F) {
	f.Fuzz(func(t *testing.T, s string) {
		refs, err := scanVars(s)
		if err != nil {
			if len(err.Error()) > 1000 {
				t.Fatalf("error message of %d bytes: a broken value must be clipped", len(err.Error()))
			}
			return
		}
		prev := 0
		for _, r := range refs {
			if r.Start < prev || r.End <= r.Start || r.End > len(s) || s[r.Start] != '$' {
				t.Fatalf("%q: reference %+v out of order or bounds", s, r)
			}
			prev = r.End
			if r.Name == "" || !isNameStart(r.Name[0]) {
				t.Fatalf("%q: reference name %q", s, r.Name)
			}
			switch r.Form {
			case "$", "", ":-", "-", ":?", "?", ":+", "+":
			default:
				t.Fatalf("%q: form %q", s, r.Form)
			}
		}
		vars := map[string]string{"A": "1", "B": "", "C": "${A}"}
		lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
		for _, r := range refs {
			resolve(r, lookup)
			resolve(r, noLookup)
		}
		out, unknown := substitute(s, refs, lookup)
		if len(refs) == 0 && out != strings.ReplaceAll(s, "$$", "$") {
			t.Fatalf("%q without references became %q", s, out)
		}
		for _, i := range unknown {
			if i < 0 || i >= len(refs) {
				t.Fatalf("%q: unknown index %d of %d references", s, i, len(refs))
			}
		}
		tolerant, err := tolerantSubstitute(s, lookup)
		if err != nil {
			t.Fatalf("%q scans but tolerantSubstitute fails: %v", s, err)
		}
		// The value is docker compose's: compose-go's template package.
		want, err := template.SubstituteWithOptions(s, template.Mapping(lookup), template.WithoutLogging)
		var missing *template.MissingRequiredError
		if errors.As(err, &missing) {
			// docker compose refuses the value (it returns no text at all):
			// portguard reads the variable as the empty string, the same
			// way in both of its readers.
			if out != tolerant {
				t.Fatalf("%q without %s interpolates to %q, and to %q given to compose-go", s, missing.Variable, out, tolerant)
			}
			return
		}
		if err != nil {
			t.Fatalf("%q scans, but docker compose rejects it: %v", s, err)
		}
		if out != want || tolerant != want {
			t.Fatalf("%q interpolates to %q (%q given to compose-go), docker compose: %q", s, out, tolerant, want)
		}
	})
}

// dotenvCanary is a secret no fuzzed .env may leak: it is appended to every
// input under a name that is not port-like.
const dotenvCanary = "CANARY_fuzz_d0_n0t_pr1nt"

// FuzzParseDotenv fuzzes the .env scanner and parser: lines point inside
// the file, and only port-like variables keep their values.
func FuzzParseDotenv(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		data = append(append(data, "\nFUZZ_SECRET="...), dotenvCanary+"\n"...)
		d, err := parseDotenv(".env", data)
		if err != nil && strings.Contains(err.Error(), dotenvCanary) {
			t.Fatalf("the error quotes a value: %v", err)
		}
		if d == nil {
			t.Fatal("no facts: the readable statements must be read")
		}
		// docker compose's view: what compose-go reads of the whole file,
		// statement for statement; a file it refuses is an input error.
		whole, werr := composedotenv.ParseWithLookup(bytes.NewReader(data), nil)
		switch {
		case werr == nil && err != nil:
			t.Fatalf("docker compose reads the file, portguard reports %v", err)
		case werr != nil && err == nil:
			t.Fatalf("docker compose refuses the file (%v), portguard reports nothing", werr)
		case werr == nil:
			delete(whole, "")
			if !reflect.DeepEqual(whole, d.Compose) {
				t.Fatalf("read %q, docker compose reads %q", d.Compose, whole)
			}
		}
		lines := 1 + strings.Count(string(data), "\n")
		seen := map[string]bool{}
		for _, name := range d.Order {
			if seen[name] {
				t.Fatalf("%q listed twice in order %v", name, d.Order)
			}
			seen[name] = true
			if l := d.Lines[name]; l < 1 || l > lines {
				t.Fatalf("%s at line %d of %d", name, l, lines)
			}
		}
		vars := envVars(d, nil)
		for _, v := range vars {
			if !v.PortLike && (v.Value != Redacted || v.AppValue != Redacted) {
				t.Fatalf("%s is not port-like but keeps its value", v.Name)
			}
		}
		if leaks(vars, dotenvCanary) {
			t.Fatalf("the canary leaks through the .env facts: %+v", vars)
		}
	})
}

// leaks reports whether the canary appears in the JSON of facts, outside
// the values that port-like variables may keep.
func leaks(facts any, canary string) bool {
	raw, _ := json.Marshal(facts)
	var v any
	_ = json.Unmarshal(raw, &v)
	var walk func(v any) bool
	walk = func(v any) bool {
		switch x := v.(type) {
		case map[string]any:
			portLike, _ := x["port_like"].(bool)
			for k, e := range x {
				if portLike && (k == "value" || k == "app_value") {
					continue
				}
				if strings.Contains(k, canary) || walk(e) {
					return true
				}
			}
		case []any:
			for _, e := range x {
				if walk(e) {
					return true
				}
			}
		case string:
			return strings.Contains(x, canary)
		}
		return false
	}
	return walk(v)
}

// FuzzParseConventions fuzzes the markdown table reader.
func FuzzParseConventions(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		c := parseConventions("PORTS-CONVENTION.md", data)
		lines := 1 + strings.Count(string(data), "\n")
		for _, r := range c.Rows {
			if r.Line < 1 || r.Line > lines {
				t.Fatalf("row at line %d of %d: %+v", r.Line, lines, r)
			}
			if r.Port == nil && r.PortRange == nil {
				t.Fatalf("row without port: %+v", r)
			}
			checkSpan(t, "port_range", r.PortRange)
			if r.Port != nil && (*r.Port < 1 || *r.Port > 65535) {
				t.Fatalf("port %d", *r.Port)
			}
		}
		if _, err := json.Marshal(c); err != nil {
			t.Fatal(err)
		}
	})
}

// loadHangGuard turns a hang into a failure the fuzzer records: Go's
// fuzzing has no per-input timeout.
const loadHangGuard = 10 * time.Second

// FuzzLoad writes the fuzzed bytes as a compose file next to a fixed .env
// (with a secret) and a small convention table, and loads the repository.
func FuzzLoad(f *testing.F) {
	f.Fuzz(func(t *testing.T, data []byte) {
		root := t.TempDir()
		files := map[string]string{
			"docker-compose.yml":  string(data),
			".env":                "PG_PORT=7000\nAPI_PORT=8080\nPASSWORD=" + dotenvCanary + "\n",
			"PORTS-CONVENTION.md": "| Port | Service |\n|---|---|\n| 7000 | db |\n",
		}
		for name, content := range files {
			if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		var doc *Document
		var err error
		done := make(chan struct{})
		go func() {
			defer close(done)
			doc, err = Load(Options{Root: root})
		}()
		select {
		case <-done:
		case <-time.After(loadHangGuard):
			t.Fatalf("Load takes more than %v", loadHangGuard)
		}
		if err != nil {
			t.Fatalf("Load: %v", err)
		}
		for _, e := range doc.Errors {
			if e.File == "" || e.Message == "" || e.Line < 0 || e.Column < 0 {
				t.Fatalf("input error without place or message: %+v", e)
			}
			if len(e.Message) > 1000 {
				t.Fatalf("input error message of %d bytes", len(e.Message))
			}
		}
		for _, s := range doc.Services {
			for _, p := range s.Ports {
				checkPort(t, p.Raw, p)
			}
			for _, e := range s.Environment {
				if !portLikeName(e.Name) && e.Value != Redacted && e.Value != "" {
					t.Fatalf("%s.%s is not port-like but keeps its value", s.Name, e.Name)
				}
			}
		}
		// The document may carry the secret only where the fuzzed file
		// asks docker compose to interpolate it outside environment:.
		if !strings.Contains(string(data), "PASSWORD") && leaks(doc, dotenvCanary) {
			t.Fatalf("the .env secret leaks into the document")
		}
		if !utf8.Valid(mustJSON(t, doc)) {
			t.Fatal("the document is not valid UTF-8 JSON")
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
