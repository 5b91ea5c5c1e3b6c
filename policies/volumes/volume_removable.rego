# METADATA
# title: Database volume removed by docker compose down -v
# description: |
#   The named volume holding a database's data is managed by the compose
#   project (not external), so `docker compose down -v` deletes it with the
#   data.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp603
#     description: DBP603 in the rule reference
# custom:
#   id: DBP603
#   severity: warning
#   remediation: Create the volume once (docker volume create NAME) and declare it external with that name.
#   tags: [volumes, data]
package portguard.rules.volumes.volume_removable

import data.portguard.lib.finding
import data.portguard.lib.services
import data.portguard.lib.volumes

report contains finding.new(rego.metadata.chain(), object.union(finding.at(v), {
	"service": input.services[i].name,
	"classification": services.classification_of(i),
	"message": sprintf("volume %s holds the data of %s and is deleted by docker compose down -v", [v.key, input.services[i].name]),
	"suggestion": sprintf("docker volume create %s, then declare it external: true with name: %s", [_name(v), _name(v)]),
})) if {
	some d in volumes.data_volumes
	i := d.svc
	v := d.volume
	not v.external
}

_name(v) := v.name if v.name != ""

# Without name: the data lives in the volume docker compose named
# <project>_<key>; an external volume called <key> would start empty.
else := sprintf("%s_%s", [v.project, v.key])
