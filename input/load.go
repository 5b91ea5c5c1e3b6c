package input

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/sirupsen/logrus"
)

// Options says what to load.
type Options struct {
	// Root is the repository root (PATH); paths in the document are
	// relative to it.
	Root string
	// Files are explicit compose files (-f), merged into one project as
	// docker compose merges them. Empty means discovery under Root.
	Files []string
	// ConfigPath is an explicit --config file; "" reads Root/.portguard.yaml
	// when it exists.
	ConfigPath string
	// Exclude are the --exclude patterns, added to exclude: of the
	// configuration (see MatchExclude).
	Exclude []string
	// Profiles are the profiles enabled with --profile (see
	// SelectProfiles); empty checks every service.
	Profiles []string
	// Knowledge is the image knowledge base that classifies the services:
	// the built-in one with the --data files merged over it
	// (engine.KnowledgeBase). nil is the built-in one alone.
	Knowledge *KnowledgeBase
}

// EmptyDocument is a document of no files, every list empty: where Load
// starts, and the document of a host audit without compose files, which
// only the live facts join.
func EmptyDocument(cfg Config) *Document {
	return &Document{
		Version:     DocumentVersion,
		Root:        ".",
		Config:      cfg,
		Files:       []File{},
		Services:    []Service{},
		Volumes:     []Volume{},
		Env:         Env{Vars: []EnvVar{}},
		Conventions: Conventions{Rows: []ConventionRow{}},
		Profiles:    []string{},
		Repo:        Repo{EnvFiles: []string{}, EnvLoads: []EnvLoad{}},
		Unset:       []UnsetVar{},
		Ignores:     []Ignore{},
		Errors:      []InputError{},
	}
}

