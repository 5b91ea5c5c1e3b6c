package policiestest

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/policies"
)

// rulesRoot and testRulesRoot pair each rule package with its test package:
// portguard.rules.ranges.database_outside_range is tested in
// portguard.test.rules.ranges.database_outside_range.
const (
	rulesRoot     = engine.RulesRoot + "."
	testRulesRoot = "portguard.test.rules."
)

// catalog is DESIGN 3.3: rule ids are a public interface and their
// severities are part of it.
var catalog = map[string]string{
	"DBP101": "error", "DBP102": "error", "DBP103": "error", "DBP104": "error",
	"DBP201": "error", "DBP202": "error", "DBP203": "error", "DBP204": "warning",
	"DBP205": "error", "DBP206": "error",
	"DBP301": "error", "DBP302": "warning",
	"DBP401": "error", "DBP402": "error",
	"DBP501": "error", "DBP502": "error", "DBP503": "warning", "DBP504": "error",
	"DBP601": "error", "DBP602": "error", "DBP603": "warning",
	"DBP701": "error", "DBP702": "error", "DBP703": "error", "DBP704": "error", "DBP705": "error",
	"DBP801": "error", "DBP802": "error", "DBP803": "error", "DBP804": "warning", "DBP805": "warning",
}

// regoFile is one .rego source of an embedded tree, named by its path in
// the repository.
type regoFile struct {
	name string
	src  []byte
}

