# METADATA
# title: Database publishes outside the database range
# description: |
#   A database publishes a host port outside the protected range (7000-7999 by
#   default). Every value written for the host port is judged where it is
#   written: the literal or default in the compose file, and the root .env
#   value of its variable, because each must change.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp101
#     description: DBP101 in the rule reference
# custom:
#   id: DBP101
#   severity: error
#   remediation: Publish the database on a free port of the database sub-range (7000-7099), written as ${SERVICE_PORT:-7000}:<container port> with SERVICE_PORT in the root .env.
#   tags: [ports, ranges]
package portguard.rules.ranges.database_outside_range

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(w.at, {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": _message(w),
	"suggestion": _suggestion(w),
	"related": _related(w),
	"fix": fix.to_target(p),
})) if {
	some w in ports.written
	p := w.port
	p.category == "database"
	not ports.protected(w.value)
}

_range := sprintf("%d-%d", [ports.ranges.protected.from, ports.ranges.protected.to])

_message(w) := sprintf("%s publishes host ports %d-%d, outside %s", [w.port.service, r[0], r[1], _range]) if {
	w.where == "mapping"
	r := w.port.published_range
	r[0] != r[1]
} else := sprintf("%s publishes host port %d, outside %s", [w.port.service, w.value, _range]) if w.where == "mapping"

else := sprintf("%s=%d in %s publishes %s outside %s (%s)", [w.port.variable.name, w.value, w.at.file, w.port.service, _range, finding.where(w.port)])

_suggestion(w) := suggest.span_suggestion(w.port) if ports.spans(w.port)

else := fix.instruction(w.port, t) if {
	w.where == "mapping"
	t := suggest.target(w.port)
}

else := sprintf("set %s=%d", [w.port.variable.name, t]) if {
	t := suggest.target(w.port)
}

else := sprintf("publish %s on a free port of %d-%d", [w.port.service, ports.ranges.database.from, ports.ranges.database.to])

_related(w) := [finding.related(w.port, "the mapping")] if w.where == "env"

else := []
