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

# refs lists every host:port reference of every environment entry, with
# the entry and its service.
refs := [{"svc": i, "env": e, "host": r.host, "port": r.port} |
	some i, svc in input.services
	some e in svc.environment
	some r in e.port_refs
]

# internal_port is the container port that service i's mapping on host
# port n leads to.
internal_port(i, n) := [p.target |
	some p in ports.by_service[input.services[i].name]
	p.effective == n
][0]
