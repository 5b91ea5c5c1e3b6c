package cli

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/portguard/portguard/input"
)

func TestNewCmdInputFlags(t *testing.T) {
	cases := []struct {
		name    string
		args    []string
		want    InputOptions
		wantErr bool
	}{
		{name: "defaults", want: InputOptions{Path: "."}},
		{name: "path, files and config", args: []string{"repo", "-f", "a.yml", "--config", "c.yaml"},
			want: InputOptions{Path: "repo", Files: []string{"a.yml"}, Config: "c.yaml"}},
		{name: "schema", args: []string{"--schema"}, want: InputOptions{Path: ".", Schema: true}},
		{name: "schema with a path", args: []string{"--schema", "repo"}, wantErr: true},
		{name: "schema with a file", args: []string{"--schema", "-f", "a.yml"}, wantErr: true},
		{name: "two paths", args: []string{"a", "b"}, wantErr: true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := factoryWithBuffers()
			var got *InputOptions
			cmd := NewCmdInput(f, func(o *InputOptions) error { got = o; return nil })
			cmd.SetArgs(c.args)
			cmd.SetOut(&bytes.Buffer{})
			cmd.SetErr(&bytes.Buffer{})
			err := cmd.Execute()
			if c.wantErr {
				if err == nil || got != nil {
					t.Fatalf("error %v, run with %+v; want a usage error", err, got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			want := c.want
			want.IO = f.IO
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("options %+v, want %+v", *got, want)
			}
		})
	}
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
