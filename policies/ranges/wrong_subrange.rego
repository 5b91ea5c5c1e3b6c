# METADATA
# title: Port in the wrong sub-range for the service's category
# description: |
#   A database, database UI or exporter publishes a host port outside the
#   sub-range of its category (databases 7000-7099, UIs 7100-7199, exporters
#   7200-7299 by default), or in the reserved range (7300-7999), which nobody
#   uses unless an exception names the service. A database outside the whole
#   protected range is DBP101 instead. Every written value is judged where it
#   is written.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp103
#     description: DBP103 in the rule reference
# custom:
#   id: DBP103
#   severity: error
#   remediation: Move the port to a free port of the category's sub-range (the suggestion names one).
#   tags: [ports, ranges]
package portguard.rules.ranges.wrong_subrange

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
	p.category in services.tooling
	not ports.in_range(w.value, ports.ranges[p.category])
	not _database_outside(p.category, w.value)
}

# A database outside the protected range is DBP101's.
_database_outside("database", value) if not ports.protected(value)

_own(c) := sprintf("%s ports belong in %d-%d", [c, ports.ranges[c].from, ports.ranges[c].to])

_lies_in(value) := sprintf("in the reserved range %d-%d", [ports.ranges.reserved.from, ports.ranges.reserved.to]) if ports.reserved(value)

else := sprintf("in the %s range %d-%d", [c, r.from, r.to]) if {
	some c in services.tooling
	r := ports.ranges[c]
	ports.in_range(value, r)
}

else := "outside every database sub-range"

_message(w) := sprintf("%s (%s) publishes %d, %s; %s", [w.port.service, w.port.category, w.value, _lies_in(w.value), _own(w.port.category)]) if w.where == "mapping"

else := sprintf("%s=%d in %s puts %s (%s) %s; %s (%s)", [w.port.variable.name, w.value, w.at.file, w.port.service, w.port.category, _lies_in(w.value), _own(w.port.category), finding.where(w.port)])

_suggestion(w) := suggest.span_suggestion(w.port) if ports.spans(w.port)

else := fix.instruction(w.port, t) if {
	w.where == "mapping"
	t := suggest.target(w.port)
}

else := sprintf("set %s=%d", [w.port.variable.name, t]) if {
	t := suggest.target(w.port)
}

else := sprintf("no free port is left in %d-%d: free one, or widen the range in .portguard.yaml", [ports.ranges[w.port.category].from, ports.ranges[w.port.category].to])

_related(w) := [finding.related(w.port, "the mapping")] if w.where == "env"

else := []
