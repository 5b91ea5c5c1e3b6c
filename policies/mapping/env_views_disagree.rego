# METADATA
# title: docker compose and the applications read different port values
# description: |
#   docker compose interpolates the root .env (${A:-x} gives x) while the
#   applications' dotenv loaders read values literally; for a port variable
#   the two read different values, so the host processes connect to another
#   port than the one published.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp206
#     description: DBP206 in the rule reference
# custom:
#   id: DBP206
#   severity: error
#   remediation: Write port variables in the root .env as plain numbers (PORT=7000), without interpolation or quotes that the loaders read differently.
#   tags: [ports, env]
package portguard.rules.mapping.env_views_disagree

import data.portguard.lib.finding
import data.portguard.lib.stack

report contains finding.new(rego.metadata.chain(), {
	"file": input.env.file,
	"line": var.line,
	"column": 1,
	"end_column": 1 + count(name),
	"message": sprintf("%s: docker compose reads %q from %s, the applications read %q", [name, var.value, input.env.file, var.app_value]),
	"suggestion": sprintf("write %s=%s as a plain number", [name, var.value]),
	"related": sort(stack.mappings_by_var[name]),
}) if {
	some var in input.env.vars
	name := var.name
	stack.mappings_by_var[name]
	var.value != var.app_value
}
