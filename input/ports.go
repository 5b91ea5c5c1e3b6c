package input

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// portEnv is what port parsing needs to know of the root .env.
type portEnv struct {
	dotenv *dotenvFacts
	file   string
}

// parsePorts is compose-go's ParsePortConfig.
func parsePorts(s string) ([]types.ServicePortConfig, error) {
	if cfgs, ok := simplePort(s); ok {
		return cfgs, nil
	}
	return types.ParsePortConfig(s)
}

// maxPortRefs bounds the variable references of one short mapping (host
// IP, host port, container port and protocol need four).
const maxPortRefs = 8

// probeValues are two host ports a reference is set to in turn, to see
// whether it sets the host port: the published port changes with it. Two
// probes, not one sentinel value, so that no port a user may write (65123
// or any other) is special.
var probeValues = [2]string{"7001", "7002"}

// parseShortPort reads a short-syntax mapping such as
// `${BIND:-127.0.0.1}:${PG_PORT:-7000}:5432/tcp`. Every variable is
// resolved twice: as written in the compose file (defaults only) and as
// docker compose would publish it (root .env first). The parsing itself is
// compose-go's, after interpolation.
func parseShortPort(raw string, pos Position, env portEnv) (Port, error) {
	p := Port{Raw: raw, Syntax: "short", Position: pos, Protocol: "tcp"}
	refs, err := scanVars(raw)
	if err != nil {
		return p, fmt.Errorf("invalid port mapping %q: %w", clip(raw), err)
	}
	// Each reference is probed with a parse of the whole mapping: bound
	// them, as no mapping needs more than one per part.
	if len(refs) > maxPortRefs {
		return p, fmt.Errorf("invalid port mapping %q: more than %d variable references", clip(raw), maxPortRefs)
	}
	effective := lookupFunc(env.dotenv.lookup)

	// The structure (host IP, container port, protocol, which variable is
	// the host port) comes from the mapping as docker compose interpolates
	// it (a variable without value is empty); when that does not parse (a
	// variable without value where a number must be), from the most
	// concrete string that does, with placeholders for those variables.
	var cfgs []types.ServicePortConfig
	var filled []string
	fills := portFills(refs, effective)
	used := 0
	for k, fill := range fills {
		filled, used = fill, k
		cfgs, err = parsePorts(replaceRefs(raw, refs, func(i int, _ varRef) string { return filled[i] }))
		if err == nil {
			break
		}
	}
	if err != nil {
		return p, fmt.Errorf("invalid port mapping %q: %s", clip(raw), clip(lowerFirst(err.Error())))
	}
	if len(cfgs) == 0 {
		return p, fmt.Errorf("invalid port mapping %q", clip(raw))
	}
	p.HostIP = cfgs[0].HostIP
	p.Protocol = cfgs[0].Protocol
	p.TargetRange = spanOf(cfgs, func(c types.ServicePortConfig) string { return strconv.Itoa(int(c.Target)) })
	if p.TargetRange != nil {
		p.Target = p.TargetRange[0]
	}
	if used > 0 {
		// A placeholder is never a fact: a host IP that changes with the
		// placeholders is docker compose's empty one.
		if other, err := parsePorts(replaceRefs(raw, refs, func(i int, _ varRef) string { return otherPlaceholder(filled[i], fills[0][i]) })); err != nil || len(other) == 0 || other[0].HostIP != p.HostIP {
			p.HostIP = ""
		}
	}

	hostRef := hostRef(raw, refs, filled)
	if hostRef < 0 {
		// A literal host port (or none at all, which docker picks at random).
		if r := publishedSpan(cfgs); r != nil {
			p.Published, p.PublishedRange = &r[0], r
			p.Effective, p.EffectiveRange = &r[0], r
		}
		return p, nil
	}

	ref := refs[hostRef]
	p.Variable = portVariable(ref, env)
	// As written in the compose file (defaults only), then as published.
	if v, ok := resolve(ref, noLookup); ok && v != "" {
		if r := spanOfMapping(withRef(raw, refs, filled, hostRef, v)); r != nil {
			p.Published, p.PublishedRange = &r[0], r
		}
	}
	if v, ok := resolve(ref, effective); ok && v != "" {
		if r := spanOfMapping(withRef(raw, refs, filled, hostRef, v)); r != nil {
			p.Effective, p.EffectiveRange = &r[0], r
		}
	}
	return p, nil
}

