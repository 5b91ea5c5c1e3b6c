// Package corpus finds the shared corpus of real repositories that the
// tests read (never copied into this repository): origin, origin-head and
// real-world/*.
package corpus

import (
	"os"
	"path/filepath"
)

// Dir finds the shared corpus: $PORTGUARD_CORPUS, else a shared/corpus
// directory beside the working directory or one of its parents
// (../shared/corpus of a clone), or "" when there is none.
func Dir() string {
	if c := os.Getenv("PORTGUARD_CORPUS"); c != "" {
		return c
	}
	dir, err := filepath.Abs(".")
	if err != nil {
		return ""
	}
	for {
		c := filepath.Join(dir, "shared", "corpus")
		if st, err := os.Stat(c); err == nil && st.IsDir() {
			return c
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// Repositories lists the repositories of the corpus at dir: origin,
// origin-head and each of real-world/*.
func Repositories(dir string) []string {
	var roots []string
	for _, pattern := range []string{"origin", "origin-head", "real-world/*"} {
		m, _ := filepath.Glob(filepath.Join(dir, pattern))
		for _, r := range m {
			if st, err := os.Stat(r); err == nil && st.IsDir() {
				roots = append(roots, r)
			}
		}
	}
	return roots
}
