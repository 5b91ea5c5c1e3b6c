# METADATA
# title: Published port missing from PORTS-CONVENTION.md
# description: |
#   A host port in the protected range (7000-7999) is published but no row
#   of PORTS-CONVENTION.md lists it, so the next person picks it again.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp501
#     description: DBP501 in the rule reference
# custom:
#   id: DBP501
#   severity: error
#   remediation: Add a row for the port (port, service, env var, category) to PORTS-CONVENTION.md; portguard fix can add it.
#   tags: [docs]
package portguard.rules.docs.port_undocumented

import data.portguard.lib.conventions
import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"message": sprintf("%s publishes %d, which %s", [p.service, p.effective, _missing]),
	"suggestion": _suggestion(p),
	"fix": fix.documenting(p),
})) if {
	some p in ports.range_mappings
	is_number(p.effective)
	ports.protected(p.effective)
	not p.effective in conventions.documented_ports
}

_file := input.conventions.file if input.conventions.file != ""

else := input.config.conventions_file

_missing := sprintf("%s does not list", [input.conventions.file]) if input.conventions.file != ""

else := sprintf("is not documented: there is no %s", [input.config.conventions_file])

# A mapping that moves is documented where it goes, so the suggestion (and
# the fix) is the move the other rules suggest; one that stays gets a row,
# or the stale row of its service moves to its port.
_suggestion(p) := sprintf("move %s to %d, which %s documents for it: %s", [p.service, t, _file, fix.instruction(p, t)]) if {
	t := suggest.target(p)
	t != p.effective
	t in conventions.documented_ports
} else := sprintf("move %s to %d (%s) and add the row | %d | %s | %s | %s | to %s", [p.service, t, fix.instruction(p, t), t, p.service, ports.var_name(p), p.category, _file]) if {
	t := suggest.target(p)
	t != p.effective
} else := sprintf("move the row for %d (%s, %s) to %d", [row.port, row.service, conventions.where(row), p.effective]) if {
	p.category in services.tooling
	row := fix.stale_rows(p)[0]
} else := sprintf("add the row | %d | %s | %s | %s | to %s", [p.effective, p.service, ports.var_name(p), p.category, _file]) if {
	p.category in services.tooling
} else := sprintf("publish %s outside %d-%d, e.g. %d, instead of documenting %d", [p.service, ports.ranges.protected.from, ports.ranges.protected.to, suggest.outside_port(p), p.effective])
