# METADATA
# title: Baseline entry that matches nothing
# description: |
#   An entry of the baseline file (portguard baseline) matches no finding
#   any more: the finding it recorded was fixed. The entry is dead weight,
#   and pruning it keeps the baseline an honest list of what is left to
#   burn down.
# schemas:
#   - input: schema.judge
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp004
#     description: DBP004 in the rule reference
# custom:
#   id: DBP004
#   severity: note
#   remediation: Run portguard baseline --update to remove the entries that match nothing.
#   tags: [exceptions, baseline]
package portguard.rules.exceptions.stale_baseline_entry

import data.portguard.lib.suppressions as sup

notice contains sup.new(rego.metadata.chain(), sup.baseline_file, e.line, {
	"service": e.service,
	"message": sprintf("the baseline entry for %s%s in %s matches no finding any more", [e.rule_id, sup.on(e.service), e.file]),
	"suggestion": "portguard baseline --update removes it",
}) if {
	some e in sup.stale_baseline
}
