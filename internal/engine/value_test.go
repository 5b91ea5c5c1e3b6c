package engine

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/input"
)

// TestToValueMatchesJSON checks that the direct conversion gives exactly
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
		got, err := toValue(doc)
		if err != nil {
			t.Fatalf("%s: %v", dir, err)
		}
		if want.Compare(got) != 0 {
			t.Errorf("%s: toValue differs from the JSON round trip", dir)
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
	got, err := toValue(sample{inner: inner{A: 1}, S: "x", M: map[string]any{"k": []any{1, "two", 2.5, nil, true}}, F: 0.5})
	if err != nil {
		t.Fatal(err)
	}
	want := ast.MustParseTerm(`{"a": 1, "s": "x", "p": null, "l": null, "m": {"k": [1, "two", 2.5, null, true]}, "f": 0.5}`).Value
	if want.Compare(got) != 0 {
		t.Errorf("toValue = %v, want %v", got, want)
	}
}

// TestToValueLongList converts a list long enough to be split over the
// cores, with an error in its last part.
func TestToValueLongList(t *testing.T) {
	items := make([]map[string]any, 3*parallelFrom+7)
	for i := range items {
		items[i] = map[string]any{"i": i, "name": "svc"}
	}
	got, err := toValue(map[string]any{"services": items})
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(map[string]any{"services": items})
	want, err := ast.ValueFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if want.Compare(got) != 0 {
		t.Error("the parallel conversion differs from the JSON round trip")
	}
	bad := make([]any, 2*parallelFrom)
	for i := range bad {
		bad[i] = i
	}
	bad[len(bad)-1] = map[int]string{1: "x"}
	if _, err := toValue(map[string]any{"services": bad}); err == nil {
		t.Error("a map with int keys in the last part converted without error")
	}
}
