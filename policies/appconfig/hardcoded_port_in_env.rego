# METADATA
# title: Container environment hard-codes a database port
# description: |
#   A container's environment writes a port of the protected range
#   (7000-7999) as a literal instead of reading it from a variable of the
#   root .env, so moving the database leaves the application behind. Values
#   that reach a service by name or through localhost are DBP702 and DBP703.
#   A service's own listen port (a database's PGPORT, a variable set to a
#   container port the service publishes) is its configuration, not a
#   reference.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp701
#     description: DBP701 in the rule reference
# custom:
#   id: DBP701
#   severity: error
#   remediation: Write the value with the variable of the root .env, e.g. ${TIMESCALEDB_PORT}; containers reach databases by service name and internal port.
#   tags: [env]
package portguard.rules.appconfig.hardcoded_port_in_env

import data.portguard.lib.finding
import data.portguard.lib.hosts
import data.portguard.lib.ports

# A port-like variable set to a protected port.
report contains finding.new(rego.metadata.chain(), object.union(finding.at(e), {
	"service": svc.name,
	"message": sprintf("%s sets %s=%d, a hard-coded database port", [svc.name, e.name, n]),
	"suggestion": _suggestion(n),
})) if {
	some svc in input.services
	some e in svc.environment
	not e.uses_variable
	e.value != "<redacted>"
	regex.match(`^[0-9]+$`, e.value)
	n := to_number(e.value)
	ports.protected(n)
	not _own_listen_port(svc, e, n)
}

# A service's own listen port is its configuration, not a reference to a
# database: a variable that sets it (the database's PGPORT, from its
# classification), or one set to a container port the service publishes.
_own_listen_port(svc, e, _) if e.name in object.get(svc, ["classification", "listen_env"], [])

_own_listen_port(svc, _, n) if {
	some p in svc.ports
	n >= p.target_range[0]
	n <= p.target_range[1]
}

# A host:port whose host is neither a service nor localhost.
report contains finding.new(rego.metadata.chain(), object.union(finding.at(e), {
	"service": input.services[r.svc].name,
	"message": sprintf("%s writes %s:%d in %s, a hard-coded database port", [input.services[r.svc].name, r.host, r.port, e.name]),
	"suggestion": _suggestion(r.port),
})) if {
	some r in hosts.port_refs
	ports.protected(r.port)
	e := hosts.entry(r)
	not e.uses_variable
	not r.host in hosts.service_hosts
	not r.host in hosts.local
}

_suggestion(n) := sprintf("read it from the root .env: ${%s}", [v]) if {
	vars := {h.variable.name |
		some h in ports.holders[n]
		is_string(h.variable.name)
	}
	count(vars) > 0
	v := sort(vars)[0]
}

else := "read it from a variable of the root .env"
