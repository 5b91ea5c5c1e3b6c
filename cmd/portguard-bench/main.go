// Command portguard-bench times `portguard check` as a whole process on
// generated repositories of growing size and prints a table: the median
// wall time of several runs and the peak memory (max RSS) of each size.
//
//	go run ./cmd/portguard-bench -bin bin/portguard
//
// The repositories come from internal/benchgen (deterministic: F compose
// files x S services, with injected violations), so two runs of the
// benchmark measure the same work.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/portguard/portguard/internal/benchgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portguard-bench:", err)
		os.Exit(1)
	}
}

type size struct{ files, services int }

func run(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("portguard-bench", flag.ContinueOnError)
	bin := fs.String("bin", "bin/portguard", "portguard binary to time")
	runs := fs.Int("runs", 5, "runs per size (the median is reported)")
	sizes := fs.String("sizes", "10:1,200:20,1000:50,10000:200,20000:400", "services:files pairs")
	violate := fs.Float64("violate", 0.02, "fraction of services with an injected violation")
	keep := fs.String("keep", "", "generate the repositories under this directory and keep them")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(*bin); err != nil {
		return fmt.Errorf("%s: build it first (make build): %w", *bin, err)
	}
	var list []size
	for _, pair := range strings.Split(*sizes, ",") {
		s, f, _ := strings.Cut(pair, ":")
		services, err1 := strconv.Atoi(s)
		files, err2 := strconv.Atoi(f)
		if err1 != nil || err2 != nil || services < 1 || files < 1 {
			return fmt.Errorf("bad size %q: want services:files", pair)
		}
		list = append(list, size{files, services})
	}
	root := *keep
	if root == "" {
		dir, err := os.MkdirTemp("", "portguard-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		root = dir
	}
	fmt.Fprintf(out, "| services | files | median | min | max | peak RSS | findings exit |\n|---:|---:|---:|---:|---:|---:|---:|\n")
	var times = map[int]time.Duration{}
	for _, s := range list {
		dir := filepath.Join(root, fmt.Sprintf("s%d-f%d", s.services, s.files))
		if _, err := os.Stat(dir); err != nil {
			if _, err := benchgen.Generate(dir, benchgen.Spec{Files: s.files, Services: s.services, Violate: *violate}); err != nil {
				return err
			}
		}
		var walls []time.Duration
		var peak int64
		code := 0
		for i := 0; i < *runs; i++ {
			wall, rss, c, err := timeOnce(*bin, dir)
			if err != nil {
				return err
			}
			walls = append(walls, wall)
			peak = max(peak, rss)
			code = c
		}
		slices.Sort(walls)
		median := walls[len(walls)/2]
		times[s.services] = median
		fmt.Fprintf(out, "| %d | %d | %s | %s | %s | %.0f MiB | %d |\n", s.services, s.files,
			ms(median), ms(walls[0]), ms(walls[len(walls)-1]), float64(peak)/1024, code)
	}
	if a, b := times[10000], times[20000]; a > 0 && b > 0 {
		fmt.Fprintf(out, "\n20,000 / 10,000 services: %.2fx\n", float64(b)/float64(a))
	}
	return nil
}

// timeOnce runs `portguard check DIR` once and returns its wall time, peak
// RSS in KiB and exit code (1 is expected: the repositories carry
// violations).
func timeOnce(bin, dir string) (time.Duration, int64, int, error) {
	cmd := exec.Command(bin, "check", dir, "--format", "json")
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
		return 0, 0, 0, err
	}
	if code > 1 {
		return 0, 0, 0, fmt.Errorf("check %s: exit %d: %s", dir, code, stderr.String())
	}
	return wall, maxRSS(cmd.ProcessState), code, nil
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.0f ms", float64(d.Microseconds())/1000)
}
