# METADATA
# title: fix
# description: |
#   Machine fixes: what the rules attach to a finding as its `fix`, and
#   `portguard fix` applies (Go splices the changes, it never decides them).
#   A fix has three lists, each possibly empty:
#
#     edits: [{file, line, column, end_column, old, text, port}]
#       replace the YAML scalar at file:line:column..end_column (quotes
#       included), whose value is old, by one whose value is text; the
#       mapping then publishes host port `port`. Go keeps the quoting style.
#     env:   [{file, name, value}]
#       set name=value in the root .env: correct the line that defines
#       name, or add one.
#     rows:  [{file, port, service, env_var, category, internal_port}]
#       document port in the convention table; with line and replaces, the
#       row at that line documents this mapping's old port `replaces` and
#       moves to port instead; with remove too, that row goes (port is
#       documented by another row of the service already).
#
#   Every finding about one mapping carries the same fix for it (mapping),
#   so fixes of several rules agree and Go merges them: identical changes
#   once, different changes to one place are a conflict. Ports come from
#   suggest.target, which gives competing movers distinct free ports.
#
#   A fix exists only where it makes its finding go away: a mapping that
#   cannot be rewritten, a port nobody can take, a variable or a scalar
#   shared by mappings that want different ports get none(reason) instead,
#   and the finding says "no machine fix" and why (finding.new turns it
#   into no_fix). A fix documents only what it moves or what is published,
#   and keeps one row per port and per service: the row of the old port
#   moves with the mapping, or goes when the new port has one already.
package portguard.lib.fix

import data.portguard.lib.backups
import data.portguard.lib.conflicts
import data.portguard.lib.conventions
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

# none is the value of a fix that does not exist, with the reason.
none(reason) := {"none": reason}

# mapping(p, port) is the fix that makes mapping p publish port, written as
# the convention writes it (${VAR:-port} with VAR=port in the root .env),
# and, when p moves, documents the new port. none when the mapping cannot
# be rewritten safely (other variables in it, a block scalar, no published
# key in the long syntax, a range of container ports, which no single port
# replaces), or when mappings that share its variable or its
# scalar want other ports.
mapping(p, port) := none(why) if why := _blocked(p, port)

else := {"edits": _edits(p, port), "env": _env(p, port), "rows": array.concat(_moved_rows(p, port), _range_rows_gone(p, port))}

_blocked(p, _) := why if why := _unwritable(p)

else := sprintf("its variable %s is shared by mappings that need different ports", [v]) if {
	v := ports.var_name(p)
	v in contested
} else := sprintf("%s:%d is shared by %s (extends), which need different ports: give each its own ports: entry", [p.file, p.line, concat(", ", sorted)]) if {
	key := _position(p)
	key in contested_positions
	sorted := sort(_services_at[key])
}

# contested are the variables that mappings wanting different ports share
# (variants of a service that classify differently, say a database image in
# one file and an exporter image in another): no value of the variable
# fixes both, so neither gets a machine fix and the findings say why.
contested := {v |
	some v, targets in _targets_by_var
	count(targets) > 1
}

_targets_by_var[x.variable] contains x.target if some x in _var_targets

_var_targets := [{"variable": ports.var_name(p), "target": t, "at": _position(p)} |
	some p in ports.judged_mappings
	t := suggest.target(p)
]

# contested_positions are the scalars that several services inherit (one
# mapping of a file used by extends) and whose services want different
# ports: one edit cannot give each its port.
contested_positions := {key |
	some key, targets in _targets_by_position
	count(targets) > 1
}

_targets_by_position[x.at] contains x.target if some x in _var_targets

# _services_at[at] are the services whose mappings are written at position
# at.
_services_at := {at: names | some at, names in _services_grouped}

_services_grouped[_position(p)] contains p.service if some p in ports.judged_mappings

# _position is where a mapping is written: {file, line, column}.
_position(p) := {"file": p.file, "line": p.line, "column": p.column}

