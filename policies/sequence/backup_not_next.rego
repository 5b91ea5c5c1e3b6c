# METADATA
# title: Backup does not publish primary + 1
# description: |
#   A backup or replica of a database publishes its primary's port + 1 (the
#   second backup + 2, ...), so the ports of one service type stay together.
#   A service is a backup through the label portguard.backup-of,
#   x-portguard.backup_of, or its name (the primary's name followed by
#   backup, replica, standby, secondary, ...; an explicit number such as
#   -backup-2 gives the offset).
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp301
#     description: DBP301 in the rule reference
# custom:
#   id: DBP301
#   severity: error
#   remediation: Publish the backup on the primary's port plus its number.
#   tags: [ports, backups]
package portguard.rules.sequence.backup_not_next

import data.portguard.lib.backups
import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s publishes %s; backups publish primary+%d = %d (%s, %s)", [p.service, _shown(p.effective), n, t, primary, finding.where(pm)]),
	"suggestion": _suggestion(p, t),
	"related": [finding.related(pm, sprintf("the primary %s publishes %d", [primary, pm.effective]))],
	"fix": fix.to_target(p),
})) if {
	some p in ports.tooling_mappings
	primary := backups.primary_name[p.svc]
	n := backups.backup_number[p.svc]
	t := suggest.backup_target(p)
	p.effective != t
	pm := backups.primary_mapping(p)
}

_shown(port) := sprintf("%d", [port]) if is_number(port)

else := "no known host port"

_suggestion(p, t) := fix.instruction(p, t)