// Load builds the input document. Problems with single files become
// doc.Errors and every other file is still read; the error return is kept
// for problems that leave nothing to check (a missing root, a broken config
// file).
func Load(opts Options) (*Document, error) {
	quietComposeGo()
	root, err := filepath.Abs(opts.Root)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(root)
	if err != nil {
		return nil, &ConfigError{File: opts.Root, Msg: "cannot read: " + pathErrorReason(err)}
	}
	if !st.IsDir() {
		return nil, &ConfigError{File: opts.Root, Msg: "is not a directory (use -f for a single compose file)"}
	}

	files, err := explicitFiles(root, opts.Files)
	if err != nil {
		return nil, err
	}
	// The project directory: with -f, the directory of the first file, as
	// docker compose takes it; the root .env, the convention table and the
	// configuration are read there, and only it is searched for stray .env
	// files and dotenv loads. Paths stay relative to the root (PATH).
	projectDir := root
	if len(files) > 0 {
		projectDir = filepath.Dir(files[0])
	}
	prefix := rel(root, projectDir)

	cfgPath, cfgDisplay := filepath.Join(projectDir, ConfigFileName), path.Join(prefix, ConfigFileName)
	if opts.ConfigPath != "" {
		cfgPath, cfgDisplay = opts.ConfigPath, opts.ConfigPath
	}
	cfg, err := LoadConfig(cfgPath, cfgDisplay, opts.ConfigPath != "")
	if err != nil {
		return nil, err
	}
	cfg.under(prefix)
	for _, p := range opts.Exclude {
		if err := ValidExclude(p); err != nil {
			return nil, &ConfigError{File: "--exclude", Msg: err.Error()}
		}
	}
	cfg.Exclude = append(cfg.Exclude, opts.Exclude...)

	kb := opts.Knowledge
	if kb == nil {
		if kb, err = BuiltinKnowledgeBase(); err != nil {
			return nil, err
		}
	}

	doc := EmptyDocument(cfg)

	dotenv, envFile, err := loadRootEnv(root, cfg)
	if err != nil {
		doc.Errors = append(doc.Errors, asInputError(err, envFile))
	}
	doc.Env.File = envFile

	var projects []Project
	if len(files) > 0 {
		projects = []Project{ExplicitProject(files)}
		doc.ExplicitFiles = true
	}
	tree := Discover(projectDir, cfg.ComposeFiles, cfg.Exclude)
	tree.under(prefix)
	if len(files) == 0 {
		projects = tree.Projects
		doc.Errors = append(doc.Errors, tree.Errors...)
	}
	doc.Repo = repoFacts(root, tree, cfg.MaxFileSize)

	l := &composeLoader{
		fileCache: fileCache{root: root, limit: cfg.MaxFileSize, lookup: dotenv.lookup, files: map[string]*parsedFile{}},
		env:       portEnv{dotenv: dotenv, file: envFile},
		kb:        kb, categories: cfg.Categories,
	}
	// Parse every file, then load every project, on all cores; the results
	// are merged in project order, so the document does not depend on
	// scheduling.
	var all []string
	for _, p := range projects {
		all = append(all, p.Files...)
	}
	// Every file is read first, and parsed now only when it may include or
	// extend another: the projects to load depend on what is included and
	// extended. The other files are parsed by the project that loads them,
	// which drops their trees when it is done, so that the trees of all
	// files are never in memory at once.
	parallel(len(all), func(i int) { l.prefetch(all[i]) })
	absorbed := l.absorbed(projects)
	l.shared = absorbed
	var kept []Project
	for _, p := range projects {
		if len(opts.Files) == 0 && absorbed[p.Files[0]] {
			continue
		}
		kept = append(kept, p)
	}
	facts := make([]projectFacts, len(kept))
	parallel(len(kept), func(i int) {
		facts[i] = l.loadProject(kept[i])
		for _, f := range kept[i].Files {
			l.release(f)
		}
	})
	var nFiles, nServices, nVolumes int
	for _, pf := range facts {
		nFiles += len(pf.files)
		nServices += len(pf.services)
		nVolumes += len(pf.volumes)
	}
	doc.Files = make([]File, 0, nFiles)
	doc.Services = make([]Service, 0, nServices)
	doc.Volumes = make([]Volume, 0, nVolumes)
	unsetSeen := map[string]bool{}
	for _, pf := range facts {
		doc.Files = append(doc.Files, pf.files...)
		doc.Services = append(doc.Services, pf.services...)
		doc.Volumes = append(doc.Volumes, pf.volumes...)
		for _, u := range pf.unset {
			if !unsetSeen[u.Name] {
				unsetSeen[u.Name] = true
				doc.Unset = append(doc.Unset, u)
			}
		}
		doc.Errors = append(doc.Errors, pf.errors...)
	}
	selectProfiles(doc, opts.Profiles)
	doc.Env.Vars = envVars(dotenv, doc.Services)
	conv, tableIgnores, err := loadConventions(root, cfg)
	if err != nil {
		doc.Errors = append(doc.Errors, asInputError(err, cfg.ConventionsFile))
	} else {
		doc.Conventions = conv
	}
	// Inline suppressions: the compose files were read by the loader,
	// which keeps their bytes.
	var ignores []Ignore
	for _, f := range doc.Files {
		if pf := l.read(filepath.Join(root, filepath.FromSlash(f.Path))); pf.readErr == nil {
			ignores = append(ignores, yamlIgnores(f.Path, pf.data)...)
		}
	}
	doc.Ignores = resolveIgnores(doc, append(ignores, tableIgnores...))
	sortErrors(doc.Errors)
	return doc, nil
}

// explicitFiles resolves the -f files: a relative path is taken from the
// current directory, as docker compose takes it, or, when no file is there,
// from the root (PATH), so that `check REPO -f docker-compose.yml` reads
// REPO/docker-compose.yml.
func explicitFiles(root string, names []string) ([]string, error) {
	var out []string
	for _, f := range names {
		abs, err := filepath.Abs(f)
		if err != nil {
			return nil, err
		}
		if _, err := os.Lstat(abs); err != nil && !filepath.IsAbs(f) {
			abs = filepath.Join(root, f)
		}
		out = append(out, abs)
	}
	return out, nil
}

