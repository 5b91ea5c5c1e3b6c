package input

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"

	"github.com/compose-spec/compose-go/v2/consts"
	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// projectFacts is what one compose project contributes to the document.
type projectFacts struct {
	files    []File
	services []Service
	volumes  []Volume
	unset    []UnsetVar
	errors   []InputError
}

// loader state shared by the projects of one run.
type composeLoader struct {
	root  string
	env   portEnv
	limit int64
	// kb and categories classify the services.
	kb         *KnowledgeBase
	categories map[string]string

	mu    sync.Mutex
	files map[string]*parsedFile // by absolute path
	// shared are the files that a project's files include or extend: their trees are
	// kept for the whole run (see release).
	shared map[string]bool
}

// parsedFile is one file of the cache: read once, and parsed once even
// when several projects ask for it at the same time.
type parsedFile struct {
	readOnce sync.Once
	data     []byte
	readErr  error
	// mayRefer is false when the file cannot include or extend another
	// (see mayRefer).
	mayRefer bool

	mu     sync.Mutex
	parsed bool
	cf     *composeFile
	err    error
}

func (l *composeLoader) entry(abs string) *parsedFile {
	l.mu.Lock()
	defer l.mu.Unlock()
	pf, ok := l.files[abs]
	if !ok {
		pf = &parsedFile{}
		l.files[abs] = pf
	}
	return pf
}

// read reads a compose file once per run.
func (l *composeLoader) read(abs string) *parsedFile {
	pf := l.entry(abs)
	pf.readOnce.Do(func() {
		data, err := readLimited(abs, l.limit)
		if err != nil {
			pf.readErr = InputError{File: rel(l.root, abs), Message: "cannot read: " + pathErrorReason(err)}
			return
		}
		pf.data, pf.mayRefer = data, mayRefer(data)
	})
	return pf
}

// mayRefer reports whether a file may have an include: key or an extends:
// file. A file without the bytes "include" and "extends" has neither,
// unless YAML escapes (a backslash in a double-quoted key) or UTF-16 spell
// the keys in other bytes.
func mayRefer(data []byte) bool {
	d := trimBOM(data)
	return bytes.Contains(d, []byte("include")) || bytes.Contains(d, []byte("extends")) || bytes.IndexByte(d, '\\') >= 0 ||
		len(d) >= 2 && (d[0] == 0xff && d[1] == 0xfe || d[0] == 0xfe && d[1] == 0xff)
}

// prefetch reads a file and parses it when it may include or extend
// others, which is all that absorbed needs to know before the projects are
// loaded.
func (l *composeLoader) prefetch(abs string) {
	if pf := l.read(abs); pf.readErr == nil && pf.mayRefer {
		l.file(abs)
	}
}

// refers lists the files a file includes and the files its services
// extend (extends: file:); a file that can do neither is not parsed.
func (l *composeLoader) refers(abs string) (includes, extends []string, err error) {
	pf := l.read(abs)
	if pf.readErr != nil {
		return nil, nil, pf.readErr
	}
	if !pf.mayRefer {
		return nil, nil, nil
	}
	cf, err := l.file(abs)
	if err != nil {
		return nil, nil, err
	}
	for _, ws := range cf.services {
		if ws.extendsFile != "" && !strings.Contains(ws.extendsFile, "$") {
			extends = append(extends, ws.extendsFile)
		}
	}
	return cf.includes, extends, nil
}

// defaultComposeFiles are the files docker compose reads in a directory
// when no -f names one.
var defaultComposeFiles = map[string]bool{"compose.yaml": true, "compose.yml": true, "docker-compose.yaml": true, "docker-compose.yml": true}

// absorbed lists every file that a project's files include or extend
// services from, directly or not. Such a file belongs to the project that
// includes or extends it, not to a project of its own (a file of service
// definitions such as PostHog's docker-compose.base.yml), except a file
// that is only extended and that docker compose runs by default in its
// directory (docker-compose.yml, compose.yaml, ...): `docker compose up`
// there runs it as a project, whatever extends it.
func (l *composeLoader) absorbed(projects []Project) map[string]bool {
	out := map[string]bool{}
	var visit func(abs string, depth int)
	visit = func(abs string, depth int) {
		includes, extends, err := l.refers(abs)
		if err != nil || depth > 32 {
			return
		}
		for _, r := range includes {
			if !out[r] {
				out[r] = true
				visit(r, depth+1)
			}
		}
		for _, r := range extends {
			if !out[r] && !defaultComposeFiles[filepath.Base(r)] {
				out[r] = true
				visit(r, depth+1)
			}
		}
	}
	for _, p := range projects {
		for _, f := range p.Files {
			visit(f, 0)
		}
	}
	return out
}

