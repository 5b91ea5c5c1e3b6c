package main

// Writes: portguard fix, or migrate apply, killed at random points leaves
// every file either as it was or as a whole run leaves it. The atomic
// write itself is tested in internal/atomicfile (TestKilledMidWrite).

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/treetest"
)

// fileSnapshot maps each file under dir to its content, temporary files of an
// interrupted atomic write and directories of backups (which hold the
// marker file) apart.
func fileSnapshot(t *testing.T, dir string) (files map[string]string, temps int) {
	t.Helper()
	files = map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if _, err := os.Lstat(filepath.Join(p, ".portguard-backups")); err == nil {
				return fs.SkipDir
			}
			return nil
		}
		r, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".portguard-") {
			temps++
			return nil
		}
		data, err := os.ReadFile(p)
		files[filepath.ToSlash(r)] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, temps
}

func TestFixKilledLeavesOldOrNew(t *testing.T) {
	killedRuns(t, example("violating"), 2, "fix", repoArg)
}

// repoArg stands for the repository's path in the arguments of killedRuns.
const repoArg = "<repo>"

// killedRuns runs portguard with args (repoArg replaced by a copy of src)
// once to its end, then twelve times killed at random points, each on a
// fresh copy: every file must be as it was or as the whole run left it,
// never torn, never gone. The whole run must change minChanged files.
func killedRuns(t *testing.T, src string, minChanged int, args ...string) {
	t.Helper()
	argv := func(dir string) []string {
		out := slices.Clone(args)
		for i, a := range out {
			if a == repoArg {
				out[i] = dir
			}
		}
		return out
	}
	// What a whole run writes, and how long it takes.
	whole := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, src, whole)
	old, _ := fileSnapshot(t, whole)
	start := time.Now()
	res := run(t, invocation{args: argv(whole)})
	took := time.Since(start)
	if res.code != 0 {
		t.Fatalf("portguard %s: exit %d\n%s", strings.Join(args, " "), res.code, res.stderr)
	}
	done, _ := fileSnapshot(t, whole)
	changed := 0
	for f := range old {
		if done[f] != old[f] {
			changed++
		}
	}
	if changed < minChanged {
		t.Fatalf("the run changed %d files; the test needs %d", changed, minChanged)
	}

	for round := 0; round < 12; round++ {
		dir := killedRun(t, src, argv, round, took)
		got, temps := fileSnapshot(t, dir)
		written := 0
		for f, data := range got {
			if data != old[f] && data == done[f] {
				written++
			}
			if data != old[f] && data != done[f] {
				t.Errorf("round %d: %s is neither the old file nor the one a whole run writes:\n%s", round, f, data)
			}
		}
		for f := range old {
			if _, ok := got[f]; !ok {
				t.Errorf("round %d: %s disappeared", round, f)
			}
		}
		if temps > 1 {
			t.Errorf("round %d: %d temporary files left", round, temps)
		}
		t.Logf("round %d: killed with %d of %d files written", round, written, changed)
	}
}

// killedRun runs portguard on a fresh copy of src, kills it (odd rounds
// just after its first write, even rounds at any point of a run that takes
// took) and returns the copy.
func killedRun(t *testing.T, src string, argv func(string) []string, round int, took time.Duration) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, src, dir)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	a := argv(dir)
	cmd := exec.CommandContext(ctx, binary, a...)
	cmd.Env = baseEnv()
	// Odd rounds kill just after the first file is renamed into the root
	// (where .env and the table are written), among the writes; even
	// rounds at any point of the run.
	var fired <-chan struct{}
	stop := func() {}
	if round%2 == 1 {
		fired, stop = firstWrite(t, dir)
	}
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	if fired != nil {
		select {
		case <-fired:
		case <-ctx.Done():
		}
		time.Sleep(time.Duration(rand.IntN(3000)) * time.Microsecond)
	} else {
		time.Sleep(time.Duration(rand.Int64N(int64(took) + int64(took)/5)))
	}
	_ = cmd.Process.Kill()
	_ = cmd.Wait()
	stop()
	cancel()
	return dir
}
