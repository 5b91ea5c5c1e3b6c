package input

import (
	"path/filepath"
	"sort"
	"strings"

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

// composeLoader loads the projects of one run: the file cache they share,
// the root .env and what classifies their services.
type composeLoader struct {
	fileCache
	env portEnv
	// kb and categories classify the services.
	kb         *KnowledgeBase
	categories map[string]string
}

// loadProjects loads every project on all cores; the results are in
// project order, so the document does not depend on scheduling. Every file
// is parsed first: the projects to load depend on what is included and
// extended (a discovered file that another includes or extends belongs to
// that project, see absorbed).
func (l *composeLoader) loadProjects(projects []Project, discovered bool) []projectFacts {
	var all []string
	for _, p := range projects {
		all = append(all, p.Files...)
	}
	parallel(len(all), func(i int) { l.file(all[i]) })
	absorbed := l.absorbed(projects)
	var kept []Project
	for _, p := range projects {
		if discovered && absorbed[p.Files[0]] {
			continue
		}
		kept = append(kept, p)
	}
	facts := make([]projectFacts, len(kept))
	parallel(len(kept), func(i int) { facts[i] = l.loadProject(kept[i]) })
	return facts
}

// loadProject builds the facts of one project: compose-go's merged model
// (include, extends, all profiles, override files) for what a service is,
// and the node walk of every file involved for where each port, volume and
// environment entry is written.
func (l *composeLoader) loadProject(p Project) projectFacts {
	var pf projectFacts
	files := l.projectFiles(p, &pf)
	if files == nil {
		return pf
	}
	walkFiles, seen := l.withIncludes(files, &pf)
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
	pc := newProjectCache()
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

// projectFiles parses the files of a project (its base file, then its
// override files) and lists them in pf. It returns nil when one is broken:
// a broken base or override file changes the merged project, and judging
// the rest would report on a project docker compose would not run.
func (l *composeLoader) projectFiles(p Project, pf *projectFacts) []*composeFile {
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
		pf.files = nil
		return nil
	}
	return files
}

// withIncludes lists the files docker compose reads for a project, in
// merge order: each file's includes before the file itself. The included
// files join pf's files; seen holds every file listed.
func (l *composeLoader) withIncludes(files []*composeFile, pf *projectFacts) (walkFiles []*composeFile, seen map[string]bool) {
	seen = map[string]bool{}
	var add func(cf *composeFile)
	add = func(cf *composeFile) {
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
			add(icf)
		}
		walkFiles = append(walkFiles, cf)
	}
	for _, cf := range files {
		add(cf)
	}
	return walkFiles, seen
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
	seen := map[string]bool{}
	var visit func(n *yaml.Node)
	visit = func(n *yaml.Node) {
		if n == nil {
			return
		}
		if n.Kind == yaml.ScalarNode && strings.Contains(n.Value, "$") {
			refs, _ := scanVars(n.Value)
			for _, r := range refs {
				if _, known := resolve(r, lookup); !known && !seen[r.Name] {
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

// asInputError gives err as an input error, of file unless it names its own.
func asInputError(err error, file string) InputError {
	if ie, ok := err.(InputError); ok {
		return ie
	}
	return InputError{File: file, Message: err.Error()}
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
