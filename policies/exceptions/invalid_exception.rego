# METADATA
# title: Exception without a reason or with a bad expiry date
# description: |
#   An exception (in .portguard.yaml, or x-portguard ignore on a service)
#   has no reason, or an expires date that is not a real date written
#   YYYY-MM-DD (2026-13-45 is not one); an inline portguard:ignore comment
#   names no rule or gives no reason after " -- "; or a service says its
#   data is ephemeral (x-portguard ephemeral: true, the label
#   portguard.ephemeral) without saying why. Such an exception does not
#   apply: every exception must say why, so the next reader can judge
#   whether it still holds.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp001
#     description: DBP001 in the rule reference
# custom:
#   id: DBP001
#   severity: error
#   remediation: Give the exception a reason (and, if it is temporary, an expires date as YYYY-MM-DD).
#   tags: [exceptions]
package portguard.rules.exceptions.invalid_exception

import data.portguard.lib.finding
import data.portguard.lib.suppressions

report contains finding.new(rego.metadata.chain(), {
	"file": input.config.file,
	"line": e.line,
	"column": 1,
	"end_column": 1,
	"service": e.service,
	"message": sprintf("the exception for %s%s %s", [e.rule, _for(e.service), _problem(e.reason, e.expires)]),
	"suggestion": "add reason: (why the finding is accepted) and, if temporary, expires: YYYY-MM-DD",
}) if {
	some e in input.config.exceptions
	_invalid(e.reason, e.expires)
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(svc), {
	"service": svc.name,
	"message": sprintf("x-portguard of %s, which ignores %s, %s", [svc.name, concat(", ", [sprintf("%v", [r]) | some r in ignore]), _problem(reason, expires)]),
	"suggestion": "add reason: (why the findings are accepted) next to ignore: in x-portguard",
})) if {
	some svc in input.services
	ignore := svc.x_portguard.ignore
	reason := object.get(svc.x_portguard, "reason", "")
	expires := object.get(svc.x_portguard, "expires", "")
	_invalid(reason, expires)
}

# An ephemeral database opts out of the data rules (DBP601-DBP603) like an
# exception, so it must say why too.
report contains finding.new(rego.metadata.chain(), object.union(finding.at(svc), {
	"service": svc.name,
	"message": _ephemeral_problem(svc),
	"suggestion": _ephemeral_suggestion(svc),
})) if {
	some svc in input.services
	suppressions.declares_ephemeral(svc)
	suppressions.no_reason(suppressions.ephemeral_reason(svc))
}

_ephemeral_problem(svc) := sprintf("x-portguard of %s marks it ephemeral, has no reason and does not apply", [svc.name]) if svc.x_portguard.ephemeral

else := sprintf("the label portguard.ephemeral of %s is %q, which gives no reason, and does not apply", [svc.name, svc.labels["portguard.ephemeral"]])

_ephemeral_suggestion(svc) := "add reason: (why its data may be lost: a cache, a test stack) next to ephemeral: in x-portguard" if svc.x_portguard.ephemeral

else := `write the reason as the label's value: portguard.ephemeral: "test database, recreated on every run"`

report contains finding.new(rego.metadata.chain(), {
	"file": ig.file,
	"line": ig.line,
	"column": ig.column,
	"end_column": ig.column,
	"service": ig.service,
	"message": _ignore_problem(ig),
	"suggestion": "write # portguard:ignore DBP201 -- why the finding is accepted",
}) if {
	some ig in input.ignores
	_ignore_problem(ig)
}

_ignore_problem(ig) := "portguard:ignore names no rule and does not apply" if count(ig.rules) == 0

else := sprintf("portguard:ignore %s has no reason after \" -- \" and does not apply", [concat(", ", ig.rules)]) if suppressions.no_reason(ig.reason)

_invalid(reason, expires) if not suppressions.valid(reason, expires)

_problem(reason, expires) := "has no reason and does not apply" if suppressions.no_reason(reason)

else := sprintf("has the expiry date %q, which is not a date written YYYY-MM-DD, and does not apply", [sprintf("%v", [expires])])

_for(service) := sprintf(" on %s", [service]) if service != ""

else := ""
