package engine

import (
	"context"
	"errors"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/treetest"
)

// writeTree writes files (path -> content) under a new temporary directory.
func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	return treetest.WriteTemp(t, files)
}

// sampleDoc is a small input document with two services.
var sampleDoc = map[string]any{
	"files": []any{map[string]any{"path": "docker-compose.yml"}},
	"services": []any{
		map[string]any{"name": "db", "file": "docker-compose.yml", "line": 3, "image": "postgres:latest"},
		map[string]any{"name": "web", "file": "docker-compose.yml", "line": 9, "image": "nginx:1.27"},
	},
}

func TestSandboxedBuiltinsFailToCompile(t *testing.T) {
	cases := []struct{ builtin, call string }{
		{"http.send", `http.send({"method": "GET", "url": "https://example.com"})`},
		{"net.lookup_ip_addr", `net.lookup_ip_addr("example.com")`},
		{"opa.runtime", `opa.runtime()`},
		{"time.now_ns", `time.now_ns()`},
		{"rand.intn", `rand.intn("x", 10)`},
		{"uuid.rfc4122", `uuid.rfc4122("x")`},
	}
	for _, c := range cases {
		t.Run(c.builtin, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"sneaky.rego": "package main\n\ndeny contains msg if {\n\tx := " + c.call + "\n\tmsg := sprintf(\"%v\", [x])\n}\n"})
			_, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
			var pe *PolicyError
			if !errors.As(err, &pe) {
				t.Fatalf("New = %v, want a *PolicyError", err)
			}
			want := filepath.ToSlash(filepath.Join(dir, "sneaky.rego")) + ":4:"
			for _, s := range []string{want, "builtin " + c.builtin + " is not available"} {
				if !strings.Contains(pe.Msg, s) {
					t.Errorf("error does not contain %q:\n%s", s, pe.Msg)
				}
			}
		})
	}
}

func TestConftestStylePolicies(t *testing.T) {
	dir := writeTree(t, map[string]string{
		"main.rego": `package main

deny contains msg if {
	some s in input.services
	endswith(s.image, ":latest")
	msg := sprintf("%s uses a latest tag", [s.name])
}

warn contains msg if {
	some s in input.services
	s.name == "web"
	msg := {"msg": "web has no healthcheck", "file": s.file, "line": s.line, "service": s.name}
}
`,
		"nested/compose.rego": `# METADATA
# title: No nginx
# description: Nginx is not allowed here.
# custom:
#   remediation: Use caddy.
package compose.images

violation_nginx contains {"msg": "nginx found", "line": 9, "column": 5} if {
	some s in input.services
	startswith(s.image, "nginx")
}

# not a conftest rule name: never reported
denied contains "x" if true
`,
		// Tests are never loaded by check: this one would add a finding.
		"main_test.rego": "package main\n\ndeny contains \"from a test file\" if true\n",
	})
	e, err := New(context.Background(), Options{PolicyDirs: []string{dir}, NoBuiltin: true})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Eval(context.Background(), sampleDoc)
	if err != nil {
		t.Fatal(err)
	}
	want := []finding.Finding{
		{RuleID: "compose.images.violation_nginx", Severity: "error", Message: "nginx found", File: "docker-compose.yml", Line: 9, Column: 5, Related: []finding.Related{}},
		{RuleID: "main.deny", Severity: "error", Message: "db uses a latest tag", File: "docker-compose.yml", Line: 1, Column: 1, Related: []finding.Related{}},
		{RuleID: "main.warn", Severity: "warning", Message: "web has no healthcheck", File: "docker-compose.yml", Line: 9, Column: 1, Service: "web", Related: []finding.Related{}},
	}
	finding.Sort(want)
	if !reflect.DeepEqual(got, want) {
		t.Errorf("findings:\n got %+v\nwant %+v", got, want)
	}

	rules := map[string]finding.Rule{}
	var ids []string
	for _, r := range e.Rules() {
		rules[r.ID] = r
		ids = append(ids, r.ID)
	}
	if want := []string{"compose.images.violation_nginx", "main.deny", "main.warn"}; !reflect.DeepEqual(ids, want) {
		t.Errorf("catalog ids %v, want %v", ids, want)
	}
	if r := rules["compose.images.violation_nginx"]; r.Title != "No nginx" || r.Description != "Nginx is not allowed here." || r.Remediation != "Use caddy." || r.Severity != "error" {
		t.Errorf("catalog entry from METADATA: %+v", r)
	}
	if r := rules["main.warn"]; r.Severity != "warning" || r.Title == "" || r.Description == "" || r.Remediation == "" || r.File == "" {
		t.Errorf("catalog entry without METADATA is incomplete: %+v", r)
	}
}

