//go:build unix

package main

// Hostile input (issue 7): every case puts one bad file next to a good one
// and asserts the exit code, the input error with its file:line:col and
// message, that the good file's findings are still reported, and that the
// run ends within a hang guard, without a stack trace (run() fails on one).

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// goodCompose sits at good/docker-compose.yml in every case: one DBP201 at
// line 5, so its findings prove the other files are still checked.
const goodCompose = `services:
  redis:
    image: redis:7
    ports:
      - "7030:6379"
    volumes:
      - redis-data:/data

volumes:
  redis-data:
    name: hostile-redis-data
    external: true
`

const goodConventions = "# Ports\n\n| Port | Service | Env var | Category |\n|---|---|---|---|\n| 7030 | redis | `REDIS_PORT` | database |\n"

var goodFindings = []want{{"DBP201", "good/docker-compose.yml", 5, "redis"}}

// cacheCompose is a well-formed file the BOM and CRLF cases re-encode.
const cacheCompose = "services:\n  cache:\n    image: redis:7\n    ports:\n      - \"7031:6379\"\n"

var cacheFindings = []want{
	{"DBP601", dc, 2, "cache"},
	{"DBP201", dc, 5, "cache"},
	{"DBP501", dc, 5, "cache"},
}

// portCompose publishes one port mapping as written.
func portCompose(mapping string) string {
	return "services:\n  db:\n    image: postgres:16\n    ports:\n      - '" + mapping + "'\n"
}

// externalVolume is a database on a named volume whose external is value.
func externalVolume(value string) string {
	return "services:\n  db:\n    image: postgres:16\n    volumes:\n      - data:/var/lib/postgresql/data\nvolumes:\n  data:\n    external: " + value + "\n"
}

// hostileErr is an expected input error: position 0 means the file as a
// whole (no line can be known), msg is a substring of the message.
type hostileErr struct {
	file      string
	line, col int
	msg       string
}

type hostileCase struct {
	name  string
	setup func(t *testing.T, root string)
	exit  int
	// errors are the input errors, exactly; findings are those of the bad
	// file (the good file's are always expected).
	errors   []hostileErr
	findings []want
	// unreadable cases need a user whom chmod 000 stops.
	unreadable bool
}

// hangGuard bounds each run: the requirement is well under a second; the
// bound is generous so a slow CI machine does not fail, a hang does.
const hangGuard = 10 * time.Second

