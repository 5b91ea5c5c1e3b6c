//go:build unix

package main

import (
	"bufio"
	"context"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/treetest"
)

// A signal sent to portguard run reaches the command, whose exit code is
// portguard's.
func TestRunForwardsSignals(t *testing.T) {
	dir := treetest.WriteTemp(t, map[string]string{"compose.yml": "services:\n  web:\n    image: nginx\n"})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "run", dir, "--", "sh", "-c", `trap 'echo got TERM; exit 42' TERM; echo ready; while :; do sleep 0.1; done`)
	cmd.Env = baseEnv()
	// Its own session: no terminal delivers anything to the group.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := bufio.NewScanner(out)
	if !lines.Scan() || lines.Text() != "ready" {
		t.Fatalf("the command did not start: %q", lines.Text())
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	var rest []string
	for lines.Scan() {
		rest = append(rest, lines.Text())
	}
	err = cmd.Wait()
	if cmd.ProcessState.ExitCode() != 42 || strings.Join(rest, "\n") != "got TERM" {
		t.Errorf("exit %d (%v), output after the signal %q: want the command's trap and its 42", cmd.ProcessState.ExitCode(), err, rest)
	}
}