func TestConftestMessageOfTheWrongShape(t *testing.T) {
	for name, body := range map[string]string{
		"object without msg": `deny contains {"message": "x"} if true`,
		"number":             `deny contains 42 if true`,
	} {
		t.Run(name, func(t *testing.T) {
			dir := writeTree(t, map[string]string{"p.rego": "package main\n\n" + body + "\n"})
			e, err := New(context.Background(), Options{PolicyDirs: []string{dir}, NoBuiltin: true})
			if err != nil {
				t.Fatal(err)
			}
			_, err = e.Eval(context.Background(), sampleDoc)
			var pe *PolicyError
			if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "main.deny") || !strings.Contains(pe.Msg, "p.rego") {
				t.Errorf("Eval = %v, want a policy error naming main.deny and its file", err)
			}
		})
	}
}

const customRule = `# METADATA
# title: Image without a pinned tag
# description: A service runs an image tagged latest.
# related_resources:
#   - ref: https://example.com/rules#custom001
# custom:
#   id: CUSTOM001
#   severity: warning
#   remediation: Pin the image.
#   tags: [images]
package portguard.rules.custom.image_tag_pinned

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(s), {
	"service": s.name,
	"message": sprintf("%s runs %s", [s.name, s.image]),
})) if {
	some s in input.services
	endswith(s.image, ":latest")
}
`

func TestContractPolicyJoinsTheCatalog(t *testing.T) {
	dir := writeTree(t, map[string]string{"custom/image_tag_pinned.rego": customRule})
	e, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	if err != nil {
		t.Fatal(err)
	}
	var found *finding.Rule
	for _, r := range e.Rules() {
		if r.ID == "CUSTOM001" {
			found = &r
		}
	}
	if found == nil {
		t.Fatal("CUSTOM001 is not in the catalog")
	}
	if found.Severity != "warning" || found.HelpURI != "https://example.com/rules#custom001" || found.Package != "portguard.rules.custom.image_tag_pinned" {
		t.Errorf("catalog entry %+v", *found)
	}
	fs, err := e.Eval(context.Background(), sampleDoc)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range fs {
		if f.RuleID == "CUSTOM001" {
			n++
			if f.Service != "db" || f.Line != 3 || f.Severity != "warning" {
				t.Errorf("finding %+v", f)
			}
		}
	}
	if n != 1 {
		t.Errorf("%d CUSTOM001 findings, want 1: %+v", n, fs)
	}
}

func TestRulePackageOfTheWrongDepth(t *testing.T) {
	dir := writeTree(t, map[string]string{"x.rego": "package portguard.rules.custom\n\nreport contains 1 if true\n"})
	_, err := New(context.Background(), Options{PolicyDirs: []string{dir}})
	var pe *PolicyError
	if !errors.As(err, &pe) || !strings.Contains(pe.Msg, "x.rego:1") || !strings.Contains(pe.Msg, "portguard.rules.<area>.<rule>") {
		t.Errorf("New = %v, want a policy error at x.rego:1", err)
	}
}

func TestSinglePolicyFile(t *testing.T) {
	dir := writeTree(t, map[string]string{"one.rego": "package main\n\ndeny contains \"one\" if true\n", "two.rego": "package main\n\nwarn contains \"two\" if true\n"})
	e, err := New(context.Background(), Options{PolicyDirs: []string{filepath.Join(dir, "one.rego")}, NoBuiltin: true})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := e.Eval(context.Background(), sampleDoc)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 1 || fs[0].RuleID != "main.deny" {
		t.Errorf("findings %+v, want main.deny alone", fs)
	}
}

func TestBuiltinLoaders(t *testing.T) {
	all, err := BuiltinModules(true)
	if err != nil {
		t.Fatal(err)
	}
	lib, err := BuiltinModules(false)
	if err != nil {
		t.Fatal(err)
	}
	if len(lib) == 0 || len(lib) >= len(all) {
		t.Errorf("%d library modules of %d", len(lib), len(all))
	}
	for name := range all {
		if !strings.HasPrefix(name, "policies/") || IsTestFile(name) {
			t.Errorf("built-in module %s", name)
		}
	}
	for name := range lib {
		if !strings.HasPrefix(name, "policies/lib/") {
			t.Errorf("library module %s", name)
		}
	}
	data, err := BuiltinData()
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := data["images"]; !ok {
		keys := make([]string, 0, len(data))
		for k := range data {
			keys = append(keys, k)
		}
		t.Errorf("built-in data has no images knowledge base: keys %v", keys)
	}
}
