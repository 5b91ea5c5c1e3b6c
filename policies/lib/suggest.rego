# METADATA
# title: suggest
# description: |
#   Free ports for `portguard suggest`, from the same facts and the same
#   notion of free as the rules' suggestions (stack.free: not published by
#   any service, not due to a backup, not assigned by the convention table),
#   less the ports that the fixes give to services that must move.
package portguard.lib.suggest

import data.portguard.lib.stack

# result answers a request {category, backup_of, count}: the count lowest
# free ports of the category's sub-range, or, for a backup of a service,
# the free ports after its primary's port (primary + 1 first). error says
# why there is no answer.
result(req) := _backup(req) if req.backup_of != ""

else := _category(req)

_category(req) := {
	"category": c,
	"range": stack.ranges[c],
	"primary": null,
	"ports": array.slice(_free(c), 0, req.count),
	"error": "",
} if {
	c := req.category
	c in stack.tooling
} else := {"error": sprintf("unknown category %q: use %s", [req.category, concat(", ", sort(stack.tooling))])}

_backup(req) := {"error": sprintf("no service is named %q", [req.backup_of])} if {
	not stack.service_names[req.backup_of]
} else := {"error": sprintf("%s is not a database, UI or exporter (category %s)", [req.backup_of, c])} if {
	c := _category_of(req.backup_of)
	not c in stack.tooling
} else := {"error": sprintf("%s publishes no known host port to follow", [req.backup_of])} if {
	not _lowest(req.backup_of)
} else := {
	"category": c,
	"range": stack.ranges[c],
	"primary": {"service": req.backup_of, "port": base},
	"ports": array.slice([n | some n in _free(c); n > base], 0, req.count),
	"error": "",
} if {
	c := _category_of(req.backup_of)
	base := _base(req.backup_of)
}

_category_of(name) := [stack.category[i] | some i, svc in input.services; svc.name == name][0]

# _lowest is the primary's mapping on its lowest known port.
_lowest(name) := sort([[m.effective, m.svc, m.idx, m] |
	some m in stack.ports_by_service[name]
	is_number(m.effective)
])[0][3]

# _base is the port the primary has under the convention (where a fix
# puts it), else the one it publishes.
_base(name) := t if t := stack.target(_lowest(name))

else := _lowest(name).effective

# _free are the free ports of category c that no fix is about to take.
_free(c) := [n | some n in stack.free[c]; not n in _planned]

_planned := {t |
	some p in stack.ports
	t := stack.target(p)
	t != p.effective
}