// file parses a compose file once; later calls, from any goroutine, get
// the cached tree, or parse the same bytes again after a release.
func (l *composeLoader) file(abs string) (*composeFile, error) {
	pf := l.read(abs)
	if pf.readErr != nil {
		return nil, pf.readErr
	}
	pf.mu.Lock()
	defer pf.mu.Unlock()
	if !pf.parsed {
		pf.cf, pf.err = parseComposeFile(abs, rel(l.root, abs), pf.data)
		if pf.err == nil {
			pf.cf.unset = fileUnsetVars(pf.cf, l.env.dotenv.lookup)
		}
		pf.parsed = true
	}
	return pf.cf, pf.err
}

// release drops the cached tree of a project's own file once the project
// is loaded: the trees of every file at once would be most of the memory
// the loading takes. Another project that asks for the file later (an
// extends: file: across projects) parses the same bytes again, which
// gives the same tree; a file that projects include is never released.
func (l *composeLoader) release(abs string) {
	if l.shared[abs] {
		return
	}
	pf := l.entry(abs)
	pf.mu.Lock()
	if pf.err == nil {
		pf.parsed, pf.cf = false, nil
	}
	pf.mu.Unlock()
}

// loadProject builds the facts of one project: compose-go's merged model
// (include, extends, all profiles, override files) for what a service is,
// and the node walk of every file involved for where each port, volume and
// environment entry is written.
func (l *composeLoader) loadProject(p Project) projectFacts {
	var pf projectFacts
	var files []*composeFile
	for i, abs := range p.Files {
		cf, err := l.file(abs)
		if err != nil {
			pf.errors = append(pf.errors, asInputError(err, rel(l.root, abs)))
			continue
		}
		role := "base"
		if i > 0 {
			role = "override"
		}
		pf.files = append(pf.files, File{Path: cf.rel, Role: role})
		files = append(files, cf)
	}
	if len(files) == 0 || len(files) < len(p.Files) {
		// A broken base or override file changes the merged project: judging
		// the rest would report on a project docker compose would not run.
		pf.files = nil
		return pf
	}

	// The files docker compose reads for this project, in merge order:
	// each file's includes before the file itself.
	var walkFiles []*composeFile
	seen := map[string]bool{}
	var addWithIncludes func(cf *composeFile, role string)
	addWithIncludes = func(cf *composeFile, role string) {
		if seen[cf.abs] {
			return
		}
		seen[cf.abs] = true
		for _, inc := range cf.includes {
			icf, err := l.file(inc)
			if err != nil {
				pf.errors = append(pf.errors, asInputError(err, rel(l.root, inc)))
				continue
			}
			pf.files = append(pf.files, File{Path: icf.rel, Role: "include"})
			addWithIncludes(icf, "include")
		}
		walkFiles = append(walkFiles, cf)
	}
	for _, cf := range files {
		addWithIncludes(cf, "")
	}

	name := l.projectName(files)
	for i := range pf.files {
		pf.files[i].Project = name
	}
	model, unset, err := l.composeModel(walkFiles, filepath.Dir(files[0].abs), name)
	if err != nil {
		pf.errors = append(pf.errors, l.composeError(err, files))
		return pf
	}
	pf.unset = unset

	names := make([]string, 0, len(model.Services))
	for n := range model.Services {
		names = append(names, n)
	}
	sort.Strings(names)
	extendsFiles := map[string]bool{}
	pc := l.newProjectCache()
	pf.services = make([]Service, 0, len(names))
	for _, n := range names {
		svc, ok, errs := l.serviceFacts(name, model.Services[n], walkFiles, extendsFiles, pc)
		pf.errors = append(pf.errors, errs...)
		if ok {
			svc.ProjectFile = files[0].rel
			pf.services = append(pf.services, svc)
		}
	}
	for f := range extendsFiles {
		if !seen[f] {
			pf.files = append(pf.files, File{Path: rel(l.root, f), Project: name, Role: "extends"})
		}
	}
	pf.volumes = l.volumeFacts(name, model, walkFiles)
	for i := range pf.volumes {
		pf.volumes[i].ProjectFile = files[0].rel
	}
	sort.Slice(pf.files, func(i, j int) bool { return pf.files[i].Path < pf.files[j].Path })
	return pf
}

