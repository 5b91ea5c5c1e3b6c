package input

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"

	"github.com/compose-spec/compose-go/v2/consts"
	interp "github.com/compose-spec/compose-go/v2/interpolation"
	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/tree"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

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

// modelTopKeys and modelServiceKeys are what compose-go is given of a
// file (see composeDict).
var (
	modelTopKeys     = map[string]bool{"name": true, "services": true, "volumes": true}
	modelServiceKeys = map[string]bool{"image": true, "build": true, "container_name": true, "labels": true,
		"network_mode": true, "profiles": true, "extends": true}
)

// composeDict decodes a file for compose-go with only what portguard reads
// from compose-go's model: the service attributes that are merged across
// override files, include and extends (image, container_name, labels,
// network_mode, profiles, x-* extensions) and the top-level volumes.
// Ports, volumes and environment are read from the node walk, with their
// positions and errors of their own; the rest of a service (healthcheck,
// deploy, command, ...) is not portguard's to judge, and leaving it out
// keeps compose-go's work (interpolation, canonical transform) proportional
// to what is checked; their types are checked by checkShapes.
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
// Decoding only these parts is worth it: without it (and so without
// settledServices, whose services it leaves out), BenchmarkLoad takes 2.1x
// the CPU time at 1,000 services and 2.4x at 10,000.
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

// decode decodes one node of a plain tree, its errors at their lines.
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
// BenchmarkLoad takes 1.9x the CPU time at 1,000 services and 2.0x at
// 10,000 when compose-go is given every service.
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

// volumePathRE and servicePathRE find the volume or service, and its key,
// that a compose-go error names.
var volumePathRE = regexp.MustCompile(`(?:^| )volumes\.([A-Za-z0-9._-]+?)\.([A-Za-z0-9_]+)(?:[ :]|$)`)

var servicePathRE = regexp.MustCompile(`services\.([A-Za-z0-9._-]+?)(?:\.([A-Za-z0-9_]+))?(?:[ :]|$)`)

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

// composeError turns a compose-go error into an input error, finding the
// line of the service or key it names where it can.
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
