package cli

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/spf13/cobra"
)

// flagCase is one command line and the options it must give, or a refusal.
type flagCase[O any] struct {
	name    string
	args    []string
	want    O
	wantErr bool
}

// parseFlags runs the command built by newCmd on args with a run function
// that records its options, and returns them (nil when the command refused
// the arguments).
func parseFlags[O any](f *Factory, newCmd func(*Factory, func(*O) error) *cobra.Command, args ...string) (*O, error) {
	var got *O
	cmd := newCmd(f, func(o *O) error { got = o; return nil })
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	err := cmd.Execute()
	return got, err
}

// testFlags runs the command built by newCmd on each case's arguments with
// a run function that records its options, and compares them with the
// case's; withIO sets in want what the factory gives (the streams).
func testFlags[O any](t *testing.T, newCmd func(*Factory, func(*O) error) *cobra.Command, cases []flagCase[O], withIO func(want *O, f *Factory)) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, _, _ := factoryWithBuffers()
			got, err := parseFlags(f, newCmd, c.args...)
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
			withIO(&want, f)
			if !reflect.DeepEqual(*got, want) {
				t.Errorf("options %+v, want %+v", *got, want)
			}
		})
	}
}
