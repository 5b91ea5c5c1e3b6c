//go:build unix

package input

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/osfile"
)

// TestMergeKeyBombIsLinear: a chain of anchors that each merge the previous
// one nine times must not cost 9^n in the walk.
// hangGuard catches a hang, not a slowdown: without their bounds the inputs
// below cost quadratic or exponential work, with them milliseconds, and a
// loaded CI machine must not fail a tight limit; make bench measures speed.
const hangGuard = 10 * time.Second

func TestMergeKeyBombIsLinear(t *testing.T) {
	var b strings.Builder
	b.WriteString("x-a: &a {base: v}\n")
	prev := "a"
	for _, c := range []string{"b", "c", "d", "e", "f", "g", "h", "i"} {
		b.WriteString("x-" + c + ": &" + c + " {<<: [" + strings.Repeat("*"+prev+", ", 8) + "*" + prev + "], " + c + ": 1}\n")
		prev = c
	}
	b.WriteString("services:\n  web:\n    image: nginx\n    <<: *" + prev + "\n")
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(b.String()), &doc); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	web := mappingValue(mappingValue(doc.Content[0], "services"), "web")
	got := map[string]bool{}
	for _, kv := range pairs(web) {
		got[kv.key.Value] = true
	}
	if elapsed := time.Since(start); elapsed > hangGuard {
		t.Errorf("pairs took %v (hang guard %v)", elapsed, hangGuard)
	}
	for _, k := range []string{"image", "base", "b", "i"} {
		if !got[k] {
			t.Errorf("merged keys %v lack %q", got, k)
		}
	}
	if len(got) != 10 {
		t.Errorf("merged keys %v: want image, base and b..i once each", got)
	}
}

// TestMergeKeysFirstSourceWins: skipping a source met again keeps YAML's
// precedence (own keys, then the sources in order).
func TestMergeKeysFirstSourceWins(t *testing.T) {
	src := "x-a: &a {p: a}\nx-b: &b {<<: *a, q: b}\nm: {<<: [*b, *a, {p: c, r: c}], s: own}\n"
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(src), &doc); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, kv := range pairs(mappingValue(doc.Content[0], "m")) {
		got[kv.key.Value] = kv.value.Value
	}
	want := map[string]string{"p": "a", "q": "b", "r": "c", "s": "own"}
	if len(got) != len(want) {
		t.Errorf("pairs = %v, want %v", got, want)
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %q, want %q (all: %v)", k, got[k], v, got)
		}
	}
}

func TestYAMLErrorPositions(t *testing.T) {
	checkParseErrors(t, false, []parseErrorCase{
		{"invalid UTF-8", "services:\n  db:\n    image: pg\xff\n", 3, 14, "invalid UTF-8 (byte 0xff)"},
		{"binary", "\x00\x01PNG", 1, 1, "binary content (control character U+0000)"},
		{"control character late", "services:\n  db: {}\n# \x07\n", 3, 3, "control character U+0007"},
		{"tab", "services:\n  db:\n\timage: pg\n", 3, 1, "a tab"},
		{"BOM then invalid UTF-8", "\xef\xbb\xbfa: \xc3\n", 1, 4, "invalid UTF-8"},
		// docker compose's positions: the mis-indented key, with the
		// mapping it breaks; the [ that is never closed.
		{"mis-indented key", "services:\n  web:\n    image: nginx\n   ports:\n      - \"80:80\"\n", 4, 4,
			"did not find expected key (while parsing a block mapping at L2.C3-L4.C4)"},
		{"unclosed flow sequence", "services:\n  web:\n    image: nginx\n    environment:\n      A: b\n    ports:\n      - [ \"80:80\"\n  db:\n    image: postgres\n", 7, 9,
			"did not find expected ',' or ']' (while parsing a flow sequence at L7.C9-L8.C3)"},
		{"unclosed quote", "services:\n  web:\n    image: \"nginx\n", 3, 12, "found unexpected end of stream (while scanning a quoted scalar at L3.C12-L4.C1)"},
	})
}

func TestDuplicateKeyColumn(t *testing.T) {
	doc := load(t, map[string]string{
		"docker-compose.yml": "services:\n  db:\n    image: postgres:16\n    \"image\": postgres:15\n",
	})
	if len(doc.Errors) != 1 {
		t.Fatalf("errors = %+v, want one", doc.Errors)
	}
	e := doc.Errors[0]
	if e.Line != 4 || e.Column != 5 || !strings.Contains(e.Message, `mapping key "image" already defined at line 3`) {
		t.Errorf("got %d:%d %q, want 4:5 naming the duplicate key", e.Line, e.Column, e.Message)
	}
}

