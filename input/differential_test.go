package input

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	composedotenv "github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/template"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/corpus"
)

// The differential test: every fact portguard reads from a compose file is
// the value docker compose computes. Each project is loaded a second time
// with compose-go's full loader (interpolation, include, extends, override
// merges, all profiles, schema validation, default values, resolved paths),
// given the environment portguard read (the root .env or its stand-in),
// and compared service by service with the document.

// differentialRoots lists the repositories the differential test reads:
// each corpus repository, the examples and the end-to-end fixtures.
func differentialRoots(t *testing.T) []string {
	var roots []string
	if c := corpus.Dir(); c != "" {
		for _, pattern := range []string{"real-world/*", "origin", "origin-head"} {
			m, _ := filepath.Glob(filepath.Join(c, pattern))
			roots = append(roots, m...)
		}
	} else {
		t.Log("../shared/corpus not found (set PORTGUARD_CORPUS): only the examples and the fixtures are compared")
	}
	for _, pattern := range []string{"../examples/*", "../testdata/e2e/*"} {
		m, _ := filepath.Glob(pattern)
		for _, d := range m {
			if dirExists(d) {
				roots = append(roots, d)
			}
		}
	}
	return roots
}

func TestFactsMatchCompose(t *testing.T) {
	var all []string
	for _, root := range differentialRoots(t) {
		all = append(all, differential(t, root)...)
	}
	if len(all) > 0 {
		t.Errorf("%d facts differ from docker compose's:\n%s", len(all), strings.Join(all, "\n"))
	}
}

// differential compares the document of one repository with compose-go's
// projects and returns the mismatches, each naming its file and service.
//
// Where compose-go cannot load a project without values the repository
// leaves out (a required ${X:?...}, or an unset variable in a field that
// must be a number, a boolean, a port or a volume source), the variables
// are supplied: the repository is copied to a temporary directory, each
// variable is appended to the env file both readers read there, and the
// comparison runs on the copy. First the required variables compose-go
// names, then, while it still fails, every variable of the project
// without a value, each with a value that fits where it is used
// (suppliedValues).
func differential(t *testing.T, root string) []string {
	t.Helper()
	supplied := map[string]string{}
	dir := root
	for round := 0; round < 2; round++ {
		for range 20 {
			missing := 0
			for _, p := range referenceProjects(t, dir) {
				var fits map[string]string
				for _, name := range p.missing {
					if _, ok := supplied[name]; !ok {
						if fits == nil {
							fits = suppliedValues(t, dir)
						}
						supplied[name] = fits[name]
						if supplied[name] == "" {
							supplied[name] = "supplied"
						}
						missing++
					}
				}
			}
			if missing == 0 {
				break
			}
			dir = copyWithEnv(t, root, supplied)
		}
		failing := false
		for _, p := range referenceProjects(t, dir) {
			if p.err != nil {
				failing = true
				for name, v := range suppliedValues(t, dir) {
					if _, ok := supplied[name]; !ok {
						supplied[name] = v
					}
				}
			}
		}
		if !failing || len(supplied) == 0 {
			break
		}
		dir = copyWithEnv(t, root, supplied)
	}
	if len(supplied) > 0 {
		names := make([]string, 0, len(supplied))
		for n := range supplied {
			names = append(names, n+"="+supplied[n])
		}
		sort.Strings(names)
		t.Logf("%s: compose-go cannot load it without %s: supplied in the env file of a copy, for both readers", root, strings.Join(names, " "))
	}
	doc, err := Load(Options{Root: dir})
	if err != nil {
		return nil
	}
	var out []string
	for _, p := range referenceProjects(t, dir) {
		out = append(out, compareProject(root, dir, doc, p)...)
	}
	return out
}

