package engine

import (
	"slices"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// ApplyConfig applies .portguard.yaml to the findings: disabled rules are
// dropped and severity overrides replace the rule's own.
func ApplyConfig(fs []finding.Finding, cfg input.Config) []finding.Finding {
	out := make([]finding.Finding, 0, len(fs))
	for _, f := range fs {
		if slices.Contains(cfg.DisabledRules, f.RuleID) {
			continue
		}
		if sev, ok := cfg.Severity[f.RuleID]; ok {
			f.Severity = sev
		}
		out = append(out, f)
	}
	return out
}
