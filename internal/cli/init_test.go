package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/scaffold"
	"github.com/portguard/portguard/internal/treetest"
)

func TestNewCmdInitFlags(t *testing.T) {
	testFlags(t, NewCmdInit, []flagCase[InitOptions]{
		{name: "defaults", want: InitOptions{Path: "."}},
		{name: "path and force", args: []string{"repo", "--force"}, want: InitOptions{Path: "repo", Force: true}},
		{name: "no pre-commit", args: []string{"--no-pre-commit"}, want: InitOptions{Path: ".", NoPreCommit: true}},
		{name: "two paths", args: []string{"a", "b"}, wantErr: true},
		{name: "unknown flag", args: []string{"--overwrite"}, wantErr: true},
	}, func(want *InitOptions, f *Factory) { want.IO = f.IO })
}

var scaffoldPaths = []string{".github/workflows/portguard-policy.yml", ".portguard.yaml", "policy/image_tag_pinned.rego", "policy/image_tag_pinned_test.rego"}

func TestInitRunWritesTheScaffold(t *testing.T) {
	dir := t.TempDir()
	f, out, _ := factoryWithBuffers()
	if err := initRun(&InitOptions{IO: f.IO, Path: dir}); err != nil {
		t.Fatal(err)
	}
	for _, p := range scaffoldPaths {
		full := filepath.Join(dir, filepath.FromSlash(p))
		st, err := os.Stat(full)
		if err != nil {
			t.Errorf("%s was not written: %v", p, err)
			continue
		}
		if st.Mode().Perm() != 0o644 {
			t.Errorf("%s has mode %v, want 0644", p, st.Mode().Perm())
		}
		if !strings.Contains(out.String(), "wrote "+full+"\n") {
			t.Errorf("stdout does not say it wrote %s:\n%s", full, out)
		}
	}
	for _, s := range []string{"portguard verify --policy " + filepath.Join(dir, "policy"), "portguard check " + dir + " --policy "} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("stdout does not suggest %q:\n%s", s, out)
		}
	}
	// No temporary file of the atomic writes is left behind.
	entries, _ := os.ReadDir(filepath.Join(dir, "policy"))
	if len(entries) != 2 {
		t.Errorf("policy/ holds %d entries, want 2", len(entries))
	}

	// The written rule passes its tests, fully covered, next to ours.
	rep, err := engine.RunTests(context.Background(), engine.TestOptions{PolicyDirs: []string{filepath.Join(dir, "policy")}, NoBuiltin: true, Coverage: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Tests) < 4 || rep.Count(engine.TestPass) != len(rep.Tests) {
		t.Errorf("tests of the example rule: %+v", rep.Tests)
	}
	if rep.Coverage != 100 {
		t.Errorf("coverage of the example rule %.1f%%, want 100%%: %+v", rep.Coverage, rep.Files)
	}
	// And it joins the catalog with complete METADATA.
	e, err := engine.New(context.Background(), engine.Options{PolicyDirs: []string{filepath.Join(dir, "policy")}})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range e.Rules() {
		if r.ID == "CUSTOM001" {
			found = r.Package == "portguard.rules.custom.image_tag_pinned" && r.HelpURI != "" && len(r.Tags) > 0
		}
	}
	if !found {
		t.Error("CUSTOM001 is not in the catalog with its package, help link and tags")
	}
}

func TestInitRunRefusesToOverwrite(t *testing.T) {
	dir := t.TempDir()
	treetest.Write(t, dir, map[string]string{"policy/image_tag_pinned.rego": "# ours\n"})
	f, out, _ := factoryWithBuffers()
	err := initRun(&InitOptions{IO: f.IO, Path: dir})
	if exitCode(err) != ExitInput || !strings.Contains(err.Error(), "image_tag_pinned.rego") || !strings.Contains(err.Error(), "--force") {
		t.Fatalf("initRun = %v, want exit 2 naming the file and --force", err)
	}
	if out.Len() != 0 {
		t.Errorf("stdout %q, want nothing", out)
	}
	// Nothing was written, and the existing file is untouched.
	if _, err := os.Stat(filepath.Join(dir, ".portguard.yaml")); err == nil {
		t.Error(".portguard.yaml was written although init refused")
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "policy", "image_tag_pinned.rego")); string(b) != "# ours\n" {
		t.Errorf("the existing file was changed: %q", b)
	}

	if err := initRun(&InitOptions{IO: f.IO, Path: dir, Force: true}); err != nil {
		t.Fatalf("initRun --force = %v", err)
	}
	if b, _ := os.ReadFile(filepath.Join(dir, "policy", "image_tag_pinned.rego")); string(b) == "# ours\n" {
		t.Error("--force did not overwrite the existing file")
	}
}

