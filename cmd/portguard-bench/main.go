// Command portguard-bench times `portguard check` as a whole process on
// generated repositories of growing size and prints a table: the median
// wall time of several runs and the peak memory (max RSS) of each size.
//
//	go run ./cmd/portguard-bench -bin bin/portguard
//	go run ./cmd/portguard-bench -bin bin/portguard -compare
//
// With -compare it also times `conftest test --combine` (a conftest binary
// on PATH) with the five-rule policy of conftest/compose.rego over the same
// compose files, the two runs of each round one after the other so that a
// drift of the machine's speed touches both, and prints the ratios.
//
// The repositories come from internal/benchgen (deterministic: F compose
// files x S services, with injected violations), so two runs of the
// benchmark measure the same work.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/portguard/portguard/internal/benchgen"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "portguard-bench:", err)
		os.Exit(1)
	}
}

type size struct{ files, services int }

// options are the flags.
type options struct {
	bin, sizes, keep string
	runs             int
	violate          float64
	compare          bool
}

func run(args []string, out io.Writer) error {
	var o options
	fs := flag.NewFlagSet("portguard-bench", flag.ContinueOnError)
	fs.StringVar(&o.bin, "bin", "bin/portguard", "portguard binary to time")
	fs.IntVar(&o.runs, "runs", 5, "runs per size (the median is reported)")
	fs.StringVar(&o.sizes, "sizes", "10:1,200:20,1000:50,10000:200,20000:400", "services:files pairs")
	fs.Float64Var(&o.violate, "violate", 0.02, "fraction of services with an injected violation")
	fs.StringVar(&o.keep, "keep", "", "generate the repositories under this directory and keep them")
	fs.BoolVar(&o.compare, "compare", false, "also time conftest test --combine (on PATH) with conftest/compose.rego and print the ratios")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if _, err := os.Stat(o.bin); err != nil {
		return fmt.Errorf("%s: build it first (make build): %w", o.bin, err)
	}
	list, err := parseSizes(o.sizes)
	if err != nil {
		return err
	}
	if o.runs < 1 {
		return fmt.Errorf("-runs %d: want at least 1", o.runs)
	}
	root := o.keep
	if root == "" {
		dir, err := os.MkdirTemp("", "portguard-bench-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		root = dir
	}
	fmt.Fprintf(out, "load average before: %s\n\n", loadAverage())
	if o.compare {
		err = compare(out, o, root, list)
	} else {
		err = alone(out, o, root, list)
	}
	fmt.Fprintf(out, "\nload average after: %s\n", loadAverage())
	return err
}

func parseSizes(sizes string) ([]size, error) {
	var list []size
	for _, pair := range strings.Split(sizes, ",") {
		s, f, _ := strings.Cut(pair, ":")
		services, err1 := strconv.Atoi(s)
		files, err2 := strconv.Atoi(f)
		if err1 != nil || err2 != nil || services < 1 || files < 1 {
			return nil, fmt.Errorf("bad size %q: want services:files", pair)
		}
		list = append(list, size{files, services})
	}
	return list, nil
}

// repository generates the repository of one size under root, unless a
// kept one is there already, and returns its directory.
func repository(root string, s size, violate float64) (string, error) {
	dir := filepath.Join(root, fmt.Sprintf("s%d-f%d", s.services, s.files))
	if _, err := os.Stat(dir); err == nil {
		return dir, nil
	}
	_, err := benchgen.Generate(dir, benchgen.Spec{Files: s.files, Services: s.services, Violate: violate})
	return dir, err
}

// alone prints the table of portguard's runs.
func alone(out io.Writer, o options, root string, list []size) error {
	fmt.Fprintf(out, "| services | files | median | min | max | CPU | peak RSS | findings exit |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	medians := map[int]float64{}
	for _, s := range list {
		dir, err := repository(root, s, o.violate)
		if err != nil {
			return err
		}
		pg := portguardCheck(o.bin, dir)
		var st stats
		for range o.runs {
			if err := st.add(pg); err != nil {
				return err
			}
		}
		walls := st.sorted()
		medians[s.services] = walls[len(walls)/2]
		fmt.Fprintf(out, "| %d | %d | %s | %s | %s | %s | %s | %d |\n", s.services, s.files,
			ms(walls[len(walls)/2]), ms(walls[0]), ms(walls[len(walls)-1]), ms(st.cpu()), mib(st.peak), st.code)
	}
	growth(out, medians)
	return nil
}

// growth prints how 20,000 services compare with 10,000 (linear: 2x).
func growth(out io.Writer, medians map[int]float64) {
	if a, b := medians[10000], medians[20000]; a > 0 && b > 0 {
		fmt.Fprintf(out, "\n20,000 / 10,000 services: %.2fx\n", b/a)
	}
}

func ms(seconds float64) string { return fmt.Sprintf("%.0f ms", seconds*1000) }

func mib(kib int64) string { return fmt.Sprintf("%.0f MiB", float64(kib)/1024) }

// loadAverage is the first three fields of /proc/loadavg ("unknown" where
// there is none): the machine is shared, the load says how noisy a table is.
func loadAverage() string {
	raw, err := os.ReadFile("/proc/loadavg")
	if f := strings.Fields(string(raw)); err == nil && len(f) >= 3 {
		return strings.Join(f[:3], " ")
	}
	return "unknown"
}