// projectName is the top-level name of the first file that has one
// (interpolated with the root .env), else the base file's directory, as
// docker compose names projects.
func (l *composeLoader) projectName(files []*composeFile) string {
	for _, cf := range files {
		refs, err := scanVars(cf.name)
		if err != nil {
			continue
		}
		name, unknown := substitute(cf.name, refs, l.env.dotenv.lookup)
		if n := loader.NormalizeProjectName(name); n != "" && len(unknown) == 0 {
			return n
		}
	}
	if n := loader.NormalizeProjectName(filepath.Base(filepath.Dir(files[0].abs))); n != "" {
		return n
	}
	return "default"
}

// composeModel runs compose-go on the files of a project in merge order
// (each file's includes before it). Ports are taken out first: portguard
// parses them itself (with positions, duplicates and variables), so a broken
// port never hides the rest of the project. Includes are resolved by the
// walk and merged as files of the project, for the same reason.
func (l *composeLoader) composeModel(files []*composeFile, baseDir, name string) (*model, []UnsetVar, error) {
	// compose-go sets COMPOSE_PROJECT_NAME in the environment it is given
	// and interpolates with it; the root .env is otherwise read in place,
	// not copied for each project. The environment handed to compose-go
	// itself only resolves service environment and build args, which
	// portguard does not read from the model.
	lookup := func(k string) (string, bool) {
		if k == consts.ComposeProjectName {
			return name, true
		}
		return l.env.dotenv.lookup(k)
	}
	settled := settledServices(files)
	d := types.ConfigDetails{WorkingDir: baseDir, Environment: map[string]string{}}
	for _, cf := range files {
		dict, err := composeDict(cf, settled)
		if err != nil {
			return nil, nil, err
		}
		d.ConfigFiles = append(d.ConfigFiles, types.ConfigFile{Filename: cf.abs, Config: dict})
	}
	opts := func(o *loader.Options) {
		o.SetProjectName(name, true)
		o.Profiles = []string{"*"}
		o.SkipConsistencyCheck = true
		o.SkipResolveEnvironment = true
		o.SkipResolveLabels = true
		o.ResolvePaths = false
		// The defaults compose-go fills in (port protocol and mode, build
		// context, bind options, secret targets, device counts) are not
		// read, and cannot fail on a model of the right types.
		o.SkipDefaultValues = true
		// The types were checked by checkShapes, at their lines.
		o.SkipValidation = true
		o.Interpolate = &interp.Options{
			LookupValue: lookup,
			// One type cast: the schema accepts strings where a variable
			// may stand and portguard reads the model as a dict, but
			// compose-go's own checks read a volume's external as a
			// boolean (external: "${EXT:-true}", external: yes).
			TypeCastMapping: map[tree.Path]interp.Cast{volumeExternalPath: castBool},
			// A variable without value is the empty string, as docker
			// compose interpolates it, also a required one.
			Substitute: tolerantSubstitute,
		}
	}
	// The model as a dict: merged, validated and normalized, without the
	// cost of decoding it into compose-go's structs.
	dict, err := loadModel(d, opts)
	if err != nil {
		return nil, nil, err
	}
	m := modelOf(dict)
	for ws := range settled {
		m.Services[ws.name] = modelService{Name: ws.name, Image: ws.settledImage, NetworkMode: ws.settledNetworkMode,
			Labels: map[string]string{}, Profiles: []string{}}
	}
	return m, unsetVars(files), nil
}

// unsetVars lists the variables the files reference outside ports that
// have no value in the root .env and no default, each once, where it first
// appears.
func unsetVars(files []*composeFile) []UnsetVar {
	var out []UnsetVar
	seen := map[string]bool{}
	for _, cf := range files {
		for _, u := range cf.unset {
			if !seen[u.Name] {
				seen[u.Name] = true
				out = append(out, u)
			}
		}
	}
	return out
}

