# METADATA
# title: live
# description: |
#   What the DBP8xx rules share about the running host (input.live): the
#   category of each container (its classification, made by input as for a
#   service: label portguard.category, .portguard.yaml categories by
#   service, the image, then the words of its name) and of each listening
#   process (its executable through
#   data.portguard.processes), which sockets belong to a container (a
#   container proxy such as docker-proxy on a port a running container
#   publishes), who holds each host port, and the free ports of a sub-range
#   once the host's ports are taken out too. Undefined without input.live:
#   a check of files alone has no live findings.
package portguard.lib.live

import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

# inspected reports whether the containers were listed.
inspected if input.live.docker.inspected

# containers lists the running containers with their index (ci) and
# category.
containers := [object.union(c, {"ci": i, "category": container_category[i]}) |
	some i, c in input.live.containers
	c.running
]

# container_category[i] is the category of input.live.containers[i], as
# input classified it (see input.ClassifyContainer).
container_category := {i: object.get(c, ["classification", "category"], "other") |
	some i, c in input.live.containers
}

# published lists every host port a running container publishes, with the
# container.
published := [{"container": c, "port": p} |
	some c in containers
	some p in c.ports
]

# _published_ports is the set of [protocol, port] a running container
# publishes.
_published_ports := {[x.port.protocol, x.port.published] | some x in published}

# process_category is the category of a listening process, by its
# executable's name; "unknown" when its owner is not visible.
process_category(l) := "unknown" if not l.owner_visible

else := c if {
	id := data.portguard.processes[lower(l.command)]
	c := data.portguard.images[id].category
} else := "other"

# proxy reports whether a listener is a container proxy (docker-proxy,
# rootlesskit, Docker Desktop's backend): the port belongs to a container.
proxy(l) if lower(l.command) in {p | some p in data.portguard.container_proxies}

# container_socket reports whether a socket belongs to a running container:
# a container proxy on a port that a running container publishes (the
# container is judged, not its proxy).
container_socket(l) if {
	proxy(l)
	[l.protocol, l.port] in _published_ports
}

# process_listeners are the sockets that belong to no running container.
process_listeners := [l |
	some l in input.live.listeners
	not container_socket(l)
]

# held is the set of [protocol, port] taken on the host: by a socket or by
# a running container.
held := {[l.protocol, l.port] | some l in input.live.listeners} | _published_ports

# free[c] are the ports of category c's sub-range that neither the compose
# files nor the host use, lowest first.
free := {c: [n | some n in suggest.free[c]; not _held_any(n)] | some c in services.tooling}

_held_any(n) if ["tcp", n] in held

_held_any(n) if ["udp", n] in held

# free_after lists up to count ports above port, outside the protected
# range, that neither the compose files nor the host use.
free_after(port, n) := array.slice(
	[m |
		some m in numbers.range(port + 1, min([port + 200, 65535]))
		not ports.protected(m)
		not m in ports.used
		not _held_any(m)
	],
	0, n,
)

# describe_container names a container for a message: its name, and its
# compose project and service when compose started it.
describe_container(c) := sprintf("container %s (compose project %s, service %s, image %s)", [c.name, c.project, c.service, c.image]) if c.project != ""

else := sprintf("container %s (image %s)", [c.name, c.image])

# describe_process names the owner of a socket for a message.
describe_process(l) := sprintf("%s (pid %d)", [l.command, l.pid]) if l.owner_visible

else := "a process whose owner this user may not see (run as root to name it)"

# not_inspected says, for a message, why containers were not looked at;
# empty when they were.
not_inspected := "" if inspected

else := sprintf("; containers were not inspected: %s", [input.live.docker.error])

# range_text renders a range {from, to}.
range_text(r) := sprintf("%d-%d", [r.from, r.to])
