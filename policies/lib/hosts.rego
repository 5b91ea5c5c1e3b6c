# METADATA
# title: hosts
# description: |
#   How containers reach services: the service each host name of an
#   environment value refers to (service name or container_name), and the
#   host names that mean the container itself.
package portguard.lib.hosts

import data.portguard.lib.ports
import data.portguard.lib.services

# local is the set of host names that, inside a container, mean the
# container itself.
local := {"localhost", "127.0.0.1", "::1", "0.0.0.0", "ip6-localhost"}

# service_hosts is every host name a service answers to: its name and its
# container_name.
service_hosts := {lower(n) |
	some svc in input.services
	some n in [svc.name, svc.container_name]
	n != ""
}

_tooling_names := [{"host": lower(n), "svc": i} |
	some i, svc in input.services
	services.category[i] in services.tooling
	some n in [svc.name, svc.container_name]
	n != ""
]

# tooling_by_host[h] are the indexes of the databases, UIs and exporters
# reachable as host h.
tooling_by_host := _tooling_by_host

_tooling_by_host[x.host] contains x.svc if some x in _tooling_names

# tooling_by_published[n] are the database, UI and exporter services that
# publish host port n.
tooling_by_published := {n: names |
	some n, holders in ports.holders
	names := {h.service |
		some h in holders
		h.category in services.tooling
	}
	count(names) > 0
}

# port_refs lists every host:port reference of every environment entry,
# with the indexes of its service (svc) and of the entry in the service's
# environment (entry): a rule reads the entry of the few references it
# reports, since a list that held the entries would copy each of them
# into a value of its own (10,000 services: 40 ms, per-rule profile).
port_refs := [{"svc": i, "entry": j, "host": r.host, "port": r.port} |
	some i, svc in input.services
	some j, e in svc.environment
	some r in e.port_refs
]

# entry(r) is the environment entry of the reference r (of port_refs).
entry(r) := input.services[r.svc].environment[r.entry]

# refs lists every host:port reference of every environment entry, with
# the entry (env) and its service: kept for the policies of users (the
# built-in rules read port_refs).
refs := [{"svc": r.svc, "env": entry(r), "host": r.host, "port": r.port} | some r in port_refs]

# tooling_ports[i] are the host ports that the mappings of the database,
# UI or exporter input.services[i] (and of its variants) publish: found
# once per service, so that the many references to a database on another
# port (its container port, say) look for no mapping (internal_port).
tooling_ports := {i: {p.effective | some p in ports.of_service(input.services[i].name)} |
	some is in _tooling_by_host
	some i in is
}

# internal_port is the container port that service i's mapping on host
# port n leads to.
internal_port(i, n) := [p.target |
	some p in ports.of_service(input.services[i].name)
	p.effective == n
][0]