// fileUnsetVars lists the unset variables of one file (see unsetVars),
// each once, in the order the file references them. The root .env is the
// same for every project, so a file's list is computed once.
func fileUnsetVars(cf *composeFile, lookup lookupFunc) []UnsetVar {
	var out []UnsetVar
	var seen map[string]bool
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
			refs, _ := scanVars(n.Value)
			for _, r := range refs {
				if _, known := resolve(r, lookup); !known && !seen[r.Name] {
					if seen == nil {
						seen = map[string]bool{}
					}
					seen[r.Name] = true
					out = append(out, UnsetVar{Name: r.Name, File: cf.rel, Line: n.Line})
				}
			}
		}
		for i, c := range n.Content {
			// Ports are judged: an unset port variable is a DBP203
			// finding, not a note.
			if n.Kind == yaml.MappingNode && i%2 == 1 && n.Content[i-1].Value == "ports" {
				continue
			}
			visit(c)
		}
	}
	visit(cf.top)
	return out
}

// composeDict decodes a file for compose-go with only what portguard reads
// from compose-go's model: the service attributes that are merged across
// override files, include and extends (image, container_name, labels,
// network_mode, profiles, x-* extensions) and the top-level volumes.
// Ports, volumes and environment are read from the node walk, with their
// positions and errors of their own; the rest of a service (healthcheck,
// deploy, command, ...) is not portguard's to judge, and leaving it out
// keeps compose-go's work (interpolation, canonical transform) proportional
// to what is checked; their types are checked by checkShapes.
var (
	modelTopKeys     = map[string]bool{"name": true, "services": true, "volumes": true}
	modelServiceKeys = map[string]bool{"image": true, "build": true, "container_name": true, "labels": true,
		"network_mode": true, "profiles": true, "extends": true}
)

func composeDict(cf *composeFile, settled map[*walkService]bool) (map[string]any, error) {
	if cf.plain {
		return plainComposeDict(cf, settled)
	}
	var dict map[string]any
	if err := cf.top.Decode(&dict); err != nil {
		return nil, yamlErrorAt(cf.rel, cf.li.data, err)
	}
	for k := range dict {
		if !modelTopKeys[k] && !strings.HasPrefix(k, "x-") {
			delete(dict, k)
		}
	}
	services, _ := dict["services"].(map[string]any)
	for _, s := range services {
		m, ok := s.(map[string]any)
		if !ok {
			continue
		}
		for k := range m {
			if !modelServiceKeys[k] && !strings.HasPrefix(k, "x-") {
				delete(m, k)
			}
		}
		cf.absExtendsFile(m)
	}
	return dict, nil
}

// plainComposeDict is composeDict for a plain tree: it decodes only the
// parts compose-go is given, which a plain tree decodes exactly as the
// whole file would. A file with aliases, merge keys, tags or duplicate keys
// is decoded whole, so that YAML reports its errors as it always does.
func plainComposeDict(cf *composeFile, settled map[*walkService]bool) (map[string]any, error) {
	dict := make(map[string]any, 4)
	top := cf.top.Content
	for i := 0; i+1 < len(top); i += 2 {
		k, v := top[i].Value, top[i+1]
		if !modelTopKeys[k] && !strings.HasPrefix(k, "x-") {
			continue
		}
		if k != "services" || v.Kind != yaml.MappingNode {
			x, err := cf.decode(v)
			if err != nil {
				return nil, err
			}
			dict[k] = x
			continue
		}
		services := make(map[string]any, len(v.Content)/2)
		for j := 0; j+1 < len(v.Content); j += 2 {
			name, body := v.Content[j].Value, v.Content[j+1]
			if settled[cf.byName[name]] {
				continue
			}
			if body.Kind != yaml.MappingNode {
				x, err := cf.decode(body)
				if err != nil {
					return nil, err
				}
				services[name] = x
				continue
			}
			m := map[string]any{}
			for f := 0; f+1 < len(body.Content); f += 2 {
				key := body.Content[f].Value
				if !modelServiceKeys[key] && !strings.HasPrefix(key, "x-") {
					continue
				}
				x, err := cf.decode(body.Content[f+1])
				if err != nil {
					return nil, err
				}
				m[key] = x
			}
			cf.absExtendsFile(m)
			services[name] = m
		}
		dict[k] = services
	}
	return dict, nil
}

