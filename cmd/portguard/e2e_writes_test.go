package main

// Writes (issue 7): portguard fix killed at random points leaves every file
// either as it was or as a whole run of fix leaves it. The atomic write
// itself is tested in internal/atomicfile (TestKilledMidWrite).

import (
	"context"
	"io/fs"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// fileSnapshot maps each file under dir to its content, temporary files of an
// interrupted atomic write apart.
func fileSnapshot(t *testing.T, dir string) (files map[string]string, temps int) {
	t.Helper()
	files = map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		r, _ := filepath.Rel(dir, p)
		if strings.HasPrefix(d.Name(), ".") && strings.Contains(d.Name(), ".portguard-") {
			temps++
			return nil
		}
		data, err := os.ReadFile(p)
		files[r] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files, temps
}

func TestFixKilledLeavesOldOrNew(t *testing.T) {
	src := example("violating")
	// What a whole run of fix writes, and how long it takes.
	whole := filepath.Join(t.TempDir(), "repo")
	copyTree(t, src, whole)
	old, _ := fileSnapshot(t, whole)
	start := time.Now()
	res := run(t, invocation{args: []string{"fix", whole}})
	took := time.Since(start)
	if res.code != 0 {
		t.Fatalf("fix: exit %d\n%s", res.code, res.stderr)
	}
	fixed, _ := fileSnapshot(t, whole)
	changed := 0
	for f := range old {
		if fixed[f] != old[f] {
			changed++
		}
	}
	if changed < 2 {
		t.Fatalf("fix changed %d files; the test needs a multi-file fix", changed)
	}

	for round := 0; round < 12; round++ {
		root := filepath.Join(t.TempDir(), "repo")
		copyTree(t, src, root)
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		cmd := exec.CommandContext(ctx, binary, "fix", root)
		cmd.Env = baseEnv()
		// Odd rounds kill just after the first file is renamed into the root
		// (where fix writes .env and the table), among the writes; even
		// rounds at any point of the run.
		var fired <-chan struct{}
		stop := func() {}
		if round%2 == 1 {
			fired, stop = firstWrite(t, root)
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

		got, temps := fileSnapshot(t, root)
		written := 0
		for f, data := range got {
			if data != old[f] && data == fixed[f] {
				written++
			}
			if data != old[f] && data != fixed[f] {
				t.Errorf("round %d: %s is neither the old file nor the fixed one:\n%s", round, f, data)
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
