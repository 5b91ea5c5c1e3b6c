package input

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

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
			if bws := base.byName[ws.extendsService]; bws != nil && bws != ws {
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
// each image and the port references of each environment value. Without
// these two memos BenchmarkLoad takes 7% more CPU time at 10,000 services
// (8% at 1,000): most services of a repository share their images, and
// many their environment values.
type projectCache struct {
	images   map[string]imageFacts
	portRefs map[string][]PortRef
	// classEnv holds, for the service being read, the values of the
	// variables the knowledge base reads (PGDATA, PGPORT).
	classEnv map[string]string
}

// imageFacts are what a service reads of its image (see normalizeImage).
type imageFacts struct {
	repo, name string
	tokens     []string
}

// newProjectCache is the empty cache of a project.
func newProjectCache() *projectCache {
	return &projectCache{images: map[string]imageFacts{}, portRefs: map[string][]PortRef{}, classEnv: map[string]string{}}
}

// image gives the facts of an image, computed once per project.
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
	svc = pc.modelFacts(project, sc, entries)
	svc.Ports, svc.Volumes, svc.Environment = []Port{}, []ServiceVolume{}, []EnvEntry{}
	// A later volume on the same target, or environment entry of the same
	// name (an override's), replaces the earlier one, found by these.
	volumeAt, envAt := map[string]int{}, map[string]int{}
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
		errs = append(errs, l.addPorts(&svc, e)...)
		errs = append(errs, l.addVolumes(&svc, e, volumeAt)...)
		var envErrs []InputError
		svc.Environment, envErrs = l.environment(svc.Environment, e.cf, e.ws.environment, envAt, pc)
		errs = append(errs, envErrs...)
	}
	svc.Classification = classify(l.kb, l.categories, &svc, cmd, pc.classEnv)
	return svc, true, errs
}

// modelFacts is a service as compose-go's model gives it, at its key in
// the first file of the project that defines it (not in a file it
// extends).
func (pc *projectCache) modelFacts(project string, sc modelService, entries []walkEntry) Service {
	first := entries[0]
	for _, e := range entries {
		if !e.extended {
			first = e
			break
		}
	}
	img := pc.image(sc.Image)
	svc := Service{
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
	return svc
}

// addPorts adds the ports of one written entry; ports tagged !reset or
// !override replace those before.
func (l *composeLoader) addPorts(svc *Service, e walkEntry) []InputError {
	if e.ws.ports == nil {
		return nil
	}
	if e.ws.portsReplace {
		svc.Ports = svc.Ports[:0]
	}
	var errs []InputError
	for _, item := range seqItems(e.ws.ports) {
		p, err := l.port(e.cf, item)
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		svc.Ports = append(svc.Ports, p)
	}
	return errs
}

// addVolumes adds the volumes of one written entry; a volume on a target
// already mounted (at indexes them by target) replaces it.
func (l *composeLoader) addVolumes(svc *Service, e walkEntry, at map[string]int) []InputError {
	var errs []InputError
	for _, item := range seqItems(e.ws.volumes) {
		v, err := serviceVolume(e.cf, item, l.env.dotenv.lookup)
		if err != nil {
			errs = append(errs, *err)
			continue
		}
		if i, ok := at[v.Target]; ok && v.Target != "" {
			svc.Volumes[i] = v
			continue
		}
		at[v.Target] = len(svc.Volumes)
		svc.Volumes = append(svc.Volumes, v)
	}
	return errs
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

// port reads one ports item, short or long syntax.
func (l *composeLoader) port(cf *composeFile, item *yaml.Node) (Port, *InputError) {
	pos := cf.li.position(cf.rel, item)
	var p Port
	var err error
	switch item.Kind {
	case yaml.ScalarNode:
		p, err = parseShortPort(item.Value, pos, l.env)
	case yaml.MappingNode:
		p, err = parseLongPort(item, cf.li, cf.rel, l.env)
	default:
		err = fmt.Errorf("a port must be a string or a mapping")
	}
	if err != nil {
		return p, &InputError{File: cf.rel, Line: pos.Line, Column: pos.Column, Message: err.Error()}
	}
	return p, nil
}