// suppliedValues gives each variable of the compose files under root that has no value in
// the env file portguard reads (and no default) a value that fits where
// it is used: an address before the host port of a mapping,
// a number in a port or a numeric field, false in a boolean field, a
// relative path as a volume source, else a word.
func suppliedValues(t *testing.T, root string) map[string]string {
	t.Helper()
	doc, err := Load(Options{Root: root})
	if err != nil {
		return nil
	}
	env := map[string]string{}
	if doc.Env.File != "" {
		env, _ = composedotenv.GetEnvFromFile(map[string]string{}, []string{filepath.Join(root, filepath.FromSlash(doc.Env.File))})
	}
	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	out := map[string]string{}
	var visit func(n *yaml.Node, path []string)
	visit = func(n *yaml.Node, path []string) {
		if n == nil {
			return
		}
		switch n.Kind {
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				visit(n.Content[i+1], append(path, n.Content[i].Value))
			}
		case yaml.SequenceNode:
			for _, c := range n.Content {
				visit(c, path)
			}
		case yaml.ScalarNode:
			refs, err := scanVars(n.Value)
			if err != nil {
				return
			}
			for _, r := range refs {
				if _, known := resolve(r, lookup); known {
					continue
				}
				// A use that needs a number, a boolean, an address or a
				// path decides over a use that takes any word.
				if v := valueFor(path, n.Value, r); out[r.Name] == "" || out[r.Name] == "supplied" {
					out[r.Name] = v
				}
			}
		}
	}
	for _, f := range doc.Files {
		data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(f.Path)))
		if err != nil {
			continue
		}
		var n yaml.Node
		if yaml.Unmarshal(data, &n) == nil && len(n.Content) > 0 {
			visit(n.Content[0], nil)
		}
	}
	return out
}

var (
	boolFields   = map[string]bool{"read_only": true, "privileged": true, "init": true, "tty": true, "stdin_open": true, "external": true, "internal": true, "attachable": true, "disable": true, "required": true, "nocopy": true, "oom_kill_disable": true}
	numberFields = map[string]bool{"cpus": true, "cpu_count": true, "cpu_percent": true, "cpu_shares": true, "cpu_period": true, "cpu_quota": true, "pids_limit": true, "replicas": true, "scale": true, "retries": true, "parallelism": true, "max_attempts": true, "oom_score_adj": true, "soft": true, "hard": true, "target": true, "published": true}
)

func valueFor(path []string, value string, r varRef) string {
	last := ""
	if len(path) > 0 {
		last = path[len(path)-1]
	}
	switch {
	case boolFields[last]:
		return "false"
	case numberFields[last]:
		return "7999"
	case last == "host_ip":
		return "127.0.0.1"
	case last == "ports":
		// Short syntax: the first of three parts is the host address.
		refs, _ := scanVars(value)
		before, total := 0, 0
		for i, part := range strings.Split(replaceRefs(value, refs, func(_ int, ref varRef) string {
			if ref == r {
				return "\x00"
			}
			return "X"
		}), ":") {
			if strings.Contains(part, "\x00") {
				before = i
			}
			total = i
		}
		if total == 2 && before == 0 {
			return "127.0.0.1"
		}
		return "7999"
	case last == "volumes" && len(path) >= 3 && path[0] == "services":
		return "./" + strings.ToLower(r.Name)
	}
	return "supplied"
}

