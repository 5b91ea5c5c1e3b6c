package engine

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/vm"
)

// converters are the two direct conversions, the native one read back as
// the OPA value it stands for.
var converters = map[string]func(any) (ast.Value, error){
	"toValue": toValue,
	"toNative": func(v any) (ast.Value, error) {
		x, err := toNative(v)
		if err != nil {
			return nil, err
		}
		return vm.Plain(ast.NewTerm(x)).Value, nil
	},
}

// TestToValueMatchesJSON checks that the direct conversions give exactly
// the value of the JSON round trip, on the examples, the end-to-end
// fixtures and the corpus.
func TestToValueMatchesJSON(t *testing.T) {
	dirs, _ := filepath.Glob("../../testdata/e2e/*")
	more, _ := filepath.Glob("../../../shared/corpus/real-world/*")
	dirs = append(append(dirs, "../../examples/violating", "../../examples/compliant"), more...)
	if len(dirs) < 10 {
		t.Fatalf("found only %d fixture directories", len(dirs))
	}
	for _, dir := range dirs {
		doc, err := input.Load(input.Options{Root: dir})
		if err != nil {
			continue // a fixture of a broken config
		}
		raw, err := json.Marshal(doc)
		if err != nil {
			t.Fatal(err)
		}
		want, err := ast.ValueFromReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		for name, convert := range converters {
			got, err := convert(doc)
			if err != nil {
				t.Fatalf("%s: %v", dir, err)
			}
			if want.Compare(got) != 0 {
				t.Errorf("%s: %s differs from the JSON round trip", dir, name)
			}
		}
	}
}

func TestToValueShapes(t *testing.T) {
	type inner struct {
		A int `json:"a"`
	}
	type sample struct {
		inner
		S     string         `json:"s"`
		P     *int           `json:"p"`
		L     []string       `json:"l"`
		M     map[string]any `json:"m"`
		Skip  string         `json:"-"`
		Empty string         `json:"empty,omitempty"`
		F     float64        `json:"f"`
	}
	// A YAML timestamp in x-portguard decodes to a time.Time: it
	// converts to its JSON encoding.
	when := time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)
	v := sample{inner: inner{A: 1}, S: "x", M: map[string]any{"k": []any{1, "two", 2.5, nil, true}, "t": when, "n": map[string]any{"d": []any{map[string]any{"e": 1}}}}, F: 0.5}
	want := ast.MustParseTerm(`{"a": 1, "s": "x", "p": null, "l": null, "m": {"k": [1, "two", 2.5, null, true], "t": "2027-01-31T00:00:00Z", "n": {"d": [{"e": 1}]}}, "f": 0.5}`).Value
	for name, convert := range converters {
		got, err := convert(v)
		if err != nil {
			t.Fatal(err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
	}
}

// TestToValueLongList converts a list long enough to be split over the
// cores, with an error in its last part.
func TestToValueLongList(t *testing.T) {
	items := make([]map[string]any, 3*parallelFrom+7)
	for i := range items {
		items[i] = map[string]any{"i": i, "name": "svc"}
	}
	raw, _ := json.Marshal(map[string]any{"services": items})
	want, err := ast.ValueFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	bad := make([]any, 2*parallelFrom)
	for i := range bad {
		bad[i] = i
	}
	bad[len(bad)-1] = map[int]string{1: "x"}
	for name, convert := range converters {
		got, err := convert(map[string]any{"services": items})
		if err != nil {
			t.Fatal(err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("the parallel conversion of %s differs from the JSON round trip", name)
		}
		if _, err := convert(map[string]any{"services": bad}); err == nil {
			t.Errorf("%s: a map with int keys in the last part converted without error", name)
		}
	}
}

// TestToValueRecursiveAndInvalid: a type that contains itself converts
// like its JSON encoding, and a value JSON cannot encode is an error, with
// either converter.
func TestToValueRecursiveAndInvalid(t *testing.T) {
	type node struct {
		Name string  `json:"name"`
		Kids []*node `json:"kids,omitempty"`
		Next *node   `json:"next"`
	}
	tree := &node{Name: "a", Kids: []*node{{Name: "b"}, {Name: "c", Next: &node{Name: "d"}}}}
	raw, _ := json.Marshal(tree)
	want, err := ast.ValueFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	for name, convert := range converters {
		got, err := convert(tree)
		if err != nil {
			t.Fatal(err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("%s = %v, want %v", name, got, want)
		}
		if _, err := convert(map[string]any{"c": make(chan int)}); err == nil {
			t.Errorf("%s converted a channel", name)
		}
	}
}
