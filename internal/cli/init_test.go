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
)

func TestNewCmdInitFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    InitOptions
		wantErr bool
	}{
		{name: "defaults", want: InitOptions{Path: "."}},
		{name: "path and force", args: []string{"repo", "--force"}, want: InitOptions{Path: "repo", Force: true}},
		{name: "two paths", args: []string{"a", "b"}, wantErr: true},
		{name: "unknown flag", args: []string{"--overwrite"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := factoryWithBuffers()
			var got *InitOptions
			cmd := NewCmdInit(f, func(o *InitOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if c.wantErr {
				if err == nil {
					t.Fatal("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.IO = f.IO
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("options %+v, want %+v", *got, want)
			}
		})
	}
}

var scaffoldPaths = []string{".portguard.yaml", "policy/image_tag_pinned.rego", "policy/image_tag_pinned_test.rego"}

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
	writeFiles(t, dir, map[string]string{"policy/image_tag_pinned.rego": "# ours\n"})
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
	writeFiles(t, dir, map[string]string{"file": "x"})
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
	for _, f := range scaffold.Files() {
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
	for _, f := range scaffold.Files() {
		paths = append(paths, f.Path)
	}
	if !reflect.DeepEqual(paths, scaffoldPaths) {
		t.Errorf("scaffold files %v, want %v", paths, scaffoldPaths)
	}
}
