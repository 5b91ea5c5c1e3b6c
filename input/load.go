package input

import (
	"errors"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"sync/atomic"

	"github.com/sirupsen/logrus"

	"github.com/portguard/portguard/internal/osfile"
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
	w, err := where(opts)
	if err != nil {
		return nil, err
	}
	doc := EmptyDocument(w.cfg)
	dotenv, envFile, err := loadRootEnv(w.root, w.cfg)
	if err != nil {
		doc.Errors = append(doc.Errors, asInputError(err, envFile))
	}
	doc.Env.File = envFile

	var projects []Project
	if len(w.files) > 0 {
		projects = []Project{ExplicitProject(w.files)}
		doc.ExplicitFiles = true
	}
	tree := Discover(w.projectDir, w.cfg.ComposeFiles, w.cfg.Exclude)
	tree.under(w.prefix)
	if len(w.files) == 0 {
		projects = tree.Projects
		doc.Errors = append(doc.Errors, tree.Errors...)
	}
	doc.Repo = repoFacts(w.root, tree, w.cfg.MaxFileSize)

	l := &composeLoader{
		fileCache: fileCache{root: w.root, limit: w.cfg.MaxFileSize, lookup: dotenv.lookup, files: map[string]*cachedFile{}},
		env:       portEnv{dotenv: dotenv, file: envFile},
		kb:        w.kb, categories: w.cfg.Categories,
	}
	doc.addProjects(l.loadProjects(projects, len(w.files) == 0))
	selectProfiles(doc, opts.Profiles)
	doc.Env.Vars = envVars(dotenv, doc.Services)
	conv, tableIgnores, err := loadConventions(w.root, w.cfg)
	if err != nil {
		doc.Errors = append(doc.Errors, asInputError(err, w.cfg.ConventionsFile))
	} else {
		doc.Conventions = conv
	}
	doc.Ignores = resolveIgnores(doc, append(l.inlineIgnores(doc.Files), tableIgnores...))
	sortErrors(doc.Errors)
	return doc, nil
}

// loadPlace is where Load reads: the root (PATH), the -f files, the project
// directory and its configuration, and the knowledge base.
type loadPlace struct {
	root string
	// files are the -f files, absolute.
	files []string
	// projectDir is the directory of the first -f file, as docker compose
	// takes it, else the root; the root .env, the convention table and
	// the configuration are read there, and only it is searched for stray
	// .env files and dotenv loads. prefix is it relative to the root:
	// paths stay relative to the root.
	projectDir, prefix string
	cfg                Config
	kb                 *KnowledgeBase
}

// where resolves the root, the -f files and the configuration of a load.
func where(opts Options) (*loadPlace, error) {
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
	w := &loadPlace{root: root, kb: opts.Knowledge}
	if w.files, err = explicitFiles(root, opts.Files); err != nil {
		return nil, err
	}
	w.projectDir = projectDirOf(root, w.files)
	w.prefix = rel(root, w.projectDir)

	cfgPath, cfgDisplay := filepath.Join(w.projectDir, ConfigFileName), path.Join(w.prefix, ConfigFileName)
	if opts.ConfigPath != "" {
		cfgPath, cfgDisplay = opts.ConfigPath, opts.ConfigPath
	}
	if w.cfg, err = LoadConfig(cfgPath, cfgDisplay, opts.ConfigPath != ""); err != nil {
		return nil, err
	}
	w.cfg.under(w.prefix)
	for _, p := range opts.Exclude {
		if err := ValidExclude(p); err != nil {
			return nil, &ConfigError{File: "--exclude", Msg: err.Error()}
		}
	}
	w.cfg.Exclude = append(w.cfg.Exclude, opts.Exclude...)
	if w.kb == nil {
		if w.kb, err = BuiltinKnowledgeBase(); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// addProjects appends the facts of the projects to the document, in
// project order, each unset variable once. The lists are allocated at
// their size: grown by append, they make BenchmarkLoad allocate 7% more
// bytes at 1,000 services and 20% more at 10,000.
func (d *Document) addProjects(facts []projectFacts) {
	var nFiles, nServices, nVolumes int
	for _, pf := range facts {
		nFiles += len(pf.files)
		nServices += len(pf.services)
		nVolumes += len(pf.volumes)
	}
	d.Files = make([]File, 0, nFiles)
	d.Services = make([]Service, 0, nServices)
	d.Volumes = make([]Volume, 0, nVolumes)
	unsetSeen := map[string]bool{}
	for _, pf := range facts {
		d.Files = append(d.Files, pf.files...)
		d.Services = append(d.Services, pf.services...)
		d.Volumes = append(d.Volumes, pf.volumes...)
		for _, u := range pf.unset {
			if !unsetSeen[u.Name] {
				unsetSeen[u.Name] = true
				d.Unset = append(d.Unset, u)
			}
		}
		d.Errors = append(d.Errors, pf.errors...)
	}
}

// inlineIgnores reads the portguard:ignore comments of the compose files
// that took part, from the bytes the loader kept.
func (l *composeLoader) inlineIgnores(files []File) []Ignore {
	var ignores []Ignore
	for _, f := range files {
		if data := l.data(filepath.Join(l.root, filepath.FromSlash(f.Path))); data != nil {
			ignores = append(ignores, yamlIgnores(f.Path, data)...)
		}
	}
	return ignores
}

// projectDirOf is the project directory: with -f, the directory of the
// first file, as docker compose takes it, else root.
func projectDirOf(root string, files []string) string {
	if len(files) > 0 {
		return filepath.Dir(files[0])
	}
	return root
}

// ProjectDir is the project directory of a run on root with the -f files
// given, where Load reads .portguard.yaml and which the paths it names are
// relative to: the first file's directory, else root. It is written from
// root (root itself without -f).
func ProjectDir(root string, files []string) (string, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return "", err
	}
	named, err := explicitFiles(abs, files)
	if err != nil {
		return "", err
	}
	r := filepath.FromSlash(rel(abs, projectDirOf(abs, named)))
	if filepath.IsAbs(r) {
		return r, nil
	}
	return filepath.Join(root, r), nil
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
		data, err := osfile.Read(p, cfg.MaxFileSize)
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
	data, err := osfile.Read(filepath.Join(root, cfg.ConventionsFile), cfg.MaxFileSize)
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
	used := PortVariables(services)
	for _, name := range d.Order {
		v := EnvVar{Name: name, Line: d.Lines[name], PortLike: PortLike(name, used),
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