func TestInitRunBadPath(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	treetest.Write(t, dir, map[string]string{"file": "x"})
	for _, p := range []string{filepath.Join(dir, "missing"), file} {
		f, _, _ := factoryWithBuffers()
		if err := initRun(&InitOptions{IO: f.IO, Path: p}); exitCode(err) != ExitInput || !strings.Contains(err.Error(), p) {
			t.Errorf("initRun %s = %v, want exit 2 naming the path", p, err)
		}
	}
}

// TestScaffoldConfigIsTheDefault: the .portguard.yaml that init writes
// parses back to exactly the defaults, and names every key.
func TestScaffoldConfigIsTheDefault(t *testing.T) {
	dir := t.TempDir()
	f, _, _ := factoryWithBuffers()
	if err := initRun(&InitOptions{IO: f.IO, Path: dir}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, input.ConfigFileName)
	cfg, err := input.LoadConfig(path, input.ConfigFileName, true)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.File != input.ConfigFileName {
		t.Errorf("config file %q", cfg.File)
	}
	cfg.File = ""
	if want := input.DefaultConfig(); !reflect.DeepEqual(cfg, want) {
		t.Errorf("init's .portguard.yaml parses to\n%+v\nwant the defaults\n%+v", cfg, want)
	}

	data, _ := os.ReadFile(path)
	var top map[string]any
	if err := yaml.Unmarshal(data, &top); err != nil {
		t.Fatal(err)
	}
	typ := reflect.TypeOf(input.Config{})
	for i := range typ.NumField() {
		key, _, _ := strings.Cut(typ.Field(i).Tag.Get("yaml"), ",")
		if key == "" || key == "-" {
			continue
		}
		if _, ok := top[key]; !ok {
			t.Errorf("init's .portguard.yaml does not set %s", key)
		}
		// Each key has its comment on the lines above it.
		if !bytes.Contains(data, []byte("\n"+key+":")) || !regexp.MustCompile(`#[^\n]*\n`+key+`:`).Match(data) {
			t.Errorf("init's .portguard.yaml has no comment above %s", key)
		}
	}
	for key := range input.DefaultConfig().Ranges {
		if !bytes.Contains(data, []byte("\n  "+key+": {from: ")) {
			t.Errorf("init's .portguard.yaml does not write range %s", key)
		}
	}
}

// TestScaffoldRegoIsFormatted: the example rule is as `opa fmt` writes it.
func TestScaffoldRegoIsFormatted(t *testing.T) {
	for _, f := range scaffold.Files(Version) {
		if !strings.HasSuffix(f.Path, ".rego") {
			continue
		}
		got, err := engine.Format(f.Path, f.Data)
		if err != nil {
			t.Errorf("%s: %v", f.Path, err)
			continue
		}
		if !bytes.Equal(got, f.Data) {
			t.Errorf("internal/scaffold/files/%s is not formatted: run portguard fmt on it", f.Path)
		}
	}
	var paths []string
	for _, f := range scaffold.Files(Version) {
		paths = append(paths, f.Path)
	}
	if !reflect.DeepEqual(paths, scaffoldPaths) {
		t.Errorf("scaffold files %v, want %v", paths, scaffoldPaths)
	}
}

