package input

import (
	"bytes"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
	yaml4 "go.yaml.in/yaml/v4"
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
	// plain is true when decoding any part of the tree gives what decoding
	// the whole tree gives, and cannot fail (see plainTree).
	plain bool
	// unset are the variables the file references outside ports without
	// a value (see fileUnsetVars).
	unset []UnsetVar
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
	// settled is true when the service, written once in a project that
	// does not extend it, needs no compose-go (see settledServices): its
	// image and network_mode are these.
	settled                          bool
	settledImage, settledNetworkMode string

	// command and entrypoint as written (nil when the entry does not set
	// them): classification reads what they run. networkMode is the value
	// of network_mode, where a finding about it points.
	command, entrypoint, networkMode *yaml.Node
}

var yamlErrLineRE = regexp.MustCompile(`^(?:yaml: )?(?:line (\d+): )?(.*)$`)

// parseComposeFile parses data (the content of abs) into its node tree and
// walks the parts portguard reads. It is a pure function of path and bytes.
func parseComposeFile(abs, relPath string, data []byte) (*composeFile, error) {
	data = trimBOM(data)
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlSyntaxError(relPath, data, err)
	}
	if len(doc.Content) == 0 {
		return nil, InputError{File: relPath, Line: 1, Column: 1, Message: "empty compose file"}
	}
	top := resolveAlias(doc.Content[0])
	if top.Kind != yaml.MappingNode {
		return nil, InputError{File: relPath, Line: top.Line, Column: top.Column, Message: "a compose file must be a mapping at the top level"}
	}
	cf := &composeFile{abs: abs, rel: relPath, li: newLineIndex(data), top: top,
		byName: map[string]*walkService{}, volumes: map[string]*yaml.Node{}, volVals: map[string]*yaml.Node{},
		plain: plainTree(top)}
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
	if err := checkShapes(cf); err != nil {
		return nil, err
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
			case "command":
				ws.command = f.value
			case "entrypoint":
				ws.entrypoint = f.value
			case "network_mode":
				ws.networkMode = f.value
			case "extends":
				ws.extendsFile, ws.extendsService = extendsRef(f.value, dir)
			}
		}
		ws.settled = settledBody(name, kv.value, &ws.settledImage, &ws.settledNetworkMode)
		cf.services = append(cf.services, ws)
		cf.byName[name] = ws
	}
	return nil
}

// settledBody reports whether a service's written attributes that
// compose-go is given are at most an image and a network_mode, each a
// non-empty plain string without a variable, and whether the service name
// is one the compose schema accepts (^[a-zA-Z0-9._-]+$).
func settledBody(name string, body *yaml.Node, image, networkMode *string) bool {
	if name == "" || body.Kind != yaml.MappingNode {
		return false
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isNameChar(c) && c != '.' && c != '-' {
			return false
		}
	}
	c := body.Content
	for i := 0; i+1 < len(c); i += 2 {
		k, v := c[i].Value, c[i+1]
		var dst *string
		switch {
		case k == "image":
			dst = image
		case k == "network_mode":
			dst = networkMode
		case modelServiceKeys[k] || strings.HasPrefix(k, "x-") || k == "<<":
			return false
		default:
			continue
		}
		if v.Kind != yaml.ScalarNode || v.Tag != "!!str" || v.Style&yaml.TaggedStyle != 0 || v.Value == "" || strings.Contains(v.Value, "$") {
			return false
		}
		*dst = v.Value
	}
	return true
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

// plainTree reports whether n is a tree that YAML decodes node by node:
// no alias (whose expansion the decoder counts over the whole document, to
// refuse alias bombs), no merge key, no explicit tag (which may fail to
// resolve), only string keys and no key twice in a mapping (which the
// decoder reports). Decoding a part of such a tree gives exactly that part
// of the decoded whole, and no error.
func plainTree(n *yaml.Node) bool {
	if n.Style&yaml.TaggedStyle != 0 {
		return false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		return true
	case yaml.SequenceNode:
		for _, c := range n.Content {
			if !plainTree(c) {
				return false
			}
		}
		return true
	case yaml.MappingNode:
		c := n.Content
		if len(c)%2 != 0 {
			return false
		}
		for i := 0; i < len(c); i += 2 {
			if k := c[i]; k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Style&yaml.TaggedStyle != 0 {
				return false
			}
		}
		if duplicateKey(c) {
			return false
		}
		for i := 1; i < len(c); i += 2 {
			if !plainTree(c[i]) {
				return false
			}
		}
		return true
	}
	return false
}

// duplicateKey reports whether two keys of a mapping's content (scalar
// keys only) have the same text, as the YAML decoder compares them.
func duplicateKey(c []*yaml.Node) bool {
	seen := make(map[string]struct{}, len(c)/2)
	for i := 0; i < len(c); i += 2 {
		if _, dup := seen[c[i].Value]; dup {
			return true
		}
		seen[c[i].Value] = struct{}{}
	}
	return false
}

type keyValue struct{ key, value *yaml.Node }

// pairs lists the entries of a mapping node with aliases resolved and merge
// keys (`<<: *anchor`) expanded, later keys winning as in YAML.
func pairs(n *yaml.Node) []keyValue {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if k := n.Content[i]; k.Value == "<<" && k.Tag == "!!merge" {
			return mergedPairs(n, map[*yaml.Node]bool{})
		}
	}
	// No merge key: the entries as written.
	out := make([]keyValue, 0, len(n.Content)/2)
	for i := 0; i+1 < len(n.Content); i += 2 {
		out = append(out, keyValue{n.Content[i], resolveAlias(n.Content[i+1])})
	}
	return out
}