// TestHostileInput: bombs, sizes, encodings, duplicate keys and types
// that compose-go would be given, and errors in included files.
func TestHostileInput(t *testing.T) {
	runHostileCases(t, []hostileCase{
		{name: "YAML alias bomb", setup: copyFixture("yaml-alias-bomb", dc), exit: 2,
			errors: []hostileErr{{dc, 1, 1, "excessive aliasing"}}},
		{name: "merge-key bomb", setup: writeFile(dc, mergeKeyBomb(10)), exit: 2,
			errors: []hostileErr{{dc, 1, 1, "excessive aliasing"}}},
		{name: "over the default size limit", setup: writeFile(dc, oversized(10<<20+1)), exit: 2,
			errors: []hostileErr{{dc, 0, 0, "over the limit of 10 MiB (max_file_size in .portguard.yaml)"}}},
		{name: "over a configured size limit", setup: func(t *testing.T, root string) {
			writeFile(".portguard.yaml", "max_file_size: 2048\n")(t, root)
			writeFile(dc, oversized(3000))(t, root)
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "over the limit of 2 KiB (max_file_size in .portguard.yaml)"}}},
		{name: "binary file", setup: copyFixture("binary-compose-file", dc), exit: 2,
			errors: []hostileErr{{dc, 1, 1, "binary content (control character U+0000)"}}},
		{name: "invalid UTF-8", setup: writeFile(dc, "services:\n  db:\n    image: postgres:16\n    container_name: d\xe9j\xe0-vu\n"), exit: 2,
			errors: []hostileErr{{dc, 4, 22, "invalid UTF-8 (byte 0xe9)"}}},
		{name: "UTF-8 BOM", setup: writeFile(dc, "\ufeff"+cacheCompose), exit: 1, findings: cacheFindings},
		{name: "CRLF line endings", setup: writeFile(dc, strings.ReplaceAll(cacheCompose, "\n", "\r\n")), exit: 1, findings: cacheFindings},
		{name: "duplicate key", setup: writeFile(dc, "services:\n  db:\n    image: postgres:16\n    image: postgres:15\n"), exit: 2,
			errors: []hostileErr{{dc, 4, 5, `mapping key "image" already defined at line 3`}}},
		{name: "duplicate service", setup: writeFile(dc, "services:\n  db:\n    image: postgres:16\n  db:\n    image: postgres:15\n"), exit: 2,
			errors: []hostileErr{{dc, 4, 3, `service "db" is defined twice (first at line 2)`}}},
		// compose-go's checks read a volume's external as a boolean: the
		// words docker compose accepts are cast (a volume that is external
		// is not DBP602), anything else is an error at its line, never a
		// crash.
		{name: "volume external from a variable", setup: writeFile(dc, externalVolume(`"${EXT:-true}"`)), exit: 1},
		{name: "volume external written yes", setup: writeFile(dc, externalVolume("yes")), exit: 1},
		{name: "volume external that is no boolean", setup: writeFile(dc, externalVolume("maybe")), exit: 2,
			errors: []hostileErr{{dc, 8, 5, `volumes.data.external: failed to cast to expected type: "maybe" is not a boolean`}}},
		// The types of what compose-go is given, as the compose schema
		// states them, checked at their line.
		{name: "image that is a list", setup: writeFile(dc, "services:\n  db:\n    image: [postgres, redis]\n"), exit: 2,
			errors: []hostileErr{{dc, 3, 5, "services.db.image must be a string"}}},
		{name: "profile that is a number", setup: writeFile(dc, "services:\n  db:\n    image: postgres:16\n    profiles: [dev, 2]\n"), exit: 2,
			errors: []hostileErr{{dc, 4, 21, "services.db.profiles.1 must be a string"}}},
		{name: "volume with an unknown key", setup: writeFile(dc, externalVolume("true")+"    size: 10G\n"), exit: 2,
			errors: []hostileErr{{dc, 9, 5, "volumes.data additional properties 'size' not allowed"}}},
		// compose-go names the included file where it fails: relative to
		// the root, never with the machine's path.
		{name: "error in an included file", setup: func(t *testing.T, root string) {
			writeFile(dc, "include:\n  - sub/db.yml\nservices:\n  web:\n    image: nginx\n")(t, root)
			writeFile("sub/db.yml", "services:\n  db:\n    image: postgres:16\n    extends:\n      service: nope\n")(t, root)
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, `cannot extend service "db" in sub/db.yml: service "nope" not found`}}},
		{name: "tab indentation", setup: writeFile(dc, "services:\n  db:\n\timage: postgres:16\n"), exit: 2,
			errors: []hostileErr{{dc, 3, 1, "a tab: YAML indents with spaces"}}},
	})
}

// TestHostileFileSystem: links, FIFOs, unreadable files and directories,
// directories and empty files named like compose files.
func TestHostileFileSystem(t *testing.T) {
	runHostileCases(t, []hostileCase{
		// Directory links are never descended: a loop is harmless and a
		// directory outside is not part of the check, silently.
		{name: "directory symlink loops", setup: func(t *testing.T, root string) {
			symlink(t, ".", filepath.Join(root, "loop"))
			symlink(t, "..", filepath.Join(root, "good", "up"))
		}, exit: 1},
		{name: "directory symlink outside the root", setup: func(t *testing.T, root string) {
			symlink(t, outsideDir(t), filepath.Join(root, "elsewhere"))
		}, exit: 1},
		// A compose file that is a link is read when it resolves inside the
		// root; outside (or not at all) it is reported and not read.
		{name: "compose file symlink outside the root", setup: func(t *testing.T, root string) {
			symlink(t, filepath.Join(outsideDir(t), dc), filepath.Join(root, dc))
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "is a symbolic link to a file outside the checked directory: not followed"}}},
		{name: "compose file symlink to a device outside the root", setup: func(t *testing.T, root string) {
			symlink(t, "/dev/zero", filepath.Join(root, dc))
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "outside the checked directory"}}},
		{name: "compose file symlink loop", setup: func(t *testing.T, root string) {
			symlink(t, dc, filepath.Join(root, dc))
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "too many levels of symbolic links"}}},
		// Read once, under the name of the file it links to.
		{name: "compose file symlink inside the root", setup: func(t *testing.T, root string) {
			writeFile("stacks/cache.yml", cacheCompose)(t, root)
			symlink(t, "stacks/cache.yml", filepath.Join(root, dc))
		}, exit: 1, findings: []want{
			{"DBP601", "stacks/cache.yml", 2, "cache"},
			{"DBP201", "stacks/cache.yml", 5, "cache"},
			{"DBP501", "stacks/cache.yml", 5, "cache"},
		}},
		{name: "FIFO named like a compose file", setup: func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, dc))
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "is not a regular file"}}},
		{name: "FIFO as the root .env", setup: func(t *testing.T, root string) {
			mkfifo(t, filepath.Join(root, ".env"))
		}, exit: 2,
			errors: []hostileErr{{".env", 0, 0, "is not a regular file"}}},
		{name: "unreadable compose file", unreadable: true, setup: func(t *testing.T, root string) {
			writeFile(dc, cacheCompose)(t, root)
			chmod(t, filepath.Join(root, dc), 0)
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "cannot read: permission denied"}}},
		{name: "unreadable directory", unreadable: true, setup: func(t *testing.T, root string) {
			writeFile("locked/docker-compose.yml", cacheCompose)(t, root)
			chmod(t, filepath.Join(root, "locked"), 0)
		}, exit: 2,
			errors: []hostileErr{{"locked", 0, 0, "cannot read: permission denied"}}},
		{name: "directory named like a compose file", setup: func(t *testing.T, root string) {
			writeFile(dc+"/README", "not a compose file\n")(t, root)
		}, exit: 2,
			errors: []hostileErr{{dc, 0, 0, "is a directory, not a compose file"}}},
		{name: "empty file", setup: writeFile(dc, ""), exit: 2,
			errors: []hostileErr{{dc, 1, 1, "empty compose file"}}},
		{name: "comments only", setup: writeFile(dc, "# nothing here yet\n"), exit: 2,
			errors: []hostileErr{{dc, 1, 1, "empty compose file"}}},
	})
}