// TestInitPreCommit: init writes .pre-commit-config.yaml, or adds its hooks
// to the one there without touching the rest; one it cannot edit safely
// stops it before it writes anything.
func TestInitPreCommit(t *testing.T) {
	const theirs = "repos:\n  - repo: https://github.com/pre-commit/pre-commit-hooks\n    rev: v5.0.0\n    hooks:\n      - id: end-of-file-fixer\n"
	cases := []struct {
		name        string
		existing    string // "" for none
		force       bool
		noPreCommit bool
		code        int
		stdout      string
		want        string // the file after init; "" for absent
	}{
		{name: "no file", stdout: "wrote ", want: "repos:\n" + scaffold.PreCommitEntry()},
		{name: "the team's hooks stay", existing: theirs, stdout: "added the portguard hooks to ", want: theirs + scaffold.PreCommitEntry()},
		{name: "--force never overwrites it", existing: theirs, force: true, stdout: "added the portguard hooks to ", want: theirs + scaffold.PreCommitEntry()},
		{name: "the hooks are there", existing: "repos:\n  - repo: local\n    hooks:\n      - {id: portguard-fmt, name: f, entry: portguard fmt --check rules, language: system}\n",
			stdout: "unchanged ", want: "repos:\n  - repo: local\n    hooks:\n      - {id: portguard-fmt, name: f, entry: portguard fmt --check rules, language: system}\n"},
		{name: "--no-pre-commit", noPreCommit: true},
		{name: "--no-pre-commit leaves the file alone", existing: theirs, noPreCommit: true, want: theirs},
		{name: "a file that is not YAML stops init", existing: "repos: [\n", code: ExitInput, want: "repos: [\n"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, scaffold.PreCommitConfig)
			if c.existing != "" {
				treetest.Write(t, dir, map[string]string{scaffold.PreCommitConfig: c.existing})
			}
			f, out, _ := factoryWithBuffers()
			err := initRun(&InitOptions{IO: f.IO, Path: dir, Force: c.force, NoPreCommit: c.noPreCommit})
			if exitCode(err) != c.code {
				t.Fatalf("initRun = %v, want exit %d", err, c.code)
			}
			if c.stdout != "" && !strings.Contains(out.String(), c.stdout+path+"\n") && !strings.Contains(out.String(), c.stdout+path+":") {
				t.Errorf("stdout lacks %q:\n%s", c.stdout+path, out)
			}
			got, readErr := os.ReadFile(path)
			switch {
			case c.want == "" && readErr == nil:
				t.Errorf("init wrote %s:\n%s", path, got)
			case c.want != "" && string(got) != c.want:
				t.Errorf("%s:\n%s\nwant:\n%s", path, got, c.want)
			}
			_, cfgErr := os.Stat(filepath.Join(dir, ".portguard.yaml"))
			if c.code != ExitClean {
				if cfgErr == nil || out.Len() != 0 {
					t.Error("init wrote files although it stopped")
				}
				if !strings.Contains(err.Error(), "portguard verify --policy policy") || !strings.Contains(err.Error(), "--no-pre-commit") {
					t.Errorf("the error does not give the entry to add by hand and --no-pre-commit: %v", err)
				}
			}
		})
	}
}

// TestScaffoldWorkflow: the workflow runs fmt --check and verify on the
// policy directory after installing portguard.
func TestScaffoldWorkflow(t *testing.T) {
	var wf struct {
		On   map[string]any `yaml:"on"`
		Jobs map[string]struct {
			Steps []struct {
				Uses string `yaml:"uses"`
				Run  string `yaml:"run"`
			} `yaml:"steps"`
		} `yaml:"jobs"`
	}
	for _, f := range scaffold.Files("dev") {
		if f.Path == ".github/workflows/portguard-policy.yml" {
			if err := yaml.Unmarshal(f.Data, &wf); err != nil {
				t.Fatal(err)
			}
		}
	}
	var runs []string
	for _, j := range wf.Jobs {
		for _, s := range j.Steps {
			if s.Run != "" {
				runs = append(runs, s.Run)
			}
		}
	}
	want := []string{"go install github.com/portguard/portguard/cmd/portguard@latest", "portguard fmt --check policy", "portguard verify --policy policy"}
	if !reflect.DeepEqual(runs, want) || wf.On["pull_request"] == nil {
		t.Errorf("workflow runs %q on %v, want %q on pull requests", runs, wf.On, want)
	}
}
