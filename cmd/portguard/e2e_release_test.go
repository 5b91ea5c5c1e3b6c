package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/treetest"
)

// dockerCLI runs the docker CLI with a timeout.
func dockerCLI(t *testing.T, timeout time.Duration, args ...string) (string, string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", args...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// TestDockerImage builds the image with make image under a tag of its own,
// checks how it runs (no base image, non-root, entrypoint, /src) and runs
// `docker run --rm -v EXAMPLE:/src TAG check`: the exit code and the
// output are those of the binary. The tag is removed afterwards.
func TestDockerImage(t *testing.T) {
	if _, stderr, err := dockerCLI(t, 30*time.Second, "version", "--format", "{{.Server.Version}}"); err != nil {
		t.Skipf("skipping: no Docker engine answers (%v: %s)", err, strings.TrimSpace(stderr))
	}
	suffix := make([]byte, 4)
	if _, err := rand.Read(suffix); err != nil {
		t.Fatal(err)
	}
	tag := "portguard:e2e-image-" + hex.EncodeToString(suffix)
	t.Cleanup(func() { dockerCLI(t, time.Minute, "rmi", "-f", tag) })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	mk := exec.CommandContext(ctx, "make", "image", "IMAGE="+tag)
	mk.Dir = repoRoot
	if out, err := mk.CombinedOutput(); err != nil {
		t.Fatalf("make image: %v\n%s", err, out)
	}

	checkImageConfig(t, tag)

	violating, err := filepath.Abs(example("violating"))
	if err != nil {
		t.Fatal(err)
	}
	want := run(t, invocation{args: []string{"check", violating}})
	stdout, stderr, err := dockerCLI(t, 2*time.Minute, "run", "--rm", "-v", violating+":/src:ro", tag, "check")
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("docker run: %v\n%s", err, stderr)
	}
	if code != 1 || want.code != 1 {
		t.Errorf("docker run ... check: exit %d (the binary: %d), want 1\n%s", code, want.code, stderr)
	}
	if stdout != want.stdout || !strings.Contains(stdout, `tools/compose/docker-compose.database.yml:17:9  error  DBP201  timescaledb hard-codes host port 7000 in "7000:5432"`) {
		t.Errorf("the image prints\n%s\nthe binary\n%s", stdout, want.stdout)
	}
	clean, err := filepath.Abs(example("compliant"))
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := dockerCLI(t, 2*time.Minute, "run", "--rm", "-v", clean+":/src:ro", tag); err != nil {
		t.Errorf("docker run on the clean example (default command check): %v\n%s", err, stderr)
	}
}