// A file over max_file_size says which setting raises the limit.
func TestSizeMessageNamesTheSetting(t *testing.T) {
	got := pathErrorReason(&osfile.SizeError{Size: 11 << 20, Limit: 10 << 20})
	if want := "file is 11.0 MiB, over the limit of 10 MiB (max_file_size in .portguard.yaml)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestDiscoverSymlinks(t *testing.T) {
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "docker-compose.yml"), []byte("services: {}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	root := writeTree(t, map[string]string{"inner/real.yml": "services: {}\n"})
	links := map[string]string{
		"docker-compose.yml":         filepath.Join(outside, "docker-compose.yml"), // a file outside: reported
		"compose.yml":                "inner/real.yml",                             // a file inside: read as inner/real.yml
		"loop/docker-compose.yml":    "docker-compose.yml",                         // a loop: left to the reader
		"outside-dir":                outside,                                      // a directory: not descended
		"inner/up":                   "..",                                         // a directory loop: not descended
		"inner/docker-compose.a.yml": "../compose.yml",                             // a link to a link inside: the same file
	}
	for name, target := range links {
		p := filepath.Join(root, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, p); err != nil {
			t.Skipf("no symbolic links here: %v", err)
		}
	}
	tree := Discover(root, DefaultConfig().ComposeFiles, nil)
	var files []string
	for _, p := range tree.Projects {
		for _, f := range p.Files {
			files = append(files, rel(root, f))
		}
	}
	if strings.Join(files, " ") != "inner/real.yml loop/docker-compose.yml" {
		t.Errorf("compose files = %v", files)
	}
	if len(tree.Errors) != 1 || tree.Errors[0].File != "docker-compose.yml" || !strings.Contains(tree.Errors[0].Message, "outside the checked directory") {
		t.Errorf("errors = %+v, want the link to a file outside", tree.Errors)
	}
}

// TestConfigNotRegular: a .portguard.yaml that is a FIFO (or a link to
// /dev/zero) is an error, not a hang.
func TestConfigNotRegular(t *testing.T) {
	p := filepath.Join(t.TempDir(), ConfigFileName)
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := LoadConfig(p, ConfigFileName, false); done <- err }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "is not a regular file") {
			t.Errorf("LoadConfig of a FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO config blocks")
	}
}

// TestPortParsingIsLinear: deeply nested defaults and mappings made of
// references were quadratic (minutes for a few hundred KiB).
func TestPortParsingIsLinear(t *testing.T) {
	env := testEnv(map[string]string{"A": "1"})
	for name, c := range map[string]struct{ raw, err string }{
		"nested defaults": {strings.Repeat("${A:-", 20000) + "7000" + strings.Repeat("}", 20000) + ":5432", "nested more than 16 deep"},
		"references":      {strings.Repeat("$A", 200000) + ":5432", "more than 8 variable references"},
		"unclosed":        {strings.Repeat("x", 100000) + "${A", "unclosed variable reference"},
	} {
		start := time.Now()
		_, err := parseShortPort(c.raw, Position{}, env)
		if elapsed := time.Since(start); elapsed > hangGuard {
			t.Errorf("%s: %v (hang guard %v)", name, elapsed, hangGuard)
		}
		if err == nil || !strings.Contains(err.Error(), c.err) || len(err.Error()) > 300 {
			t.Errorf("%s: error %.300v, want a short one containing %q", name, err, c.err)
		}
	}
	if refs, err := scanVars("${A:-${B:-${C:-${D:-7000}}}}"); err != nil || len(refs) != 1 {
		t.Errorf("four levels of defaults: %v, %v", refs, err)
	}
}

// TestSecretsStayOut: label values other than portguard's own, and
// messages about broken values, never carry what is written there.
func TestSecretsStayOut(t *testing.T) {
	const secret = "s3cret-canary"
	doc := load(t, map[string]string{
		".env": "BASIC_AUTH=admin:" + secret + "\n",
		"docker-compose.yml": "services:\n  proxy:\n    image: traefik:3\n    labels:\n" +
			"      traefik.auth: ${BASIC_AUTH}\n      token: " + secret + "\n      portguard.category: ui\n" +
			"volumes:\n  v:\n    labels: [token=" + secret + "]\n",
		"broken/docker-compose.yml": "services:\n  api:\n    image: \"acme/api:${" + secret + "\"\n" +
			"    volumes: [\"x${" + secret + ":/data\"]\n    ports: [\"${-" + secret + "}:80\"]\n",
	})
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), secret) {
		t.Errorf("the document holds the secret: %s", raw)
	}
	for _, s := range doc.Services {
		if s.Name == "proxy" && (s.Labels["portguard.category"] != "ui" || s.Labels["traefik.auth"] != Redacted) {
			t.Errorf("labels = %v, want portguard.category kept and the others redacted", s.Labels)
		}
	}
	if len(doc.Errors) == 0 {
		t.Error("the broken file reports no error")
	}
}