func (cf *composeFile) decode(n *yaml.Node) (any, error) {
	var x any
	if err := n.Decode(&x); err != nil {
		return nil, yamlErrorAt(cf.rel, cf.li.data, err)
	}
	return x, nil
}

// absExtendsFile makes extends.file absolute: it is relative to the file
// that names it, which compose-go would take relative to the base file.
func (cf *composeFile) absExtendsFile(service map[string]any) {
	if ext, ok := service["extends"].(map[string]any); ok {
		if f, ok := ext["file"].(string); ok && f != "" && !filepath.IsAbs(f) && !strings.Contains(f, "$") {
			ext["file"] = filepath.Join(filepath.Dir(cf.abs), f)
		}
	}
}

// settledServices finds the services of a project whose model compose-go
// would return exactly as written, so that it need not be given them: a
// service of a plain file, written once in the project, that no service of
// the project extends, whose name the compose schema accepts, and whose
// only attributes compose-go is given are an image and a network_mode,
// written as plain strings without a variable. compose-go's interpolation,
// merge, canonical form and normalization leave such a service as it is,
// the schema accepts it, and it changes nothing else in the model.
// Everything else about a service (ports, volumes, environment) comes from
// the node walk anyway.
func settledServices(files []*composeFile) map[*walkService]bool {
	count := map[string]int{}
	for _, cf := range files {
		for _, ws := range cf.services {
			count[ws.name]++
			if ws.extendsService != "" {
				count[ws.extendsService] += 2
			}
		}
	}
	settled := map[*walkService]bool{}
	for _, cf := range files {
		if !cf.plain {
			continue
		}
		for _, ws := range cf.services {
			if count[ws.name] == 1 && ws.settled {
				settled[ws] = true
			}
		}
	}
	return settled
}

var volumePathRE = regexp.MustCompile(`(?:^| )volumes\.([A-Za-z0-9._-]+?)\.([A-Za-z0-9_]+)(?:[ :]|$)`)

var servicePathRE = regexp.MustCompile(`services\.([A-Za-z0-9._-]+?)(?:\.([A-Za-z0-9_]+))?(?:[ :]|$)`)

// composeError turns a compose-go error into an input error, finding the
// line of the service or key it names where it can.
// volumeExternalPath is where a top-level volume says it is external.
var volumeExternalPath = tree.NewPath("volumes", tree.PathMatchAll, "external")

// castBool reads a boolean the way docker compose does. The empty string,
// which a variable without value gives (external: ${EXT}), docker compose
// refuses until the variable is set; the check reads it as false and lists
// the variable as unset.
func castBool(s string) (any, error) {
	switch strings.ToLower(s) {
	case "y", "yes", "true", "on":
		return true, nil
	case "n", "no", "false", "off", "":
		return false, nil
	}
	return nil, fmt.Errorf("%q is not a boolean (true or false)", s)
}

// loadModel runs compose-go's loader. A panic inside it (a value of a type
// its checks do not expect) becomes an error of the project, never a crash.
func loadModel(d types.ConfigDetails, opts func(*loader.Options)) (dict map[string]any, err error) {
	defer func() {
		if r := recover(); r != nil {
			dict, err = nil, fmt.Errorf("compose-go cannot load this project: it stopped on a value of an unexpected type (%v)", r)
		}
	}()
	return loader.LoadModelWithContext(context.Background(), d, opts)
}

