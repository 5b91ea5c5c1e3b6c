package input

import (
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// environment reads a service's environment (map or list form). Values are
// interpolated with the root .env to find host:port references, then
// redacted unless the variable is port-like.
func (l *composeLoader) environment(cf *composeFile, n *yaml.Node) []EnvEntry {
	n = resolveAlias(n)
	if n == nil {
		return nil
	}
	var out []EnvEntry
	switch n.Kind {
	case yaml.MappingNode:
		for _, kv := range pairs(n) {
			value, set := kv.value.Value, kv.value.Tag != "!!null"
			out = append(out, l.envEntry(kv.key.Value, value, set, cf.li.position(cf.rel, kv.key)))
		}
	case yaml.SequenceNode:
		for _, item := range seqItems(n) {
			name, value, set := strings.Cut(item.Value, "=")
			out = append(out, l.envEntry(strings.TrimSpace(name), value, set, cf.li.position(cf.rel, item)))
		}
	}
	return out
}

func (l *composeLoader) envEntry(name, raw string, set bool, pos Position) EnvEntry {
	e := EnvEntry{Name: name, Position: pos, PortRefs: []PortRef{}}
	if !set {
		return e
	}
	refs, err := scanVars(raw)
	if err != nil {
		refs = nil
	}
	e.UsesVariable = len(refs) > 0
	value, _ := substitute(raw, refs, l.env.dotenv.lookup, "")
	e.PortRefs = portRefs(value)
	if portLikeName(name) {
		e.Value = raw
	} else {
		e.Value = Redacted
	}
	return e
}

// hostPortRE finds host:port pairs: in URLs (after // or userinfo@), in
// lists (after , ; or space) or alone.
var hostPortRE = regexp.MustCompile(`(?:^|//|@|[,;\s=])(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9](?:[A-Za-z0-9_.\-]*[A-Za-z0-9])?):([0-9]{1,5})`)

// portRefs extracts the host:port pairs of an environment value. Userinfo
// (`user:password@`) is never taken for a host and port.
func portRefs(value string) []PortRef {
	refs := []PortRef{}
	for _, m := range hostPortRE.FindAllStringSubmatchIndex(value, -1) {
		host := value[m[2]:m[3]]
		// The port must end there: not userinfo (`user:1234@`), not longer.
		if end := m[5]; end < len(value) && !strings.ContainsRune("/?#,;\t\n ", rune(value[end])) {
			continue
		}
		port, err := strconv.Atoi(value[m[4]:m[5]])
		if err != nil || port < 1 || port > 65535 {
			continue
		}
		if !strings.ContainsAny(host, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ") && !strings.Contains(host, ".") && !strings.HasPrefix(host, "[") {
			continue
		}
		refs = append(refs, PortRef{Host: strings.ToLower(strings.Trim(host, "[]")), Port: port})
	}
	return refs
}
