# METADATA
# title: Database port not pinned
# description: |
#   A database publishes a random host port (only the container port is
#   given, as in "5432"), a range of host ports for one container port
#   ("7000-7005:5432"), or runs with network_mode host, which publishes
#   every port it listens on. Each makes the host port unpredictable or
#   unprotected. A range mapped one to one onto a range of container ports
#   ("7000-7050:7000-7050", a cluster's nodes) pins every port and is not
#   reported.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp104
#     description: DBP104 in the rule reference
# custom:
#   id: DBP104
#   severity: error
#   remediation: Publish exactly one host port per container port, written as ${SERVICE_PORT:-7000}:<container port>; use a bridge network instead of network_mode host.
#   tags: [ports, ranges]
package portguard.rules.ranges.unpinned_database_port

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s publishes container port %d on a random host port", [p.service, p.target]),
	"suggestion": _suggestion(p),
	"fix": fix.to_target(p),
})) if {
	some p in ports.tooling_mappings
	p.category == "database"
	p.published == null
	p.variable == null
}

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s publishes the host port range %d-%d for container port %d", [p.service, r[0], r[1], p.target]),
	"suggestion": _suggestion(p),
	"fix": fix.to_target(p),
})) if {
	some p in ports.tooling_mappings
	p.category == "database"
	r := p.effective_range
	r[0] != r[1]
	p.target_range[0] == p.target_range[1]
}

report contains finding.new(rego.metadata.chain(), object.union(_network_mode_at(svc), {
	"service": svc.name,
	"classification": services.classification_of(i),
	"message": sprintf("%s uses network_mode host and publishes every port it listens on", [svc.name]),
	"suggestion": "remove network_mode: host and publish the database port as ${SERVICE_PORT:-7000}:<container port>",
})) if {
	some i, svc in input.services
	services.category[i] == "database"
	svc.network_mode == "host"
}

# A finding about network_mode points at it, where it is written.
_network_mode_at(svc) := finding.at(svc.network_mode_at) if svc.network_mode_at != null

else := finding.at(svc)

_suggestion(p) := fix.instruction(p, t) if t := suggest.target(p)

else := sprintf("publish one host port from %d-%d", [ports.ranges.database.from, ports.ranges.database.to])
