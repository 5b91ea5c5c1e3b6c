# METADATA
# title: Every pair compared
# description: |
#   A runaway rule: it compares every pair of a hundred thousand numbers,
#   ten billion steps. check --timeout must stop it with exit 3.
# related_resources:
#   - ref: https://github.com/portguard/portguard#user-policies
#     description: Writing and testing your own rules
# custom:
#   id: SLOW001
#   severity: error
#   remediation: Group by a key instead of comparing every pair.
#   tags: [test]
package portguard.rules.custom.pairs

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), {"file": "docker-compose.yml", "line": 1, "column": 1, "message": "never reported"}) if {
	some i in numbers.range(1, 100000)
	some j in numbers.range(1, 100000)
	i * j == -1
}
