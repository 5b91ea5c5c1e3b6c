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
# fix and the location keys (see at). A null fix is left out; a fix that
# does not exist for a reason (lib/fix.rego: none(reason)) becomes no_fix,
# the reason the finding has no machine fix.
#
# A rule whose finding rests on what a service is passes the service's
# classification as details.classification: when it is a guess from the
# words of a name (weak), the finding is at most a warning and its message
# says what it was based on and how to correct it.
new(chain, details) := object.remove(
	object.union(
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
		object.union(_weak(_custom(chain).severity, details), _why(details)),
	),
	_helper_keys(details),
)

_helper_keys(details) := {"fix", "classification"} if details.fix == null

else := {"fix", "classification"} if details.fix.none

else := {"classification"}

_weak(severity, details) := {
	"severity": _at_most_warning(severity),
	"message": sprintf("%s (%s is classified %s from %s alone, a guess: set the label portguard.category if it is wrong)", [details.message, details.service, details.classification.category, details.classification.basis]),
} if details.classification.weak

else := {}

_at_most_warning("error") := "warning"

_at_most_warning(s) := s if s != "error"

_why(details) := {"no_fix": details.fix.none} if details.fix.none

else := {}

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
