# METADATA
# title: Host port hard-coded instead of a variable
# description: |
#   A database, UI or exporter publishes a literal host port ("7000:5432")
#   instead of ${SERVICE_PORT:-7000}:5432 with the variable in the root .env,
#   so the port cannot be changed in one place and the applications on the
#   host cannot read it. With env_var_form: all in .portguard.yaml the rule
#   applies to every service.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp201
#     description: DBP201 in the rule reference
# custom:
#   id: DBP201
#   severity: error
#   remediation: Write the mapping as ${SERVICE_PORT:-<port>}:<container port> and define SERVICE_PORT=<port> in the root .env.
#   tags: [ports, env]
package portguard.rules.mapping.hardcoded_port

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s hard-codes host port %d in %q", [p.service, p.published, p.raw]),
	"suggestion": _suggestion(p, t),
	"fix": fix.mapping(p, t),
})) if {
	some p in ports.judged_mappings
	p.variable == null
	is_number(p.published)
	t := _port(p)
}

# A range keeps its length: both ends become variables.
_suggestion(p, t) := sprintf("write the range with variables of the root .env, e.g. \"${%s_FIRST:-%d}-${%s_LAST:-%d}:%d-%d\"", [v, p.published_range[0], v, p.published_range[1], p.target_range[0], p.target_range[1]]) if {
	ports.spans(p)
	v := trim_suffix(ports.var_name(p), "_PORT")
}

# The root .env may already hold the variable (the mapping is what lags).
else := sprintf("write %q (%s=%d is already in %s)", [ports.mapping_text(p, t), v, t, input.env.file]) if {
	v := ports.var_name(p)
	some e in input.env.vars
	e.name == v
	ports.port_number(e.value) == t
} else := sprintf("write %q and add %s=%d to the root .env", [ports.mapping_text(p, t), ports.var_name(p), t])

_port(p) := t if t := suggest.target(p)

else := p.published
