# METADATA
# title: Running database container publishes outside its sub-range
# description: |
#   On the running host, a container classified as a database, a database UI
#   or an exporter publishes a host port outside the sub-range of its
#   category (7000-7099, 7100-7199, 7200-7299 by default): the live view of
#   DBP101 and DBP103, which catches stacks started from files portguard
#   never checked, or started before they were fixed.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp803
#     description: DBP803 in the rule reference
# custom:
#   id: DBP803
#   severity: error
#   remediation: Move the service to a free port of its sub-range in its compose file (portguard fix) and recreate it with docker compose up -d.
#   tags: [live, ports, ranges]
package portguard.rules.live.container_outside_subrange

import data.portguard.lib.finding
import data.portguard.lib.live
import data.portguard.lib.ports
import data.portguard.lib.services

report contains finding.new(rego.metadata.chain(), {
	"service": c.service,
	"message": sprintf("%s is a %s and publishes %d/%s, outside %s", [live.describe_container(c), c.category, p.published, p.protocol, live.range_text(r)]),
	"suggestion": _suggestion(c),
}) if {
	some x in live.published
	c := x.container
	p := x.port
	c.category in services.tooling
	r := ports.ranges[c.category]
	not ports.in_range(p.published, r)
}

_suggestion(c) := sprintf("move it to a free port of %s, e.g. %d, in its compose file, then recreate it (docker compose up -d)", [live.range_text(ports.ranges[c.category]), n]) if {
	n := live.free[c.category][0]
}

else := sprintf("move it into %s in its compose file, then recreate it (docker compose up -d)", [live.range_text(ports.ranges[c.category])])
