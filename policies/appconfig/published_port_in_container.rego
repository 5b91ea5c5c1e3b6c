# METADATA
# title: Container reaches a database by its published port
# description: |
#   A container's environment reaches a database, UI or exporter by service
#   name and its published host port (timescaledb:7000). Inside the compose
#   network the service listens on its container port; the published port
#   is for processes on the host.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp702
#     description: DBP702 in the rule reference
# custom:
#   id: DBP702
#   severity: error
#   remediation: Use the service name and its internal (container) port, e.g. timescaledb:5432.
#   tags: [env, network]
package portguard.rules.appconfig.published_port_in_container

import data.portguard.lib.finding
import data.portguard.lib.hosts

report contains finding.new(rego.metadata.chain(), object.union(finding.at(e), {
	"service": input.services[r.svc].name,
	"message": sprintf("%s reaches %s:%d in %s, the port %s publishes on the host", [input.services[r.svc].name, r.host, r.port, e.name, target.name]),
	"suggestion": sprintf("use %s:%d, the port %s listens on inside the network", [r.host, inner, target.name]),
	"related": [finding.related(target, sprintf("%s is defined here", [target.name]))],
})) if {
	some r in hosts.port_refs
	some t in hosts.tooling_by_host[r.host]
	r.port in hosts.tooling_ports[t]
	target := input.services[t]
	inner := hosts.internal_port(t, r.port)
	inner != r.port
	e := hosts.entry(r)
}
