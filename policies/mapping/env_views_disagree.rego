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
import data.portguard.lib.ports
import data.portguard.lib.services

# _vars are the variables of the root .env by name.
_vars := {v.name: v | some v in input.env.vars}

report contains finding.new(rego.metadata.chain(), {
	"file": input.env.file,
	"line": var.line,
	"column": 1,
	"end_column": 1 + count(var.name),
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s: docker compose reads %q from %s, the applications read %q; %s publishes the compose value (%s)", [var.name, var.value, input.env.file, var.app_value, p.service, finding.where(p)]),
	"suggestion": sprintf("write %s=%s as a plain number", [var.name, var.value]),
	"related": [finding.related(p, sprintf("%s uses %s here", [p.service, var.name]))],
}) if {
	some p in ports.judged_mappings
	var := _vars[p.variable.name]
	var.value != var.app_value
}