// mergedPairs expands each merge source once: a source met again adds no
// key (the first one wins), and expanding it again would make a chain of
// anchors that each merge the previous one nine times (a merge-key bomb)
// cost 9^n.
func mergedPairs(n *yaml.Node, expanded map[*yaml.Node]bool) []keyValue {
	n = resolveAlias(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	var merged, own []keyValue
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], resolveAlias(n.Content[i+1])
		if k.Value == "<<" && k.Tag == "!!merge" {
			for _, src := range mergeSources(v) {
				if expanded[src] {
					continue
				}
				expanded[src] = true
				merged = append(merged, mergedPairs(src, expanded)...)
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

// readerProblems are the YAML errors about the bytes themselves, which come
// without a position.
var readerProblems = []string{"control characters are not allowed", "invalid leading UTF-8 octet",
	"incomplete UTF-8 octet sequence", "invalid trailing UTF-8 octet", "invalid length of a UTF-8 sequence",
	"invalid Unicode character"}

var dupKeyRE = regexp.MustCompile(`^mapping key ("(?:[^"\\]|\\.)*") already defined`)

// yamlErrorAt is yamlInputError with the position completed from the
// file's bytes where YAML gives none or no column: the first byte that is
// not text, the column of a duplicate key or of a tab.
func yamlErrorAt(file string, data []byte, err error) InputError {
	e := yamlInputError(file, err)
	if slices.Contains(readerProblems, e.Message) {
		if line, col, msg, ok := firstNonText(data); ok {
			e.Line, e.Column, e.Message = line, col, msg
		}
		return e
	}
	if e.Column != 0 {
		return e
	}
	text := newLineIndex(data).line(e.Line)
	if m := dupKeyRE.FindStringSubmatch(e.Message); m != nil {
		key, _ := strconv.Unquote(m[1])
		if i := bytes.Index(text, []byte(key)); i >= 0 && key != "" {
			if i > 0 && (text[i-1] == '"' || text[i-1] == '\'') {
				i--
			}
			e.Column = utf8.RuneCount(text[:i]) + 1
		}
	} else if i := bytes.IndexByte(text, '\t'); i >= 0 && strings.Contains(e.Message, "cannot start any token") {
		e.Column = utf8.RuneCount(text[:i]) + 1
		e.Message += " (a tab: YAML indents with spaces)"
	}
	return e
}

// yamlSyntaxError is a file that is not YAML, at docker compose's
// position: the file is parsed again with the YAML library compose-go
// reads files with (go.yaml.in/yaml/v4, at the version docker compose is
// built with), whose error carries the place of the problem and of the
// construct it was reading (a mis-indented ports: on line 4 inside the
// service on line 2: L2.C3-L4.C4). The error points at the problem, or at
// the opening of a construct that is never closed (a flow [ or {, a
// quote, a key without its colon), where the fix goes; the message says
// both, in docker compose's words. A parse error only: nothing is
// constructed, so aliases are never expanded.
func yamlSyntaxError(file string, data []byte, err error) InputError {
	e := yamlErrorAt(file, data, err)
	if slices.Contains(readerProblems, yamlInputError(file, err).Message) {
		return e
	}
	var n yaml4.Node
	var le *yaml4.LoadError
	if !errors.As(yaml4.Unmarshal(data, &n), &le) || le.Mark.Line == 0 {
		return e
	}
	at := le.Mark
	if le.ContextMark.Line > 0 && opensConstruct(le.ContextMsg) {
		at = le.ContextMark
	}
	msg := le.Message
	if le.ContextMsg != "" && le.ContextMark.Line > 0 {
		msg += fmt.Sprintf(" (%s at %s)", le.ContextMsg, markRange(le.ContextMark, le.Mark))
	}
	if strings.Contains(msg, "cannot start any token") {
		if line := newLineIndex(data).line(at.Line); at.Column >= 1 && byteOffset(line, at.Column) < len(line) && line[byteOffset(line, at.Column)] == '\t' {
			msg += " (a tab: YAML indents with spaces)"
		}
	}
	return InputError{File: file, Line: at.Line, Column: at.Column, Message: msg}
}

// opensConstruct reports whether a YAML error's context is a construct
// whose opening is where the fix goes: a flow sequence or mapping never
// closed, a quoted scalar never closed, a key never followed by its colon.
func opensConstruct(context string) bool {
	return strings.Contains(context, "flow sequence") || strings.Contains(context, "flow mapping") ||
		strings.Contains(context, "quoted scalar") || strings.Contains(context, "simple key")
}

// markRange renders two positions as the YAML library's messages do:
// L2.C3-L4.C4, L2.C6-C7 on one line, L2.C6 for one place.
func markRange(start, end yaml4.Mark) string {
	short := func(m yaml4.Mark) string {
		if m.Column > 0 {
			return fmt.Sprintf("L%d.C%d", m.Line, m.Column)
		}
		return fmt.Sprintf("L%d", m.Line)
	}
	if start.Line == end.Line {
		switch {
		case start.Column == 0 && end.Column == 0, start.Column == end.Column:
			return short(start)
		case start.Column > 0 && end.Column > 0:
			return fmt.Sprintf("%s-C%d", short(start), end.Column)
		}
	}
	return short(start) + "-" + short(end)
}

// firstNonText finds the first byte that YAML refuses: invalid UTF-8 or a
// character outside YAML's printable set (binary content).
func firstNonText(data []byte) (line, col int, msg string, ok bool) {
	line, col = 1, 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			return line, col, fmt.Sprintf("invalid UTF-8 (byte 0x%02x): a compose file must be UTF-8 text", data[i]), true
		case !yamlPrintable(r):
			return line, col, fmt.Sprintf("binary content (control character %U): a compose file must be YAML text", r), true
		}
		if r == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
		i += size
	}
	return 0, 0, "", false
}

// yamlPrintable is YAML 1.2's set of characters a stream may hold.
func yamlPrintable(r rune) bool {
	return r == 0x09 || r == 0x0a || r == 0x0d || (r >= 0x20 && r <= 0x7e) || r == 0x85 ||
		(r >= 0xa0 && r <= 0xd7ff) || (r >= 0xe000 && r <= 0xfffd) || (r >= 0x10000 && r <= 0x10ffff)
}

func asTypeError(err error, te **yaml.TypeError) bool {
	t, ok := err.(*yaml.TypeError)
	if ok {
		*te = t
	}
	return ok
}
