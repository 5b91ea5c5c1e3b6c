package backup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/portguard/portguard/input"
)

// ConfigFiles lists the configuration files of the stacks doc was loaded
// from (root): every compose file (those discovery finds, also when they
// do not load, and those that include or extends pull in), the root .env
// (and .env.example when it stands in), the convention table and
// .portguard.yaml (configPath when the config was named with --config).
// present exist as regular files; absent do not exist (a rollback makes
// them absent again); paths are relative to root, with slashes.
func ConfigFiles(root string, doc *input.Document, configPath string) (present, absent []string, err error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, nil, err
	}
	var names []string
	add := func(rel string) {
		if rel != "" && !slices.Contains(names, rel) {
			names = append(names, rel)
		}
	}
	for _, f := range doc.Files {
		add(f.Path)
	}
	if !doc.ExplicitFiles {
		for _, p := range input.Discover(abs, doc.Config.ComposeFiles, doc.Config.Exclude).Projects {
			for _, f := range p.Files {
				add(relTo(abs, f))
			}
		}
	}
	add(doc.Config.EnvFile)
	add(doc.Env.File)
	add(doc.Config.ConventionsFile)
	add(doc.Conventions.File)
	if configPath != "" {
		cp, err := filepath.Abs(configPath)
		if err != nil {
			return nil, nil, err
		}
		add(relTo(abs, cp))
	} else {
		add(input.ConfigFileName)
	}
	slices.Sort(names)
	for _, rel := range names {
		st, err := os.Stat(filepath.Join(abs, filepath.FromSlash(rel)))
		switch {
		case err == nil && st.Mode().IsRegular():
			present = append(present, rel)
		case errors.Is(err, fs.ErrNotExist):
			absent = append(absent, rel)
		}
	}
	return present, absent, nil
}

func relTo(root, p string) string {
	r, err := filepath.Rel(root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}
