# The port allocator of lib/suggest (package portguard.lib.suggest, the
# choice of each mapping's port is in suggest.rego): the free ports of
# each sub-range, and how they are handed to the mappings that must move
# and have no port of their own, their variants' or their row's. Primaries
# with backups take aligned blocks of consecutive free ports first (so
# blocks never overlap), then the others take the free ports left, in
# document order. Also the free runs for a range of ports, a port outside
# the protected range for a service that is no database tool, and the
# answer of portguard suggest.
package portguard.lib.suggest

import data.portguard.lib.ports
import data.portguard.lib.services

# free[c] lists the ports of category c's sub-range that no mapping
# publishes by the committed files, no backup is due to take, and the table
# does not assign, lowest first.
free := {c: [n |
	some n in numbers.range(ports.ranges[c].from, ports.ranges[c].to)
	not n in _used
	not n in _backup_ports
	not n in ports.documented
] |
	some c in services.tooling
}

_free_set := {c: {n | some n in ns} | some c, ns in free}

# _allocated[g] is the free port of a group that has no other: the groups
# that take a block (a primary and its backups) take aligned blocks of
# consecutive free ports first, so that blocks never overlap; the others
# take the k-th free port left, in document order.
_allocated := object.union(_block_starts, _singles)

_ordered(c, wide) := [g |
	some [_, g] in sort([[place, g] |
		some g, place in _movers
		g.category == c
		not _row_port[g]
		_is_wide(g) == wide
	])
]

_is_wide(g) := _width(g) > 1

# _stride[c] is the block size of category c: the widest block asked for.
_stride := {c: max({_width(g) | some g in gs}) |
	some c in services.tooling
	gs := _ordered(c, true)
	count(gs) > 0
}

_blocks := {c: [n |
	some n in free[c]
	(n - ports.ranges[c].from) % w == 0
	every j in numbers.range(1, w - 1) {
		(n + j) in _free_set[c]
	}
] |
	some c, w in _stride
}

_block_starts := {g: _blocks[c][k] |
	some c in services.tooling
	some k, g in _ordered(c, true)
	k < count(_blocks[c])
}

# _in_blocks[c] are the ports of the blocks given away in category c.
_in_blocks := {c: {m |
	some k, n in _blocks[c]
	k < count(_ordered(c, true))
	some j in numbers.range(0, _stride[c] - 1)
	m := n + j
} |
	some c, _ in _blocks
}

_left := {c: [n | some n in free[c]; not n in object.get(_in_blocks, c, set())] | some c in services.tooling}

_singles := {g: _left[c][k] |
	some c in services.tooling
	some k, g in _ordered(c, false)
	k < count(_left[c])
}

# span_suggestion tells a mapping that spans a range of container ports
# (ports.spans) where its ports may go, keeping the range whole.
span_suggestion(p) := sprintf("keep the %d ports together: publish them as one range on %d-%d, a free run of %s's sub-range %d-%d", [n, s, (s + n) - 1, p.category, ports.ranges[p.category].from, ports.ranges[p.category].to]) if {
	n := (p.target_range[1] - p.target_range[0]) + 1
	s := _free_run(p.category, n)
} else := sprintf("keep the %d ports together: publish them as one range inside %s's sub-range %d-%d", [(p.target_range[1] - p.target_range[0]) + 1, p.category, ports.ranges[p.category].from, ports.ranges[p.category].to])

# _free_run is the first port of n consecutive free ports of category c's
# sub-range.
_free_run(c, n) := [s |
	some k, s in free[c]
	(k + n) - 1 < count(free[c])
	free[c][(k + n) - 1] == (s + n) - 1
][0]

# outside_port suggests a host port outside the protected range for a service
# that is not a database tool: its container port when free, else the first
# free port from 8000.
outside_port(p) := p.target if {
	not ports.protected(p.target)
	not p.target in ports.used
} else := _outside_free[0]

# _outside_free is built once: every service that leaves the protected range
# would otherwise rescan 8000-8999.
_outside_free := [n |
	some n in numbers.range(8000, 8999)
	not n in ports.used
]

# --- portguard suggest ---------------------------------------------------------

# result answers a request {category, backup_of, count}: the count lowest
# free ports of the category's sub-range, or, for a backup of a service,
# the free ports after its primary's port (primary + 1 first). error says
# why there is no answer.
result(req) := _backup(req) if req.backup_of != ""

else := _category(req)

_category(req) := {
	"category": c,
	"range": ports.ranges[c],
	"primary": null,
	"ports": array.slice(_free(c), 0, req.count),
	"error": "",
} if {
	c := req.category
	c in services.tooling
} else := {"error": sprintf("unknown category %q: use %s", [req.category, concat(", ", sort(services.tooling))])}

_backup(req) := {"error": sprintf("no service is named %q", [req.backup_of])} if {
	not services.names[req.backup_of]
} else := {"error": sprintf("%s is not a database, UI or exporter (category %s)", [req.backup_of, c])} if {
	c := _category_of(req.backup_of)
	not c in services.tooling
} else := {"error": sprintf("%s publishes no known host port to follow", [req.backup_of])} if {
	not _lowest(req.backup_of)
} else := {
	"category": c,
	"range": ports.ranges[c],
	"primary": {"service": req.backup_of, "port": base},
	"ports": array.slice([n | some n in _free(c); n > base], 0, req.count),
	"error": "",
} if {
	c := _category_of(req.backup_of)
	base := _base(req.backup_of)
}

_category_of(name) := [services.category[i] | some i, svc in input.services; svc.name == name][0]

# _lowest is the primary's mapping on its lowest known port.
_lowest(name) := ports.lowest([m |
	some m in ports.of_service(name)
	is_number(m.effective)
])

# _base is the port the primary has under the convention (where a fix
# puts it), else the one it publishes.
_base(name) := t if t := target(_lowest(name))

else := _lowest(name).effective

# _free are the free ports of category c that no fix is about to take.
_free(c) := [n | some n in free[c]; not n in planned]

# planned are the ports that mappings move to.
planned := {t |
	some p in ports.mappings
	t := target(p)
	t != p.effective
}
