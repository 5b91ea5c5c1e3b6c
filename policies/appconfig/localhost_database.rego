# METADATA
# title: Container reaches a database through localhost
# description: |
#   A container's environment reaches a database, UI or exporter through
#   localhost (or 127.0.0.1). Inside a container localhost is the container
#   itself: the connection fails, or reaches the wrong process. A wildcard
#   address (0.0.0.0, ::) is where a service listens on every interface
#   (PAGESERVER_LISTEN_ADDR=0.0.0.0:6400), never a destination (RFC 1122):
#   it reaches nothing.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp703
#     description: DBP703 in the rule reference
# custom:
#   id: DBP703
#   severity: error
#   remediation: Use the service name and its internal (container) port, e.g. redis:6379.
#   tags: [env, network]
package portguard.rules.appconfig.localhost_database

import data.portguard.lib.finding
import data.portguard.lib.hosts
import data.portguard.lib.ports

report contains finding.new(rego.metadata.chain(), object.union(finding.at(e), {
	"service": self,
	"message": sprintf("%s reaches %s:%d in %s; inside a container that is the container itself, not %s", [self, r.host, r.port, e.name, concat(", ", names)]),
	"suggestion": _suggestion(names, r.port),
})) if {
	some r in hosts.port_refs
	r.host in hosts.local
	not r.host in _wildcard
	self := input.services[r.svc].name
	names := sort(hosts.tooling_by_published[r.port] - {self})
	count(names) > 0
	e := hosts.entry(r)
}

_wildcard := {"0.0.0.0", "::", "[::]"}

_suggestion(names, port) := sprintf("use %s:%d", [names[0], inner]) if {
	inner := [p.target |
		some p in ports.of_service(names[0])
		p.effective == port
	][0]
}

else := sprintf("use the service name %s and its internal port", [names[0]])
