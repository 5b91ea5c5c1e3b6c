# METADATA
# title: The .env value differs from the compose default
# description: |
#   The root .env sets a port variable to a value other than the default
#   written in the compose file, so the stack publishes one port with .env
#   and another without it (in CI, on a new machine).
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp204
#     description: DBP204 in the rule reference
# custom:
#   id: DBP204
#   severity: warning
#   remediation: Make the .env value and the default agree on the convention's port.
#   tags: [ports, env]
package portguard.rules.mapping.env_differs_from_default

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), {
	"file": v.env_file,
	"line": v.env_line,
	"column": 1,
	"end_column": 1 + count(v.name),
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s=%s in %s differs from the default %s of %s (%s)", [v.name, v.env_value, v.env_file, v.default, p.service, finding.where(p)]),
	"suggestion": _suggestion(p),
	"related": [finding.related(p, sprintf("the default %s of %s", [v.default, v.name]))],
	"fix": fix.to_target(p),
}) if {
	some p in ports.judged_mappings
	v := p.variable
	v.has_default
	is_string(v.env_value)
	not _same(v.env_value, v.default)
}

_same(a, b) if a == b

_same(a, b) if ports.port_number(a) == ports.port_number(b)

_suggestion(p) := sprintf("change the default to ${%s:-%s}", [p.variable.name, p.variable.env_value]) if {
	suggest.target(p) == ports.port_number(p.variable.env_value)
}

else := sprintf("set %s=%s in %s", [p.variable.name, p.variable.default, p.variable.env_file]) if {
	suggest.target(p) == ports.port_number(p.variable.default)
}

else := sprintf("set %s=%d in %s and change the default to ${%s:-%d}", [p.variable.name, t, p.variable.env_file, p.variable.name, t]) if {
	t := suggest.target(p)
}

else := sprintf("set %s and the default of %s to the same port", [p.variable.name, p.service])
