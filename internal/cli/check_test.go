package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/treetest"
)

func TestNewCmdCheckFlags(t *testing.T) {
	testFlags(t, NewCmdCheck, []flagCase[CheckOptions]{
		{name: "defaults", want: CheckOptions{StackOptions: StackOptions{Path: "."}, Timeout: engine.DefaultTimeout}},
		{name: "every flag", args: []string{"repo", "-f", "a.yml", "-f", "b.yml", "--config", "c.yaml", "--profile", "dev",
			"--exclude", "old/**", "--format", "json", "--format", "text", "-o", "out.json", "--fail-on", "warning",
			"--policy", "p", "--data", "d.json", "--no-builtin", "--show-suppressed", "--baseline", "b.json", "-q", "--keep-going", "--timeout", "0"},
			want: CheckOptions{StackOptions: StackOptions{Path: "repo", Files: []string{"a.yml", "b.yml"}, Config: "c.yaml", Profiles: []string{"dev"},
				Exclude: []string{"old/**"}, Policies: []string{"p"}, Data: []string{"d.json"}},
				Formats: []string{"json", "text"}, Outputs: []string{"out.json"}, FailOn: "warning", NoBuiltin: true, ShowSuppressed: true,
				Baseline: "b.json", Quiet: true, KeepGoing: true}},
		{name: "two paths", args: []string{"a", "b"}, wantErr: true},
		{name: "unknown flag", args: []string{"--colour"}, wantErr: true},
	}, func(want *CheckOptions, f *Factory) { want.IO, want.Factory = f.IO, f })
}

