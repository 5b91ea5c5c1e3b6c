//go:build unix

package atomicfile

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/treetest"
)

func mode(t *testing.T, p string) fs.FileMode {
	t.Helper()
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	return st.Mode().Perm()
}

// names lists a directory, for "nothing else was left there".
func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

func TestNewFileGetsPerm(t *testing.T) {
	p := filepath.Join(t.TempDir(), "new.yml")
	if err := WriteFile(p, []byte("new\n"), 0o640); err != nil {
		t.Fatal(err)
	}
	if got := treetest.ReadFile(t, p); got != "new\n" {
		t.Errorf("content %q", got)
	}
	if m := mode(t, p); m != 0o640 {
		t.Errorf("mode %v, want 0640", m)
	}
}

func TestExistingFileKeepsPermissions(t *testing.T) {
	for _, perm := range []fs.FileMode{0o600, 0o644, 0o755, 0o444} {
		dir := t.TempDir()
		p := filepath.Join(dir, "docker-compose.yml")
		if err := os.WriteFile(p, []byte("old\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(p, perm); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(p, []byte("new\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		if got := treetest.ReadFile(t, p); got != "new\n" {
			t.Errorf("%v: content %q", perm, got)
		}
		if m := mode(t, p); m != perm {
			t.Errorf("mode %v after the write, want %v kept", m, perm)
		}
		if n := names(t, dir); !slices.Equal(n, []string{"docker-compose.yml"}) {
			t.Errorf("directory holds %v", n)
		}
	}
}

// TestSymlinkIsFollowed: the file a link points to is replaced, with its
// permissions, in its own directory; the link stays a link.
func TestSymlinkIsFollowed(t *testing.T) {
	shared, work := t.TempDir(), t.TempDir()
	target := filepath.Join(shared, ".env")
	if err := os.WriteFile(target, []byte("OLD=1\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(work, ".env")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFile(link, []byte("NEW=1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Lstat(link); err != nil || st.Mode()&fs.ModeSymlink == 0 {
		t.Fatalf("the link was replaced by a file: %v %v", st.Mode(), err)
	}
	if got := treetest.ReadFile(t, target); got != "NEW=1\n" {
		t.Errorf("target content %q", got)
	}
	if m := mode(t, target); m != 0o600 {
		t.Errorf("target mode %v, want 0600 kept", m)
	}
	if n := names(t, shared); !slices.Equal(n, []string{".env"}) {
		t.Errorf("target directory holds %v", n)
	}
	if n := names(t, work); !slices.Equal(n, []string{".env"}) {
		t.Errorf("link directory holds %v", n)
	}
}

func TestNoTempFileLeftOnError(t *testing.T) {
	t.Run("a directory in the way", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "out.json"), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(filepath.Join(dir, "out.json"), []byte("x"), 0o644); err == nil {
			t.Error("writing over a directory succeeded")
		}
		if n := names(t, dir); !slices.Equal(n, []string{"out.json"}) {
			t.Errorf("directory holds %v", n)
		}
	})
	t.Run("a dangling link", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Symlink("nowhere", filepath.Join(dir, "link")); err != nil {
			t.Fatal(err)
		}
		if err := WriteFile(filepath.Join(dir, "link"), []byte("x"), 0o644); err == nil || !strings.Contains(err.Error(), "does not resolve") {
			t.Errorf("err = %v", err)
		}
		if n := names(t, dir); !slices.Equal(n, []string{"link"}) {
			t.Errorf("directory holds %v", n)
		}
	})
	t.Run("a missing directory", func(t *testing.T) {
		if err := WriteFile(filepath.Join(t.TempDir(), "missing", "x"), []byte("x"), 0o644); err == nil {
			t.Error("writing into a missing directory succeeded")
		}
	})
	t.Run("the write fails half way", func(t *testing.T) {
		// A helper process whose file size limit (RLIMIT_FSIZE) is below
		// the data: the temporary file is created, the write fails.
		dir := t.TempDir()
		p := filepath.Join(dir, "docker-compose.yml")
		if err := os.WriteFile(p, []byte("old\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		out, err := helper(t, "efbig", p).CombinedOutput()
		if err != nil {
			t.Fatalf("helper: %v\n%s", err, out)
		}
		if !strings.Contains(string(out), "write failed:") {
			t.Fatalf("the write did not fail: %s", out)
		}
		if got := treetest.ReadFile(t, p); got != "old\n" {
			t.Errorf("content %q, want the old one", got)
		}
		if n := names(t, dir); !slices.Equal(n, []string{"docker-compose.yml"}) {
			t.Errorf("directory holds %v: a temporary file was left", n)
		}
	})
}

// helper re-runs this test binary as TestHelperProcess in the given mode.
func helper(t *testing.T, mode string, args ...string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "ATOMICFILE_HELPER="+mode, "ATOMICFILE_ARGS="+strings.Join(args, "\n"))
	return cmd
}

// TestHelperProcess is not a test: it is the process the tests start.
func TestHelperProcess(t *testing.T) {
	mode := os.Getenv("ATOMICFILE_HELPER")
	if mode == "" {
		return
	}
	args := strings.Split(os.Getenv("ATOMICFILE_ARGS"), "\n")
	switch mode {
	case "efbig":
		if err := syscall.Setrlimit(syscall.RLIMIT_FSIZE, &syscall.Rlimit{Cur: 1 << 10, Max: 1 << 10}); err != nil {
			fmt.Println("setrlimit:", err)
			os.Exit(1)
		}
		err := WriteFile(args[0], bytes.Repeat([]byte("x"), 1<<16), 0o644)
		fmt.Println("write failed:", err)
	case "loop":
		// Rewrite every file, generation after generation, until killed.
		for gen := 1; ; gen++ {
			for i, p := range args {
				if err := WriteFile(p, content(gen, i), 0o644); err != nil {
					fmt.Println("write:", err)
					os.Exit(1)
				}
			}
			if gen == 1 {
				fmt.Println("ready")
			}
		}
	}
	os.Exit(0)
}

// content is generation gen of file i: a header naming both, a body of
// 256 KiB (large enough that a plain write would be seen half done) and a
// trailer, so any partial or mixed file is told apart.
func content(gen, i int) []byte {
	var b bytes.Buffer
	fmt.Fprintf(&b, "generation %d file %d\n", gen, i)
	line := fmt.Sprintf("%d:%d %s\n", gen, i, strings.Repeat("=", 100))
	for b.Len() < 256<<10 {
		b.WriteString(line)
	}
	fmt.Fprintf(&b, "end %d %d\n", gen, i)
	return b.Bytes()
}

// generationOf checks that data is exactly some generation of file i.
func generationOf(data []byte, i int) (int, bool) {
	first, _, ok := bytes.Cut(data, []byte("\n"))
	if !ok {
		return 0, false
	}
	f := strings.Fields(string(first))
	if len(f) != 4 || f[0] != "generation" || f[3] != strconv.Itoa(i) {
		return 0, false
	}
	gen, err := strconv.Atoi(f[1])
	if err != nil {
		return 0, false
	}
	return gen, bytes.Equal(data, content(gen, i))
}

// TestKilledMidWrite kills a process that rewrites several files in a
// loop at random points: each file is always a whole generation (the old
// content or a new one), never a partial or mixed one.
func TestKilledMidWrite(t *testing.T) {
	const files, rounds = 4, 15
	for round := 0; round < rounds; round++ {
		dir := t.TempDir()
		var paths []string
		for i := 0; i < files; i++ {
			p := filepath.Join(dir, fmt.Sprintf("docker-compose.%d.yml", i))
			if err := os.WriteFile(p, content(0, i), 0o644); err != nil {
				t.Fatal(err)
			}
			paths = append(paths, p)
		}
		cmd := helper(t, "loop", paths...)
		stdout, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		ready := make(chan string, 1)
		go func() {
			line, _ := bufio.NewReader(stdout).ReadString('\n')
			ready <- line
		}()
		select {
		case line := <-ready:
			if strings.TrimSpace(line) != "ready" {
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatalf("helper: %q", line)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			cmd.Wait()
			t.Fatal("the helper never wrote its first generation")
		}
		time.Sleep(time.Duration(rand.IntN(20_000)) * time.Microsecond)
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		_ = cmd.Wait()

		gens := make([]int, files)
		for i, p := range paths {
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
			gen, ok := generationOf(data, i)
			if !ok {
				t.Fatalf("round %d: %s is partial or mixed (%d bytes, starts %q)", round, filepath.Base(p), len(data), data[:min(len(data), 40)])
			}
			gens[i] = gen
		}
		// Files are written in order: a later file is never ahead of an
		// earlier one, and at most one generation behind.
		for i := 1; i < files; i++ {
			if gens[i] > gens[i-1] || gens[i] < gens[i-1]-1 {
				t.Errorf("round %d: generations %v out of order", round, gens)
			}
		}
		// A kill leaves at most the one temporary file being written.
		var temps int
		for _, n := range names(t, dir) {
			if strings.HasPrefix(n, ".") && strings.Contains(n, ".portguard-") {
				temps++
			}
		}
		if temps > 1 {
			t.Errorf("round %d: %d temporary files left", round, temps)
		}
	}
}