// copyWithEnv copies a repository to a temporary directory and appends the
// supplied variables to the env file portguard reads there (creating .env
// when there is none).
func copyWithEnv(t *testing.T, root string, vars map[string]string) string {
	t.Helper()
	dst := t.TempDir()
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		r, _ := filepath.Rel(root, p)
		target := filepath.Join(dst, r)
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	doc, err := Load(Options{Root: dst})
	if err != nil {
		t.Fatal(err)
	}
	envFile := doc.Env.File
	if envFile == "" {
		envFile = doc.Config.EnvFile
	}
	p := filepath.Join(dst, filepath.FromSlash(envFile))
	data, _ := os.ReadFile(p)
	var b strings.Builder
	b.Write(data)
	if len(data) > 0 && data[len(data)-1] != '\n' {
		b.WriteByte('\n')
	}
	names := make([]string, 0, len(vars))
	for n := range vars {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(&b, "%s=%s\n", n, vars[n])
	}
	if err := os.WriteFile(p, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dst
}

// referenceProject is one project as compose-go's full loader sees it.
type referenceProject struct {
	base    string // the base file, relative to the root
	dir     string // the project directory (absolute)
	project *types.Project
	err     error
	missing []string // required variables without a value
	refused bool     // portguard reports an input error in a file of it

	name  string            // the project name portguard gives it
	files []string          // its compose files (absolute), in merge order
	env   map[string]string // the root .env, as compose-go is given it
}

// referenceProjects loads every project portguard checks under root with
// compose-go's full loader, with the environment portguard read. The
// loader skips two steps that are not about facts: the consistency checks
// (a service without image or build, an undefined secret: docker compose
// refuses to run such a project, portguard still checks its ports) and the
// reading of each service's env_file (missing in a clone; portguard never
// reads it).
func referenceProjects(t *testing.T, root string) []referenceProject {
	t.Helper()
	doc, err := Load(Options{Root: root})
	if err != nil {
		// Nothing is checked (a broken configuration): nothing to compare.
		return nil
	}
	return referenceProjectsOf(root, doc)
}

// referenceProjectsOf is referenceProjects for the document of root.
func referenceProjectsOf(root string, doc *Document) []referenceProject {
	env := map[string]string{}
	if doc.Env.File != "" {
		p := filepath.Join(root, filepath.FromSlash(doc.Env.File))
		var err error
		if env, err = composedotenv.GetEnvFromFile(map[string]string{}, []string{p}); err != nil {
			// A .env docker compose rejects: portguard reports the broken
			// lines and reads the others, which compose-go is given.
			data, _ := os.ReadFile(p)
			env = map[string]string{}
			if d, _ := parseDotenv(doc.Env.File, data); d != nil {
				env = d.Compose
			}
		}
	}
	abs, _ := filepath.Abs(root)
	bases := map[string]string{} // base file -> project name
	for _, f := range doc.Files {
		if f.Role == "base" {
			bases[f.Path] = f.Project
		}
	}
	var out []referenceProject
	for _, p := range Discover(abs, doc.Config.ComposeFiles, nil).Projects {
		base := rel(abs, p.Files[0])
		name, ok := bases[base]
		if !ok {
			continue
		}
		rp := referenceProject{base: base, dir: filepath.Dir(p.Files[0]), name: name, files: p.Files, env: env}
		if fileHasErrors(doc, abs, p.Files) {
			// A file portguard refuses (bad YAML, an alias bomb, which the
			// YAML library of docker compose expands without a bound) is not
			// given to compose-go: there are no facts of it to compare.
			rp.refused = true
			out = append(out, rp)
			continue
		}
		rp.load()
		out = append(out, rp)
	}
	return out
}

// load loads the project with compose-go's full loader, into project and
// err.
func (rp *referenceProject) load() {
	details := types.ConfigDetails{WorkingDir: rp.dir, Environment: rp.env}
	for _, f := range rp.files {
		details.ConfigFiles = append(details.ConfigFiles, types.ConfigFile{Filename: f})
	}
	rp.project, rp.err = loader.LoadWithContext(context.Background(), details, func(o *loader.Options) {
		o.SetProjectName(rp.name, true)
		o.Profiles = []string{"*"}
		o.SkipConsistencyCheck = true
		o.SkipResolveEnvironment = true
	})
	rp.missing = missingRequired(rp.err)
}

// fileHasErrors reports whether portguard reports an input error in one
// of files (absolute).
func fileHasErrors(doc *Document, root string, files []string) bool {
	for _, e := range doc.Errors {
		for _, f := range files {
			if e.File == rel(root, f) {
				return true
			}
		}
	}
	return false
}

// missingRequired lists the required variables an error of compose-go
// names as missing.
func missingRequired(err error) []string {
	var out []string
	var walk func(error)
	walk = func(err error) {
		if err == nil {
			return
		}
		var m *template.MissingRequiredError
		if errors.As(err, &m) {
			out = append(out, m.Variable)
		}
		if j, ok := err.(interface{ Unwrap() []error }); ok {
			for _, e := range j.Unwrap() {
				walk(e)
			}
		}
	}
	walk(err)
	return out
}

// compareProject lists the differences between the document's services
// and volumes of one project and compose-go's.
// root names the repository in messages; dir is where it was read (root or
// its copy).
func compareProject(root, dir string, doc *Document, rp referenceProject) []string {
	where := filepath.Base(root) + "/" + rp.base
	if rp.refused {
		return nil
	}
	hasErrors := false
	for _, e := range doc.Errors {
		if e.File == rp.base || projectOf(doc, e.File) == rp.base {
			hasErrors = true
		}
	}
	if rp.err != nil {
		if hasErrors {
			return nil // both readers reject the project
		}
		return []string{fmt.Sprintf("%s: compose-go cannot load the project portguard checks without an error: %v", where, rp.err)}
	}
	var out []string
	diff := func(service, what string, got, want any) {
		g, w := fmt.Sprint(got), fmt.Sprint(want)
		if g != w {
			out = append(out, fmt.Sprintf("%s: %s: %s is %s, docker compose: %s", where, service, what, g, w))
		}
	}
	services := ofProject(doc.Services, rp.base, func(s Service) (string, string) { return s.ProjectFile, s.Name })
	for name, sc := range rp.project.Services {
		s, ok := services[name]
		if !ok {
			if !hasErrors {
				out = append(out, fmt.Sprintf("%s: %s: not in the document", where, name))
			}
			continue
		}
		delete(services, name)
		diff(name, "image", s.Image, sc.Image)
		diff(name, "container_name", s.ContainerName, sc.ContainerName)
		diff(name, "network_mode", s.NetworkMode, sc.NetworkMode)
		diff(name, "profiles", sortedCopy(s.Profiles), sortedCopy(sc.Profiles))
		diff(name, "labels", labelFacts(s.Labels), labelFacts(sc.Labels))
		diff(name, "ports", portFacts(s.Ports), composePortFacts(sc.Ports))
		diff(name, "volumes", volumeFacts(dir, rp.dir, s.Volumes), composeVolumeFacts(rp.dir, sc.Volumes))
		diff(name, "port-like environment", envFacts(s.Environment), composeEnvFacts(s.Environment, sc.Environment))
	}
	for name := range services {
		out = append(out, fmt.Sprintf("%s: %s: in the document, not in docker compose's project", where, name))
	}
	vols := ofProject(doc.Volumes, rp.base, func(v Volume) (string, string) { return v.ProjectFile, v.Key })
	for key, vc := range rp.project.Volumes {
		v, ok := vols[key]
		if !ok {
			out = append(out, fmt.Sprintf("%s: volume %s: not in the document", where, key))
			continue
		}
		diff("volume "+key, "external", v.External, bool(vc.External))
		if v.HasName || v.External {
			diff("volume "+key, "name", v.Name, vc.Name)
		}
	}
	sort.Strings(out)
	return out
}

// ofProject indexes by key the items of the project whose base file is
// base; at gives an item's base file and key.
func ofProject[T any](items []T, base string, at func(T) (projectFile, key string)) map[string]T {
	out := map[string]T{}
	for _, x := range items {
		if projectFile, key := at(x); projectFile == base {
			out[key] = x
		}
	}
	return out
}

// projectOf is the base file of the project a file belongs to.
func projectOf(doc *Document, file string) string {
	for _, s := range doc.Services {
		if s.File == file {
			return s.ProjectFile
		}
	}
	return ""
}

func sortedCopy(s []string) []string {
	c := append([]string{}, s...)
	sort.Strings(c)
	return c
}

// labelFacts renders labels as portguard keeps them: every key, and the
// value of portguard's own labels (the others are redacted).
func labelFacts(labels map[string]string) string {
	var out []string
	for k, v := range labels {
		if strings.HasPrefix(k, "portguard.") {
			out = append(out, k+"="+v)
		} else {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

// portFacts renders a service's ports as compose-go lists them: one entry
// per container port of a range, "host_ip:published:target/protocol",
// sorted, duplicates once.
func portFacts(ports []Port) string {
	set := map[string]bool{}
	for _, p := range ports {
		if p.TargetRange == nil {
			continue
		}
		lo, hi := p.TargetRange[0], p.TargetRange[1]
		published := func(i int) string {
			r := p.EffectiveRange
			switch {
			case r == nil:
				return ""
			case r[0] == r[1]:
				return strconv.Itoa(r[0])
			case r[1]-r[0] == hi-lo && hi > lo:
				return strconv.Itoa(r[0] + i)
			}
			return fmt.Sprintf("%d-%d", r[0], r[1])
		}
		for i := 0; i <= hi-lo; i++ {
			set[fmt.Sprintf("%s:%s:%d/%s", p.HostIP, published(i), lo+i, p.Protocol)] = true
		}
	}
	return joinSet(set)
}

func composePortFacts(ports []types.ServicePortConfig) string {
	set := map[string]bool{}
	for _, p := range ports {
		set[fmt.Sprintf("%s:%s:%d/%s", p.HostIP, p.Published, p.Target, p.Protocol)] = true
	}
	return joinSet(set)
}

func joinSet(set map[string]bool) string {
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	sort.Strings(out)
	return "[" + strings.Join(out, " ") + "]"
}

// volumeFacts renders a service's volumes as "type source target", a bind
// source relative to the project directory, an anonymous volume as
// compose-go's volume without a source, and targets without a trailing
// slash (portguard's normalization, so that a data directory matches).
func volumeFacts(root, projectDir string, vs []ServiceVolume) string {
	set := map[string]bool{}
	for _, v := range vs {
		typ, src := v.Type, v.Source
		if typ == "anonymous" {
			typ = "volume"
		}
		if typ == "bind" && src != "" && !filepath.IsAbs(src) {
			// Relative to the file it is written in.
			absRoot, _ := filepath.Abs(root)
			src = filepath.Join(absRoot, filepath.Dir(filepath.FromSlash(v.File)), src)
		}
		if typ == "bind" && filepath.IsAbs(src) {
			src = relOrAbs(projectDir, src)
		}
		set[typ+" "+src+" "+strings.TrimRight(v.Target, "/")] = true
	}
	return joinSet(set)
}

func composeVolumeFacts(projectDir string, vs []types.ServiceVolumeConfig) string {
	set := map[string]bool{}
	for _, v := range vs {
		src := v.Source
		if v.Type == "bind" && filepath.IsAbs(src) {
			src = relOrAbs(projectDir, src)
		}
		set[v.Type+" "+src+" "+strings.TrimRight(v.Target, "/")] = true
	}
	return joinSet(set)
}

// relOrAbs is p relative to dir when it lies under it, else p.
func relOrAbs(dir, p string) string {
	r, err := filepath.Rel(dir, p)
	if err != nil || r == ".." || strings.HasPrefix(r, "../") {
		return filepath.Clean(p)
	}
	return r
}

// envFacts renders the port-like environment entries portguard keeps the
// value of.
func envFacts(env []EnvEntry) string {
	var out []string
	for _, e := range env {
		if e.Value != Redacted && e.Value != "" {
			out = append(out, e.Name+"="+e.Value)
		}
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func composeEnvFacts(env []EnvEntry, m types.MappingWithEquals) string {
	var out []string
	for _, e := range env {
		if e.Value == Redacted || e.Value == "" {
			continue
		}
		v := m[e.Name]
		if v == nil {
			out = append(out, e.Name+"=<unset>")
			continue
		}
		out = append(out, e.Name+"="+*v)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}
