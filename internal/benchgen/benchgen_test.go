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
	sameFiles(t, a, b, "violations.json")
}

// A varied repository is the same for the same seed, another for another.
func TestGenerateVariedIsDeterministic(t *testing.T) {
	a, b, c := t.TempDir(), t.TempDir(), t.TempDir()
	for dir, seed := range map[string]uint64{a: 7, b: 7, c: 8} {
		if v, err := Generate(dir, Spec{Files: 3, Services: 60, Violate: 0.3, Seed: seed}); err != nil || v != nil {
			t.Fatalf("seed %d: %v, violations %v (a varied repository lists none)", seed, err, v)
		}
	}
	sameFiles(t, a, b)
	x, _ := os.ReadFile(filepath.Join(a, "stacks/s000/docker-compose.yml"))
	y, _ := os.ReadFile(filepath.Join(c, "stacks/s000/docker-compose.yml"))
	if string(x) == string(y) {
		t.Error("seeds 7 and 8 give the same compose file")
	}
}

// sameFiles fails unless the two repositories hold the same bytes in their
// compose files, .env, table and the extra files named.
func sameFiles(t *testing.T, a, b string, extra ...string) {
	t.Helper()
	for _, f := range append([]string{"stacks/s000/docker-compose.yml", "stacks/s002/docker-compose.yml", ".env", "PORTS-CONVENTION.md"}, extra...) {
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
