# METADATA
# title: Database port published on every interface
# description: A port in the database range is published on every host interface instead of 127.0.0.1.
# related_resources:
#   - ref: https://example.com/platform/rules#team010
# custom:
#   id: TEAM010
#   severity: warning
#   remediation: Bind the port to 127.0.0.1 ("127.0.0.1:${VAR:-7000}:5432").
#   tags: [ports]
package portguard.rules.team.every_interface

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": s.name,
	"message": sprintf("%s publishes %d on every interface", [s.name, p.effective]),
})) if {
	some s in input.services
	some p in s.ports
	p.host_ip == ""
	p.effective >= 7000
	p.effective <= 7999
}
