# METADATA
# title: Database volume without an explicit name
# description: |
#   The named volume holding a database's data has no explicit `name:`, so
#   docker compose prefixes it with the project name: renaming the project or
#   the directory silently starts the database on an empty volume.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp602
#     description: DBP602 in the rule reference
# custom:
#   id: DBP602
#   severity: error
#   remediation: Give the top-level volume an explicit, persistent name.
#   tags: [volumes, data]
package portguard.rules.volumes.volume_without_name

import data.portguard.lib.finding
import data.portguard.lib.services
import data.portguard.lib.volumes

report contains finding.new(rego.metadata.chain(), object.union(finding.at(v), {
	"service": input.services[i].name,
	"classification": services.classification_of(i),
	"message": sprintf("volume %s holds the data of %s but has no explicit name; docker compose calls it %s_%s", [v.key, input.services[i].name, v.project, v.key]),
	"suggestion": sprintf("add name: %s under volumes: %s:", [v.key, v.key]),
})) if {
	some d in volumes.data_volumes
	i := d.svc
	v := d.volume
	not v.has_name
	not v.external
}
