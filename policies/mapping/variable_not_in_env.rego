# METADATA
# title: Port variable not defined in the root .env
# description: |
#   The host port variable of a mapping is not defined in the root .env (or
#   in .env.example when .env is absent), so the host processes that read the
#   port from .env cannot find it, and the port rests on the compose default
#   alone. A variable with neither a value nor a default leaves the port
#   unknown. When neither the root .env nor a template of it exists, the
#   report says so once instead.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp203
#     description: DBP203 in the rule reference
# custom:
#   id: DBP203
#   severity: error
#   remediation: Add VAR=<port> to the root .env (and to .env.example, which CI reads when .env is absent).
#   tags: [ports, env]
package portguard.rules.mapping.variable_not_in_env

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s: %s is not defined in %s; %s", [p.service, p.variable.name, ports.env_name, _port(p)]),
	"suggestion": _suggestion(p),
	"fix": fix.to_port(p),
})) if {
	input.env.file != ""
	some p in ports.judged_mappings
	is_string(p.variable.name)
	p.variable.env_value == null
}

_port(p) := sprintf("port %d comes from the compose default alone", [p.effective]) if is_number(p.effective)

else := sprintf("with no default either, the host port of container port %d is unknown", [p.target])

_suggestion(p) := sprintf("add %s=%d to the root .env", [p.variable.name, t]) if t := suggest.target(p)

# A service that is no database tool (env_var_form: all) keeps its port.
else := sprintf("add %s=%d to the root .env", [p.variable.name, p.effective]) if {
	not p.category in services.tooling
	is_number(p.effective)
}

else := sprintf("add %s=<port> to the root .env", [p.variable.name])
