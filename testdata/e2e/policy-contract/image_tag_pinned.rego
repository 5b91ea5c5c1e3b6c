# METADATA
# title: Image without a pinned version
# description: A service runs an image without a version tag, or tagged latest.
# related_resources:
#   - ref: https://example.com/platform/rules#team001
#     description: TEAM001 in the team's rule book
# custom:
#   id: TEAM001
#   severity: warning
#   remediation: Pin the image to a version tag or a digest.
#   tags: [images]
package portguard.rules.team.image_tag_pinned

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(s), {
	"service": s.name,
	"message": sprintf("%s runs %s, which has no pinned version", [s.name, s.image]),
})) if {
	some s in input.services
	endswith(s.image, ":latest")
}