// hostRef finds the reference that sets the host port: the published
// port changes with it (see probeValues). It is -1 when none does.
func hostRef(raw string, refs []varRef, filled []string) int {
	for i := range refs {
		a, errA := parsePorts(withRef(raw, refs, filled, i, probeValues[0]))
		b, errB := parsePorts(withRef(raw, refs, filled, i, probeValues[1]))
		if errA == nil && errB == nil && publishedSpanText(a) != publishedSpanText(b) {
			return i
		}
	}
	return -1
}

// portFills lists the values to try for the references of a mapping:
// first the values docker compose would use (a variable without value
// empty); then the same with each unknown one (no value, no default, or
// empty) tried as a port and as a host IP; then every reference as a
// placeholder, in case a value itself is broken (a default such as "abc"
// is a finding, not a reason to lose the mapping).
func portFills(refs []varRef, lookup lookupFunc) [][]string {
	compose := make([]string, len(refs))
	known := make([]string, len(refs))
	var unknown []int
	for i, r := range refs {
		v, ok := resolve(r, lookup)
		compose[i] = v
		if ok && v != "" {
			known[i] = v
		} else {
			unknown = append(unknown, i)
		}
	}
	fills := [][]string{compose}
	// An IP comes first in a mapping, so at most the first unknown reference
	// is tried as one.
	for _, ipFirst := range []bool{false, true} {
		fill := append([]string(nil), known...)
		for k, i := range unknown {
			fill[i] = "0"
			if ipFirst && k == 0 {
				fill[i] = "0.0.0.0"
			}
		}
		fills = append(fills, fill)
		if len(unknown) == 0 {
			break
		}
	}
	if len(refs) > len(unknown) {
		for _, ip := range []string{"0", "0.0.0.0"} {
			fill := make([]string, len(refs))
			for i := range fill {
				fill[i] = "0"
			}
			fill[0] = ip
			fills = append(fills, fill)
		}
	}
	return fills
}

// simplePort parses the commonest mappings, "HOST:CONTAINER" and
// "CONTAINER" with ports written without leading zeros in 1-65535, as
// compose-go's ParsePortConfig parses them (TestSimplePortIsCompose), at a
// fraction of the cost; ok is false for any other string. Without it
// BenchmarkLoad takes 12-21% more CPU time and 10% more allocations at
// 1,000 and 10,000 services (paired runs).
func simplePort(s string) (cfgs []types.ServicePortConfig, ok bool) {
	host, container, hasHost := strings.Cut(s, ":")
	if !hasHost {
		host, container = "", s
	}
	target, ok := simplePortNumber(container)
	if !ok {
		return nil, false
	}
	if hasHost {
		if _, ok := simplePortNumber(host); !ok {
			return nil, false
		}
	}
	return []types.ServicePortConfig{{Protocol: "tcp", Target: uint32(target), Published: host, Mode: "ingress"}}, true
}

// simplePortNumber reads a port in 1-65535 written without a sign or a
// leading zero.
func simplePortNumber(s string) (int, bool) {
	if len(s) == 0 || len(s) > 5 || s[0] == '0' {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, n <= 65535
}

// otherPlaceholder gives, for a reference filled with a placeholder (a
// value docker compose would not use), another placeholder of the same
// kind, and the value itself otherwise.
func otherPlaceholder(filled, compose string) string {
	switch {
	case filled == compose:
		return filled
	case filled == "0.0.0.0":
		return "127.0.0.1"
	case filled == "0":
		return "1"
	}
	return filled
}

// publishedSpanText renders the host ports of parsed mappings, to compare
// two probes.
func publishedSpanText(cfgs []types.ServicePortConfig) string {
	var b strings.Builder
	for _, c := range cfgs {
		b.WriteString(c.Published)
		b.WriteByte(',')
	}
	return b.String()
}

// withRef rebuilds the mapping with reference i set to value and every
// other reference to the value that made the mapping parse.
func withRef(raw string, refs []varRef, filled []string, i int, value string) string {
	return replaceRefs(raw, refs, func(j int, _ varRef) string {
		if j == i {
			return value
		}
		return filled[j]
	})
}

// spanOfMapping parses a short mapping and returns its host port span, or
// nil when it does not parse or has no host port.
func spanOfMapping(s string) []int {
	cfgs, err := parsePorts(s)
	if err != nil {
		return nil
	}
	return publishedSpan(cfgs)
}

func replaceRefs(s string, refs []varRef, value func(int, varRef) string) string {
	var b strings.Builder
	prev := 0
	for i, r := range refs {
		b.WriteString(strings.ReplaceAll(s[prev:r.Start], "$$", "$"))
		b.WriteString(value(i, r))
		prev = r.End
	}
	b.WriteString(strings.ReplaceAll(s[prev:], "$$", "$"))
	return b.String()
}

// publishedSpan is the [low, high] host port span of parsed mappings, nil
// when no host port is given.
func publishedSpan(cfgs []types.ServicePortConfig) []int {
	return spanOf(cfgs, func(c types.ServicePortConfig) string { return c.Published })
}

func spanOf(cfgs []types.ServicePortConfig, field func(types.ServicePortConfig) string) []int {
	var span []int
	for _, c := range cfgs {
		lo, hi, ok := parsePortSpan(field(c))
		if !ok {
			continue
		}
		if span == nil {
			span = []int{lo, hi}
			continue
		}
		span[0], span[1] = min(span[0], lo), max(span[1], hi)
	}
	return span
}

// parsePortSpan reads "7000" or "7000-7005".
func parsePortSpan(s string) (lo, hi int, ok bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, 0, false
	}
	a, b, isRange := strings.Cut(s, "-")
	lo, err := strconv.Atoi(a)
	if err != nil || lo < 0 || lo > 65535 {
		return 0, 0, false
	}
	if !isRange {
		return lo, lo, true
	}
	hi, err = strconv.Atoi(b)
	if err != nil || hi < lo || hi > 65535 {
		return 0, 0, false
	}
	return lo, hi, true
}

