package benchgen

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestGenerateIsDeterministic(t *testing.T) {
	a, b := t.TempDir(), t.TempDir()
	spec := Spec{Files: 3, Services: 60, Violate: 0.1}
	va, err := Generate(a, spec)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := Generate(b, spec)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(va, vb) || len(va) == 0 {
		t.Fatalf("violations differ or are empty: %v vs %v", va, vb)
	}
	for _, f := range []string{"stacks/s000/docker-compose.yml", "stacks/s002/docker-compose.yml", ".env", "PORTS-CONVENTION.md", "violations.json"} {
		x, err := os.ReadFile(filepath.Join(a, f))
		if err != nil {
			t.Fatal(err)
		}
		y, _ := os.ReadFile(filepath.Join(b, f))
		if string(x) != string(y) {
			t.Errorf("%s differs between two runs of the same spec", f)
		}
	}
}

func TestGenerateRejectsEmptySpec(t *testing.T) {
	if _, err := Generate(t.TempDir(), Spec{Files: 0, Services: 10}); err == nil {
		t.Error("a spec without files must be refused")
	}
}
