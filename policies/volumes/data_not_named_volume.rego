# METADATA
# title: Database data not on a named volume
# description: |
#   A database's data directory (per the knowledge base in
#   data.portguard.images) is on a bind mount, an anonymous volume, or not
#   mounted at all, so the data is lost with the container or tied to a host
#   path.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp601
#     description: DBP601 in the rule reference
# custom:
#   id: DBP601
#   severity: error
#   remediation: Mount a named volume with an explicit name on the data directory.
#   tags: [volumes, data]
package portguard.rules.volumes.data_not_named_volume

import data.portguard.lib.finding
import data.portguard.lib.services
import data.portguard.lib.volumes

# A data directory on a bind mount or an anonymous volume.
report contains finding.new(rego.metadata.chain(), object.union(finding.at(m), {
	"service": svc.name,
	"classification": services.classification_of(d.svc),
	"message": sprintf("%s keeps its data in %s on %s", [svc.name, m.target, _kind(m)]),
	"suggestion": _suggestion(svc, m.target),
})) if {
	some d in volumes.databases
	mounts := volumes.data_mounts[d.svc]
	not _named(mounts)
	some m in mounts
	svc := input.services[d.svc]
}

# No mount at all on the data directory.
report contains finding.new(rego.metadata.chain(), object.union(finding.at(svc), {
	"service": svc.name,
	"classification": services.classification_of(d.svc),
	"message": sprintf("%s does not mount its data directory %s: the data dies with the container", [svc.name, d.dirs[0]]),
	"suggestion": _suggestion(svc, d.dirs[0]),
})) if {
	some d in volumes.databases
	count(volumes.data_mounts[d.svc]) == 0
	svc := input.services[d.svc]
}

_named(mounts) if {
	some m in mounts
	m.type == "volume"
}

# A bind mount's path may be a variable without value (source "").
_kind(m) := "a bind mount whose path is a variable without value" if {
	m.type == "bind"
	m.source == ""
} else := sprintf("the bind mount %s", [m.source]) if m.type == "bind"

else := "an anonymous volume" if m.type == "anonymous"

else := sprintf("a %s mount", [m.type])

_suggestion(svc, dir) := sprintf("mount a named volume: %s-data:%s, declared under volumes: with name: %s-data", [svc.name, dir, svc.name])