func regoFiles(t *testing.T, fsys fs.FS, prefix string, keep func(string) bool) []regoFile {
	t.Helper()
	var out []regoFile
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(p, ".rego") || !keep(p) {
			return nil
		}
		src, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		out = append(out, regoFile{name: prefix + p, src: src})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func testFiles(t *testing.T) []regoFile {
	return regoFiles(t, FS, "policies_test/", func(string) bool { return true })
}

func parse(t *testing.T, files []regoFile) map[string]*ast.Module {
	t.Helper()
	modules := map[string]*ast.Module{}
	for _, f := range files {
		m, err := ast.ParseModuleWithOpts(f.name, string(f.src), ast.ParserOptions{ProcessAnnotation: true, RegoVersion: ast.RegoV1})
		if err != nil {
			t.Fatalf("%s does not parse: %v", f.name, err)
		}
		modules[f.name] = m
	}
	return modules
}

// TestRego runs every Rego unit test over the built-in policies and data
// through engine.RunTests, the runner of `portguard verify`, so `go test`
// and verify load the same modules, data and sandboxed capabilities. Each
// Rego test is a subtest.
func TestRego(t *testing.T) {
	report, err := engine.RunTests(context.Background(), engine.TestOptions{BuiltinTests: FS})
	if err != nil {
		t.Fatalf("the Rego tests do not run: %v", err)
	}
	if len(report.Tests) == 0 {
		t.Fatal("no Rego test ran")
	}
	for _, r := range report.Tests {
		t.Run(r.Name, func(t *testing.T) {
			where := fmt.Sprintf("%s:%d: ", r.File, r.Line)
			switch r.Status {
			case engine.TestSkip:
				t.Errorf("%s%s: a todo_ test, which OPA skips: the built-in policies' tests are all written", where, r.Name)
			case engine.TestError:
				t.Errorf("%s%s: error: %s%s", where, r.Name, r.Error, output(r.Output))
			case engine.TestFail:
				t.Errorf("%s%s: fails (at %s)%s", where, r.Name, r.FailedAt, output(r.Output))
			}
		})
	}
	t.Logf("%d Rego tests", len(report.Tests))
}

func output(out string) string {
	if strings.TrimSpace(out) == "" {
		return ""
	}
	return "\n" + out
}

// TestMetadata checks that every rule package carries the METADATA the
// catalog is read from, that the engine accepts it, and that the rules of
// DESIGN 3.3 keep the severity it gives them.
func TestMetadata(t *testing.T) {
	modules, err := engine.BuiltinModules(true)
	if err != nil {
		t.Fatal(err)
	}
	compiler := ast.NewCompiler().WithCapabilities(engine.Capabilities())
	if compiler.Compile(modules); compiler.Failed() {
		t.Fatalf("the policies do not compile: %v", compiler.Errors)
	}
	annotated := map[string]*ast.Annotations{}
	for _, ref := range compiler.GetAnnotationSet().Flatten() {
		if a := ref.Annotations; a != nil && a.Scope == "package" {
			annotated[strings.TrimPrefix(ref.Path.String(), "data.")] = a
		}
	}
	ids := map[string]string{}
	rules := 0
	for _, name := range slices.Sorted(maps.Keys(modules)) {
		pkg := strings.TrimPrefix(modules[name].Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, rulesRoot) {
			continue
		}
		rules++
		a := annotated[pkg]
		if a == nil {
			t.Errorf("%s: package %s has no package METADATA", name, pkg)
			continue
		}
		for _, problem := range metadataProblems(a) {
			t.Errorf("%s: package %s: %s", name, pkg, problem)
		}
		id, _ := a.Custom["id"].(string)
		if other, dup := ids[id]; dup && id != "" {
			t.Errorf("%s: rule id %s is already used by %s", name, id, other)
		}
		ids[id] = name
	}
	if rules == 0 {
		t.Fatal("no rule package under " + engine.RulesRoot)
	}

	e, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	var fromEngine []string
	for _, r := range e.Rules() {
		fromEngine = append(fromEngine, r.ID)
	}
	if want := slices.Sorted(maps.Keys(ids)); !slices.Equal(fromEngine, want) {
		t.Errorf("engine catalog %v, METADATA ids %v", fromEngine, want)
	}
}

var ruleIDRE = regexp.MustCompile(`^DBP[0-9]{3}$`)

func metadataProblems(a *ast.Annotations) []string {
	var out []string
	if strings.TrimSpace(a.Title) == "" {
		out = append(out, "METADATA lacks title")
	}
	if strings.TrimSpace(a.Description) == "" {
		out = append(out, "METADATA lacks description")
	}
	if len(a.RelatedResources) == 0 {
		out = append(out, "METADATA lacks related_resources")
	}
	for _, r := range a.RelatedResources {
		if r.Ref.String() == "" || !strings.HasPrefix(r.Ref.Scheme, "http") {
			out = append(out, fmt.Sprintf("related_resources ref %q is not a link", r.Ref.String()))
		}
	}
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	id, severity := str("id"), str("severity")
	switch {
	case id == "":
		out = append(out, "METADATA lacks custom.id")
	case !ruleIDRE.MatchString(id):
		out = append(out, fmt.Sprintf("custom.id %q is not DBPnnn", id))
	}
	switch {
	case severity == "":
		out = append(out, "METADATA lacks custom.severity")
	case !slices.Contains([]string{"error", "warning", "note"}, severity):
		out = append(out, fmt.Sprintf("custom.severity %q is not error, warning or note", severity))
	case catalog[id] != "" && catalog[id] != severity:
		out = append(out, fmt.Sprintf("custom.severity of %s is %q; DESIGN 3.3 says %q", id, severity, catalog[id]))
	}
	if str("remediation") == "" {
		out = append(out, "METADATA lacks custom.remediation")
	}
	tags, _ := a.Custom["tags"].([]any)
	if len(tags) == 0 {
		out = append(out, "METADATA lacks custom.tags")
	}
	for _, tag := range tags {
		if s, ok := tag.(string); !ok || strings.TrimSpace(s) == "" {
			out = append(out, fmt.Sprintf("custom.tags holds %v, not a word", tag))
		}
	}
	return out
}

// TestFormat checks that every .rego file is as `opa fmt` (and portguard
// fmt) writes it.
func TestFormat(t *testing.T) {
	files := append(regoFiles(t, policies.FS, "policies/", func(string) bool { return true }), testFiles(t)...)
	for _, f := range files {
		got, err := engine.Format(f.name, f.src)
		if err != nil {
			t.Errorf("%s: cannot format: %v", f.name, err)
			continue
		}
		if !bytes.Equal(got, f.src) {
			t.Errorf("%s is not formatted: run portguard fmt on it", f.name)
		}
	}
}

// TestEveryRuleHasTests checks that each rule of the catalog has a test
// package that mirrors it (policies/<area>/<rule>.rego is tested in
// policies_test/<area>/<rule>_test.rego) with test_fail_ and test_success_
// tests, and that no test package tests a rule that does not exist.
func TestEveryRuleHasTests(t *testing.T) {
	e, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatalf("engine.New: %v", err)
	}
	tests := parse(t, testFiles(t))
	byPackage := map[string]*ast.Module{}
	for _, m := range tests {
		byPackage[strings.TrimPrefix(m.Package.Path.String(), "data.")] = m
	}
	rulePackages := map[string]bool{}
	for _, r := range e.Rules() {
		rulePackages[r.Package] = true
		want := testRulesRoot + strings.TrimPrefix(r.Package, rulesRoot)
		m := byPackage[want]
		if m == nil {
			t.Errorf("%s (%s) has no test package %s", r.ID, r.Package, want)
			continue
		}
		file := "policies_test/" + strings.TrimSuffix(strings.TrimPrefix(r.File, "policies/"), ".rego") + "_test.rego"
		if m.Package.Location.File != file {
			t.Errorf("%s is tested in %s; put the tests in %s", r.ID, m.Package.Location.File, file)
		}
		for _, prefix := range []string{"test_fail_", "test_success_"} {
			if !slices.ContainsFunc(m.Rules, func(rule *ast.Rule) bool {
				return strings.HasPrefix(rule.Head.Name.String(), prefix) || strings.HasPrefix(rule.Head.Ref()[0].String(), prefix)
			}) {
				t.Errorf("%s: %s has no %s* test", m.Package.Location.File, r.ID, prefix)
			}
		}
	}
	for pkg, m := range byPackage {
		if !strings.HasPrefix(pkg, testRulesRoot) {
			continue
		}
		if rule := rulesRoot + strings.TrimPrefix(pkg, testRulesRoot); !rulePackages[rule] {
			t.Errorf("%s tests %s, which is not a rule", m.Package.Location.File, rule)
		}
	}
}