func (l *composeLoader) composeError(err error, files []*composeFile) InputError {
	if ie, ok := err.(InputError); ok {
		return ie
	}
	msg := err.Error()
	for _, cf := range files {
		msg = strings.ReplaceAll(msg, cf.abs, cf.rel)
	}
	// Any other file under the root (one included, or extended from
	// another project) is named relative to it too: messages never carry
	// the machine's paths.
	if l.root != "" {
		msg = strings.ReplaceAll(msg, strings.TrimSuffix(l.root, string(filepath.Separator))+string(filepath.Separator), "")
	}
	msg = strings.TrimPrefix(msg, "validating ")
	e := InputError{File: files[0].rel, Message: msg}
	for _, cf := range files {
		if strings.HasPrefix(msg, cf.rel+": ") {
			e.File, e.Message = cf.rel, strings.TrimPrefix(msg, cf.rel+": ")
		}
	}
	if m := volumePathRE.FindStringSubmatch(e.Message); m != nil {
		for _, cf := range files {
			if key := cf.volumes[m[1]]; key != nil {
				e.File, e.Line, e.Column = cf.rel, key.Line, key.Column
				for _, kv := range pairs(cf.volVals[m[1]]) {
					if kv.key.Value == m[2] {
						e.Line, e.Column = kv.key.Line, kv.key.Column
					}
				}
			}
		}
	}
	if m := servicePathRE.FindStringSubmatch(e.Message); m != nil {
		for _, cf := range files {
			ws := cf.byName[m[1]]
			if ws == nil {
				continue
			}
			e.File, e.Line, e.Column = cf.rel, ws.key.Line, ws.key.Column
			for _, kv := range pairs(ws.value) {
				if kv.key.Value == m[2] {
					e.Line, e.Column = kv.key.Line, kv.key.Column
				}
			}
			break
		}
	}
	return e
}

func asInputError(err error, file string) InputError {
	if ie, ok := err.(InputError); ok {
		return ie
	}
	return InputError{File: file, Message: err.Error()}
}

// walkEntry is one written definition of a service.
type walkEntry struct {
	cf       *composeFile
	ws       *walkService
	extended bool // pulled in through extends, not written for this service
}

// entries lists the written definitions of a service in merge order: for
// each definition, the service it extends first.
func (l *composeLoader) entries(name string, walkFiles []*composeFile, extendsFiles map[string]bool) ([]walkEntry, []InputError) {
	var out []walkEntry
	var errs []InputError
	var add func(cf *composeFile, ws *walkService, depth int)
	add = func(cf *composeFile, ws *walkService, depth int) {
		if ws.extendsService != "" && depth < 16 {
			base := cf
			if ws.extendsFile != "" {
				b, err := l.file(ws.extendsFile)
				if err != nil {
					errs = append(errs, asInputError(err, rel(l.root, ws.extendsFile)))
				} else {
					base = b
					extendsFiles[b.abs] = true
				}
			}
			// A file's tree may have been parsed again since (see release):
			// the same service is the same file and name.
			if bws := base.byName[ws.extendsService]; bws != nil && (base.abs != cf.abs || bws.name != ws.name) {
				add(base, bws, depth+1)
			}
		}
		out = append(out, walkEntry{cf, ws, depth > 0})
	}
	for _, cf := range walkFiles {
		if ws := cf.byName[name]; ws != nil {
			add(cf, ws, 0)
		}
	}
	return out, errs
}

// projectCache holds what the services of one project share, computed
// once per project (a project is loaded on one goroutine): the facts of
// each image, the port references of each environment value, and the
// parsed short port mappings.
type projectCache struct {
	images   map[string]imageFacts
	portRefs map[string][]PortRef
	env      portEnv // with a memo of parsed port mappings
	// classEnv holds, for the service being read, the values of the
	// variables the knowledge base reads (PGDATA, PGPORT).
	classEnv map[string]string
}

type imageFacts struct {
	repo, name string
	tokens     []string
}

func (l *composeLoader) newProjectCache() *projectCache {
	env := l.env
	env.parsed = map[string]parsedPorts{}
	return &projectCache{images: map[string]imageFacts{}, portRefs: map[string][]PortRef{}, env: env, classEnv: map[string]string{}}
}

func (pc *projectCache) image(image string) imageFacts {
	f, ok := pc.images[image]
	if !ok {
		f.repo, f.name = normalizeImage(image)
		f.tokens = tokens(f.name)
		pc.images[image] = f
	}
	return f
}

