package cli

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/portguard/portguard/input"
)

func TestNewCmdInputFlags(t *testing.T) {
	testFlags(t, NewCmdInput, []flagCase[InputOptions]{
		{name: "defaults", want: InputOptions{Path: "."}},
		{name: "path, files and config", args: []string{"repo", "-f", "a.yml", "--config", "c.yaml"},
			want: InputOptions{Path: "repo", Files: []string{"a.yml"}, Config: "c.yaml"}},
		{name: "schema", args: []string{"--schema"}, want: InputOptions{Path: ".", Schema: true}},
		{name: "schema with a path", args: []string{"--schema", "repo"}, wantErr: true},
		{name: "schema with a file", args: []string{"--schema", "-f", "a.yml"}, wantErr: true},
		{name: "two paths", args: []string{"a", "b"}, wantErr: true},
	}, func(want *InputOptions, f *Factory) { want.IO = f.IO })
}

func TestInputRunSchema(t *testing.T) {
	f, out, _ := factoryWithBuffers()
	if err := inputRun(&InputOptions{IO: f.IO, Path: ".", Schema: true}); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(out.Bytes(), input.Schema) {
		t.Error("input --schema does not print input/schema.json")
	}
	var s map[string]any
	if err := json.Unmarshal(out.Bytes(), &s); err != nil || s["$defs"] == nil {
		t.Errorf("not the JSON Schema: %v", err)
	}
}
