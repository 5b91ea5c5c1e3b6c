# METADATA
# title: Process or container that is not a database tool listens inside the database range
# description: |
#   On the running host, a process or a running container that is neither a
#   database, a database UI nor an exporter listens on (or publishes) a port
#   inside the protected range (7000-7999 by default). Containers are
#   classified as services are (label portguard.category, .portguard.yaml
#   categories, the image, the compose service name); processes by their
#   executable (postgres, redis-server, mysqld, mongod, clickhouse-server,
#   qdrant, ...; data.portguard.processes). A socket whose owner this user
#   may not see is reported too, saying so. A socket of a container proxy
#   (docker-proxy) is the container's, which is judged instead.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp801
#     description: DBP801 in the rule reference
# custom:
#   id: DBP801
#   severity: error
#   remediation: Stop the process or move it (or the container's published port) outside the protected range; if it is a database tool, label the container portguard.category or add the executable to data.portguard.processes.
#   tags: [live, ports, ranges]
package portguard.rules.live.non_database_listener

import data.portguard.lib.finding
import data.portguard.lib.live
import data.portguard.lib.ports
import data.portguard.lib.services

report contains finding.new(rego.metadata.chain(), {
	"service": c.service,
	"message": sprintf("%s is not a database tool (category %s) and publishes %d/%s inside %s", [live.describe_container(c), c.category, p.published, p.protocol, _range]),
	"suggestion": sprintf("publish it outside %s, e.g. %d, or label it portguard.category if it is a database tool", [_range, _outside]),
}) if {
	some x in live.published
	c := x.container
	p := x.port
	not c.category in services.tooling
	ports.protected(p.published)
}

report contains finding.new(rego.metadata.chain(), {
	"message": sprintf("%s listens on %s %s:%d inside %s%s", [_owner(l), l.protocol, l.ip, l.port, _range, _why(l)]),
	"suggestion": _suggestion(l),
}) if {
	some l in live.process_listeners
	ports.protected(l.port)
	not live.process_category(l) in services.tooling
}

_range := live.range_text(ports.ranges.protected)

# _outside is the first port above the protected range that nothing uses.
_outside := n if n := live.free_after(ports.ranges.protected.to, 1)[0]

else := ports.ranges.protected.to + 1

_owner(l) := sprintf("container proxy %s (pid %d)", [l.command, l.pid]) if live.proxy(l)

else := sprintf("%s (pid %d), not a database tool,", [l.command, l.pid]) if l.owner_visible

else := live.describe_process(l)

_why(l) := sprintf(" for a container that was not inspected (%s)", [input.live.docker.error]) if {
	live.proxy(l)
	not live.inspected
}

else := " for no running container" if live.proxy(l)

else := ""

_suggestion(l) := sprintf("stop the process (pid %d) or move it outside %s, e.g. to %d", [l.pid, _range, _outside]) if l.owner_visible

else := sprintf("identify the owner (run portguard audit as root, or ss -ltnup), then move it outside %s", [_range])
