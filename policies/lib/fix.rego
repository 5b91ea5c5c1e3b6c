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
#       moves to port instead.
#
#   Every finding about one mapping carries the same fix for it (mapping),
#   so fixes of several rules agree and Go merges them: identical changes
#   once, different changes to one place are a conflict. Ports come from
#   stack.target, which gives competing movers distinct free ports.
package portguard.lib.fix

import data.portguard.lib.conventions
import data.portguard.lib.stack

# mapping(p, port) is the fix that makes mapping p publish port, written as
# the convention writes it (${VAR:-port} with VAR=port in the root .env),
# and, when p moves, documents the new port. null when the mapping cannot
# be rewritten safely (other variables in it, a block scalar, no published
# key in the long syntax), and for a range of container ports, which no
# single port replaces.
mapping(p, port) := {"edits": e, "env": _env(p, port), "rows": _moved_rows(p, port)} if {
	not stack.spans(p)
	not stack.var_name(p) in contested
	e := _edits(p, port)
} else := null

# contested are the variables that mappings wanting different ports share
# (variants of a service that classify differently, say a database image in
# one file and an exporter image in another): no value of the variable
# fixes both, so neither gets a machine fix and the findings say why.
contested := {v |
	some v, targets in _targets_by_var
	count(targets) > 1
}

_targets_by_var[v] contains t if some [v, t] in _var_targets

_var_targets := [[stack.var_name(p), t] |
	some p in stack.judged_ports
	t := stack.target(p)
]

# to_target is the fix that puts p on the port the convention wants for it
# (stack.target); null when there is none.
to_target(p) := mapping(p, t) if t := stack.target(p)

else := null

# moving is to_target for a mapping that must leave its port; null for one
# that keeps it (the first holder of a contested port).
moving(p) := mapping(p, t) if {
	t := stack.target(p)
	t != p.effective
} else := null

# to_port is to_target, or for a service that is no database tool (judged
# with env_var_form: all) the port it publishes now.
to_port(p) := to_target(p) if stack.target(p)

else := mapping(p, p.effective) if {
	not p.category in stack.tooling
	is_number(p.effective)
} else := null

# documenting is the fix of an undocumented port: a row for the port the
# mapping keeps or moves to; null for services that are no database tools.
documenting(p) := {"edits": [], "env": [], "rows": rows} if {
	rows := _rows(p, _port(p))
	count(rows) > 0
} else := null

_port(p) := t if t := stack.target(p)

else := p.effective

# _text is the new value of the scalar at p's position: the whole mapping
# in the short syntax, the published value in the long one.
_text(p, port) := stack.mapping_text(p, port) if p.syntax == "short"

else := sprintf("${%s:-%d}", [stack.var_name(p), port])

_edits(p, port) := _edit(p, port, _text(p, port))

_edit(p, port, text) := [] if text == p.raw

else := [{
	"file": p.file,
	"line": p.line,
	"column": p.column,
	"end_column": p.end_column,
	"old": p.raw,
	"text": text,
	"port": port,
}] if {
	_rewritable(p)
}

# _rewritable: the scalar sits on one line and holds no variable besides
# the host port's (a variable host IP would be lost), and the short syntax
# maps one container port.
_rewritable(p) if {
	p.raw != ""
	p.end_column > p.column
	count(indexof_n(p.raw, "$")) <= _own_vars(p)
	_one_target(p)
}

_own_vars(p) := 1 if is_string(p.variable.name)

else := 0

_one_target(p) if p.syntax != "short"

_one_target(p) if p.target_range[0] == p.target_range[1]

# _env sets the variable unless the root .env already holds the port. A
# repository with neither a root .env nor a template of it gets none: its
# mappings rest on their compose defaults, and a .env is local state that
# fix does not start.
_env(p, port) := [] if {
	p.variable.name == stack.var_name(p)
	stack.port_number(p.variable.env_value) == port
}

else := [] if input.env.file == ""

else := [{"file": env_file, "name": stack.var_name(p), "value": sprintf("%d", [port])}]

# env_file is the file that takes the variables: the root .env that was
# read (.env.example when it stands in), else the configured one.
env_file := input.env.file if input.env.file != ""

else := input.config.env_file

# table_file is the convention table, which fix creates when it is absent.
table_file := input.conventions.file if input.conventions.file != ""

else := input.config.conventions_file

# _moved_rows documents the new port of a mapping that moves; a mapping
# that keeps its port is documented by DBP501's fix, if at all.
_moved_rows(p, port) := [] if port == p.effective

else := _rows(p, port)

# _rows documents port for p unless a row does already; only database
# tools in the protected range are documented.
_rows(p, port) := [object.union(_row(p, port), _replaced(p))] if {
	p.category in stack.tooling
	stack.protected(port)
	not port in conventions.documented_ports
} else := []

_row(p, port) := {
	"file": table_file,
	"port": port,
	"service": p.service,
	"env_var": stack.var_name(p),
	"category": p.category,
	"internal_port": p.target,
}

# _replaced points at the hand-written row that documents p's old port, so
# the row moves with the mapping instead of going stale.
_replaced(p) := {"line": row.line, "replaces": row.port} if {
	row := [r |
		some r in object.get(conventions.rows_by_port, p.effective, [])
		not r.generated
		conventions.satisfies(r, p)
	][0]
} else := {}
