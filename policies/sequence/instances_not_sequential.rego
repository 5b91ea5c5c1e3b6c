# METADATA
# title: Instances of one service type are not on sequential ports
# description: |
#   Instances of one service type (one family of the knowledge base, such as
#   Postgres and TimescaleDB, or Redis and Valkey) sit on sequential ports of
#   their sub-range, so the range reads as a map. A service whose first port
#   leaves a gap after the ports of the same type before it is reported.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp302
#     description: DBP302 in the rule reference
# custom:
#   id: DBP302
#   severity: warning
#   remediation: Move the instance to the first port after the other instances of its type.
#   tags: [ports, sequence]
package portguard.rules.sequence.instances_not_sequential

import data.portguard.lib.backups
import data.portguard.lib.finding
import data.portguard.lib.ports
import data.portguard.lib.services

# _in_range is every mapping of a known family on a port of its sub-range.
_in_range := [{"family": f, "p": p} |
	some p in ports.tooling_mappings
	f := services.entry[p.svc].family
	f != ""
	is_number(p.effective)
	ports.in_range(p.effective, ports.ranges[p.category])
]

# _family_ports[f] are the ports of family f in their sub-ranges.
_family_ports := _ports_of_family

_ports_of_family[e.family] contains e.p.effective if some e in _in_range

# _instances are the [family, service name] of the non-backup instances.
_instances := {[e.family, e.p.service] |
	some e in _in_range
	not backups.primary_name[e.p.svc]
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": name,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s publishes %d, leaving a gap after %d, the last %s port before it", [name, first, prev, f]),
	"suggestion": _suggestion(p, prev + 1),
})) if {
	some [f, name] in _instances
	mine := [q |
		some q in ports.of_service(name)
		is_number(q.effective)
		ports.in_range(q.effective, ports.ranges[q.category])
	]
	first := min({q.effective | some q in mine})
	taken := _family_ports[f]
	before := {n | some n in taken; n < first}
	count(before) > 0
	not (first - 1) in taken
	prev := max(before)
	p := [q | some q in mine; q.effective == first][0]
}

_suggestion(p, next) := sprintf("move %s to %d, right after the other instances", [p.service, next]) if not next in ports.used

else := sprintf("move %s next to the other instances of its type", [p.service])
