# METADATA
# title: Database data volume missing, or used by no container
# description: |
#   On the running host, the named volume that holds a database's data (a
#   mount of a data directory of its image, see DBP601) does not exist, so
#   the database starts empty; or it exists but no container, running or
#   stopped, mounts it, so `docker volume prune --all` would delete it with
#   the data. The volume's name is its name: in the compose file, else
#   <project>_<key> as docker compose names it. Judged only when the
#   containers were inspected.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp804
#     description: DBP804 in the rule reference
# custom:
#   id: DBP804
#   severity: warning
#   remediation: Start the database (docker compose up -d) so a container uses its volume, or restore the volume from a backup before it starts; never prune volumes on a host that keeps database data.
#   tags: [live, volumes, data]
package portguard.rules.live.data_volume_unused

import data.portguard.lib.finding
import data.portguard.lib.live
import data.portguard.lib.volumes

report contains finding.new(rego.metadata.chain(), object.union(finding.at(m), {
	"service": svc.name,
	"message": sprintf("the data volume %s of %s does not exist on this host: the database starts empty", [name, svc.name]),
	"suggestion": sprintf("restore %s from a backup before %s starts, or check the volume's name", [name, svc.name]),
})) if {
	some d in volumes.data_volumes
	svc := input.services[d.svc]
	m := _mount(d.svc, d.volume.key)
	name := _name(d.volume)
	live.inspected
	not _live_volumes[name]
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(m), {
	"service": svc.name,
	"message": sprintf("no container uses the data volume %s of %s: docker volume prune --all would delete it", [name, svc.name]),
	"suggestion": sprintf("start %s (docker compose up -d %s) so its container holds the volume", [svc.name, svc.name]),
})) if {
	some d in volumes.data_volumes
	svc := input.services[d.svc]
	m := _mount(d.svc, d.volume.key)
	name := _name(d.volume)
	count(_live_volumes[name].used_by) == 0
}

_live_volumes := {v.name: v | some v in input.live.volumes}

_mount(i, source) := [m | some m in volumes.data_mounts[i]; m.type == "volume"; m.source == source][0]

_name(v) := v.name if v.name != ""

else := sprintf("%s_%s", [v.project, v.key])
