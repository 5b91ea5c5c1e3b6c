package main

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
)

// policy is the conftest policy portguard is compared with.
//
//go:embed conftest/compose.rego
var policy []byte

// compare prints, for each size, portguard's and conftest's median wall
// times and peak memory and their ratios (for the wall and the CPU times,
// the median of the rounds' ratios). Each round runs portguard, then
// conftest; a first round, not counted, checks that conftest reports the
// injected violations (its policy works on these files).
func compare(out io.Writer, o options, root string, list []size) error {
	conftest, err := exec.LookPath("conftest")
	if err != nil {
		return fmt.Errorf("-compare needs conftest on PATH (go install github.com/open-policy-agent/conftest@v0.71.1): %w", err)
	}
	policyDir := filepath.Join(root, "conftest-policy")
	if err := os.MkdirAll(policyDir, 0o755); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(policyDir, "compose.rego"), policy, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(out, "| services | files | portguard | conftest | time ratio | CPU ratio | portguard peak | conftest peak | memory ratio | conftest failures |\n")
	fmt.Fprintf(out, "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n")
	medians := map[int]float64{}
	for _, s := range list {
		dir, err := repository(root, s, o.violate)
		if err != nil {
			return err
		}
		ct, err := conftestTest(conftest, policyDir, dir)
		if err != nil {
			return err
		}
		failures, err := conftestFailures(ct)
		if err != nil {
			return err
		}
		pg := portguardCheck(o.bin, dir)
		if err := new(stats).add(pg); err != nil { // warm-up, as conftest's was
			return err
		}
		var a, b stats
		for range o.runs {
			if err := a.add(pg); err != nil {
				return err
			}
			if err := b.add(ct); err != nil {
				return err
			}
		}
		medians[s.services] = a.median()
		fmt.Fprintf(out, "| %d | %d | %s | %s | %.2fx | %.2fx | %s | %s | %.2fx | %d |\n", s.services, s.files,
			ms(a.median()), ms(b.median()), pairRatio(a.walls, b.walls), pairRatio(a.cpus, b.cpus),
			mib(a.peak), mib(b.peak), float64(a.peak)/float64(max(b.peak, 1)), failures)
	}
	growth(out, medians)
	return nil
}

// pairRatio is the median of the ratios a[i]/b[i] of the runs of one
// round, which a drift of the machine's speed between rounds leaves alone.
func pairRatio(a, b []float64) float64 {
	r := make([]float64, len(a))
	for i := range a {
		r[i] = a[i] / max(b[i], 1e-9)
	}
	return median(r)
}

// conftestTest is `conftest test --combine` over every compose file of dir.
func conftestTest(conftest, policyDir, dir string) (command, error) {
	files, err := filepath.Glob(filepath.Join(dir, "stacks", "*", "docker-compose.yml"))
	if err != nil || len(files) == 0 {
		return command{}, fmt.Errorf("%s: no compose files (%v)", dir, err)
	}
	slices.Sort(files)
	args := append([]string{conftest, "test", "--combine", "--no-color", "--output", "json", "--policy", policyDir}, files...)
	return command{"conftest", args}, nil
}

// conftestFailures runs c once and counts the failures it reports; none
// means the policy does not see the injected violations.
func conftestFailures(c command) (int, error) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(c.args[0], c.args[1:]...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil && cmd.ProcessState.ExitCode() != 1 {
		return 0, fmt.Errorf("conftest: %v: %s", err, stderr.String())
	}
	var results []struct {
		Failures []json.RawMessage `json:"failures"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		return 0, fmt.Errorf("conftest's output: %w", err)
	}
	n := 0
	for _, r := range results {
		n += len(r.Failures)
	}
	if n == 0 {
		return 0, fmt.Errorf("conftest reports no failure on %s: the policy sees none of the injected violations", c.args[len(c.args)-1])
	}
	return n, nil
}