// checkImageConfig: the image runs portguard as a non-root user from /src,
// and is built FROM scratch (the binary's layer and /src alone).
func checkImageConfig(t *testing.T, tag string) {
	t.Helper()
	out, _, err := dockerCLI(t, time.Minute, "image", "inspect", tag)
	if err != nil {
		t.Fatal(err)
	}
	var inspect []struct {
		Config struct {
			User       string
			Entrypoint []string
			WorkingDir string
		}
		RootFS struct{ Layers []string }
	}
	if err := json.Unmarshal([]byte(out), &inspect); err != nil || len(inspect) != 1 {
		t.Fatalf("image inspect: %v\n%s", err, out)
	}
	c := inspect[0].Config
	if c.User != "65532:65532" || !slices.Equal(c.Entrypoint, []string{"portguard"}) || c.WorkingDir != "/src" {
		t.Errorf("image config: user %q, entrypoint %q, workdir %q", c.User, c.Entrypoint, c.WorkingDir)
	}
	// FROM scratch: the binary's layer and /src, nothing of a base image.
	if n := len(inspect[0].RootFS.Layers); n != 2 {
		t.Errorf("the image has %d layers, want the binary's and the working directory's", n)
	}
	dockerfile, err := os.ReadFile(filepath.Join(repoRoot, "Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	var froms []string
	for _, l := range strings.Split(string(dockerfile), "\n") {
		if f := strings.Fields(l); len(f) > 0 && strings.EqualFold(f[0], "FROM") {
			froms = append(froms, strings.Join(f[1:], " "))
		}
	}
	if !slices.Equal(froms, []string{"scratch"}) {
		t.Errorf("the Dockerfile builds FROM %v, want scratch alone (no registry is reachable)", froms)
	}
}

// actionFile is the part of action.yml the tests read.
type actionFile struct {
	Inputs map[string]struct {
		Default string `yaml:"default"`
	} `yaml:"inputs"`
	Runs struct {
		Using string `yaml:"using"`
		Steps []struct {
			ID   string            `yaml:"id"`
			Uses string            `yaml:"uses"`
			Run  string            `yaml:"run"`
			Env  map[string]string `yaml:"env"`
		} `yaml:"steps"`
	} `yaml:"runs"`
}

// TestAction reads action.yml and runs its check step as the runner would,
// with portguard on the PATH: annotations on stdout, the SARIF file
// written, the exit code of check, and args split into arguments.
func TestAction(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, "action.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var a actionFile
	if err := yaml.Unmarshal(data, &a); err != nil {
		t.Fatal(err)
	}
	for _, in := range []string{"path", "args", "sarif-file"} {
		if _, ok := a.Inputs[in]; !ok {
			t.Errorf("action.yml has no input %q", in)
		}
	}
	if a.Runs.Using != "composite" {
		t.Fatalf("runs.using %q, want composite", a.Runs.Using)
	}
	var script string
	var env map[string]string
	for _, s := range a.Runs.Steps {
		if s.ID == "check" {
			script, env = s.Run, s.Env
		}
	}
	if script == "" || !strings.Contains(script, "--format github --format sarif") {
		t.Fatalf("action.yml has no check step with the github and sarif formats:\n%s", script)
	}
	for k, v := range map[string]string{"PORTGUARD_PATH": "inputs.path", "PORTGUARD_ARGS": "inputs.args", "PORTGUARD_SARIF": "inputs.sarif-file"} {
		if !strings.Contains(env[k], v) {
			t.Errorf("the check step's %s is %q, want %s", k, env[k], v)
		}
	}

	root := filepath.Join(t.TempDir(), "repo")
	treetest.Copy(t, example("violating"), root)
	sarif := filepath.Join(t.TempDir(), "out.sarif")
	step := func(args string) (int, string) {
		cmd := exec.Command("bash", "-e", "-o", "pipefail", "-c", script)
		cmd.Env = append(baseEnv(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"),
			"PORTGUARD_PATH="+root, "PORTGUARD_ARGS="+args, "PORTGUARD_SARIF="+sarif)
		var out bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &out
		err := cmd.Run()
		code := 0
		if ee, ok := err.(*exec.ExitError); ok {
			code = ee.ExitCode()
		} else if err != nil {
			t.Fatal(err)
		}
		return code, out.String()
	}
	code, out := step("")
	if code != 1 || !strings.Contains(out, "::error file=tools/compose/docker-compose.database.yml,line=17,") {
		t.Errorf("check step: exit %d, want 1 and annotations\n%s", code, out)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Results []json.RawMessage `json:"results"`
		} `json:"runs"`
	}
	if b, err := os.ReadFile(sarif); err != nil || json.Unmarshal(b, &log) != nil || log.Version != "2.1.0" || len(log.Runs) != 1 || len(log.Runs[0].Results) == 0 {
		t.Errorf("the check step wrote no SARIF report with results: %v", err)
	}
	if rec := run(t, invocation{args: []string{"baseline", root}}); rec.code != 0 {
		t.Fatal(rec.stderr)
	}
	if code, out := step("--baseline " + filepath.Join(root, ".portguard-baseline.json") + " --fail-on error"); code != 0 {
		t.Errorf("check step with args: exit %d, want 0\n%s", code, out)
	}
}

// TestGoreleaserConfig parses .goreleaser.yaml (goreleaser itself is not
// installed: see the README's Release section) and builds with its
// ldflags: portguard version must print the version and commit it embeds.
func TestGoreleaserConfig(t *testing.T) {
	data, err := os.ReadFile(filepath.Join(repoRoot, ".goreleaser.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Version int `yaml:"version"`
		Builds  []struct {
			Main    string   `yaml:"main"`
			Binary  string   `yaml:"binary"`
			Env     []string `yaml:"env"`
			Goos    []string `yaml:"goos"`
			Goarch  []string `yaml:"goarch"`
			Flags   []string `yaml:"flags"`
			Ldflags []string `yaml:"ldflags"`
		} `yaml:"builds"`
		Archives []struct {
			Formats []string `yaml:"formats"`
		} `yaml:"archives"`
		Checksum struct {
			NameTemplate string `yaml:"name_template"`
			Algorithm    string `yaml:"algorithm"`
		} `yaml:"checksum"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(false)
	if err := dec.Decode(&cfg); err != nil {
		t.Fatal(err)
	}
	if cfg.Version != 2 || len(cfg.Builds) != 1 || len(cfg.Archives) == 0 {
		t.Fatalf("version %d, %d builds, %d archives: want goreleaser v2, one build, archives", cfg.Version, len(cfg.Builds), len(cfg.Archives))
	}
	b := cfg.Builds[0]
	for _, os := range []string{"linux", "darwin", "windows"} {
		if !slices.Contains(b.Goos, os) {
			t.Errorf("goos lacks %s: %v", os, b.Goos)
		}
	}
	for _, arch := range []string{"amd64", "arm64"} {
		if !slices.Contains(b.Goarch, arch) {
			t.Errorf("goarch lacks %s: %v", arch, b.Goarch)
		}
	}
	if !slices.Contains(b.Env, "CGO_ENABLED=0") || b.Binary != "portguard" {
		t.Errorf("env %v, binary %q: want a static portguard", b.Env, b.Binary)
	}
	if cfg.Checksum.NameTemplate == "" || cfg.Checksum.Algorithm != "sha256" {
		t.Errorf("checksum %+v: want a sha256 checksums file", cfg.Checksum)
	}
	if _, err := os.Stat(filepath.Join(repoRoot, b.Main, "main.go")); err != nil {
		t.Errorf("main %s: %v", b.Main, err)
	}
	if len(b.Ldflags) != 1 {
		t.Fatalf("ldflags %v", b.Ldflags)
	}
	ldflags := strings.NewReplacer("{{.Version}}", "9.9.9-release-test", "{{.ShortCommit}}", "abc1234").Replace(b.Ldflags[0])
	if strings.Contains(ldflags, "{{") {
		t.Fatalf("ldflags use templates the test does not know: %s", b.Ldflags[0])
	}
	bin := filepath.Join(t.TempDir(), "portguard")
	if !slices.Contains(b.Flags, "-trimpath") {
		t.Errorf("flags %v: want -trimpath (no build machine's paths in a release)", b.Flags)
	}
	// Without -trimpath, which would rebuild every package: the ldflags are
	// what this build checks.
	build := exec.Command("go", "build", "-ldflags", ldflags, "-o", bin, "./"+filepath.ToSlash(filepath.Clean(b.Main)))
	build.Dir = repoRoot
	build.Env = append(os.Environ(), b.Env...)
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build with the release flags: %v\n%s", err, out)
	}
	out, err := exec.Command(bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(out), "portguard 9.9.9-release-test\ncommit: abc1234\n") {
		t.Errorf("version of a release build: %v\n%s", err, out)
	}
}
