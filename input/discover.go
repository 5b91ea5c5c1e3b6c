package input

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// skippedDirs are never searched for compose files or .env files.
var skippedDirs = map[string]bool{".git": true, "node_modules": true, "vendor": true}

// BackupsMarker is the file that marks a directory of portguard backups
// (portguard backup create writes it): their copies of compose and .env
// files are not part of the stacks, so discovery never searches there.
const BackupsMarker = ".portguard-backups"

// Project is the set of files docker compose would merge into one project:
// a base file and the override files merged into it, in order.
type Project struct {
	Files []string // absolute paths
}

var overrideRE = regexp.MustCompile(`^(.*)\.override\.(ya?ml)$`)

// Tree is what discovery finds under the root.
type Tree struct {
	Projects []Project
	// EnvFiles are the files named .env or .env.* (relative paths).
	EnvFiles []string
	// Sources are JavaScript and TypeScript files (absolute paths), where
	// applications may load dotenv.
	Sources []string
	Errors  []InputError
}

// sourceExts are the application files searched for dotenv loading.
var sourceExts = map[string]bool{".js": true, ".mjs": true, ".cjs": true, ".jsx": true, ".ts": true, ".mts": true, ".cts": true, ".tsx": true}

// Discover walks root once and finds the compose files whose base names
// match patterns, the .env files and the application sources, skipping
// the paths that match an exclude pattern (see MatchExclude).
// docker-compose.override.yml (and any X.override.yml next to an X.yml)
// merges into its base file as docker compose does; every other file is its
// own project. Symbolic links to directories are not followed; a compose
// file that is a symbolic link to a file under root is read once, under
// the name of the file it links to (a link and its target are one file).
// Problems (unreadable
// directories, a directory named like a compose file) are returned as input
// errors; the walk goes on.
func Discover(root string, patterns, exclude []string) Tree {
	var t Tree
	var files []string
	seen := map[string]bool{}
	walkErr := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			t.Errors = append(t.Errors, InputError{File: rel(root, p), Message: "cannot read: " + pathErrorReason(err)})
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		name := d.Name()
		if p != root && len(exclude) > 0 && excluded(exclude, rel(root, p)) {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != root && (skippedDirs[name] || isBackups(p)) {
				return fs.SkipDir
			}
			if p != root && matchesAny(patterns, name) {
				t.Errors = append(t.Errors, InputError{File: rel(root, p), Message: "is a directory, not a compose file"})
			}
			return nil
		}
		switch {
		case matchesAny(patterns, name):
			if d.Type()&fs.ModeSymlink != 0 {
				target, inside, resolved := linkTarget(root, p)
				if resolved && !inside {
					t.Errors = append(t.Errors, InputError{File: rel(root, p), Message: "is a symbolic link to a file outside the checked directory: not followed (name the file with -f to check it)"})
					return nil
				}
				if resolved {
					// Checked once, under the name of the file it links to.
					if len(exclude) > 0 && excluded(exclude, rel(root, target)) {
						return nil
					}
					p = target
				}
			}
			if !seen[p] {
				seen[p] = true
				files = append(files, p)
			}
		case name == ".env" || strings.HasPrefix(name, ".env."):
			t.EnvFiles = append(t.EnvFiles, rel(root, p))
		case sourceExts[filepath.Ext(name)] && d.Type().IsRegular():
			t.Sources = append(t.Sources, p)
		}
		return nil
	})
	if walkErr != nil {
		t.Errors = append(t.Errors, InputError{File: rel(root, root), Message: "cannot search: " + pathErrorReason(walkErr)})
	}
	t.Projects = groupProjects(files)
	sort.Strings(t.EnvFiles)
	return t
}

// isBackups reports whether dir holds portguard backups.
func isBackups(dir string) bool {
	_, err := os.Lstat(filepath.Join(dir, BackupsMarker))
	return err == nil
}

// linkTarget resolves the symbolic link p: the file it links to, as a
// path under root, and whether it lies inside root. A link to a file
// outside root is never read: a pull request must not make the check read
// files of the machine it runs on. A link that does not resolve (broken, a
// loop) is left to the reader, which says why (resolved is false).
func linkTarget(root, p string) (target string, inside, resolved bool) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return "", false, false
	}
	realRoot := root
	if r, err := filepath.EvalSymlinks(root); err == nil {
		realRoot = r
	}
	r, err := filepath.Rel(realRoot, real)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return "", false, true
	}
	return filepath.Join(root, r), true, true
}

// under makes the paths of a tree found under the directory prefix (a
// path relative to the root) relative to the root.
func (t *Tree) under(prefix string) {
	if prefix == "." {
		return
	}
	for i, f := range t.EnvFiles {
		t.EnvFiles[i] = path.Join(prefix, f)
	}
	for i := range t.Errors {
		t.Errors[i].File = path.Join(prefix, t.Errors[i].File)
	}
}

// ExplicitProject is what `-f a.yml -f b.yml` means to docker compose: one
// project, the later files merged into the first.
func ExplicitProject(files []string) Project {
	return Project{Files: files}
}

func groupProjects(files []string) []Project {
	sort.Strings(files)
	present := map[string]bool{}
	for _, f := range files {
		present[f] = true
	}
	bases := map[string]*Project{}
	var order []string
	var overrides []string
	for _, f := range files {
		if baseOf(f, present) != "" {
			overrides = append(overrides, f)
			continue
		}
		bases[f] = &Project{Files: []string{f}}
		order = append(order, f)
	}
	for _, f := range overrides {
		b := bases[baseOf(f, present)]
		b.Files = append(b.Files, f)
	}
	projects := make([]Project, 0, len(order))
	for _, f := range order {
		projects = append(projects, *bases[f])
	}
	return projects
}

// baseOf returns the base file an override file merges into, or "" when f
// is not an override of a present file.
func baseOf(f string, present map[string]bool) string {
	m := overrideRE.FindStringSubmatch(filepath.Base(f))
	if m == nil {
		return ""
	}
	dir := filepath.Dir(f)
	for _, ext := range []string{m[2], "yml", "yaml"} {
		b := filepath.Join(dir, m[1]+"."+ext)
		if present[b] {
			return b
		}
	}
	return ""
}

func matchesAny(patterns []string, name string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// rel gives p relative to root with forward slashes, the form every path in
// the document and the reports takes.
func rel(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
