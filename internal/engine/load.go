package engine

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/policies"
)

// The loaders below are the one implementation of "what the engine loads":
// check (New), verify (RunTests) and the Go tests of policies_test all go
// through them, so a test never runs over a different set of modules or
// data than a check.

// IsTestFile reports whether a Rego file holds unit tests (*_test.rego),
// which check never loads and verify does.
func IsTestFile(name string) bool { return strings.HasSuffix(name, "_test.rego") }

// isTestPackage reports whether a module holds tests, not a rule: any
// package of a *_test.rego file, or a package whose name ends in _test (as
// `opa test` users name them, portguard.rules.team.mine_test included).
// A test package needs no METADATA and is never part of the catalog.
func isTestPackage(file string, pkg ast.Ref) bool {
	if IsTestFile(file) {
		return true
	}
	last, ok := pkg[len(pkg)-1].Value.(ast.String)
	return ok && strings.HasSuffix(string(last), "_test")
}

// BuiltinModules parses the embedded policies as check loads them, named
// policies/<area>/<rule>.rego: the rules and the library, never tests.
// withRules false keeps the library alone (--no-builtin), so user rules can
// still use it.
func BuiltinModules(withRules bool) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	err := addModules(modules, policies.FS, ".", "policies", func(p string) bool {
		return !IsTestFile(p) && (withRules || strings.HasPrefix(p, "lib/"))
	})
	return modules, err
}

// TestModules parses the *_test.rego files of fsys (the built-in tests are
// policiestest.FS), named display/<path>.
func TestModules(fsys fs.FS, display string) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	err := addModules(modules, fsys, ".", display, IsTestFile)
	return modules, err
}

// UserModules parses the policies of --policy paths (directories, walked
// recursively, or single .rego files), never their tests.
func UserModules(paths []string) (map[string]*ast.Module, error) {
	return userModules(paths, func(p string) bool { return !IsTestFile(p) })
}

// UserTestModules parses the *_test.rego files of --policy paths.
func UserTestModules(paths []string) (map[string]*ast.Module, error) {
	return userModules(paths, IsTestFile)
}

func userModules(paths []string, keep func(string) bool) (map[string]*ast.Module, error) {
	modules := map[string]*ast.Module{}
	for _, p := range paths {
		dir, root := p, "."
		st, err := os.Stat(p)
		if err != nil {
			return nil, &PathError{Flag: "--policy", Path: p, Err: err}
		}
		if !st.IsDir() {
			// A single file: walk its directory from the file alone.
			dir, root = filepath.Dir(p), filepath.Base(p)
		}
		if err := addModules(modules, os.DirFS(dir), root, filepath.ToSlash(dir), keep); err != nil {
			return nil, err
		}
	}
	return modules, nil
}

// BuiltinData is the embedded knowledge base (policies/data/*.json) as the
// engine mounts it at data.portguard.
func BuiltinData() (map[string]any, error) { return loadData(nil) }

// LoadData is BuiltinData with the --data files and directories merged over
// it: objects merge key by key, anything else is replaced.
func LoadData(paths []string) (map[string]any, error) { return loadData(paths) }

// KnowledgeBase is the image knowledge base that classifies the services
// (input.Options.Knowledge): the built-in one, with the --data files merged
// over it as the engine merges them, so an image a team adds in a data
// file is classified like a built-in one.
func KnowledgeBase(dataPaths []string) (*input.KnowledgeBase, error) {
	if len(dataPaths) == 0 {
		return input.BuiltinKnowledgeBase()
	}
	data, err := LoadData(dataPaths)
	if err != nil {
		return nil, err
	}
	images, _ := data["images"].(map[string]any)
	kb, err := input.NewKnowledgeBase(images)
	if err != nil {
		return nil, &PolicyError{Msg: "the knowledge base in --data: " + err.Error()}
	}
	return kb, nil
}

// NewStore mounts data (from LoadData) at data.portguard.
func NewStore(data map[string]any) storage.Store {
	return inmem.NewFromObject(map[string]any{"portguard": data})
}

// checkRulePackages rejects a module under portguard.rules whose package is
// not portguard.rules.<area>.<rule>: the findings query reads exactly that
// depth, so its findings would silently never be reported.
func checkRulePackages(modules map[string]*ast.Module) error {
	var bad []string
	for name, m := range modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, RulesRoot+".") || len(m.Package.Path) == 5 || isTestPackage(name, m.Package.Path) {
			continue
		}
		line := 1
		if m.Package.Location != nil {
			line = m.Package.Location.Row
		}
		bad = append(bad, fmt.Sprintf("  %s:%d: package %s: a rule package is %s.<area>.<rule>", name, line, pkg, RulesRoot))
	}
	if len(bad) == 0 {
		return nil
	}
	sort.Strings(bad)
	return &PolicyError{Msg: "policy does not compile:\n" + strings.Join(bad, "\n")}
}
