package main

// The README is tested here: how it starts, the rules table, the files
// examples/README.md names, and every output excerpt.
//
// Adding an output excerpt to the README: write a fenced block whose first
// line is a command after "$ " and whose next lines are what it prints:
//
//	```
//	$ portguard check examples/violating
//	...
//	tools/compose/docker-compose.database.yml:17:9  error  DBP201  timescaledb hard-codes host port 7000 in "7000:5432"
//	...
//	```
//
// TestReadmeExcerpts runs the commands of each block in order with bash, in
// a fresh directory holding a copy of examples/ (and of testdata/e2e/ for a
// command that names it) and with this build of
// portguard first on the PATH (`cd DIR` on a line of its own moves the
// block's later commands), and compares the printed lines (stdout, then
// stderr) with the block's: each line of the block must be a line of the
// output, in order and next to each other, except that a line "..." stands
// for any number of lines. Several commands in a block are a session: the
// walkthrough of the README is one. An excerpt that cannot run here (it
// needs a running database, the host's sockets, a file made elsewhere)
// has the line `<!-- excerpt: not checked -- why -->` right before it.

import (
	"encoding/json"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

var updateReadme = flag.Bool("update-readme", false, "rewrite the generated rules table of README.md")

func readme(t *testing.T) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(repoRoot, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestReadmeStart: the title, one paragraph, then the quick start's one
// block of two commands.
func TestReadmeStart(t *testing.T) {
	s := readme(t)
	re := regexp.MustCompile("^# portguard\n\n[^\n#`][^\n]*(\n[^\n]+)*\n\n## Quick start\n\n```sh\n([^\n]*)\n([^\n]*)\n```\n")
	m := re.FindStringSubmatch(s)
	if m == nil {
		t.Fatalf("README.md must start with # portguard, one paragraph, then ## Quick start and one fenced block of two commands:\n%.400s", s)
	}
	if m[2] != "go run ./cmd/portguard check examples/violating" || m[3] != "make test" {
		t.Errorf("quick start commands %q, %q", m[2], m[3])
	}
}

type block struct {
	line    int // of the opening fence
	lines   []string
	skipped string // the reason of an excerpt: not checked marker
	// continues: the block goes on where the previous one ended.
	continues bool
}

var skipRE = regexp.MustCompile(`^<!-- excerpt: not checked -- (.+) -->$`)

const continuesMarker = "<!-- excerpt: continues -->"

func fencedBlocks(s string) []block {
	var out []block
	lines := strings.Split(s, "\n")
	for i := 0; i < len(lines); i++ {
		if !strings.HasPrefix(lines[i], "```") {
			continue
		}
		b := block{line: i + 1}
		for j := i - 1; j >= 0; j-- {
			if strings.TrimSpace(lines[j]) == "" {
				continue
			}
			if m := skipRE.FindStringSubmatch(strings.TrimSpace(lines[j])); m != nil {
				b.skipped = m[1]
			}
			b.continues = strings.TrimSpace(lines[j]) == continuesMarker
			break
		}
		for i++; i < len(lines) && !strings.HasPrefix(lines[i], "```"); i++ {
			b.lines = append(b.lines, lines[i])
		}
		out = append(out, b)
	}
	return out
}

// TestReadmeExcerpts checks every output excerpt (see the top of this file).
func TestReadmeExcerpts(t *testing.T) {
	checked := 0
	var dir, cwd string // where the previous block ended
	for _, b := range fencedBlocks(readme(t)) {
		if len(b.lines) == 0 || !strings.HasPrefix(b.lines[0], "$ ") {
			continue
		}
		if b.skipped != "" {
			continue
		}
		checked++
		if !b.continues || dir == "" {
			dir = t.TempDir()
			treetest.Copy(t, filepath.Join(repoRoot, "examples"), filepath.Join(dir, "examples"))
			cwd = dir
		}
		t.Run(strings.TrimPrefix(b.lines[0], "$ "), func(t *testing.T) { cwd = checkExcerpt(t, b, cwd) })
	}
	if checked < 3 {
		t.Errorf("only %d excerpts checked", checked)
	}
}

// checkExcerpt runs the block's commands from cwd and returns where its
// last cd left it.
func checkExcerpt(t *testing.T, b block, cwd string) string {
	path := filepath.Dir(binary) + string(os.PathListSeparator) + os.Getenv("PATH")
	for i := 0; i < len(b.lines); {
		cmdLine := strings.TrimPrefix(b.lines[i], "$ ")
		// A command on a fixture gets a copy of the fixtures.
		if strings.Contains(cmdLine, "testdata/") {
			if _, err := os.Stat(filepath.Join(cwd, "testdata")); err != nil {
				treetest.Copy(t, filepath.Join(repoRoot, "testdata", "e2e"), filepath.Join(cwd, "testdata", "e2e"))
			}
		}
		var want []string
		for i++; i < len(b.lines) && !strings.HasPrefix(b.lines[i], "$ "); i++ {
			want = append(want, b.lines[i])
		}
		if f := strings.Fields(cmdLine); len(f) == 2 && f[0] == "cd" {
			cwd = filepath.Join(cwd, f[1])
			continue
		}
		cmd := exec.Command("bash", "-c", cmdLine)
		cmd.Dir = cwd
		cmd.Env = append(baseEnv(), "PATH="+path)
		var stdout, stderr strings.Builder
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if _, ok := err.(*exec.ExitError); err != nil && !ok {
			t.Fatalf("README.md:%d: %s: %v", b.line, cmdLine, err)
		}
		var got []string
		if printed := strings.TrimRight(stdout.String()+stderr.String(), "\n"); printed != "" {
			got = strings.Split(printed, "\n")
		}
		if !matchExcerpt(want, got) {
			t.Errorf("README.md:%d: %s prints\n%s\nthe README shows\n%s", b.line, cmdLine, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
	return cwd
}

// matchExcerpt: want's lines appear in got in order, adjacent except where
// want has "...".
func matchExcerpt(want, got []string) bool {
	var match func(w, g int, gap bool) bool
	match = func(w, g int, gap bool) bool {
		if w == len(want) {
			return gap || g == len(got)
		}
		if strings.TrimSpace(want[w]) == "..." {
			return match(w+1, g, true)
		}
		for ; g < len(got); g++ {
			if strings.TrimRight(got[g], " ") == strings.TrimRight(want[w], " ") && match(w+1, g+1, false) {
				return true
			}
			if !gap {
				return false
			}
		}
		return false
	}
	return match(0, 0, false)
}

const (
	rulesBegin = "<!-- rules table: generated from the rules' METADATA by go test ./cmd/portguard -run TestReadmeRulesTable -update-readme -->"
	rulesEnd   = "<!-- end of the rules table -->"
)

// TestReadmeRulesTable: the README's rules table is the whole catalog, as
// the METADATA says it.
func TestReadmeRulesTable(t *testing.T) {
	res := run(t, invocation{args: []string{"rules", "--format", "json"}})
	var rules []struct {
		ID, Severity, Title string
	}
	if err := json.Unmarshal([]byte(res.stdout), &rules); err != nil || len(rules) < 30 {
		t.Fatalf("rules --format json: %v (%d rules)\n%s", err, len(rules), res.stdout)
	}
	var b strings.Builder
	b.WriteString(rulesBegin + "\n\n| id | severity | what |\n|---|---|---|\n")
	for _, r := range rules {
		b.WriteString("| [" + r.ID + "](docs/rules.md#" + strings.ToLower(r.ID) + ") | " + r.Severity + " | " + strings.ReplaceAll(r.Title, "|", "\\|") + " |\n")
	}
	b.WriteString("\n" + rulesEnd)
	s := readme(t)
	i, j := strings.Index(s, rulesBegin), strings.Index(s, rulesEnd)
	if i < 0 || j < i {
		t.Fatalf("README.md has no rules table between %q and %q", rulesBegin, rulesEnd)
	}
	updated := s[:i] + b.String() + s[j+len(rulesEnd):]
	if updated == s {
		return
	}
	if *updateReadme {
		if err := os.WriteFile(filepath.Join(repoRoot, "README.md"), []byte(updated), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	t.Errorf("the rules table of README.md is out of date; refresh it with go test ./cmd/portguard -run TestReadmeRulesTable -update-readme")
}

// TestExamplesReadmeNamesFiles: every path examples/README.md names (in
// backquotes or its file list) exists in both examples, or in the one it
// names.
func TestExamplesReadmeNamesFiles(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot, "examples", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	pathRE := regexp.MustCompile(`(?m)(?:^|[\x60\s])((?:[\w.-]+/)*[\w-]*\.(?:yml|yaml|md|js|env)|\.env)(?::\d+)?(?:[\x60\s]|$)`)
	seen := 0
	for _, m := range pathRE.FindAllStringSubmatch(string(b), -1) {
		p := m[1]
		if p == "DESIGN.md" || p == "README.md" {
			continue
		}
		seen++
		var found bool
		for _, base := range []string{"examples/compliant", "examples/violating", "examples", "."} {
			if _, err := os.Stat(filepath.Join(repoRoot, base, p)); err == nil {
				found = true
			}
		}
		if !found {
			t.Errorf("examples/README.md names %s, which exists in no example", p)
		}
	}
	if seen < 5 {
		t.Errorf("only %d paths found in examples/README.md", seen)
	}
}
