# METADATA
# title: Exception past its expiry date
# description: |
#   An exception of .portguard.yaml, or an x-portguard ignore, has an
#   expires date that has passed: it no longer suppresses anything, and the
#   findings it covered are reported again. This note says why they came
#   back.
# schemas:
#   - input: schema.judge
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp003
#     description: DBP003 in the rule reference
# custom:
#   id: DBP003
#   severity: note
#   remediation: Fix the findings the exception covered, or renew it with a later expires date and a reason that still holds.
#   tags: [exceptions]
package portguard.rules.exceptions.expired_exception

import data.portguard.lib.suppressions as sup

notice contains sup.new(rego.metadata.chain(), input.document.config.file, e.line, {
	"service": e.service,
	"message": sprintf("the exception for %s%s expired on %s", [e.rule, sup.on(e.service), e.expires]),
	"suggestion": "fix what it covered, or give it a later expires: date",
}) if {
	some e in sup.expired_exceptions
}

notice contains sup.new(rego.metadata.chain(), s.file, s.line, {
	"service": s.name,
	"message": sprintf("x-portguard of %s, which ignores %s, expired on %s", [s.name, concat(", ", [sprintf("%v", [r]) | some r in s.x_portguard.ignore]), s.x_portguard.expires]),
	"suggestion": "fix what it covered, or give it a later expires: date",
}) if {
	some s in sup.expired_x
}
