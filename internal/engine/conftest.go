package engine

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"

	"github.com/portguard/portguard/internal/finding"
)

// Conftest-style policies: a user module in any package outside
// portguard.* (typically `package main`) whose deny, violation or warn rules
// (optionally with a _suffix, as conftest allows) report messages, each a
// string or an object with msg. They need no METADATA: a finding is named
// after the package and the rule (main.deny), deny and violation are errors
// and warn a warning.

// conftestRuleRE matches the rule names conftest evaluates.
var conftestRuleRE = regexp.MustCompile(`^(deny|violation|warn)(_[A-Za-z0-9_]+)*$`)

// conftestRule is one deny/violation/warn rule of one package.
type conftestRule struct {
	finding.Rule
	ref ast.Ref // data.main.deny
}

// conftest evaluates the conftest-style rules; nil when there are none.
type conftest struct {
	rules []conftestRule
	query rego.PreparedEvalQuery
}

// conftestRules finds the conftest-style rules among the compiled modules,
// with catalog entries read from rule or package METADATA when present.
func conftestRules(c *ast.Compiler) []conftestRule {
	byID := map[string]*conftestRule{}
	for _, name := range sortedModuleNames(c) {
		m := c.Modules[name]
		if len(m.Package.Path) > 1 && m.Package.Path[1].Equal(ast.StringTerm("portguard")) {
			continue
		}
		pkg := strings.TrimPrefix(m.Package.Path.String(), "data.")
		for _, r := range m.Rules {
			head := r.Head.Ref()
			if len(head) != 1 {
				continue
			}
			v, ok := head[0].Value.(ast.Var)
			if !ok || !conftestRuleRE.MatchString(string(v)) {
				continue
			}
			id := pkg + "." + string(v)
			if byID[id] != nil {
				continue
			}
			severity := "error"
			if strings.HasPrefix(string(v), "warn") {
				severity = "warning"
			}
			cr := &conftestRule{ref: m.Package.Path.Append(ast.StringTerm(string(v)))}
			cr.Rule = finding.Rule{
				ID: id, Severity: severity, Package: pkg, File: name, Tags: []string{"conftest"},
				Title:       fmt.Sprintf("%s rules of package %s", v, pkg),
				Description: fmt.Sprintf("Conftest-style policy: every message of the %s rules of package %s (%s) is a finding of severity %s.", v, pkg, name, severity),
				Remediation: "Follow the message of the finding.",
			}
			annotate(&cr.Rule, c, m.Package.Path, cr.ref)
			byID[id] = cr
		}
	}
	out := make([]conftestRule, 0, len(byID))
	for _, r := range byID {
		out = append(out, *r)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

func sortedModuleNames(c *ast.Compiler) []string {
	names := make([]string, 0, len(c.Modules))
	for name := range c.Modules {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// annotate fills a conftest rule's catalog entry from METADATA, the rule's
// own over its package's, where a team wrote some.
func annotate(r *finding.Rule, c *ast.Compiler, pkg, rule ast.Ref) {
	var pkgA, ruleA *ast.Annotations
	for _, ref := range c.GetAnnotationSet().Flatten() {
		a := ref.Annotations
		switch {
		case a == nil:
		case a.Scope == "package" && ref.Path.Equal(pkg):
			pkgA = a
		case (a.Scope == "rule" || a.Scope == "document") && ref.Path.Equal(rule):
			ruleA = a
		}
	}
	for _, a := range []*ast.Annotations{pkgA, ruleA} {
		if a == nil {
			continue
		}
		if a.Title != "" {
			r.Title = a.Title
		}
		if d := strings.TrimSpace(a.Description); d != "" {
			r.Description = d
		}
		if s, ok := a.Custom["remediation"].(string); ok && strings.TrimSpace(s) != "" {
			r.Remediation = strings.TrimSpace(s)
		}
		if len(a.RelatedResources) > 0 {
			r.HelpURI = a.RelatedResources[0].Ref.String()
		}
	}
}

// prepareConftest prepares one query over every conftest-style rule, or
// returns nil when the policies have none.
func prepareConftest(ctx context.Context, td *topdownEvaluator) (*conftest, error) {
	rules := conftestRules(td.compiler)
	if len(rules) == 0 {
		return nil, nil
	}
	// The first compose file stands in for the location of a message that
	// names none: the input is the whole repository, not one file.
	q := []string{`first_file := object.get(input, ["files", 0, "path"], "")`}
	for i, r := range rules {
		q = append(q, fmt.Sprintf("m%d := [m | some m in %s]", i, r.ref))
	}
	query, err := td.prepare(ctx, strings.Join(q, "; "), "the conftest-style policies")
	if err != nil {
		return nil, err
	}
	return &conftest{rules: rules, query: query}, nil
}

// addToCatalog adds the conftest rules to the catalog, kept sorted by id.
func (c *conftest) addToCatalog(rules []finding.Rule) []finding.Rule {
	if c == nil {
		return rules
	}
	for _, r := range c.rules {
		rules = append(rules, r.Rule)
	}
	sort.Slice(rules, func(i, j int) bool { return rules[i].ID < rules[j].ID })
	return rules
}

// eval runs the conftest rules over a parsed input and turns their messages
// into findings.
func (c *conftest) eval(ctx context.Context, input ast.Value) ([]finding.Finding, error) {
	if c == nil {
		return nil, nil
	}
	rs, err := c.query.Eval(ctx, rego.EvalParsedInput(input))
	if err != nil {
		return nil, evalFailed(ctx, "policy evaluation failed", err)
	}
	if len(rs) == 0 {
		return nil, nil
	}
	first, _ := rs[0].Bindings["first_file"].(string)
	var out []finding.Finding
	for i, r := range c.rules {
		msgs, _ := rs[0].Bindings[fmt.Sprintf("m%d", i)].([]any)
		for _, m := range msgs {
			f, err := conftestFinding(r.Rule, m, first)
			if err != nil {
				return nil, err
			}
			out = append(out, f)
		}
	}
	return out, nil
}

// conftestFinding decodes one message: a string, or an object with msg and
// optionally file, line, column, end_column, service and suggestion.
func conftestFinding(r finding.Rule, m any, first string) (finding.Finding, error) {
	f := finding.Finding{RuleID: r.ID, Severity: r.Severity, File: first, Line: 1, Column: 1, Related: []finding.Related{}}
	switch v := m.(type) {
	case string:
		f.Message = v
		return f, nil
	case map[string]any:
		msg, ok := v["msg"].(string)
		if !ok {
			return f, &PolicyError{Msg: fmt.Sprintf("%s: %s reported an object without a string msg: %s", r.File, r.ID, compact(v))}
		}
		f.Message = msg
		if file, ok := v["file"].(string); ok && file != "" {
			f.File = file
		}
		f.Service, _ = v["service"].(string)
		f.Suggestion, _ = v["suggestion"].(string)
		for key, dst := range map[string]*int{"line": &f.Line, "column": &f.Column, "end_column": &f.EndColumn} {
			if n, ok := number(v[key]); ok && n >= 1 {
				*dst = n
			}
		}
		return f, nil
	}
	return f, &PolicyError{Msg: fmt.Sprintf("%s: %s reported %s; a message is a string or an object with msg", r.File, r.ID, compact(m))}
}

func number(v any) (int, bool) {
	switch n := v.(type) {
	case json.Number:
		i, err := n.Int64()
		return int(i), err == nil
	case float64:
		return int(n), n == float64(int(n))
	case int:
		return n, true
	}
	return 0, false
}

func compact(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}
