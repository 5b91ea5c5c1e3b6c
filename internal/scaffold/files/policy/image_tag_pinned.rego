# METADATA
# title: Image without a pinned version
# description: |
#   A service runs an image without a version tag, or tagged latest: the
#   next pull can change the database under an unchanged compose file.
#   This is the example custom rule written by `portguard init`: a rule is
#   one file, package portguard.rules.<area>.<rule>, with this METADATA,
#   reporting through data.portguard.lib.finding. Edit it or replace it.
# related_resources:
#   - ref: https://github.com/portguard/portguard#user-policies
#     description: Writing and testing your own rules
# custom:
#   id: CUSTOM001
#   severity: warning
#   remediation: Pin the image to a version tag (postgres:16.4) or a digest (postgres@sha256:...).
#   tags: [images, custom]
package portguard.rules.custom.image_tag_pinned

import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), object.union(finding.at(s), {
	"service": s.name,
	"message": sprintf("%s runs %s, which has no pinned version", [s.name, s.image]),
	"suggestion": sprintf("pin %s to a version tag or a digest", [_repository(s.image)]),
})) if {
	some s in input.services
	s.image != ""
	not _pinned(s.image)
}

_pinned(image) if contains(image, "@sha256:")

_pinned(image) if {
	tag := _tag(image)
	tag != "latest"
}

# _tag is what follows the colon of the last path segment: in
# registry.local:5000/postgres the colon belongs to the registry.
_tag(image) := tag if {
	parts := split(image, "/")
	last := parts[count(parts) - 1]
	contains(last, ":")
	tag := split(last, ":")[1]
}

_repository(image) := repo if {
	parts := split(image, "/")
	last := split(parts[count(parts) - 1], ":")[0]
	repo := concat("/", array.concat(array.slice(parts, 0, count(parts) - 1), [last]))
}