// quietComposeGo stops compose-go from logging warnings (an obsolete
// `version:` key) to stderr: they are not portguard's findings.
func quietComposeGo() {
	logrus.SetLevel(logrus.ErrorLevel)
}

// parallel runs f(0..n-1) on as many goroutines as there are cores.
func parallel(n int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= n {
					return
				}
				f(i)
			}
		}()
	}
	wg.Wait()
}

// EnvCandidates are the files the root .env is read from, in order: the
// env_file of the config, then the templates that stand in for it when it
// is absent (CI clones rarely have it: it holds secrets and git ignores
// it): X.example, env.example beside a file named .env, X.sample, X.dist.
func EnvCandidates(cfg Config) []string {
	name := filepath.ToSlash(cfg.EnvFile)
	out := []string{name, name + ".example"}
	if dir, base := path.Split(name); base == ".env" {
		out = append(out, dir+"env.example")
	}
	return append(out, name+".sample", name+".dist")
}

// loadRootEnv reads the root .env, or the first template of it that exists
// (EnvCandidates). It returns the file that was read, relative to root.
func loadRootEnv(root string, cfg Config) (*dotenvFacts, string, error) {
	for _, name := range EnvCandidates(cfg) {
		p := filepath.Join(root, filepath.FromSlash(name))
		data, err := readLimited(p, cfg.MaxFileSize)
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		display := filepath.ToSlash(name)
		if err != nil {
			return nil, display, InputError{File: display, Message: "cannot read: " + pathErrorReason(err)}
		}
		facts, err := parseDotenv(display, data)
		return facts, display, err
	}
	return nil, "", nil
}

// loadConventions reads the convention table; a repository without one
// has no rows (DBP501 reports every undocumented port).
func loadConventions(root string, cfg Config) (Conventions, []Ignore, error) {
	display := filepath.ToSlash(cfg.ConventionsFile)
	data, err := readLimited(filepath.Join(root, cfg.ConventionsFile), cfg.MaxFileSize)
	if errors.Is(err, os.ErrNotExist) {
		return Conventions{Rows: []ConventionRow{}}, nil, nil
	}
	if err != nil {
		return Conventions{Rows: []ConventionRow{}}, nil, InputError{File: display, Message: "cannot read: " + pathErrorReason(err)}
	}
	return parseConventions(display, data), markdownIgnores(display, data), nil
}

// envVars lists the root .env for the document. Only port-like variables
// (named *_PORT, or used in a port mapping) keep their values.
func envVars(d *dotenvFacts, services []Service) []EnvVar {
	out := []EnvVar{}
	if d == nil {
		return out
	}
	used := map[string]bool{}
	for _, s := range services {
		for _, p := range s.Ports {
			if p.Variable != nil {
				used[p.Variable.Name] = true
			}
		}
	}
	for _, name := range d.Order {
		v := EnvVar{Name: name, Line: d.Lines[name], PortLike: used[name] || portLikeName(name),
			Value: Redacted, AppValue: Redacted}
		if v.PortLike {
			v.Value, v.AppValue = d.Compose[name], d.App[name]
		}
		if _, ok := d.Compose[name]; !ok {
			continue
		}
		out = append(out, v)
	}
	return out
}

func sortErrors(errs []InputError) {
	sort.SliceStable(errs, func(i, j int) bool {
		if errs[i].File != errs[j].File {
			return errs[i].File < errs[j].File
		}
		return errs[i].Line < errs[j].Line
	})
}

// Summary renders the document's size for logs.
func (d *Document) Summary() string {
	return fmt.Sprintf("%d files, %d services, %d errors", len(d.Files), len(d.Services), len(d.Errors))
}
