package cli

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/treetest"
)

// Flag parsing of fix, suggest and docs, through runF.
func TestFixSuggestDocsFlags(t *testing.T) {
	f, _, _ := factoryWithBuffers()
	var fo *FixOptions
	cmd := NewCmdFix(f, func(o *FixOptions) error { fo = o; return nil })
	cmd.SetArgs([]string{"stack", "-f", "a.yml", "-f", "b.yml", "--diff", "--policy", "p"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if fo.Path != "stack" || !reflect.DeepEqual(fo.Files, []string{"a.yml", "b.yml"}) || !fo.Diff || fo.DryRun || !reflect.DeepEqual(fo.Policies, []string{"p"}) {
		t.Errorf("fix options %+v", fo)
	}
	cmd = NewCmdFix(f, func(o *FixOptions) error { fo = o; return nil })
	cmd.SetArgs([]string{"--diff", "--dry-run"})
	if err := cmd.Execute(); err != nil || !fo.Diff || !fo.DryRun {
		t.Errorf("--diff with --dry-run: %v %+v", err, fo)
	}

	var so *SuggestOptions
	cmd = NewCmdSuggest(f, func(o *SuggestOptions) error { so = o; return nil })
	cmd.SetArgs([]string{"--backup-of", "timescaledb", "-n", "3", "--format", "json"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if so.Path != "." || so.Category != "database" || so.BackupOf != "timescaledb" || so.Count != 3 || so.Format != "json" {
		t.Errorf("suggest options %+v", so)
	}

	var do *DocsOptions
	cmd = NewCmdDocs(f, func(o *DocsOptions) error { do = o; return nil })
	cmd.SetArgs([]string{"repo", "--check", "--map", "m.svg"})
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if do.Path != "repo" || !do.Check || do.Map != "m.svg" {
		t.Errorf("docs options %+v", do)
	}
}

// TestFixRun runs fix on a small stack: the dry run writes nothing, fix
// writes, the second run has nothing to do.
func TestFixRun(t *testing.T) {
	dir := t.TempDir()
	treetest.Write(t, dir, map[string]string{
		"docker-compose.yml": "services:\n  postgres:\n    image: postgres:16\n    ports:\n      - \"5432:5432\"   # stock port\n",
		".env":               "APP_NAME=shop\n",
	})
	f, out, _ := factoryWithBuffers()
	if err := fixRun(context.Background(), &FixOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: dir}, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `docker-compose.yml:5  "5432:5432" -> "${POSTGRES_PORT:-7000}:5432"  (DBP101, DBP201)`) {
		t.Errorf("dry run:\n%s", out)
	}
	if env, _ := os.ReadFile(filepath.Join(dir, ".env")); string(env) != "APP_NAME=shop\n" {
		t.Error("the dry run wrote .env")
	}
	out.Reset()
	if err := fixRun(context.Background(), &FixOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: dir}}); err != nil {
		t.Fatal(err)
	}
	compose, _ := os.ReadFile(filepath.Join(dir, "docker-compose.yml"))
	env, _ := os.ReadFile(filepath.Join(dir, ".env"))
	if !strings.Contains(string(compose), `- "${POSTGRES_PORT:-7000}:5432"   # stock port`) || string(env) != "APP_NAME=shop\nPOSTGRES_PORT=7000\n" {
		t.Errorf("after fix:\n%s\n%s", compose, env)
	}
	out.Reset()
	if err := fixRun(context.Background(), &FixOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: dir}}); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "nothing to fix") {
		t.Errorf("second run:\n%s", out)
	}
}
