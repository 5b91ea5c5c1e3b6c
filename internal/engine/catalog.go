package engine

import (
	"fmt"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/internal/finding"
)

// catalog reads the rule catalog from the package METADATA of every rule
// under portguard.rules. A rule package without an id, a severity, a title,
// a description or a remediation is a policy error: the catalog feeds
// `portguard rules`, SARIF and the docs, and a hole there is a hole in all
// three.
func catalog(c *ast.Compiler) ([]finding.Rule, error) {
	var rules []finding.Rule
	seen := map[string]string{}
	for _, ref := range c.GetAnnotationSet().Flatten() {
		a := ref.Annotations
		if a == nil || a.Scope != "package" {
			continue
		}
		pkg := strings.TrimPrefix(ref.Path.String(), "data.")
		if !strings.HasPrefix(pkg, RulesRoot+".") || (a.Location != nil && isTestPackage(a.Location.File, ref.Path)) {
			continue
		}
		r, err := ruleFromAnnotations(pkg, a)
		if err != nil {
			return nil, err
		}
		if other, dup := seen[r.ID]; dup {
			return nil, &PolicyError{Msg: fmt.Sprintf("%s: rule id %s is already used by %s", r.File, r.ID, other)}
		}
		seen[r.ID] = pkg
		rules = append(rules, r)
	}
	if missing := packagesWithoutMetadata(c, seen); len(missing) > 0 {
		return nil, &PolicyError{Msg: "rule packages without METADATA (title, description, custom.id, custom.severity, custom.remediation):\n  " + strings.Join(missing, "\n  ")}
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules, nil
}

func ruleFromAnnotations(pkg string, a *ast.Annotations) (finding.Rule, error) {
	r := finding.Rule{Package: pkg, Title: a.Title, Description: strings.TrimSpace(a.Description)}
	if a.Location != nil {
		r.File = a.Location.File
	}
	str := func(k string) string {
		s, _ := a.Custom[k].(string)
		return strings.TrimSpace(s)
	}
	r.ID, r.Severity, r.Remediation = str("id"), str("severity"), str("remediation")
	if tags, ok := a.Custom["tags"].([]any); ok {
		for _, t := range tags {
			if s, ok := t.(string); ok {
				r.Tags = append(r.Tags, s)
			}
		}
	}
	if len(a.RelatedResources) > 0 {
		u := a.RelatedResources[0].Ref
		r.HelpURI = u.String()
	}
	var missing []string
	for _, f := range []struct{ name, value string }{
		{"title", r.Title}, {"description", r.Description}, {"custom.id", r.ID},
		{"custom.severity", r.Severity}, {"custom.remediation", r.Remediation},
	} {
		if f.value == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return r, &PolicyError{Msg: fmt.Sprintf("%s: package %s lacks METADATA %s", r.File, pkg, strings.Join(missing, ", "))}
	}
	if finding.SeverityRank(r.Severity) == 0 {
		return r, &PolicyError{Msg: fmt.Sprintf("%s: package %s has custom.severity %q; use error, warning or note", r.File, pkg, r.Severity)}
	}
	return r, nil
}

// packagesWithoutMetadata lists rule packages that report findings but carry
// no package METADATA with an id.
func packagesWithoutMetadata(c *ast.Compiler, withID map[string]string) []string {
	has := map[string]bool{}
	for _, pkg := range withID {
		has[pkg] = true
	}
	var missing []string
	for name, m := range c.Modules {
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		if !strings.HasPrefix(pkg, RulesRoot+".") || has[pkg] || isTestPackage(name, m.Package.Path) {
			continue
		}
		missing = append(missing, fmt.Sprintf("%s (package %s)", name, pkg))
	}
	sort.Strings(missing)
	return missing
}