func portVariable(ref varRef, env portEnv) *PortVariable {
	v := &PortVariable{Name: ref.Name, Form: ref.Form, HasDefault: ref.hasDefault()}
	if v.HasDefault {
		v.Default = ref.Arg
	}
	if val, ok := env.dotenv.lookup(ref.Name); ok {
		val := val
		v.EnvValue = &val
		v.EnvLine = env.dotenv.Lines[ref.Name]
		v.EnvFile = env.file
	}
	if env.dotenv != nil {
		if app, ok := env.dotenv.App[ref.Name]; ok {
			v.AppValue = &app
		}
	}
	return v
}

// parseLongPort reads the long syntax: a mapping with target, published,
// host_ip, protocol. The finding position is the published scalar, where
// the host port is written.
func parseLongPort(n *yaml.Node, li *lineIndex, file string, env portEnv) (Port, error) {
	p := Port{Syntax: "long", Protocol: "tcp", Position: li.position(file, n)}
	effective := lookupFunc(env.dotenv.lookup)
	var targetNode, publishedNode *yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i].Value, n.Content[i+1]
		str := func() (string, error) {
			refs, err := scanVars(val.Value)
			if err != nil {
				return "", err
			}
			s, _ := substitute(val.Value, refs, effective)
			return s, nil
		}
		switch key {
		case "target":
			targetNode = val
		case "published":
			publishedNode = val
		case "host_ip":
			s, err := str()
			if err != nil {
				return p, err
			}
			p.HostIP = s
		case "protocol":
			s, err := str()
			if err != nil {
				return p, err
			}
			p.Protocol = strings.ToLower(s)
		}
	}
	if targetNode == nil {
		return p, fmt.Errorf("port mapping without target")
	}
	refs, err := scanVars(targetNode.Value)
	if err != nil {
		return p, err
	}
	ts, _ := substitute(targetNode.Value, refs, effective)
	lo, hi, ok := parsePortSpan(ts)
	if !ok || lo == 0 {
		return p, fmt.Errorf("invalid target port %q", clip(targetNode.Value))
	}
	p.Target, p.TargetRange = lo, []int{lo, hi}
	if publishedNode == nil {
		return p, nil
	}
	p.Raw = publishedNode.Value
	p.Position = li.position(file, publishedNode)
	refs, err = scanVars(p.Raw)
	if err != nil {
		return p, err
	}
	if len(refs) == 0 {
		lo, hi, ok := parsePortSpan(p.Raw)
		if !ok {
			return p, fmt.Errorf("invalid published port %q", clip(p.Raw))
		}
		p.Published, p.PublishedRange = &lo, []int{lo, hi}
		p.Effective, p.EffectiveRange = &lo, []int{lo, hi}
		return p, nil
	}
	p.Variable = portVariable(refs[0], env)
	for _, view := range []struct {
		lookup     lookupFunc
		value      **int
		valueRange *[]int
	}{{noLookup, &p.Published, &p.PublishedRange}, {effective, &p.Effective, &p.EffectiveRange}} {
		s, unknown := substitute(p.Raw, refs, view.lookup)
		if len(unknown) > 0 {
			continue
		}
		if lo, hi, ok := parsePortSpan(s); ok {
			*view.value, *view.valueRange = &lo, []int{lo, hi}
		}
	}
	return p, nil
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}
