package input

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// environment appends a service's environment (map or list form) to out.
// Values are interpolated with the root .env as docker compose does, to
// find host:port references, then redacted unless the variable is
// port-like. A variable already in out is replaced in place, as an override
// file's entry replaces the base file's; at indexes out by name. A value
// docker compose cannot interpolate (a broken ${...}) is an input error at
// its entry, which never quotes the value.
func (l *composeLoader) environment(out []EnvEntry, cf *composeFile, n *yaml.Node, at map[string]int, pc *projectCache) ([]EnvEntry, []InputError) {
	n = resolveAlias(n)
	if n == nil {
		return out, nil
	}
	var errs []InputError
	add := func(e EnvEntry, err error) {
		if err != nil {
			errs = append(errs, InputError{File: cf.rel, Line: e.Line, Column: e.Column, Message: fmt.Sprintf("environment %s: %v", e.Name, err)})
			return
		}
		if i, ok := at[e.Name]; ok {
			out[i] = e
			return
		}
		at[e.Name] = len(out)
		out = append(out, e)
	}
	switch n.Kind {
	case yaml.MappingNode:
		for _, kv := range pairs(n) {
			value, set := kv.value.Value, kv.value.Tag != "!!null"
			add(l.envEntry(kv.key.Value, value, set, cf.li.position(cf.rel, kv.key), pc))
		}
	case yaml.SequenceNode:
		for _, item := range seqItems(n) {
			name, value, set := strings.Cut(item.Value, "=")
			add(l.envEntry(strings.TrimSpace(name), value, set, cf.li.position(cf.rel, item), pc))
		}
	}
	return out, errs
}

func (l *composeLoader) envEntry(name, raw string, set bool, pos Position, pc *projectCache) (EnvEntry, error) {
	e := EnvEntry{Name: name, Position: pos, PortRefs: []PortRef{}}
	wanted := l.kb.envNames[name]
	if wanted {
		delete(pc.classEnv, name)
	}
	if !set {
		return e, nil
	}
	refs, err := scanVars(raw)
	if err != nil {
		return e, err
	}
	e.UsesVariable = len(refs) > 0
	value, _ := substitute(raw, refs, l.env.dotenv.lookup)
	if wanted {
		pc.classEnv[name] = value
	}
	if pr, ok := pc.portRefs[value]; ok {
		e.PortRefs = pr
	} else {
		e.PortRefs = portRefs(value)
		pc.portRefs[value] = e.PortRefs
	}
	e.Value = Redacted
	if portLikeName(name) && portLikeRefs(refs) {
		e.Value = value
	}
	return e, nil
}

// portLikeRefs reports whether every variable a value references is named
// like a port: a port-like entry keeps its value only when no other .env
// value is interpolated into it (DB_PORT: ${PASSWORD} stays redacted).
func portLikeRefs(refs []varRef) bool {
	for _, r := range refs {
		if !portLikeName(r.Name) {
			return false
		}
		if inner, err := scanVars(r.Arg); err != nil || !portLikeRefs(inner) {
			return false
		}
	}
	return true
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
