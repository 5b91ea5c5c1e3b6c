# METADATA
# title: Two services publish the same host port
# description: |
#   Two services publish the same host port and protocol on overlapping host
#   IPs, across all compose files (they share one host), so the second one
#   fails to start. Entries with the same service name in different files are
#   variants of one service (base, override, prod files) and never conflict.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp401
#     description: DBP401 in the rule reference
# custom:
#   id: DBP401
#   severity: error
#   remediation: Move all but one of the services to a free port (the suggestion names one).
#   tags: [ports, conflicts]
package portguard.rules.conflicts.duplicate_host_port

import data.portguard.lib.conflicts
import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

# _by_port groups the mappings by host port and protocol
# (conflicts.sharing); a range is in the group of each port it publishes.
_by_port := {key: [ports.mappings[k] | some k in sort(ks)] |
	some key, ks in conflicts.shared
	count(ks) > 1
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"message": sprintf("%s publishes %d/%s, also published by %s", [p.service, n, proto, _names(others)]),
	"suggestion": _suggestion(p, others),
	"related": [finding.related(o, sprintf("%s publishes %d/%s here", [o.service, n, proto])) | some o in array.slice(others, 0, _shown)],
	"fix": fix.moving(p),
})) if {
	some key, group in _by_port
	count(group) > 1
	[n, proto] := key
	some p in group

	# the others in file and line order
	others := [o | some [_, _, _, o] in sort([[x.file, x.line, x.column, x] |
		some x in group
		conflicts.conflict(p, x)
	])]
	count(others) > 0
}

# A port that many services share lists the first few of them: every one
# of them is reported, so the whole group is in the report.
_shown := 10

_names(others) := concat(", ", [sprintf("%s (%s)", [o.service, finding.where(o)]) | some o in array.slice(others, 0, _shown)]) if {
	count(others) <= _shown
} else := sprintf("%s and %d more", [
	concat(", ", [sprintf("%s (%s)", [o.service, finding.where(o)]) | some o in array.slice(others, 0, _shown)]),
	count(others) - _shown,
])

# A service that lists one port twice keeps its first entry.
_suggestion(p, others) := sprintf("remove this entry: %s already publishes the port at %s", [p.service, finding.where(o)]) if {
	o := [x |
		some x in others
		x.service == p.service
		[x.line, x.column] < [p.line, p.column]
	][0]
}

else := sprintf("keep this entry and remove the duplicate at %s", [finding.where(o)]) if {
	o := [x | some x in others; x.service == p.service][0]
}

# A mapping that must move anyway (it lost the port to an earlier service,
# or it is a range, or outside its sub-range) moves to its suggested port.
else := sprintf("move %s to %d: %s", [p.service, t, fix.instruction(p, t)]) if {
	t := suggest.target(p)
	t != p.effective
}

else := sprintf("move %s to a free port, e.g. %d", [p.service, suggest.outside_port(p)]) if {
	conflicts.loses_conflict(p)
	not p.category in services.tooling
}

else := sprintf("keep %s on %d and move the others", [p.service, p.effective]) if not conflicts.loses_conflict(p)

else := sprintf("move %s or the others to a free port", [p.service])
