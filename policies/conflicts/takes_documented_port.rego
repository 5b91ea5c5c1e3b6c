# METADATA
# title: Service takes a port the table assigns to another service
# description: |
#   A service publishes a port that PORTS-CONVENTION.md assigns to another
#   service which exists in the compose files: it takes that service's port,
#   and the two collide as soon as both run. Rows are matched by port first,
#   then by name (case, punctuation and small spelling differences do not
#   count) or by env var. A service never takes the port of an alternative
#   (disjoint profiles) or, with conflict_scope: project, of a service of
#   another project: the two never run on one host together.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp402
#     description: DBP402 in the rule reference
# custom:
#   id: DBP402
#   severity: error
#   remediation: Move the service to a free port of its sub-range, or fix the table if the assignment is stale.
#   tags: [ports, conflicts, docs]
package portguard.rules.conflicts.takes_documented_port

import data.portguard.lib.conventions
import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"message": sprintf("%s publishes %d, which %s assigns to %s (%s)", [p.service, row.port, input.conventions.file, row.service, concat(", ", owners)]),
	"suggestion": _suggestion(p),
	"related": [{"file": input.conventions.file, "line": row.line, "message": sprintf("%d is assigned to %s", [row.port, row.service])}],
	"fix": fix.moving(p),
})) if {
	some row in conventions.judged_rows
	group := conventions.publishers[row.port]
	some p in group
	not conventions.satisfies(row, p)
	named := conventions.owners(row, p)
	count(named) > 0
	not services.names[p.service] in {input.services[i].name | some i in named}
	owners := sort({input.services[i].name | some i in named})
}

# The port the other rules suggest too (suggest.target), so fixes agree.
_suggestion(p) := sprintf("move %s to %d: %s", [p.service, t, fix.instruction(p, t)]) if {
	p.category in services.tooling
	t := suggest.target(p)
	t != p.effective
}

else := sprintf("move %s to a free port of its sub-range", [p.service]) if p.category in services.tooling

else := sprintf("move %s outside the protected range, e.g. to %d", [p.service, suggest.outside_port(p)])
