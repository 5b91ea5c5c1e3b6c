package input

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// FuzzFactsMatchCompose generates compose documents with variables in
// every position portguard reads (image, container_name, labels,
// network_mode, profiles, short and long ports, short and long volumes,
// port-like environment, top-level volume names and external), each
// variable set, set empty or unset in the root .env, referenced in every
// form (with defaults, nested defaults, alternatives, required), and
// compares the document with compose-go's full loader, as
// TestFactsMatchCompose does. A document compose-go refuses (a required
// variable without value) is not compared; portguard must still load it.
func FuzzFactsMatchCompose(f *testing.F) {
	for _, seed := range []string{
		"",
		"\x01\x02\x03\x04\x05\x06\x07\x08\x09\x0a\x0b\x0c\x0d\x0e\x0f\x10",
		"\xff\xfe\xfd\xfc\xfb\xfa\xf9\xf8\xf7\xf6\xf5\xf4\xf3\xf2\xf1\xf0\xef\xee",
		strings.Repeat("\x03\x07", 40),
		strings.Repeat("\x05", 64),
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		g := &composeGen{data: data}
		compose, env := g.document()
		root := t.TempDir()
		for name, content := range map[string]string{"docker-compose.yml": compose, ".env": env} {
			if err := os.WriteFile(filepath.Join(root, name), []byte(content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		doc, err := Load(Options{Root: root})
		if err != nil {
			t.Fatalf("Load: %v\n%s", err, compose)
		}
		rps := referenceProjectsOf(root, doc)
		if len(rps) != 1 {
			t.Fatalf("%d projects, want 1\n%s", len(rps), compose)
		}
		if rps[0].refused {
			// A generated document has no alias bomb: compose-go can say
			// whether docker compose refuses it too.
			rps[0].load()
			if rps[0].err == nil {
				t.Fatalf("input errors %v on a document docker compose loads\n%s\n.env:\n%s", doc.Errors, compose, env)
			}
			return
		}
		if rps[0].err != nil {
			// docker compose refuses it: nothing to compare, and portguard
			// checks it without an error of its own.
			if len(doc.Errors) > 0 {
				t.Fatalf("input errors %v\n%s\n.env:\n%s", doc.Errors, compose, env)
			}
			return
		}
		if len(doc.Errors) > 0 {
			t.Fatalf("input errors %v on a document docker compose loads\n%s\n.env:\n%s", doc.Errors, compose, env)
		}
		if diffs := compareProject(root, root, doc, rps[0]); len(diffs) > 0 {
			t.Fatalf("facts differ from docker compose's:\n%s\n\ndocker-compose.yml:\n%s\n.env:\n%s", strings.Join(diffs, "\n"), compose, env)
		}
	})
}

// composeGen draws the choices of a generated document from the fuzzed
// bytes, one byte a choice (0 once they run out).
type composeGen struct {
	data []byte
	pos  int
	vars map[string]bool // variables referenced, by name
}

func (g *composeGen) pick(n int) int {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return int(b) % n
}

// ref writes a reference to a variable named for its kind, in one of the
// forms docker compose reads, with def as the default or alternative.
func (g *composeGen) ref(kind, def string) string {
	name := fmt.Sprintf("%s_%d", kind, g.pick(3))
	g.vars[name] = true
	switch g.pick(10) {
	case 0:
		return "$" + name
	case 1:
		return "${" + name + "}"
	case 2:
		return "${" + name + "-" + def + "}"
	case 3:
		return "${" + name + ":+" + def + "}"
	case 4:
		return "${" + name + "+" + def + "}"
	case 5:
		return "${" + name + ":?" + kind + " must be set}"
	case 6:
		// A nested default.
		inner := fmt.Sprintf("%s_%d", kind, g.pick(3))
		g.vars[inner] = true
		return "${" + name + ":-${" + inner + ":-" + def + "}}"
	case 7:
		return "${" + name + "?}"
	}
	return "${" + name + ":-" + def + "}"
}

// values are what the .env may set each kind of variable to ("" sets it
// empty; a variable may also be left out).
var genValues = map[string][]string{
	"PORT":  {"7000", "7001", "8080", "65123"},
	"IP":    {"127.0.0.1", "0.0.0.0"},
	"TAG":   {"16", "latest", "15-alpine"},
	"NAME":  {"db", "data-pg"},
	"PATH":  {"./volumes", "/srv/data", "../shared"},
	"VOL":   {"pgdata", "./bind"},
	"ROLE":  {"backup", "primary"},
	"PROF":  {"db", "tools"},
	"NET":   {"host", "bridge"},
	"BOOL":  {"true", "false"},
	"PROTO": {"tcp", "udp"},
}

func (g *composeGen) document() (compose, env string) {
	g.vars = map[string]bool{}
	var b strings.Builder
	line := func(format string, args ...any) { fmt.Fprintf(&b, format+"\n", args...) }
	line("services:")
	for s := 0; s < 1+g.pick(2); s++ {
		line("  svc%d:", s)
		line("    image: postgres:%s", g.ref("TAG", "16"))
		if g.pick(2) == 0 {
			line("    container_name: %s-%d", g.ref("NAME", "pg"), s)
		}
		if g.pick(3) == 0 {
			line("    network_mode: %s", g.ref("NET", "bridge"))
		}
		if g.pick(2) == 0 {
			line("    profiles: [%q]", g.ref("PROF", "all"))
		}
		if g.pick(2) == 0 {
			line("    labels:")
			line("      portguard.role: %q", g.ref("ROLE", "primary"))
			line("      com.example.owner: %q", g.ref("NAME", "team"))
		}
		line("    ports:")
		for p := 0; p < 1+g.pick(3); p++ {
			target := 5432 + 10*s + p
			switch g.pick(5) {
			case 0:
				line("      - %q", fmt.Sprintf("%s:%d", g.ref("PORT", "7000"), target))
			case 1:
				line("      - %q", fmt.Sprintf("%s:%s:%d", g.ref("IP", "127.0.0.1"), g.ref("PORT", "7001"), target))
			case 2:
				line("      - %q", fmt.Sprintf("%d:%d/%s", 7100+p, target, g.ref("PROTO", "tcp")))
			case 3:
				line("      - target: %d", target)
				line("        published: %q", g.ref("PORT", "7002"))
				if g.pick(2) == 0 {
					line("        host_ip: %q", g.ref("IP", "127.0.0.1"))
				}
			default:
				line("      - %q", fmt.Sprintf("65123:%d", target))
			}
		}
		line("    volumes:")
		switch g.pick(4) {
		case 0:
			line("      - %q", g.ref("PATH", "./data")+"/pg:/var/lib/postgresql/data")
		case 1:
			line("      - %q", g.ref("VOL", "pgdata")+":/var/lib/postgresql/data")
		case 2:
			line("      - type: bind")
			line("        source: %q", g.ref("PATH", "./data")+"/pg")
			line("        target: /var/lib/postgresql/data")
		default:
			line("      - pgdata:/var/lib/postgresql/data:ro")
		}
		line("    environment:")
		line("      DB_PORT: %q", g.ref("PORT", "5432"))
	}
	line("volumes:")
	line("  pgdata:")
	if g.pick(2) == 0 {
		line("    name: %q", g.ref("NAME", "pg-data"))
	}
	if g.pick(3) == 0 {
		line("    external: %q", g.ref("BOOL", "false"))
	}
	var e strings.Builder
	// Keys in order: a fuzzed input always gives the same .env.
	for _, name := range slices.Sorted(maps.Keys(g.vars)) {
		kind := name[:strings.LastIndexByte(name, '_')]
		values := genValues[kind]
		switch c := g.pick(len(values) + 2); {
		case c < len(values):
			fmt.Fprintf(&e, "%s=%s\n", name, values[c])
		case c == len(values):
			fmt.Fprintf(&e, "%s=\n", name)
		}
	}
	return b.String(), e.String()
}