# to_target is the fix that puts p on the port the convention wants for it
# (suggest.target); none when there is none.
to_target(p) := mapping(p, t) if t := suggest.target(p)

else := none(why_not(p))

# moving is to_target for a mapping that must leave its port; null for one
# that keeps it (the first holder of a contested port).
moving(p) := mapping(p, t) if {
	t := suggest.target(p)
	t != p.effective
} else := null if suggest.target(p) == p.effective

else := null if {
	not p.category in services.tooling
	not conflicts.loses_conflict(p)
	not conventions.takes_documented(p)
} else := none(why_not(p))

# to_port is to_target, or for a service that is no database tool (judged
# with env_var_form: all) the port it publishes now.
to_port(p) := to_target(p) if suggest.target(p)

else := mapping(p, p.effective) if {
	not p.category in services.tooling
	is_number(p.effective)
} else := none(why_not(p))

# why_not says why a mapping of a database tool has no port to go to.
why_not(p) := "portguard moves the ports of databases, UIs and exporters only" if {
	not p.category in services.tooling
} else := why if {
	ports.spans(p)
	why := _unwritable(p)
} else := sprintf("%s is a backup of %s, whose port is not known", [p.service, backups.primary_name[p.svc]]) if {
	backups.primary_name[p.svc]
	not suggest.backup_target(p)
} else := sprintf("its primary's port + %d = %d is taken or outside %d-%d", [backups.backup_number[p.svc], t, r.from, r.to]) if {
	t := suggest.backup_target(p)
	r := ports.ranges[p.category]
} else := sprintf("no free port is left in %s %d-%d", [p.category, r.from, r.to]) if {
	r := ports.ranges[p.category]
} else := "no port of its category is known"

# documenting is the fix of an undocumented port: the fix that moves the
# mapping when it must move (its new port gets the row), else a row for the
# port it publishes, the service's stale row moved there when it has one.
documenting(p) := to_target(p) if {
	t := suggest.target(p)
	t != p.effective
} else := none("no machine fix documents a range of ports: add a row for the range by hand") if {
	p.effective_range[0] != p.effective_range[1]
} else := none(why) if {
	not suggest.target(p)
	why := _unwritable(p)
} else := {"edits": [], "env": [], "rows": rows} if {
	rows := _kept_rows(p)
	count(rows) > 0
} else := null

# instruction says in words what mapping(p, port) changes: the mapping
# and the root .env, or the .env alone when the mapping is written so.
instruction(p, port) := sprintf("set %s=%d in the root .env", [ports.var_name(p), port]) if {
	_text(p, port) == p.raw
} else := sprintf("write %q and set %s=%d in the root .env", [ports.mapping_text(p, port), ports.var_name(p), port])

# _text is the new value of the scalar at p's position: the whole mapping
# in the short syntax, the published value in the long one.
_text(p, port) := ports.mapping_text(p, port) if p.syntax == "short"

else := sprintf("${%s:-%d}", [ports.var_name(p), port])

_edits(p, port) := [] if _text(p, port) == p.raw

else := [{
	"file": p.file,
	"line": p.line,
	"column": p.column,
	"end_column": p.end_column,
	"old": p.raw,
	"text": _text(p, port),
	"port": port,
}]

# _unwritable says why the scalar of p cannot be rewritten, if it cannot:
# it must sit on one line and hold no variable besides the host port's (a
# variable host IP would be lost), and the short syntax must map one
# container port.
_unwritable(p) := "the mapping is written over several lines" if {
	not _one_line(p)
} else := "the mapping holds another variable, which a rewrite would lose" if {
	count(indexof_n(p.raw, "$")) > _own_vars(p)
} else := sprintf("the mapping publishes the range of container ports %d-%d, which moves as a whole: rewrite it by hand", [p.target_range[0], p.target_range[1]]) if {
	ports.spans(p)
}

_one_line(p) if {
	p.raw != ""
	p.end_column > p.column
}

