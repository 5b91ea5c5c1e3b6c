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
rows := [{
	"port": k[0],
	"service": k[1],
	"variable": k[2],
	"category": k[3],
	"internal_port": k[4],
	"files": _files[k],
	"at": _at[k],
} |
	some k in sort(_keys)
]

_entries := [{"key": [n, p.service, _variable(p), p.category, p.target], "at": {"file": p.file, "line": p.line, "column": p.column}} |
	some p in ports.mappings
	some n in _protected(p)
]

_keys := {e.key | some e in _entries}

_files := {k: files |
	some k in _keys
	files := sort({e.at.file |
		some e in _entries
		e.key == k
	})
}

_at := {k: at |
	some k in _keys
	at := sort([e.at |
		some e in _entries
		e.key == k
	])
}

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
