# METADATA
# title: finding
# description: |
#   The one helper every rule reports through, so that every finding has the
#   same shape and the same location fields. A rule passes its metadata chain
#   (rego.metadata.chain()) and the details of the finding; the rule id and
#   the severity come from the rule's package METADATA (custom.id,
#   custom.severity), never from the rule body.
package portguard.lib.finding

# new builds a finding. details holds message, suggestion, service, related,
# fix and the location keys (see at). A null fix (see lib/fix.rego: the
# finding has no machine fix) is left out.
new(chain, details) := object.remove(
	object.union(
		{
			"rule_id": _custom(chain).id,
			"severity": _custom(chain).severity,
			"message": "",
			"suggestion": "",
			"file": "",
			"line": 0,
			"column": 0,
			"end_column": 0,
			"service": "",
			"related": [],
		},
		details,
	),
	_no_fix(details),
)

_no_fix(details) := {"fix"} if details.fix == null

else := set()

_custom(chain) := [c |
	some entry in chain
	c := entry.annotations.custom
	c.id
][0]

# at gives the location keys of a fact that has a position.
at(x) := {
	"file": x.file,
	"line": x.line,
	"column": object.get(x, "column", 1),
	"end_column": object.get(x, "end_column", 0),
}

# related points at another place that the finding involves.
related(x, message) := {"file": x.file, "line": x.line, "message": message}

# where renders file:line for messages.
where(x) := sprintf("%s:%d", [x.file, x.line])