_own_vars(p) := 1 if is_string(p.variable.name)

else := 0

# _env sets the variable unless the root .env already holds the port. A
# repository with neither a root .env nor a template of it gets none: its
# mappings rest on their compose defaults, and a .env is local state that
# fix does not start.
_env(p, port) := [] if {
	p.variable.name == ports.var_name(p)
	ports.port_number(p.variable.env_value) == port
}

else := [] if input.env.file == ""

else := [{"file": env_file, "name": ports.var_name(p), "value": sprintf("%d", [port])}]

# env_file is the file that takes the variables: the root .env that was
# read (.env.example when it stands in), else the configured one.
env_file := input.env.file if input.env.file != ""

else := input.config.env_file

# table_file is the convention table, which fix creates when it is absent.
table_file := input.conventions.file if input.conventions.file != ""

else := input.config.conventions_file

# _moved_rows documents the new port of a mapping that moves: the row of
# its old port moves along, or goes when a row documents the new port
# already; a mapping that keeps its port is documented by DBP501's fix.
_moved_rows(p, port) := [] if port == p.effective

else := [object.union(_row(p, port), _replaced(p, row))] if {
	_documentable(p, port)
	not port in conventions.documented_ports
	row := _row_to_move(p)
} else := [_row(p, port)] if {
	_documentable(p, port)
	not port in conventions.documented_ports
} else := [object.union(_row(p, port), object.union(_replaced(p, row), {"remove": true})) |
	_documentable(p, port)
	port in conventions.documented_ports
	some row in _rows_left(p)
]

# _range_rows_gone: a range of host ports that becomes one port takes the
# rows of the ports it stops publishing with it.
_range_rows_gone(p, port) := [object.union(_row(p, port), object.union(_replaced(p, row), {"remove": true})) |
	r := p.effective_range
	is_array(r)
	r[0] < r[1]
	some n in numbers.range(r[0], r[1])
	not n in {p.effective, port}
	some row in _rows_left_at(p, n)
]

# _kept_rows documents the port a mapping keeps: the service's stale row
# moves there when it has one, else a row is added.
_kept_rows(p) := [object.union(_row(p, p.effective), _replaced(p, row))] if {
	_documentable(p, p.effective)
	row := stale_rows(p)[0]
} else := [_row(p, p.effective)] if {
	_documentable(p, p.effective)
} else := []

# Only database tools in the protected range are documented.
_documentable(p, port) if {
	p.category in services.tooling
	ports.protected(port)
}

_row(p, port) := {
	"file": table_file,
	"port": port,
	"service": p.service,
	"env_var": ports.var_name(p),
	"category": p.category,
	"internal_port": p.target,
}

_replaced(_, row) := {"line": row.line, "replaces": row.port}

# _rows_left are the hand-written rows of p's old port that document p and
# no mapping of another service staying there: they move with p, or go.
_rows_left(p) := _rows_left_at(p, p.effective)

_rows_left_at(p, n) := [r |
	some r in object.get(conventions.rows_by_port, n, [])
	not r.generated
	conventions.satisfies(r, p)
	not _documents_a_stayer(r, p)
]

_documents_a_stayer(row, p) if {
	some h in object.get(ports.holders, row.port, [])
	h.service != p.service
	conventions.satisfies(row, h)
}

# _row_to_move is the row that follows p to its new port: the row of its
# old port, else a stale row of its own (a port nothing publishes).
_row_to_move(p) := r if r := _rows_left(p)[0]

else := r if r := stale_rows(p)[0]

# stale_rows are p's own rows (see suggest.own_rows) on ports that
# nothing publishes and no mapping is to take, best first: by variable,
# then the lowest port.
stale_rows(p) := [r |
	some [_, _, r] in sort([[rank, r.port, r] |
		some own in suggest.own_rows(p)
		rank := own.rank
		r := own.row
		count(object.get(conventions.publishers, r.port, [])) == 0
		not r.port in suggest.planned
	])
]
