package fix_test

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/fix"
	"github.com/portguard/portguard/internal/treetest"
)

// update rewrites testdata/fix/<case>/expected.diff: go test ./internal/fix -update
var update = flag.Bool("update", false, "rewrite the expected diffs under testdata/fix")

const casesDir = "../../testdata/fix"

var (
	engineOnce sync.Once
	eng        *engine.Engine
	engineErr  error
)

// check runs the pipeline of `portguard check` on root: the document and
// the active findings.
func check(t *testing.T, root string) (*input.Document, []finding.Finding) {
	t.Helper()
	engineOnce.Do(func() { eng, engineErr = engine.New(context.Background(), engine.Options{}) })
	if engineErr != nil {
		t.Fatal(engineErr)
	}
	doc, err := input.Load(input.Options{Root: root})
	if err != nil {
		t.Fatal(err)
	}
	if len(doc.Errors) > 0 {
		t.Fatalf("input errors: %+v", doc.Errors)
	}
	fs, err := eng.Eval(context.Background(), doc)
	if err != nil {
		t.Fatal(err)
	}
	sup, err := eng.Suppress(context.Background(), doc, fs, nil, time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	return doc, sup.Active
}

// TestGoldenFixes runs fix on every fixture stack under testdata/fix: the
// diff is exactly expected.diff (comments, quoting and every other byte
// kept), the files are written, check then reports none of the fixed
// rules, and a second fix changes nothing.
func TestGoldenFixes(t *testing.T) {
	cases, err := os.ReadDir(casesDir)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if !c.IsDir() {
			continue
		}
		t.Run(c.Name(), func(t *testing.T) {
			dir := filepath.Join(casesDir, c.Name())
			root := treetest.CopyTemp(t, filepath.Join(dir, "input"))
			doc, findings := check(t, root)
			plan, err := fix.Build(context.Background(), root, doc, findings, eng)
			if err != nil {
				t.Fatalf("fix.Build: %v", err)
			}
			var diff bytes.Buffer
			if err := plan.WriteDiff(&diff); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join(dir, "expected.diff")
			if *update {
				if err := os.WriteFile(golden, diff.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (create it with go test ./internal/fix -update)", err)
			}
			if diff.String() != string(want) {
				t.Errorf("the diff of fix differs from %s (refresh with -update if intended):\n%s", golden, diff.String())
			}
			assertDistinctNewPorts(t, plan)

			if err := plan.Apply(); err != nil {
				t.Fatal(err)
			}
			for _, f := range plan.Files {
				got, err := os.ReadFile(filepath.Join(root, f.Path))
				if err != nil || !bytes.Equal(got, f.New) {
					t.Errorf("%s: the file on disk is not the planned one (%v)", f.Path, err)
				}
			}

			fixed := plan.Rules()
			_, after := check(t, root)
			for _, f := range after {
				if slices.Contains(fixed, f.RuleID) {
					t.Errorf("after fix, check still reports %s %s:%d: %s", f.RuleID, f.File, f.Line, f.Message)
				}
				if f.Fix != nil && len(f.Fix.Edits)+len(f.Fix.Env)+len(f.Fix.Rows) > 0 {
					t.Errorf("after fix, %s %s:%d still has a fix: %+v", f.RuleID, f.File, f.Line, *f.Fix)
				}
			}
			doc2, findings2 := check(t, root)
			again, err := fix.Build(context.Background(), root, doc2, findings2, eng)
			if err != nil {
				t.Fatalf("second fix.Build: %v", err)
			}
			if len(again.Files) > 0 {
				var d bytes.Buffer
				_ = again.WriteDiff(&d)
				t.Errorf("a second fix changes files:\n%s", d.String())
			}
		})
	}
}

// assertDistinctNewPorts checks that no two edited mappings of different
// services get the same new port.
func assertDistinctNewPorts(t *testing.T, plan *fix.Plan) {
	t.Helper()
	owner := map[int]string{}
	for _, f := range plan.Fixed {
		if f.Fix == nil {
			continue
		}
		for _, e := range f.Fix.Edits {
			if prev, ok := owner[e.Port]; ok && prev != f.Service {
				t.Errorf("port %d goes to both %s and %s", e.Port, prev, f.Service)
			}
			owner[e.Port] = f.Service
		}
	}
}

// TestGoldenFixturesShowTheCases guards the fixtures: each case is named
// for what it shows, and these must keep showing it.
func TestGoldenFixturesShowTheCases(t *testing.T) {
	read := func(name string) string {
		b, err := os.ReadFile(filepath.Join(casesDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	if !strings.Contains(read("crlf-utf8/input/docker-compose.yml"), "\r\n") {
		t.Error("crlf-utf8: the compose file must use CRLF line endings")
	}
	if !strings.HasPrefix(read("crlf-utf8/input/docker-compose.yml"), "\ufeff") {
		t.Error("crlf-utf8: the compose file must start with a byte order mark")
	}
	if _, err := os.Stat(filepath.Join(casesDir, "created-files/input/.env")); err == nil {
		t.Error("created-files: the fixture must have no .env")
	}
	if !strings.Contains(read("generated-table/input/PORTS-CONVENTION.md"), input.GeneratedBegin) {
		t.Error("generated-table: the fixture must hold a generated table")
	}
	if !strings.Contains(read("env-drift/input/docker-compose.yml"), "${REDIS_PORT:-7002}") || read("env-drift/input/.env") != "REDIS_PORT=7003\n" ||
		!strings.Contains(read("env-drift/input/PORTS-CONVENTION.md"), "| 7002 | redis |") {
		t.Error("env-drift: the .env must drift (7003) from the default the table documents (7002)")
	}
	if table := read("moves-to-its-row/input/PORTS-CONVENTION.md"); !strings.Contains(table, "| 7050 | pgadmin |") || !strings.Contains(table, "| 7100 | pgAdmin |") {
		t.Error("moves-to-its-row: the table must document pgadmin at 7050, where it is, and at 7100, where it goes")
	}
	if !strings.Contains(read("stale-row-follows/input/PORTS-CONVENTION.md"), "| 7100 | pgadmin |") || !strings.Contains(read("stale-row-follows/input/docker-compose.yml"), "7150") {
		t.Error("stale-row-follows: pgadmin must publish 7150 with its row at 7100")
	}
	if !strings.Contains(read("extends-documents-what-is-published/input/docker-compose.yml"), "extends: db") ||
		strings.Contains(read("extends-documents-what-is-published/input/PORTS-CONVENTION.md"), "| 7001 |") {
		t.Error("extends-documents-what-is-published: orders-db must inherit db's undocumented mapping through extends")
	}
}
