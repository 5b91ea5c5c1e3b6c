# METADATA
# title: table
# description: |
#   The generated table of PORTS-CONVENTION.md (`portguard docs`): one row
#   per host port of the protected range and the service that publishes it,
#   with its variable, category and container port, and the compose files
#   that write it (variants of one service in several files share a row).
package portguard.lib.table

import data.portguard.lib.ports

# rows is the table, sorted by port, then service.
rows := [object.union(r, {"files": sort({_entries[k].at.file | some k in ks}), "at": sort([_entries[k].at | some k in ks])}) |
	some [_, r, ks] in sort([[[r.port, r.service, r.variable, r.category, r.internal_port], r, ks] | some r, ks in _by_row])
]

# _entries are the rows of every mapping, once per host port it publishes
# in the protected range, with the place of the mapping.
_entries := [{"row": {"port": n, "service": p.service, "variable": _variable(p), "category": p.category, "internal_port": p.target}, "at": {"file": p.file, "line": p.line, "column": p.column}} |
	some p in ports.mappings
	some n in _protected(p)
]

# _by_row[r] are the indexes into _entries of row r (a grouping, read
# whole: see lib/ports' header).
_by_row[e.row] contains k if some k, e in _entries

_variable(p) := p.variable.name if is_string(p.variable.name)

else := ""

# _protected are the host ports of p in the protected range.
_protected(p) := [n |
	r := p.effective_range
	is_array(r)
	lo := max([r[0], ports.ranges.protected.from])
	hi := min([r[1], ports.ranges.protected.to])
	lo <= hi
	some n in numbers.range(lo, hi)
]
