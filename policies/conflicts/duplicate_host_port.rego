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

import data.portguard.lib.finding
import data.portguard.lib.stack

# _expanded lists each mapping once per host port it publishes (a range
# publishes several), keyed by port and protocol.
_expanded := [{"key": [n, p.protocol], "p": p} |
	some p in stack.ports
	r := p.effective_range
	is_array(r)
	r[1] - r[0] < 1024
	some n in numbers.range(r[0], r[1])
]

# _by_port groups the mappings by host port and protocol in one indexed
# pass, so the rule stays linear in the number of services.
_by_port := {key: group |
	some key in {e.key | some e in _expanded}
	group := [e.p |
		some e in _expanded
		e.key == key
	]
	count(group) > 1
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"message": sprintf("%s publishes %d/%s, also published by %s", [p.service, n, proto, concat(", ", _names(others))]),
	"suggestion": _suggestion(p),
	"related": [finding.related(o, sprintf("%s publishes %d/%s here", [o.service, n, proto])) | some o in others],
})) if {
	some key, group in _by_port
	count(group) > 1
	[n, proto] := key
	some p in group
	others := sort([o |
		some o in group
		_conflict(p, o)
	])
	count(others) > 0
}

# Variants of one service (same name in other files) never conflict; two
# entries of one service in one file do.
_conflict(a, b) if {
	a.service != b.service
	_ip_overlap(a.host_ip, b.host_ip)
}

_conflict(a, b) if {
	a.service == b.service
	a.file == b.file
	[a.line, a.column] != [b.line, b.column]
	_ip_overlap(a.host_ip, b.host_ip)
}

_wildcard := {"", "0.0.0.0", "::", "[::]"}

_ip_overlap(a, b) if a in _wildcard

_ip_overlap(a, b) if b in _wildcard

_ip_overlap(a, b) if a == b

_names(others) := sort({sprintf("%s (%s)", [o.service, finding.where(o)]) | some o in others})

_suggestion(p) := sprintf("move %s to %d: write %q and set %s=%d in the root .env", [p.service, t, stack.mapping_text(p, t), stack.var_name(p), t]) if {
	stack.loses_conflict(p)
	t := stack.target(p)
	t != p.effective
}

else := sprintf("move %s to a free port, e.g. %d", [p.service, stack.outside_port(p)]) if {
	stack.loses_conflict(p)
	not p.category in stack.tooling
}

else := sprintf("keep %s on %d and move the others", [p.service, p.effective]) if not stack.loses_conflict(p)

else := sprintf("move %s or the others to a free port", [p.service])
