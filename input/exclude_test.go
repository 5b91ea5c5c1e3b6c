package input

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestMatchExclude(t *testing.T) {
	tests := []struct {
		pattern, path string
		want          bool
	}{
		// a name matches at any depth
		{"legacy", "legacy", true},
		{"legacy", "samples/legacy", true},
		{"legacy", "samples/legacy-2", false},
		{"*.old.yml", "apps/api/compose.old.yml", true},
		{"*.old.yml", "apps/api/compose.yml", false},
		// a pattern with a slash matches from the root, segment by segment
		{"samples/*", "samples/mysql", true},
		{"samples/*", "apps/samples/mysql", false},
		{"samples/*", "samples", false},
		{"apps/web/docker-compose.yml", "apps/web/docker-compose.yml", true},
		{"apps/*/docker-compose.yml", "apps/web/sub/docker-compose.yml", false},
		// ** spans any number of segments, none included
		{"samples/**/compose.yaml", "samples/compose.yaml", true},
		{"samples/**/compose.yaml", "samples/a/b/compose.yaml", true},
		{"samples/**/compose.yaml", "samples/a/b/compose.yml", false},
		{"**/testdata", "testdata", true},
		{"**/testdata", "a/b/testdata", true},
		{"**", "anything/at/all", true},
		// ./ and a trailing / are ignored; ? and [...] are shell globs
		{"./samples/", "samples", true},
		{"v?", "apps/v2", true},
		{"[ab]pp", "app", true},
		{"[ab]pp", "cpp", false},
	}
	for _, tt := range tests {
		if got := MatchExclude(tt.pattern, tt.path); got != tt.want {
			t.Errorf("MatchExclude(%q, %q) = %v, want %v", tt.pattern, tt.path, got, tt.want)
		}
	}
}

// TestDiscoverExcludes: an excluded directory is not descended (its
// compose files and .env files are not found), an excluded file is left
// out, and the rest is found.
func TestDiscoverExcludes(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{
		"compose.yaml",
		"samples/a/compose.yaml",
		"samples/b/compose.yaml",
		"samples/b/.env",
		"legacy/docker-compose.yml",
		"apps/api/compose.old.yml",
	} {
		p := filepath.Join(root, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("services: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	patterns := append(DefaultConfig().ComposeFiles, "compose*.yml")
	tree := Discover(root, patterns, []string{"legacy", "samples/b", "*.old.yml"})
	var got []string
	for _, p := range tree.Projects {
		got = append(got, rel(root, p.Files[0]))
	}
	if want := []string{"compose.yaml", "samples/a/compose.yaml"}; !slices.Equal(got, want) {
		t.Errorf("projects %v, want %v", got, want)
	}
	if len(tree.EnvFiles) != 0 {
		t.Errorf("env files %v under an excluded directory", tree.EnvFiles)
	}
}
