# METADATA
# title: migrate
# description: |
#   What `portguard migrate plan` moves and what a backup holds. A move is
#   a mapping of a database, UI or exporter whose host port is not the one
#   the convention gives it (suggest.target: the port fix and suggest choose),
#   with the fix that moves it (fix.to_target, the fix its findings carry).
#   services lists every database tool with what its backup takes: the
#   dump tool of its family and its data mounts.
package portguard.lib.migrate

import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.lib.services as service
import data.portguard.lib.suggest
import data.portguard.lib.volumes

# moves lists, in document order, every mapping of a database, UI or
# exporter that must publish another host port. to is null and problem
# says why when no port is left; fix is null and problem says why when
# the mapping cannot be rewritten.
moves := [_move(p) |
	some p in ports.tooling_mappings
	not _stays(p)
]

# _stays: the mapping already publishes its target. (A rule of its own:
# OPA does not make `not suggest.target(p) == p.effective` true when target
# is undefined, as for a mapping with no free port left.)
_stays(p) if {
	t := suggest.target(p)
	t == p.effective
}

_move(p) := {
	"service": p.service,
	"project": input.services[p.svc].project,
	"project_file": p.project_file,
	"file": p.file,
	"line": p.line,
	"column": p.column,
	"raw": p.raw,
	"category": p.category,
	"container_port": p.target,
	"protocol": p.protocol,
	"host_ip": p.host_ip,
	"from": p.effective,
	"to": _to(p),
	"variable": ports.var_name(p),
	"fix": _fix(p),
	"problem": _problem(p),
}

_to(p) := t if t := suggest.target(p)

else := null

# _fix is the fix the mapping's findings carry; null when it has none, and
# _problem says why (lib/fix decides both).
_fix(p) := null if fix.to_target(p).none

else := fix.to_target(p)

_problem(p) := why if why := fix.to_target(p).none

else := ""

# services lists every database, UI and exporter with what a backup of it
# takes: dump names the tool that dumps its family ("" when none does),
# data_mounts the mounts that hold a data directory of its image.
# loses_data is set for a database whose image keeps data in a directory
# that no volume or bind mount holds: recreating its container (a move)
# would lose the data. (lib/services is imported as service here, since
# this rule is named services.)
services := [{
	"service": svc.name,
	"project": svc.project,
	"project_file": object.get(svc, "project_file", svc.file),
	"category": service.category[i],
	"image": svc.image,
	"family": object.get(service.entry, [i, "family"], ""),
	"dump": object.get(dumps, object.get(service.entry, [i, "family"], ""), ""),
	"data_mounts": mounts,
	"loses_data": _loses_data(i, mounts),
} |
	some i, svc in input.services
	service.category[i] in service.tooling
	mounts := [m | some m in {m | some m in object.get(volumes.data_mounts, i, [])}]
]

_loses_data(i, mounts) if {
	service.category[i] == "database"
	count(object.get(service.entry, [i, "data_dirs"], [])) > 0
	not _persistent(mounts)
} else := false

# _persistent: a named volume, a bind mount or an anonymous volume (docker
# compose carries it over to the recreated container) holds the data.
_persistent(mounts) if {
	some m in mounts
	m.type in {"volume", "bind", "anonymous"}
}

# dumps maps a family of databases to the tool that dumps a whole server
# of it: portguard runs it inside the running container.
dumps := {"postgres": "pg_dumpall"}
