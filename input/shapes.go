package input

import (
	"fmt"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// checkShapes checks the types of what compose-go is given (the top-level
// name and volumes, and per service image, build, container_name, labels,
// network_mode, profiles and extends), as the compose schema states them,
// and gives the first mismatch at its line.
//
// compose-go is called without its schema validation: compiling the
// compose schema is a fixed ~20 ms of every run, more than loading a
// repository of 200 services, and the schema would only see these keys
// anyway (the rest of a service is read from the node walk, with errors of
// its own, or is not portguard's to judge). The messages are the schema's.
func checkShapes(cf *composeFile) error {
	for _, kv := range pairs(cf.top) {
		var err error
		switch kv.key.Value {
		case "name":
			err = cf.want(kv, "name", isString)
		case "volumes":
			err = cf.checkVolumes(kv)
		case "services":
			for _, svc := range pairs(kv.value) {
				if err = cf.checkService(svc); err != nil {
					break
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (cf *composeFile) checkService(svc keyValue) error {
	if !nameRE.MatchString(svc.key.Value) {
		return cf.shapeError(svc.key, fmt.Sprintf("services additional properties '%s' not allowed (a service name is letters, digits, '.', '_' and '-')", svc.key.Value))
	}
	path := "services." + svc.key.Value
	if reset(svc.value) || isNull(svc.value) {
		return nil
	}
	if svc.value.Kind != yaml.MappingNode {
		return cf.shapeError(svc.key, path+" must be a mapping")
	}
	for _, f := range pairs(svc.value) {
		p := path + "." + f.key.Value
		var err error
		switch f.key.Value {
		case "image", "container_name", "network_mode":
			err = cf.want(f, p, isString)
		case "build":
			err = cf.want(f, p, either(isString, isMapping))
		case "labels":
			err = cf.checkLabels(f, p)
		case "profiles":
			err = cf.checkStrings(f, p)
		case "extends":
			err = cf.want(f, p, either(isString, isMapping))
			if err == nil && f.value.Kind == yaml.MappingNode {
				for _, e := range pairs(f.value) {
					if e.key.Value == "service" || e.key.Value == "file" {
						if err = cf.want(e, p+"."+e.key.Value, isString); err != nil {
							break
						}
					}
				}
			}
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func (cf *composeFile) checkVolumes(kv keyValue) error {
	if reset(kv.value) || isNull(kv.value) {
		return nil
	}
	if kv.value.Kind != yaml.MappingNode {
		return cf.shapeError(kv.key, "volumes must be a mapping")
	}
	for _, vol := range pairs(kv.value) {
		if !nameRE.MatchString(vol.key.Value) {
			return cf.shapeError(vol.key, fmt.Sprintf("volumes additional properties '%s' not allowed (a volume name is letters, digits, '.', '_' and '-')", vol.key.Value))
		}
		path := "volumes." + vol.key.Value
		if reset(vol.value) || isNull(vol.value) {
			continue
		}
		if vol.value.Kind != yaml.MappingNode {
			return cf.shapeError(vol.key, path+" must be a mapping")
		}
		for _, f := range pairs(vol.value) {
			p := path + "." + f.key.Value
			var err error
			switch {
			case f.key.Value == "name" || f.key.Value == "driver":
				err = cf.want(f, p, isString)
			case f.key.Value == "external":
				// A boolean, a string read as one (see castBool) or the
				// legacy external: {name: ...}.
				err = cf.want(f, p, either(isScalar, isMapping))
			case f.key.Value == "labels":
				err = cf.checkLabels(f, p)
			case f.key.Value == "driver_opts":
				err = cf.want(f, p, isMapping)
			case strings.HasPrefix(f.key.Value, "x-"):
			default:
				err = cf.shapeError(f.key, fmt.Sprintf("%s additional properties '%s' not allowed", path, f.key.Value))
			}
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// checkLabels accepts a mapping of scalars or a list of strings.
func (cf *composeFile) checkLabels(f keyValue, path string) error {
	if err := cf.want(f, path, either(isMapping, isSequence)); err != nil {
		return err
	}
	if f.value.Kind == yaml.SequenceNode {
		return cf.checkStrings(f, path)
	}
	for _, l := range pairs(f.value) {
		if err := cf.want(l, path+"."+l.key.Value, isLabelValue); err != nil {
			return err
		}
	}
	return nil
}

// checkStrings accepts a list of strings.
func (cf *composeFile) checkStrings(f keyValue, path string) error {
	if err := cf.want(f, path, isSequence); err != nil {
		return err
	}
	for i, item := range seqItems(f.value) {
		if !isString.test(item) {
			return InputError{File: cf.rel, Line: item.Line, Column: item.Column, Message: fmt.Sprintf("%s.%d must be a string", path, i)}
		}
	}
	return nil
}

// nameRE is what the compose schema allows as a service or volume name.
var nameRE = regexp.MustCompile(`^[a-zA-Z0-9._-]+$`)

// shape is a test of a node's type, with the words that name it.
type shape struct {
	test func(*yaml.Node) bool
	what string
}

var (
	isString   = shape{func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!str" }, "a string"}
	isScalar   = shape{func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag != "!!null" }, "a string, number or boolean"}
	isMapping  = shape{func(n *yaml.Node) bool { return n.Kind == yaml.MappingNode }, "a mapping"}
	isSequence = shape{func(n *yaml.Node) bool { return n.Kind == yaml.SequenceNode }, "a list"}
	// isLabelValue is a scalar: docker compose writes numbers and booleans
	// as strings, and null as the empty string.
	isLabelValue = shape{func(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode }, "a string, number, boolean or null"}
)

func either(a, b shape) shape {
	return shape{func(n *yaml.Node) bool { return a.test(n) || b.test(n) }, a.what + " or " + b.what}
}

// want checks that the value of kv has the shape s; a value tagged !reset
// or !override (compose's way to drop or replace what a file before it
// wrote) is not judged.
func (cf *composeFile) want(kv keyValue, path string, s shape) error {
	if kv.value == nil || reset(kv.value) || s.test(kv.value) {
		return nil
	}
	return cf.shapeError(kv.key, path+" must be "+s.what)
}

func (cf *composeFile) shapeError(at *yaml.Node, msg string) error {
	return InputError{File: cf.rel, Line: at.Line, Column: at.Column, Message: msg}
}

func reset(n *yaml.Node) bool { return n.Tag == "!reset" || n.Tag == "!override" }

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.Tag == "!!null" }
