package main

// The README's excerpts of writing rules (verify, fmt, eval, init and the
// typed input) are what the binary prints: each is run again here, in the
// situation its section describes, and compared line for line.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// readmeExcerpt is one fenced block of the README made of `$ portguard ...`
// commands, each followed by what it prints (stdout, then stderr).
type readmeExcerpt struct {
	commands []readmeCommand
}

type readmeCommand struct {
	line string // as written after "$ "
	want string
}

// readmeExcerpts finds the fenced blocks whose first line is a portguard
// command.
func readmeExcerpts(t *testing.T) []readmeExcerpt {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	var out []readmeExcerpt
	var cur *readmeExcerpt
	in := false
	for _, l := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(l, "```"):
			if in && cur != nil {
				out = append(out, *cur)
			}
			in, cur = !in, nil
		case in && strings.HasPrefix(l, "$ portguard "):
			if cur == nil {
				cur = &readmeExcerpt{}
			}
			cur.commands = append(cur.commands, readmeCommand{line: strings.TrimPrefix(l, "$ ")})
		case in && cur != nil:
			c := &cur.commands[len(cur.commands)-1]
			c.want += l + "\n"
		}
	}
	return out
}

// shellWords splits a command line as a shell does for the quoting the
// README uses: words, '...' and "..." (no escapes inside '...').
func shellWords(s string) []string {
	var words []string
	var w strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == ' ' || c == '\t':
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
		case c == '\'' || c == '"':
			j := strings.IndexByte(s[i+1:], c)
			w.WriteString(s[i+1 : i+1+j])
			i, inWord = i+1+j, true
		default:
			w.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, w.String())
	}
	return words
}

func TestReadmeAuthoringExcerpts(t *testing.T) {
	// initialised: a repository after portguard init, with a compose file.
	initialised := func(t *testing.T) string {
		dir := t.TempDir()
		if res := run(t, invocation{args: []string{"init"}, dir: dir}); res.code != 0 {
			t.Fatalf("init: %s", res.stderr)
		}
		ciWriteFile(t, filepath.Join(dir, "docker-compose.yml"), "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"${POSTGRES_PORT:-7000}:5432\"\n")
		ciWriteFile(t, filepath.Join(dir, ".env"), "POSTGRES_PORT=7000\n")
		return dir
	}
	edit := func(t *testing.T, path, old, new string) {
		data, err := os.ReadFile(path)
		if err != nil || !strings.Contains(string(data), old) {
			t.Fatalf("%s does not hold %q", path, old)
		}
		ciWriteFile(t, path, strings.Replace(string(data), old, new, 1))
	}
	// Each excerpt, by its first command, and where it runs.
	setups := map[string]func(t *testing.T) string{
		"portguard verify --policy policy --no-builtin": func(t *testing.T) string {
			dir := initialised(t)
			edit(t, filepath.Join(dir, "policy", "image_tag_pinned.rego"), `tag != "latest"`, `tag != "lastest"`)
			return dir
		},
		"portguard verify --policy policy --no-builtin -v": initialised,
		"portguard fmt --check policy": func(t *testing.T) string {
			dir := t.TempDir()
			ciWriteFile(t, filepath.Join(dir, "policy", "no_host_network.rego"), "package main\ndeny contains msg if { some s in input.services; s.network_mode == \"host\"\n  msg := sprintf(\"%s uses the host network\",[s.name]) }\n")
			return dir
		},
		"portguard eval 'data.portguard.lib.ports.mappings[0]' examples/violating": func(*testing.T) string { return repoRoot },
		"portguard eval --format pretty 'some i, category in data.portguard.lib.services.category; category != \"other\"; service := input.services[i].name; image := input.services[i].image' examples/violating": func(*testing.T) string {
			return repoRoot
		},
		"portguard init": func(t *testing.T) string {
			dir := t.TempDir()
			ciWriteFile(t, filepath.Join(dir, ".pre-commit-config.yaml"), "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: check-yaml\n")
			return dir
		},
		"portguard check --policy policy": func(t *testing.T) string {
			dir := initialised(t)
			ciWriteFile(t, filepath.Join(dir, "policy", "every_interface.rego"), readmeMisspeltRule)
			return dir
		},
	}
	seen := map[string]bool{}
	for _, ex := range readmeExcerpts(t) {
		setup, ok := setups[ex.commands[0].line]
		if !ok {
			continue
		}
		seen[ex.commands[0].line] = true
		t.Run(ex.commands[0].line, func(t *testing.T) {
			dir := setup(t)
			for _, c := range ex.commands {
				res := run(t, invocation{args: shellWords(c.line)[1:], dir: dir})
				if got := res.stdout + res.stderr; got != c.want {
					t.Errorf("README.md shows for `%s`:\n%s\nit prints:\n%s", c.line, c.want, got)
				}
			}
		})
	}
	for first := range setups {
		if !seen[first] {
			t.Errorf("README.md has no excerpt starting with `$ %s`", first)
		}
	}
}

// readmeMisspeltRule is the rule of the README's typed-input excerpt.
const readmeMisspeltRule = `# METADATA
# title: Database port published on every interface
# description: A port in the database range is published on every host interface.
# related_resources:
#   - ref: https://wiki.example.com/platform/rules#team010
# custom:
#   id: TEAM010
#   severity: warning
#   remediation: Bind the port to 127.0.0.1 ("127.0.0.1:${VAR:-7000}:5432").
#   tags: [ports]
package portguard.rules.team.every_interface

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": s.name,
	"message": sprintf("%s publishes %d on every interface", [s.name, p.effective]),
})) if {
	some s in input.services
	some p in s.prots
	p.host_ip == ""
	p.effective >= 7000
}
`