// TestHostilePorts: port mappings that cannot be read, or are made to be
// slow.
func TestHostilePorts(t *testing.T) {
	runHostileCases(t, []hostileCase{
		// Bad ports: an input error at the item; the rest of the file (the
		// service's volume finding) is still checked.
		{name: "port 99999:5432", setup: writeFile(dc, portCompose("99999:5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, `invalid port mapping "99999:5432"`}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
		{name: "port -1:5432", setup: writeFile(dc, portCompose("-1:5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, `invalid port mapping "-1:5432"`}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
		{name: "port abc:5432", setup: writeFile(dc, portCompose("abc:5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, `invalid port mapping "abc:5432"`}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
		{name: "port ${UNCLOSED:-7000:5432", setup: writeFile(dc, portCompose("${UNCLOSED:-7000:5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, `invalid port mapping "${UNCLOSED:-7000:5432": unclosed variable reference`}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
		// Hundreds of KiB made to be slow: nesting and references bounded.
		{name: "port with 20000 nested defaults", setup: writeFile(dc, portCompose(strings.Repeat("${A:-", 20000)+"7000"+strings.Repeat("}", 20000)+":5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, "variable references nested more than 16 deep"}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
		{name: "port of 200000 references", setup: writeFile(dc, portCompose(strings.Repeat("$A", 200000)+":5432")), exit: 2,
			errors:   []hostileErr{{dc, 5, 9, "more than 8 variable references"}},
			findings: []want{{"DBP601", dc, 2, "db"}}},
	})
}

// runHostileCases runs each case in a root beside a good stack: the exit
// code, the exact findings (the good stack's and the case's) and input
// errors, in json and in text.
func runHostileCases(t *testing.T, cases []hostileCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			root, runner := hostileRoot(t, c.unreadable)
			writeFile("good/docker-compose.yml", goodCompose)(t, root)
			writeFile("PORTS-CONVENTION.md", goodConventions)(t, root)
			c.setup(t, root)

			res := runner(t, "check", root, "--format", "json")
			if res.code != c.exit {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", res.code, c.exit, res.stderr)
			}
			r := decodeReport(t, res)
			compareFindings(t, r.Findings, append(append([]want{}, goodFindings...), c.findings...))
			compareHostileErrors(t, r.Errors, c.errors)
			for _, f := range r.Findings {
				// Every bad file writes its port item at 5:9: a BOM or a
				// CR must not shift the column.
				if f.File == dc && f.Line == 5 && f.Column != 9 {
					t.Errorf("%s at column %d, want 9", f.key(), f.Column)
				}
			}

			text := runner(t, "check", root)
			if text.code != res.code {
				t.Errorf("text format exits %d, json format %d", text.code, res.code)
			}
			checkText(t, text.stdout, r)
		})
	}
}

func compareHostileErrors(t *testing.T, got []inputError, want []hostileErr) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("input errors %+v, want %+v", got, want)
		return
	}
	for i, w := range want {
		g := got[i]
		if g.File != w.file || g.Line != w.line || g.Column != w.col || !strings.Contains(g.Message, w.msg) {
			t.Errorf("input error %s:%d:%d %q, want %s:%d:%d containing %q", g.File, g.Line, g.Column, g.Message, w.file, w.line, w.col, w.msg)
		}
	}
}

// hostileRunner runs the binary and measures it against the hang guard.
type hostileRunner func(t *testing.T, args ...string) result

// hostileRoot gives the repository root of a case and the way to run the
// binary on it. chmod 000 does not stop root: an unreadable case then runs
// the binary as user nobody, or is skipped where that is not possible.
func hostileRoot(t *testing.T, unreadable bool) (string, hostileRunner) {
	t.Helper()
	timed := func(t *testing.T, args ...string) result {
		t.Helper()
		start := time.Now()
		res := run(t, invocation{args: args})
		if elapsed := time.Since(start); elapsed > hangGuard {
			t.Errorf("portguard %s took %v (hang guard %v)", strings.Join(args, " "), elapsed, hangGuard)
		}
		return res
	}
	if !unreadable || !chmodIsBypassed(t) {
		return t.TempDir(), timed
	}
	if os.Getuid() != 0 {
		t.Skip("chmod 000 does not stop this user from reading, and it is not root: cannot test unreadable files")
	}
	// Root reads anything: run as nobody, from a directory nobody can enter.
	base, err := os.MkdirTemp("", "portguard-nobody-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = filepath.WalkDir(base, func(p string, d os.DirEntry, err error) error { return os.Chmod(p, 0o755) })
		os.RemoveAll(base)
	})
	bin := filepath.Join(base, "portguard")
	data, err := os.ReadFile(binary)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bin, data, 0o755); err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(base, "repo")
	if err := os.Mkdir(root, 0o755); err != nil {
		t.Fatal(err)
	}
	chmod(t, base, 0o755)
	const nobody = 65534
	probe := exec.Command(bin, "version")
	probe.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}
	if out, err := probe.CombinedOutput(); err != nil {
		t.Skipf("running as root, which reads files chmod 000 does not stop, and cannot run as user nobody (%v: %s): unreadable files are not tested", err, out)
	}
	return root, func(t *testing.T, args ...string) result {
		t.Helper()
		return run(t, invocation{args: args, bin: bin, timeout: hangGuard,
			sys: &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: nobody, Gid: nobody}}})
	}
}

// chmodIsBypassed reports whether this process reads a file despite
// chmod 000 (it runs as root, or with CAP_DAC_OVERRIDE).
func chmodIsBypassed(t *testing.T) bool {
	t.Helper()
	p := filepath.Join(t.TempDir(), "probe")
	if err := os.WriteFile(p, []byte("x"), 0); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(p)
	if err != nil {
		return false
	}
	f.Close()
	return true
}

// copyFixture reuses the bad file of an existing fixture.
func copyFixture(name, file string) func(t *testing.T, root string) {
	return func(t *testing.T, root string) {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(fixture(name), file))
		if err != nil {
			t.Fatal(err)
		}
		writeFile(file, string(data))(t, root)
	}
}

// outsideDir is a directory outside the checked root holding a compose file
// that would report findings if it were read.
func outsideDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	writeFile(dc, portCompose("5432:5432"))(t, dir)
	return dir
}

func symlink(t *testing.T, target, link string) {
	t.Helper()
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Fatal(err)
	}
}

func chmod(t *testing.T, p string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(p, mode); err != nil {
		t.Fatal(err)
	}
}

// mergeKeyBomb chains anchors that each merge the previous one nine times.
func mergeKeyBomb(levels int) string {
	var b strings.Builder
	b.WriteString("x-l0: &l0 {k: v}\n")
	for i := 1; i <= levels; i++ {
		prev := fmt.Sprintf("*l%d", i-1)
		fmt.Fprintf(&b, "x-l%d: &l%d {<<: [%s%s]}\n", i, i, strings.Repeat(prev+", ", 8), prev)
	}
	fmt.Fprintf(&b, "services:\n  web:\n    image: nginx:1.27\n    <<: *l%d\n", levels)
	return b.String()
}

// oversized is a valid compose file of at least size bytes (comments).
func oversized(size int) string {
	var b strings.Builder
	b.WriteString(cacheCompose)
	line := "# " + strings.Repeat("padding ", 12) + "\n"
	for b.Len() < size {
		b.WriteString(line)
	}
	return b.String()
}