// TestCheckOutputs: --format and --output pair in order, a format without
// an output goes to stdout, and the usage errors come before anything is
// evaluated.
func TestCheckOutputs(t *testing.T) {
	for _, c := range []struct {
		name             string
		formats, outputs []string
		failOn           string
		want             []output
		wantErr          string
	}{
		{name: "default", want: []output{{"text", "-"}}},
		{name: "one output for the default format", outputs: []string{"r.txt"}, want: []output{{"text", "r.txt"}}},
		{name: "paired in order", formats: []string{"text", "json", "sarif"}, outputs: []string{"-", "r.json"},
			want: []output{{"text", "-"}, {"json", "r.json"}, {"sarif", "-"}}},
		{name: "an empty output is stdout", formats: []string{"json", "junit"}, outputs: []string{"", "r.xml"},
			want: []output{{"json", "-"}, {"junit", "r.xml"}}},
		{name: "more outputs than formats", formats: []string{"json"}, outputs: []string{"a", "b"},
			wantErr: "2 --output for 1 --format: give one --format per --output"},
		{name: "unknown format", formats: []string{"json", "yaml"}, wantErr: `unknown format "yaml" (use `},
		{name: "unknown fail level", failOn: "notice", wantErr: `--fail-on "notice": use error, warning, never`},
		{name: "a format error first", formats: []string{"yaml"}, failOn: "notice", wantErr: `unknown format "yaml"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := &CheckOptions{Formats: c.formats, Outputs: c.outputs, FailOn: c.failOn}
			got, err := o.outputs()
			if c.wantErr != "" {
				if _, ok := err.(usageError); !ok || !strings.Contains(err.Error(), c.wantErr) {
					t.Fatalf("error %v (%T), want a usage error %q", err, err, c.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, c.want) {
				t.Errorf("outputs %v, %v; want %v", got, err, c.want)
			}
		})
	}
}

// runCheck parses args as portguard check does (through runF), runs
// checkRun with the options, and maps its error to the exit code main
// returns, with what main prints on stderr.
func runCheck(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	f, out, _ := factoryWithBuffers()
	var opts *CheckOptions
	cmd := NewCmdCheck(f, func(o *CheckOptions) error { opts = o; return nil })
	cmd.SetArgs(args)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	var errOut bytes.Buffer
	code = ExitCode(checkRun(context.Background(), opts), &errOut)
	return code, out.String(), errOut.String()
}

func e2e(name string) string { return filepath.Join("..", "..", "testdata", "e2e", name) }

// TestCheckRunExitCodes: the exit code of check for each outcome, and
// what reaches stderr (a usage or input error once; findings nothing).
func TestCheckRunExitCodes(t *testing.T) {
	badPolicy := treetest.WriteTemp(t, map[string]string{"broken.rego": "package broken\n\ndeny contains msg if {\n"})
	compliant := filepath.Join("..", "..", "examples", "compliant")
	for _, c := range []struct {
		name         string
		args         []string
		code         int
		stdout       string
		stderr       string
		stderrAbsent bool
	}{
		{name: "clean", args: []string{compliant}, code: ExitClean, stdout: "no findings; checked 4 compose files, 9 services", stderrAbsent: true},
		{name: "an error finding", args: []string{e2e("hardcoded-port")}, code: ExitFindings, stdout: "DBP201", stderrAbsent: true},
		{name: "fail-on never", args: []string{e2e("hardcoded-port"), "--fail-on", "never"}, code: ExitClean, stdout: "DBP201"},
		{name: "a warning under fail-on error", args: []string{e2e("env-differs-from-default")}, code: ExitClean, stdout: "DBP204"},
		{name: "a warning under fail-on warning", args: []string{e2e("env-differs-from-default"), "--fail-on", "warning"}, code: ExitFindings, stdout: "DBP204"},
		{name: "input error", args: []string{e2e("malformed-yaml")}, code: ExitInput, stdout: "mapping values are not allowed in this context", stderrAbsent: true},
		{name: "input error, keep going", args: []string{e2e("malformed-yaml"), "--keep-going"}, code: ExitFindings, stdout: "DBP201"},
		{name: "input error, keep going, fail-on never", args: []string{e2e("malformed-yaml"), "--keep-going", "--fail-on", "never"}, code: ExitClean},
		{name: "no such path", args: []string{e2e("no-such-fixture")}, code: ExitInput, stderr: "no-such-fixture"},
		{name: "policy that does not compile", args: []string{compliant, "--policy", badPolicy}, code: ExitPolicy, stderr: "broken.rego"},
		{name: "usage error before evaluating", args: []string{filepath.Join(t.TempDir(), "absent"), "--fail-on", "bogus"}, code: ExitInput,
			stderr: `portguard: --fail-on "bogus": use error, warning, never`},
		{name: "an output that cannot be written", args: []string{compliant, "--format", "json", "-o", filepath.Join(t.TempDir(), "no", "dir", "r.json")},
			code: ExitInput, stderr: "r.json: no such file or directory"},
	} {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCheck(t, c.args...)
			if code != c.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.code, stdout, stderr)
			}
			if !strings.Contains(stdout, c.stdout) {
				t.Errorf("stdout does not hold %q:\n%s", c.stdout, stdout)
			}
			if !strings.Contains(stderr, c.stderr) || strings.Count(stderr, "portguard: ") > 1 || (c.stderrAbsent && stderr != "") {
				t.Errorf("stderr %q, want %q once", stderr, c.stderr)
			}
		})
	}
}

// TestCheckRunWritesEveryReport: one evaluation, each format to its own
// output (stdout or a file), the exit code the findings give.
func TestCheckRunWritesEveryReport(t *testing.T) {
	dir := t.TempDir()
	jsonPath, sarifPath := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.sarif")
	code, stdout, _ := runCheck(t, e2e("hardcoded-port"), "--format", "json", "--format", "text", "--format", "sarif",
		"-o", jsonPath, "-o", "-", "-o", sarifPath)
	if code != ExitFindings {
		t.Errorf("exit %d, want %d", code, ExitFindings)
	}
	if !strings.Contains(stdout, "  DBP201  ") || !strings.Contains(stdout, "checked 1 compose file, 1 service") {
		t.Errorf("stdout is not the text report:\n%s", stdout)
	}
	if strings.Contains(stdout, `"findings"`) || strings.Contains(stdout, `"$schema"`) {
		t.Errorf("a file's report reached stdout:\n%s", stdout)
	}
	var r struct {
		Findings []struct {
			RuleID string `json:"rule_id"`
		} `json:"findings"`
	}
	data, err := os.ReadFile(jsonPath)
	if err != nil || json.Unmarshal(data, &r) != nil || len(r.Findings) != 1 || r.Findings[0].RuleID != "DBP201" {
		t.Errorf("%s: %v, findings %+v\n%s", jsonPath, err, r.Findings, data)
	}
	var sarif struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []struct {
				RuleID string `json:"ruleId"`
			} `json:"results"`
		} `json:"runs"`
	}
	data, err = os.ReadFile(sarifPath)
	if err != nil || json.Unmarshal(data, &sarif) != nil || sarif.Version != "2.1.0" || len(sarif.Runs) != 1 ||
		len(sarif.Runs[0].Results) != 1 || sarif.Runs[0].Results[0].RuleID != "DBP201" {
		t.Errorf("%s: %v, %+v", sarifPath, err, sarif)
	}
}

// TestCheckTimeoutZeroIsNoLimit: --timeout 0 reaches check as no limit
// (negative), an unset timeout as the default.
func TestCheckTimeoutZeroIsNoLimit(t *testing.T) {
	for _, c := range []struct{ flag, want time.Duration }{{0, -1}, {2 * time.Second, 2 * time.Second}} {
		if got := (&CheckOptions{Timeout: c.flag}).evalTimeout(); got != c.want {
			t.Errorf("evalTimeout(%v) = %v, want %v", c.flag, got, c.want)
		}
	}
}
