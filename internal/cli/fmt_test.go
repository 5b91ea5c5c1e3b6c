package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

func TestNewCmdFmtFlags(t *testing.T) {
	testFlags(t, NewCmdFmt, []flagCase[FmtOptions]{
		{name: "paths", args: []string{"policy", "x.rego"}, want: FmtOptions{Paths: []string{"policy", "x.rego"}}},
		{name: "check and diff", args: []string{"--check", "--diff", "policy"}, want: FmtOptions{Paths: []string{"policy"}, Check: true, Diff: true}},
		{name: "stdin", args: []string{"-"}, want: FmtOptions{Paths: []string{"-"}}},
		{name: "no path", args: nil, wantErr: true},
		{name: "unknown flag", args: []string{"--write", "policy"}, wantErr: true},
	}, func(want *FmtOptions, f *Factory) { want.IO = f.IO })
}

const (
	unformattedRego = "package team.x\nallow if {input.version == 1\n}\n"
	formattedRego   = "package team.x\n\nallow if input.version == 1\n"
)

func TestFmtRun(t *testing.T) {
	cases := []struct {
		name   string
		files  map[string]string
		paths  []string // relative to the tree; "-" is stdin
		stdin  string
		check  bool
		diff   bool
		code   int
		stdout string   // exact
		stderr []string // in the error
		after  map[string]string
	}{
		{name: "rewrites what is not formatted", files: map[string]string{"p/a.rego": unformattedRego, "p/b.rego": formattedRego},
			paths: []string{"p"}, stdout: "formatted p/a.rego\n", after: map[string]string{"p/a.rego": formattedRego, "p/b.rego": formattedRego}},
		{name: "check lists and fails", files: map[string]string{"p/a.rego": unformattedRego, "p/sub/c.rego": unformattedRego, "p/b.rego": formattedRego},
			paths: []string{"p"}, check: true, code: ExitFindings, stdout: "p/a.rego\np/sub/c.rego\n",
			stderr: []string{"2 files are not formatted"}, after: map[string]string{"p/a.rego": unformattedRego}},
		{name: "check passes", files: map[string]string{"p/b.rego": formattedRego}, paths: []string{"p"}, check: true, stdout: ""},
		{name: "diff writes nothing", files: map[string]string{"p/a.rego": unformattedRego}, paths: []string{"p/a.rego"}, diff: true,
			stdout: "--- a/p/a.rego\n+++ b/p/a.rego\n@@ -1,3 +1,3 @@\n package team.x\n-allow if {input.version == 1\n-}\n+\n+allow if input.version == 1\n",
			after:  map[string]string{"p/a.rego": unformattedRego}},
		{name: "diff and check fail", files: map[string]string{"p/a.rego": unformattedRego}, paths: []string{"p"}, diff: true, check: true, code: ExitFindings,
			stdout: "--- a/p/a.rego\n+++ b/p/a.rego\n@@ -1,3 +1,3 @@\n package team.x\n-allow if {input.version == 1\n-}\n+\n+allow if input.version == 1\n",
			stderr: []string{"1 file is not formatted"}},
		{name: "skips vendor, node_modules and .git", files: map[string]string{"p/vendor/v.rego": unformattedRego, "p/node_modules/n.rego": unformattedRego, "p/.git/g.rego": unformattedRego, "p/a.txt": "x"},
			paths: []string{"p"}, check: true, stdout: ""},
		{name: "a file named twice is formatted once", files: map[string]string{"p/a.rego": unformattedRego}, paths: []string{"p", "p/a.rego", "./p/a.rego"},
			stdout: "formatted p/a.rego\n"},
		{name: "stdin to stdout", paths: []string{"-"}, stdin: unformattedRego, stdout: formattedRego},
		{name: "stdin checked", paths: []string{"-"}, stdin: unformattedRego, check: true, code: ExitFindings, stdout: "stdin\n"},
		{name: "not Rego v1", files: map[string]string{"p/old.rego": "package x\n\np[a] { a := 1 }\n", "p/a.rego": unformattedRego}, paths: []string{"p"},
			code: ExitPolicy, stdout: "formatted p/a.rego\n", stderr: []string{"policy does not parse:", "p/old.rego:3:1: `if` keyword is required before rule body"},
			after: map[string]string{"p/old.rego": "package x\n\np[a] { a := 1 }\n", "p/a.rego": formattedRego}},
		{name: "missing path", paths: []string{"nothing"}, code: ExitInput, stderr: []string{"nothing: no such file or directory"}},
		{name: "a file that is not Rego", files: map[string]string{"README.md": "# x\n"}, paths: []string{"README.md"}, code: ExitInput, stderr: []string{"not a .rego file"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			treetest.Write(t, dir, c.files)
			t.Chdir(dir)
			f, out, _ := factoryWithBuffers()
			f.IO.In = strings.NewReader(c.stdin)
			err := fmtRun(&FmtOptions{IO: f.IO, Paths: c.paths, Check: c.check, Diff: c.diff})
			if got := exitCode(err); got != c.code {
				t.Fatalf("exit %d (%v), want %d\nstdout:\n%s", got, err, c.code, out)
			}
			if out.String() != c.stdout {
				t.Errorf("stdout:\n%s\nwant:\n%s", out, c.stdout)
			}
			for _, s := range c.stderr {
				if err == nil || !strings.Contains(err.Error(), s) {
					t.Errorf("error %v lacks %q", err, s)
				}
			}
			for name, want := range c.after {
				got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
				if err != nil || string(got) != want {
					t.Errorf("%s after fmt:\n%s\nwant:\n%s", name, got, want)
				}
			}
		})
	}
}

// TestFmtKeepsModeAndLinks: a rewritten file keeps its permissions, and a
// symbolic link stays a link to the rewritten file.
func TestFmtKeepsModeAndLinks(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "real.rego")
	if err := os.WriteFile(target, []byte(unformattedRego), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "p", "link.rego")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Skip("no symbolic links here:", err)
	}
	f, _, _ := factoryWithBuffers()
	if err := fmtRun(&FmtOptions{IO: f.IO, Paths: []string{filepath.Join(dir, "p")}}); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&os.ModeSymlink == 0 {
		t.Errorf("the link is no longer a link: %v", err)
	}
	got, _ := os.ReadFile(target)
	st, _ := os.Stat(target)
	if string(got) != formattedRego || st.Mode().Perm() != 0o600 {
		t.Errorf("target %q mode %v, want the formatted module, 0600", got, st.Mode().Perm())
	}
}
