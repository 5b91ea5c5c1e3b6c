# METADATA
# title: Port the stack will publish is already taken on this host
# description: |
#   Before start-up (portguard run), a host port that a service is about to
#   publish is held on this host by a process, or by a running container
#   that is not that same compose service (a service already running on its
#   own port is no conflict). The finding names the holder (pid and
#   command, or container and compose project and service) and suggests
#   free ports of the service's sub-range: ports that neither the compose
#   files nor the host use.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp802
#     description: DBP802 in the rule reference
# custom:
#   id: DBP802
#   severity: error
#   remediation: Stop the holder, or publish the service on one of the suggested free ports (set its variable in the root .env).
#   tags: [live, ports, conflicts]
package portguard.rules.live.port_taken

import data.portguard.lib.conflicts
import data.portguard.lib.finding
import data.portguard.lib.live
import data.portguard.lib.ports
import data.portguard.lib.services

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"message": sprintf("%s will publish %d/%s, already held on this host by %s", [p.service, n, p.protocol, holder]),
	"suggestion": _suggestion(p, n),
})) if {
	# Only a port that something on this host holds has holders: without
	# live data, no mapping is looked at (10,000 services: 30 ms, per-rule
	# profile).
	count(live.held) > 0
	some p in ports.mappings
	some n in _ports(p)
	[p.protocol, n] in live.held
	some holder in _holders(p, n)
}

# _ports are the host ports a mapping publishes.
_ports(p) := numbers.range(p.effective_range[0], p.effective_range[1]) if is_array(p.effective_range)

else := []

# _holders names what holds port n of mapping p: running containers that
# are not p's service, and sockets that belong to no running container.
_holders(p, n) := {h |
	some x in live.published
	x.port.published == n
	x.port.protocol == p.protocol
	conflicts.ip_overlap(x.port.host_ip, p.host_ip)
	not _same_service(x.container, p)
	h := live.describe_container(x.container)
} | {h |
	some l in live.process_listeners
	l.port == n
	l.protocol == p.protocol
	conflicts.ip_overlap(l.ip, p.host_ip)
	h := _describe_socket(l)
}

_same_service(c, p) if {
	c.service == p.service
	c.project == input.services[p.svc].project
}

_describe_socket(l) := sprintf("container proxy %s (pid %d) for a container that was not inspected (%s; it may be this service)", [l.command, l.pid, input.live.docker.error]) if {
	live.proxy(l)
	not live.inspected
} else := live.describe_process(l)

_suggestion(p, n) := sprintf("stop the holder, or publish %s on a free port: %s", [p.service, _list(free)]) if {
	free := _free(p, n)
	count(free) > 0
} else := sprintf("stop the holder of %d", [n])

_free(p, n) := array.slice(live.free[p.category], 0, 3) if p.category in services.tooling

else := live.free_after(n, 3)

_list(ns) := concat(", ", [sprintf("%d", [n]) | some n in ns])
