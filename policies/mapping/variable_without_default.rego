# METADATA
# title: Port variable without a numeric default
# description: |
#   The host port variable has no default (${VAR}, $VAR, ${VAR:?msg}) or a
#   default that is not a port number, so the stack cannot start, or starts
#   on another port, where the root .env is missing (a CI clone, a new
#   machine).
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp202
#     description: DBP202 in the rule reference
# custom:
#   id: DBP202
#   severity: error
#   remediation: Give the variable the convention's port as default, ${VAR:-7000}.
#   tags: [ports, env]
package portguard.rules.mapping.variable_without_default

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s: %s in %q has %s", [p.service, p.variable.name, p.raw, _problem(p.variable)]),
	"suggestion": _suggestion(p),
	"fix": fix.to_port(p),
})) if {
	some p in ports.judged_mappings
	is_string(p.variable.name)
	not ports.default_port(p)
}

_problem(v) := sprintf("the default %q, which is not a port number", [v.default]) if v.has_default

else := "no default"

_suggestion(p) := sprintf("write %q", [ports.mapping_text(p, t)]) if t := suggest.target(p)

# A service that is no database tool (env_var_form: all) keeps its port.
else := sprintf("write %q", [ports.mapping_text(p, p.effective)]) if {
	not p.category in services.tooling
	is_number(p.effective)
}

else := sprintf("write ${%s:-<port>}:%d with a free port of the sub-range", [p.variable.name, p.target])
