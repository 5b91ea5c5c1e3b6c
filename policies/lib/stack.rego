# METADATA
# title: stack
# description: |
#   Facts derived once per evaluation and shared by the rules: each service's
#   kind and category, every port mapping flattened with its service, the
#   values written for each host port, the ports in use, backups and their
#   primaries, and the suggested free ports.
#
#   Everything here stays linear in the number of services: lookup tables are
#   complete rules (built once, constant-time lookups), and groupings are
#   object comprehensions whose inner comprehension filters on the outer key
#   alone, which OPA indexes (one pass, not one pass per key). Never compare
#   every pair, and never look up a partial rule by a computed key.
package portguard.lib.stack

import data.portguard.lib.finding
import data.portguard.lib.kb

ranges := input.config.ranges

# in_range reports whether port lies in the range r ({from, to}).
in_range(port, r) if {
	port >= r.from
	port <= r.to
}

# protected reports whether port lies in the database range (7000-7999).
protected(port) if in_range(port, ranges.protected)

# reserved reports whether port lies in the reserved range (7300-7999).
reserved(port) if in_range(port, ranges.reserved)

# tooling is the set of categories that own a sub-range of the protected
# range (database, ui, exporter, and any a platform team adds).
tooling := {c | some c, _ in ranges} - {"protected", "reserved"}

# kind[i] is the knowledge-base id of input.services[i], when known.
kind := {i: id |
	some i, svc in input.services
	id := kb.entry_id(svc)
}

# category[i] is the category of input.services[i].
category := {i: kb.category(svc, object.get(kind, i, "")) | some i, svc in input.services}

# entry[i] is the knowledge-base entry of input.services[i] (empty if unknown).
entry := {i: kb.entry(object.get(kind, i, "")) | some i, _ in input.services}

# ports lists every port mapping with its service index (svc), its index in
# the service (idx), the service name and category.
ports := [object.union(p, {"svc": i, "idx": j, "service": svc.name, "category": category[i]}) |
	some i, svc in input.services
	some j, p in svc.ports
]

# service_names is the set of every service name.
service_names := {svc.name | some svc in input.services}

# ports_by_service[name] lists the mappings of every service called name
# (in every file: variants of one service share the name).
ports_by_service := {name: group |
	some name in service_names
	group := [p |
		some p in ports
		p.service == name
	]
}

# written lists each value written for a host port where it is written: the
# literal or default at the mapping, and the root .env value at its line.
# The range rules judge each of them, because each must change.
written contains {"port": p, "value": p.published, "at": finding.at(p), "where": "mapping"} if {
	some p in ports
	is_number(p.published)
}

written contains {"port": p, "value": n, "at": loc, "where": "env"} if {
	some p in ports
	v := p.variable
	is_string(v.env_value)
	n := to_number(v.env_value)
	loc := {"file": v.env_file, "line": v.env_line, "column": 1, "end_column": 1 + count(sprintf("%s=%s", [v.name, v.env_value]))}
}

# used is every host port that a mapping publishes or writes.
used contains n if {
	some p in ports
	r := p.effective_range
	is_array(r)
	some n in numbers.range(r[0], r[1])
}

used contains p.published if {
	some p in ports
	is_number(p.published)
}

# documented is every port the convention table assigns.
documented contains row.port if {
	some row in input.conventions.rows
	is_number(row.port)
}

# free[c] lists the ports of category c's sub-range that no mapping uses and
# the table does not assign, lowest first.
free := {c: [n |
	some n in numbers.range(ranges[c].from, ranges[c].to)
	not n in used
	not n in documented
] |
	some c in tooling
}

_backup_words := {"backup", "replica", "standby", "secondary", "slave", "follower", "bkp", "mirror"}

# _words[i] is the name of input.services[i] as its words joined by "-", so
# "timescale_db-backup" and "timescale-db-backup" read alike.
_words := [concat("-", svc.tokens) | some svc in input.services]

# _names_by_words maps joined words to the service names written that way.
_names_by_words := {w: names |
	some w in {x | some x in _words}
	names := {input.services[i].name |
		some i, x in _words
		x == w
	}
}

# primary_name[i] is the name of the service that input.services[i] backs
# up: label portguard.backup-of, x-portguard.backup_of, or the part of the
# name before a word such as "backup" or "replica" when a service of that
# name exists.
primary_name := {i: name |
	some i, svc in input.services
	name := _primary_of(svc)
}

_primary_of(svc) := name if name := svc.labels["portguard.backup-of"]

else := name if name := svc.x_portguard.backup_of

else := [name |
	some k, w in svc.tokens
	k > 0
	w in _backup_words
	some name in _names_by_words[concat("-", array.slice(svc.tokens, 0, k))]
][0]

# _backups_by_primary[name] lists the names of the backups of service name
# that carry no explicit number, sorted.
_backups_by_primary := {name: sort(backups) |
	some name in {n | some n in primary_name}
	backups := {input.services[i].name |
		some i, n in primary_name
		n == name
		not _explicit_number(input.services[i].tokens)
	}
}

# backup_number[i] is 1 for the first backup of a primary, 2 for the second:
# an explicit number after the backup word ("-backup-2"), else the rank of
# the name among the primary's backups.
backup_number := {i: n |
	some i, name in primary_name
	n := _backup_number(input.services[i], name)
}

_backup_number(svc, primary) := n if n := _explicit_number(svc.tokens)

