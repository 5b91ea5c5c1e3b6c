package input

import (
	"fmt"
	"strings"

	"github.com/compose-spec/compose-go/v2/format"
	"github.com/compose-spec/compose-go/v2/types"
	"go.yaml.in/yaml/v3"
)

// serviceVolume reads one volumes item as docker compose does: each value
// interpolated with the root .env (a variable without value is the empty
// string), the short syntax parsed with compose-go's volume parser.
func serviceVolume(cf *composeFile, item *yaml.Node, lookup lookupFunc) (ServiceVolume, *InputError) {
	pos := cf.li.position(cf.rel, item)
	fail := func(msg string) (ServiceVolume, *InputError) {
		return ServiceVolume{}, &InputError{File: cf.rel, Line: pos.Line, Column: pos.Column, Message: msg}
	}
	var vc types.ServiceVolumeConfig
	switch item.Kind {
	case yaml.ScalarNode:
		refs, err := scanVars(item.Value)
		if err != nil {
			return fail(err.Error())
		}
		spec, unknown := substitute(item.Value, refs, lookup)
		vc, err = format.ParseVolume(spec)
		if err != nil && len(unknown) > 0 {
			vc, err = parseVolumeWithout(item.Value, refs, unknown, lookup)
		}
		if err != nil {
			return fail(fmt.Sprintf("invalid volume %q: %v", clip(item.Value), err))
		}
	case yaml.MappingNode:
		for _, kv := range pairs(item) {
			if kv.value.Kind != yaml.ScalarNode {
				continue
			}
			refs, err := scanVars(kv.value.Value)
			if err != nil {
				return fail(kv.key.Value + ": " + err.Error())
			}
			v, _ := substitute(kv.value.Value, refs, lookup)
			switch kv.key.Value {
			case "type":
				vc.Type = v
			case "source":
				vc.Source = v
			case "target":
				vc.Target = v
			case "read_only":
				vc.ReadOnly = boolish(v)
			}
		}
	default:
		return fail("a volume must be a string or a mapping")
	}
	t := vc.Type
	if t == "volume" && vc.Source == "" {
		t = "anonymous"
	}
	return ServiceVolume{Type: t, Source: vc.Source, Target: strings.TrimRight(vc.Target, "/"), ReadOnly: vc.ReadOnly, Position: pos}, nil
}

// unsetMark stands, inside parseVolumeWithout only, for a variable without
// value: an absolute path, which every part of a volume accepts.
const unsetMark = "/.portguard-unset"

// parseVolumeWithout parses a short volume that does not parse once its
// variables without value are empty (`${DATA_DIR}:/data` gives ":/data",
// which docker compose refuses until DATA_DIR is set): the variables are
// read as a path the user has yet to choose, so the mount is a bind mount,
// and the parts they make up are empty.
func parseVolumeWithout(raw string, refs []varRef, unknown []int, lookup lookupFunc) (types.ServiceVolumeConfig, error) {
	isUnknown := map[int]bool{}
	for _, i := range unknown {
		isUnknown[i] = true
	}
	spec := replaceRefs(raw, refs, func(i int, r varRef) string {
		if isUnknown[i] {
			return unsetMark
		}
		v, _ := resolve(r, lookup)
		return v
	})
	vc, err := format.ParseVolume(spec)
	if err != nil {
		return vc, err
	}
	vc.Source = strings.ReplaceAll(vc.Source, unsetMark, "")
	vc.Target = strings.ReplaceAll(vc.Target, unsetMark, "")
	return vc, nil
}
