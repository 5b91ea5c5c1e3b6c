package check

import (
	"fmt"
	"sort"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// UnknownRuleIDs lists, as input errors at their line, the rule ids that
// the configuration (disabled_rules, severity, exceptions), x-portguard
// ignores and inline portguard:ignore comments name but no loaded rule has,
// each with the closest known id: a typo there would silently suppress or
// disable nothing.
func UnknownRuleIDs(doc *input.Document, rules []finding.Rule) []input.InputError {
	known := map[string]bool{}
	ids := make([]string, 0, len(rules))
	for _, r := range rules {
		known[r.ID] = true
		ids = append(ids, r.ID)
	}
	sort.Strings(ids)
	refs := append([]input.RuleRef{}, doc.Config.RuleRefs...)
	for _, s := range doc.Services {
		list, _ := s.XPortguard["ignore"].([]any)
		for _, r := range list {
			if id, ok := r.(string); ok {
				refs = append(refs, input.RuleRef{Rule: id, File: s.File, Line: s.Line, Column: s.Column, Where: "x-portguard ignore of " + s.Name})
			}
		}
	}
	for _, ig := range doc.Ignores {
		for _, id := range ig.Rules {
			refs = append(refs, input.RuleRef{Rule: id, File: ig.File, Line: ig.Line, Column: ig.Column, Where: input.IgnoreMarker})
		}
	}
	var out []input.InputError
	for _, r := range refs {
		if known[r.Rule] {
			continue
		}
		msg := fmt.Sprintf("unknown rule id %q in %s", r.Rule, r.Where)
		if c := closest(r.Rule, ids); c != "" {
			msg += fmt.Sprintf("; did you mean %s?", c)
		}
		out = append(out, input.InputError{File: r.File, Line: r.Line, Column: r.Column, Message: msg})
	}
	return out
}

// closest is the known id nearest to id by edit distance (ties: the first
// in order), "" when none is within a third of its length (at least 1):
// DBP2O1 is DBP201, DBP999 is nothing.
func closest(id string, known []string) string {
	best, bestD := "", max(1, len(id)/3)+1
	for _, k := range known {
		if d := editDistance(id, k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
