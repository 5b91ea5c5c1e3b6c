package input

import (
	"fmt"
	"strconv"
	"strings"
)

// model is what portguard reads of compose-go's merged, validated and
// normalized project dict: per service the attributes it judges, per
// top-level volume its name, external flag and labels. Reading the dict
// directly avoids decoding the whole project into compose-go's structs.
type model struct {
	Services map[string]modelService
	Volumes  map[string]modelVolume
}

type modelService struct {
	Name, Image, ContainerName, NetworkMode string
	Labels                                  map[string]string
	Profiles                                []string
	XPortguard                              map[string]any
}

type modelVolume struct {
	Name     string
	External bool
	Labels   map[string]string
}

func modelOf(dict map[string]any) *model {
	m := &model{Services: map[string]modelService{}, Volumes: map[string]modelVolume{}}
	services, _ := dict["services"].(map[string]any)
	for name, raw := range services {
		s, _ := raw.(map[string]any)
		svc := modelService{
			Name:          name,
			Image:         str(s["image"]),
			ContainerName: str(s["container_name"]),
			NetworkMode:   str(s["network_mode"]),
			Labels:        redactLabels(stringMap(s["labels"])),
			Profiles:      stringList(s["profiles"]),
		}
		if x, ok := s["x-portguard"].(map[string]any); ok {
			svc.XPortguard = x
		}
		m.Services[name] = svc
	}
	volumes, _ := dict["volumes"].(map[string]any)
	for key, raw := range volumes {
		v, _ := raw.(map[string]any)
		m.Volumes[key] = modelVolume{Name: str(v["name"]), External: boolish(v["external"]), Labels: redactLabels(stringMap(v["labels"]))}
	}
	return m
}

func str(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		return fmt.Sprint(x)
	}
}

// redactLabels keeps the values of portguard's own labels only: others
// carry credentials (a proxy's basic auth, a token from .env), and no
// policy reads them.
func redactLabels(labels map[string]string) map[string]string {
	for k := range labels {
		if !strings.HasPrefix(k, "portguard.") {
			labels[k] = Redacted
		}
	}
	return labels
}

// stringMap reads labels, in map or list ("k=v") form.
func stringMap(v any) map[string]string {
	out := map[string]string{}
	switch x := v.(type) {
	case map[string]any:
		for k, val := range x {
			out[k] = str(val)
		}
	case []any:
		for _, item := range x {
			k, val, _ := strings.Cut(str(item), "=")
			out[k] = val
		}
	}
	return out
}

func stringList(v any) []string {
	out := []string{}
	if x, ok := v.([]any); ok {
		for _, item := range x {
			out = append(out, str(item))
		}
	}
	return out
}

// boolish reads a boolean the way compose does, also from an interpolated
// string ("true", "yes").
func boolish(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case string:
		b, err := strconv.ParseBool(x)
		return err == nil && b || x == "yes" || x == "y" || x == "on"
	case map[string]any:
		// The legacy form external: {name: ...}.
		return true
	}
	return false
}
