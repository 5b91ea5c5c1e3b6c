package input

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// composeFile is one compose file parsed into a YAML node tree: the source
// of positions, raw strings and duplicate entries, which compose-go's model
// does not keep.
type composeFile struct {
	abs, rel string
	li       *lineIndex
	top      *yaml.Node // the top-level mapping
	name     string     // top-level name:, as written
	services []*walkService
	byName   map[string]*walkService
	volumes  map[string]*yaml.Node // top-level volume key nodes
	volVals  map[string]*yaml.Node
	includes []string // absolute paths of included files
}

// walkService is one service entry of one file, as written.
type walkService struct {
	name           string
	key, value     *yaml.Node
	ports          *yaml.Node
	portsReplace   bool // tagged !reset or !override: replaces what came before
	volumes        *yaml.Node
	environment    *yaml.Node
	extendsFile    string // absolute; "" when the base service is in this file
	extendsService string
}

var yamlErrLineRE = regexp.MustCompile(`^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// parseComposeFile parses data (the content of abs) into its node tree and
// walks the parts portguard reads. It is a pure function of path and bytes.
func parseComposeFile(abs, relPath string, data []byte) (*composeFile, error) {
	data = trimBOM(data)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlInputError(relPath, err)
	}
	if len(doc.Content) == 0 {
		return nil, InputError{File: relPath, Line: 1, Column: 1, Message: "empty compose file"}
	}
	top := resolveAlias(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, InputError{File: relPath, Line: top.Line, Column: top.Column, Message: "a compose file must be a mapping at the top level"}
	}
	cf := &composeFile{abs: abs, rel: relPath, li: newLineIndex(data), top: top,
		byName: map[string]*walkService{}, volumes: map[string]*yaml.Node{}, volVals: map[string]*yaml.Node{}}
	dir := filepath.Dir(abs)
	for _, kv := range pairs(top) {
		switch kv.key.Value {
		case "name":
			cf.name = kv.value.Value
		case "services":
			if err := cf.walkServices(kv.value, dir); err != nil {
				return nil, err
			}
		case "volumes":
			for _, v := range pairs(kv.value) {
				cf.volumes[v.key.Value] = v.key
				cf.volVals[v.key.Value] = v.value
			}
		case "include":
			cf.includes = includePaths(kv.value, dir)
		}
	}
	return cf, nil
}

func (cf *composeFile) walkServices(n *yaml.Node, dir string) error {
	if n.Kind != yaml.MappingNode {
		if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
			return nil
		}
		return InputError{File: cf.rel, Line: n.Line, Column: n.Column, Message: "services must be a mapping"}
	}
	for _, kv := range pairs(n) {
		name := kv.key.Value
		if prev, dup := cf.byName[name]; dup {
			return InputError{File: cf.rel, Line: kv.key.Line, Column: kv.key.Column,
				Message: fmt.Sprintf("service %q is defined twice (first at line %d)", name, prev.key.Line)}
		}
		ws := &walkService{name: name, key: kv.key, value: kv.value}
		for _, f := range pairs(kv.value) {
			switch f.key.Value {
			case "ports":
				ws.ports = f.value
				ws.portsReplace = f.value.Tag == "!reset" || f.value.Tag == "!override"
			case "volumes":
				ws.volumes = f.value
			case "environment":
				ws.environment = f.value
			case "extends":
				ws.extendsFile, ws.extendsService = extendsRef(f.value, dir)
			}
		}
		cf.services = append(cf.services, ws)
		cf.byName[name] = ws
	}
	return nil
}

// extendsRef reads `extends: service` or `extends: {file, service}`.
func extendsRef(n *yaml.Node, dir string) (file, service string) {
	if n.Kind == yaml.ScalarNode {
		return "", n.Value
	}
	for _, kv := range pairs(n) {
		switch kv.key.Value {
		case "file":
			file = kv.value.Value
		case "service":
			service = kv.value.Value
		}
	}
	if file != "" && !filepath.IsAbs(file) {
		file = filepath.Join(dir, file)
	}
	return file, service
}

// includePaths reads `include:` in its short (path) and long (path: [...])
// forms. Paths with variables are left to compose-go.
func includePaths(n *yaml.Node, dir string) []string {
	var out []string
	add := func(p string) {
		if p == "" || strings.Contains(p, "$") || strings.Contains(p, "://") {
			return
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	for _, item := range seqItems(n) {
		if item.Kind == yaml.ScalarNode {
			add(item.Value)
			continue
		}
		if p := mappingValue(item, "path"); p != nil {
			if p.Kind == yaml.ScalarNode {
				add(p.Value)
			}
			for _, s := range seqItems(p) {
				add(s.Value)
			}
		}
	}
	return out
}

type keyValue struct{ key, value *yaml.Node }

// pairs lists the entries of a mapping node with aliases resolved and merge
// keys (`<<: *anchor`) expanded, later keys winning as in YAML.
func pairs(n *yaml.Node) []keyValue {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var merged, own []keyValue
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		if k.Value == "<<" && k.Tag == "!!merge" {
			for _, src := range mergeSources(v) {
				merged = append(merged, pairs(src)...)
			}
			continue
		}
		own = append(own, keyValue{k, v})
	}
	if len(merged) == 0 {
		return own
	}
	seen := map[string]bool{}
	for _, kv := range own {
		seen[kv.key.Value] = true
	}
	out := own
	for _, kv := range merged {
		if !seen[kv.key.Value] {
			seen[kv.key.Value] = true
			out = append(out, kv)
		}
	}
	return out
}

func mergeSources(v *yaml.Node) []*yaml.Node {
	if v.Kind == yaml.SequenceNode {
		out := make([]*yaml.Node, 0, len(v.Content))
		for _, c := range v.Content {
			out = append(out, resolveAlias(c))
		}
		return out
	}
	return []*yaml.Node{v}
}

func resolveAlias(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

// seqItems lists a sequence's items with aliases resolved.
func seqItems(n *yaml.Node) []*yaml.Node {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]*yaml.Node, 0, len(n.Content))
	for _, c := range n.Content {
		out = append(out, resolveAlias(c))
	}
	return out
}

func trimBOM(data []byte) []byte {
	if len(data) >= 3 && data[0] == 0xef && data[1] == 0xbb && data[2] == 0xbf {
		return data[3:]
	}
	return data
}

// yamlInputError turns a YAML error into an input error with its line.
func yamlInputError(file string, err error) InputError {
	msg := err.Error()
	var te *yaml.TypeError
	if asTypeError(err, &te) && len(te.Errors) > 0 {
		msg = te.Errors[0]
	}
	e := InputError{File: file, Message: msg}
	if m := yamlErrLineRE.FindStringSubmatch(msg); m != nil {
		if m[1] != "" {
			e.Line, _ = strconv.Atoi(m[1])
		}
		e.Message = m[2]
	}
	if e.Line == 0 {
		// YAML reports some errors (binary content, excessive aliasing)
		// without a position: the file as a whole is at fault.
		e.Line, e.Column = 1, 1
	}
	return e
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}
