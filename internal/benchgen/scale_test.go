package benchgen_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/benchgen"
	"github.com/portguard/portguard/internal/engine"
)

// TestInjectedViolationsAreReported checks correctness at scale: on a
// generated repository every injected violation is reported with its rule,
// file and service, and the rest of the repository is clean.
func TestInjectedViolationsAreReported(t *testing.T) {
	dir := t.TempDir()
	injected, err := benchgen.Generate(dir, benchgen.Spec{Files: 12, Services: 600, Violate: 0.05})
	if err != nil {
		t.Fatal(err)
	}
	if len(injected) < 10 {
		t.Fatalf("only %d violations injected", len(injected))
	}
	// violations.json lists the same violations.
	raw, err := os.ReadFile(filepath.Join(dir, "violations.json"))
	if err != nil {
		t.Fatal(err)
	}
	var listed []benchgen.Violation
	if err := json.Unmarshal(raw, &listed); err != nil || len(listed) != len(injected) {
		t.Fatalf("violations.json: %d entries (%v), want %d", len(listed), err, len(injected))
	}

	doc, err := input.Load(input.Options{Root: dir})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Errors) > 0 || len(doc.Services) != 600 {
		t.Fatalf("%d services, errors %v", len(doc.Services), doc.Errors)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := eng.Eval(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]int{}
	for _, f := range fs {
		got[fmt.Sprintf("%s %s %s", f.RuleID, f.File, f.Service)]++
	}
	want := map[string]int{}
	for _, v := range injected {
		want[fmt.Sprintf("%s %s %s", v.Rule, v.File, v.Service)]++
	}
	var missing, extra []string
	for k := range want {
		if got[k] == 0 {
			missing = append(missing, k)
		}
	}
	for k := range got {
		if want[k] == 0 {
			extra = append(extra, k)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("injected violations not reported: %v\nfindings that were not injected: %v", missing, extra)
	}
}