// serviceFacts joins compose-go's merged service with its written entries;
// ok is false when the service has no written entry.
func (l *composeLoader) serviceFacts(project string, sc modelService, walkFiles []*composeFile, extendsFiles map[string]bool, pc *projectCache) (svc Service, ok bool, errs []InputError) {
	entries, errs := l.entries(sc.Name, walkFiles, extendsFiles)
	if len(entries) == 0 {
		return svc, false, errs
	}
	// The position of a service is its key in the first file of the project
	// that defines it (not in a file it extends).
	first := entries[0]
	for _, e := range entries {
		if !e.extended {
			first = e
			break
		}
	}
	img := pc.image(sc.Image)
	svc = Service{
		Name:          sc.Name,
		Project:       project,
		Position:      first.cf.li.position(first.cf.rel, first.ws.key),
		Tokens:        tokens(sc.Name),
		Image:         sc.Image,
		ImageRepo:     img.repo,
		ImageName:     img.name,
		ImageTokens:   img.tokens,
		ContainerName: sc.ContainerName,
		Labels:        sc.Labels,
		NetworkMode:   sc.NetworkMode,
		Profiles:      sc.Profiles,
		XPortguard:    sc.XPortguard,
	}
	if svc.Labels == nil {
		svc.Labels = map[string]string{}
	}
	if svc.Profiles == nil {
		svc.Profiles = []string{}
	}
	if svc.XPortguard == nil {
		svc.XPortguard = map[string]any{}
	}
	var nPorts, nVolumes, nEnv int
	for _, e := range entries {
		nPorts += seqLen(e.ws.ports)
		nVolumes += seqLen(e.ws.volumes)
		nEnv += entryCount(e.ws.environment)
	}
	svc.Ports = make([]Port, 0, nPorts)
	svc.Volumes = make([]ServiceVolume, 0, nVolumes)
	svc.Environment = make([]EnvEntry, 0, nEnv)

	// An entry is found again by a scan while a service has few, by a map
	// beyond.
	var volumeAt, envAt map[string]int
	if nVolumes > smallIndex {
		volumeAt = make(map[string]int, nVolumes)
	}
	if nEnv > smallIndex {
		envAt = make(map[string]int, nEnv)
	}
	clear(pc.classEnv)
	var cmd commandFacts
	for _, e := range entries {
		if e.ws.command != nil {
			cmd.command = l.commandWords(e.ws.command)
		}
		if e.ws.entrypoint != nil {
			cmd.entrypoint = l.commandWords(e.ws.entrypoint)
			cmd.hasEntrypoint = len(cmd.entrypoint) > 0
		}
		if e.ws.networkMode != nil {
			pos := e.cf.li.position(e.cf.rel, e.ws.networkMode)
			svc.NetworkModeAt = &pos
		}
		if e.ws.ports != nil {
			if e.ws.portsReplace {
				svc.Ports = svc.Ports[:0]
			}
			for _, item := range seqItems(e.ws.ports) {
				p, err := l.port(e.cf, item, pc.env)
				if err != nil {
					errs = append(errs, *err)
					continue
				}
				svc.Ports = append(svc.Ports, p)
			}
		}
		for _, item := range seqItems(e.ws.volumes) {
			v, err := serviceVolume(e.cf, item, l.env.dotenv.lookup)
			if err != nil {
				errs = append(errs, *err)
				continue
			}
			// A later volume on the same target (an override's) replaces the
			// earlier one.
			if i := findVolume(svc.Volumes, volumeAt, v.Target); i >= 0 && v.Target != "" {
				svc.Volumes[i] = v
				continue
			}
			if volumeAt != nil {
				volumeAt[v.Target] = len(svc.Volumes)
			}
			svc.Volumes = append(svc.Volumes, v)
		}
		var envErrs []InputError
		svc.Environment, envErrs = l.environment(svc.Environment, e.cf, e.ws.environment, envAt, pc)
		errs = append(errs, envErrs...)
	}
	svc.Classification = classify(l.kb, l.categories, &svc, cmd, pc.classEnv)
	return svc, true, errs
}

// commandWords reads a command or entrypoint as docker compose runs it:
// a list as written, a string split into words, each interpolated with the
// root .env (an unset variable is empty); null or !reset clears it.
func (l *composeLoader) commandWords(n *yaml.Node) []string {
	n = resolveAlias(n)
	if n == nil || n.Tag == "!!null" || n.Tag == "!reset" {
		return nil
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return splitCommandString(l.interpolate(n.Value))
	case yaml.SequenceNode:
		out := make([]string, 0, len(n.Content))
		for _, item := range seqItems(n) {
			out = append(out, l.interpolate(item.Value))
		}
		return out
	}
	return nil
}

// interpolate gives s as docker compose would, with the root .env; an
// unset variable is empty.
func (l *composeLoader) interpolate(s string) string {
	refs, err := scanVars(s)
	if err != nil {
		return s
	}
	v, _ := substitute(s, refs, l.env.dotenv.lookup)
	return v
}

