package main

import (
	"errors"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"time"
)

// command is one process to time: its arguments and the exit codes that
// mean it ran (1: findings or failures).
type command struct {
	name string
	args []string
}

func portguardCheck(bin, dir string) command {
	return command{"portguard", []string{bin, "check", dir, "--format", "json"}}
}

// stats gathers the runs of one command.
type stats struct {
	walls []float64 // seconds
	cpus  []float64 // user + system seconds: steadier than the wall time on a shared machine
	peak  int64     // KiB
	code  int
}

// add runs c once and records its wall time, peak RSS and exit code.
func (st *stats) add(c command) error {
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Stdout = io.Discard
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	var exit *exec.ExitError
	if errors.As(err, &exit) {
		code = exit.ExitCode()
	} else if err != nil {
		return fmt.Errorf("%s: %w", c.name, err)
	}
	if code > 1 {
		return fmt.Errorf("%s: exit %d: %s", strings.Join(c.args, " "), code, stderr.String())
	}
	st.walls = append(st.walls, wall.Seconds())
	st.cpus = append(st.cpus, (cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()).Seconds())
	st.peak = max(st.peak, maxRSS(cmd.ProcessState))
	st.code = code
	return nil
}

// sorted is the wall times, shortest first.
func (st *stats) sorted() []float64 {
	w := slices.Clone(st.walls)
	slices.Sort(w)
	return w
}

func (st *stats) median() float64 { return median(st.walls) }

func (st *stats) cpu() float64 { return median(st.cpus) }

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}