else := k + 1 if {
	some k, sname in _backups_by_primary[primary]
	sname == svc.name
}

_explicit_number(words) := to_number(words[count(words) - 1]) if {
	count(words) > 2
	regex.match(`^[0-9]+$`, words[count(words) - 1])
	words[count(words) - 2] in _backup_words
}

# primary_ports[name] maps each container port of primary name to its
# lowest effective host port.
primary_ports := {name: pp |
	some name in {n | some n in primary_name}
	group := object.get(ports_by_service, name, [])
	pp := {t: min(hosts) |
		some p in group
		t := p.target
		hosts := {q.effective |
			some q in group
			q.target == t
			is_number(q.effective)
		}
		count(hosts) > 0
	}
}

# var_name gives the variable a mapping should use: its own, else one named
# after the service (TIMESCALEDB_PORT), with the port's role for further
# ports of a multi-port service (QUESTDB_PG_PORT).
var_name(p) := p.variable.name if is_string(p.variable.name)

else := sprintf("%s_PORT", [_upper_name(p.service)]) if _is_main_port(p)

else := sprintf("%s_%s_PORT", [_upper_name(p.service), upper(_port_role(p))])

_upper_name(name) := upper(regex.replace(name, `[^A-Za-z0-9]+`, "_"))

_is_main_port(p) if count(input.services[p.svc].ports) == 1

_is_main_port(p) if entry[p.svc].port_names[sprintf("%d", [p.target])] == ""

_is_main_port(p) if {
	not entry[p.svc].port_names[sprintf("%d", [p.target])]
	p.idx == 0
}

_port_role(p) := role if {
	role := entry[p.svc].port_names[sprintf("%d", [p.target])]
	role != ""
} else := sprintf("%d", [p.target])

# mapping_text renders the mapping as the convention writes it.
mapping_text(p, port) := sprintf("${%s:-%d}:%d", [var_name(p), port, p.target])

# --- Suggested ports ---------------------------------------------------------

_effective_ports := {p.effective | some p in ports; is_number(p.effective)}

# holders[n] are the mappings (as [svc, idx, service]) whose effective host
# port is n, in document order, so the first keeps it.
holders := {n: sort(group) |
	some n in _effective_ports
	group := [[p.svc, p.idx, p.service] |
		some p in ports
		p.effective == n
	]
}

# loses_conflict reports whether a mapping shares its host port with an
# earlier mapping of another service and should move.
loses_conflict(p) if {
	first := holders[p.effective][0]
	first[2] != p.service
}

# needs_port reports whether a mapping of a database, UI or exporter (not a
# backup) must move to a new port of its sub-range: its port is unknown, a
# range, outside its sub-range, or taken by an earlier service.
needs_port(p) if not is_number(p.effective)

needs_port(p) if p.effective_range[0] != p.effective_range[1]

needs_port(p) if not in_range(p.effective, ranges[p.category])

needs_port(p) if loses_conflict(p)

# _movers[c] are the mappings that move into category c's sub-range, in
# document order: the k-th of them gets the k-th free port, so competing
# suggestions never collide.
_movers := {c: sort(movers) |
	some c in tooling
	movers := [[p.svc, p.idx] |
		some p in ports
		p.category == c
		not primary_name[p.svc]
		needs_port(p)
	]
}

_suggested := {key: free[c][k] |
	some c, movers in _movers
	some k, key in movers
	k < count(free[c])
}

# backup_target is the port a backup mapping must publish: the primary's
# port for the same container port (else its lowest port) plus the backup's
# number.
backup_target(p) := base + backup_number[p.svc] if {
	pp := primary_ports[primary_name[p.svc]]
	base := _primary_base(pp, p.target)
}

_primary_base(pp, target) := port if port := pp[target]

else := min([v | some v in pp])

# target is the port a mapping of a database, UI or exporter should publish
# under the convention; undefined when no free port is left.
target(p) := backup_target(p) if primary_name[p.svc]

else := p.effective if {
	p.category in tooling
	not needs_port(p)
}

else := _suggested[[p.svc, p.idx]]

# outside_port suggests a host port outside the protected range for a service
# that is not a database tool: its container port when free, else the first
# free port from 8000.
outside_port(p) := p.target if {
	not protected(p.target)
	not p.target in used
} else := [n |
	some n in numbers.range(8000, 8999)
	not n in used
][0]

# judged reports whether the variable rules (DBP201-DBP206) judge a mapping:
# databases, UIs and exporters, or every service with env_var_form: all.
judged(p) if p.category in tooling

judged(p) if input.config.env_var_form == "all"

# env_name names the file that stands for the root .env in messages.
env_name := input.env.file if input.env.file != ""

else := "the root .env"

_port_vars := {p.variable.name | some p in ports; is_string(p.variable.name)}

# mappings_by_var[name] points at every judged mapping that uses variable
# name, for the related locations of findings at the .env line.
mappings_by_var := {name: refs |
	some name in _port_vars
	refs := {finding.related(p, sprintf("%s uses %s here", [p.service, name])) |
		some p in ports
		p.variable.name == name
		judged(p)
	}
	count(refs) > 0
}

# default_port is the numeric default of a mapping's variable.
default_port(p) := to_number(p.variable.default) if {
	p.variable.has_default
	regex.match(`^[0-9]+$`, p.variable.default)
}
