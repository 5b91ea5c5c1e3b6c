# METADATA
# title: Exception or ignore that matches nothing
# description: |
#   An exception of .portguard.yaml, an x-portguard ignore or an inline
#   portguard:ignore comment suppresses no finding: the finding it was
#   written for is gone (fixed, moved, or its rule disabled), or it names
#   the wrong rule, service or line. Left in place, it would silently
#   suppress the next finding that matches it.
# schemas:
#   - input: schema.judge
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp002
#     description: DBP002 in the rule reference
# custom:
#   id: DBP002
#   severity: warning
#   remediation: Remove the exception or comment, or correct its rule id, service or position.
#   tags: [exceptions]
package portguard.rules.exceptions.unused_suppression

import data.portguard.lib.finding
import data.portguard.lib.suppressions as sup

notice contains sup.new(rego.metadata.chain(), input.document.config.file, e.line, {
	"service": e.service,
	"message": sprintf("the exception for %s%s matches no finding", [e.rule, sup.on(e.service)]),
	"suggestion": sprintf("remove it from %s", [input.document.config.file]),
}) if {
	some e in sup.unused_exceptions
}

notice contains sup.new(rego.metadata.chain(), s.file, s.line, {
	"service": s.name,
	"message": sprintf("x-portguard of %s ignores %v, which matches no finding of %s", [s.name, r, s.name]),
	"suggestion": sprintf("remove %v from the ignore list of %s", [r, s.name]),
}) if {
	some [s, r] in sup.unused_x_ignores
}

notice contains finding.new(rego.metadata.chain(), {
	"file": ig.file,
	"line": ig.line,
	"column": ig.column,
	"end_column": ig.column,
	"service": ig.service,
	"message": _inline_message(ig, r),
	"suggestion": "remove the comment, or put it on or just above the line of the finding it is for",
}) if {
	some [ig, r] in sup.unused_ignores
}

_inline_message(ig, r) := sprintf("portguard:ignore %s annotates no port mapping, service, volume or table row", [r]) if ig.target == ""

else := sprintf("portguard:ignore %s matches no finding of the %s on line %d", [r, _what[ig.target], ig.target_line])

_what := {"port": "port mapping", "service": "service", "volume": "volume", "row": "table row"}