// smallIndex is the number of entries up to which a scan finds an entry
// faster than a map.
const smallIndex = 16

func findVolume(vs []ServiceVolume, at map[string]int, target string) int {
	if at != nil {
		if i, ok := at[target]; ok {
			return i
		}
		return -1
	}
	for i := range vs {
		if vs[i].Target == target {
			return i
		}
	}
	return -1
}

// seqLen is the length of a sequence node (through an alias), else 0.
func seqLen(n *yaml.Node) int {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return 0
	}
	return len(n.Content)
}

// entryCount bounds the entries of an environment in map or list form.
func entryCount(n *yaml.Node) int {
	n = resolveAlias(n)
	if n == nil {
		return 0
	}
	switch n.Kind {
	case yaml.MappingNode:
		return len(n.Content) / 2
	case yaml.SequenceNode:
		return len(n.Content)
	}
	return 0
}

// port reads one ports item, short or long syntax.
func (l *composeLoader) port(cf *composeFile, item *yaml.Node, env portEnv) (Port, *InputError) {
	pos := cf.li.position(cf.rel, item)
	var p Port
	var err error
	switch item.Kind {
	case yaml.ScalarNode:
		p, err = parseShortPort(item.Value, pos, env)
	case yaml.MappingNode:
		p, err = parseLongPort(item, cf.li, cf.rel, env)
	default:
		err = fmt.Errorf("a port must be a string or a mapping")
	}
	if err != nil {
		return p, &InputError{File: cf.rel, Line: pos.Line, Column: pos.Column, Message: err.Error()}
	}
	return p, nil
}

// volumeFacts lists the project's top-level volumes with compose-go's view
// of name, external and labels, and the position of their key.
func (l *composeLoader) volumeFacts(project string, model *model, walkFiles []*composeFile) []Volume {
	keys := make([]string, 0, len(model.Volumes))
	for k := range model.Volumes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Volume
	for _, k := range keys {
		vc := model.Volumes[k]
		v := Volume{Key: k, External: vc.External, Labels: vc.Labels, Project: project}
		if v.Labels == nil {
			v.Labels = map[string]string{}
		}
		for _, cf := range walkFiles {
			key, ok := cf.volumes[k]
			if !ok {
				continue
			}
			v.Position = cf.li.position(cf.rel, key)
			if mappingValue(cf.volVals[k], "name") != nil {
				v.HasName = true
			}
		}
		if v.HasName || v.External {
			v.Name = vc.Name
		}
		out = append(out, v)
	}
	return out
}

// tokens splits a name into its lowercase words: the runs of a-z and 0-9
// of the lowercased name (any other character, ASCII or not, separates).
func tokens(s string) []string {
	s = strings.ToLower(s)
	n := 0
	for i := 0; i < len(s); i++ {
		if isTokenByte(s[i]) && (i == 0 || !isTokenByte(s[i-1])) {
			n++
		}
	}
	out := make([]string, 0, n)
	start := -1
	for i := 0; i < len(s); i++ {
		if isTokenByte(s[i]) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			out = append(out, s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		out = append(out, s[start:])
	}
	return out
}

func isTokenByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' }

// normalizeImage reduces an image reference to its repository path without
// registry host, "library/", tag or digest, and to its last component:
// "docker.io/library/postgres:16" gives "postgres", "postgres".
func normalizeImage(image string) (repo, name string) {
	s := strings.ToLower(strings.TrimSpace(image))
	if i := strings.Index(s, "@"); i >= 0 {
		s = s[:i]
	}
	parts := strings.Split(strings.Trim(s, "/"), "/")
	if len(parts) > 1 && (strings.ContainsAny(parts[0], ".:") || parts[0] == "localhost") {
		parts = parts[1:]
	}
	if len(parts) > 1 && parts[0] == "library" {
		parts = parts[1:]
	}
	// The tag follows the first colon of the last component (a broken
	// reference such as "postgres:15:15" still names postgres).
	last := len(parts) - 1
	if i := strings.Index(parts[last], ":"); i >= 0 {
		parts[last] = parts[last][:i]
	}
	return strings.Join(parts, "/"), parts[last]
}
