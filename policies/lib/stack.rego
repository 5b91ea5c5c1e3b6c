# METADATA
# title: stack
# description: |
#   Facts derived once per evaluation and shared by the rules: each service's
#   kind and category, every port mapping flattened with its service, the
#   values written for each host port, the ports in use, backups and their
#   primaries. The port each mapping should publish is chosen in
#   lib/suggest.
#
#   Everything here stays linear in the number of services: lookup tables are
#   complete rules (built once, constant-time lookups), and groupings are
#   multi-value rules (g[key] contains x) read whole: one pass over the list,
#   under topdown and in the plan alike (a comprehension filtering the list
#   per key is one pass per key in the plan, which has no comprehension
#   index). Never compare every pair, and never look up a partial rule by a
#   computed key: read it whole (object.get, or a complete rule holding it).
package portguard.lib.stack

import data.portguard.lib.finding

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

# classification[i] is what input.services[i] is, as input classified it
# from the evidence (label, image, command, environment, name words): see
# input/classify.go. A document without it (a test's, a user's) reads as
# an unclassified service.
classification := {i: object.get(svc, "classification", _unclassified) | some i, svc in input.services}

_unclassified := {
	"category": "other", "kind": "", "family": "", "display": "", "decided_by": "none", "weak": false,
	"basis": "", "keeps_data": false, "ports": [], "port_names": {}, "data_dirs": [], "listen_env": [], "evidence": [],
}

# kind[i] is the knowledge-base id of input.services[i], when known.
kind := {i: c.kind |
	some i, c in classification
	c.kind != ""
}

# category[i] is the category of input.services[i].
category := {i: c.category | some i, c in classification}

# entry[i] is what the knowledge base and the service's own configuration
# say about the database tool input.services[i]: family, display name,
# container ports (with their roles) and data directories; the rules that
# read entries judge database tools only.
entry := {i: object.filter(classification[i], {"family", "display", "ports", "port_names", "data_dirs", "keeps_data"}) |
	some i, _ in input.services
	category[i] in tooling
}

# ports lists every port mapping with its service index (svc), its index in
# the service (idx), the service name, the base file of its project
# (project_file) and its category.
ports := [object.union(p, {"svc": i, "idx": j, "service": svc.name, "project_file": object.get(svc, "project_file", svc.file), "category": category[i]}) |
	some i, svc in input.services
	some j, p in svc.ports
]

# service_names is the set of every service name.
service_names := {svc.name | some svc in input.services}

# ports_by_service[name] lists the mappings of every service called name
# (in every file: variants of one service share the name), in document
# order.
ports_by_service := {name: [ports[k] | some k in sort(object.get(_ports_by_service, name, set()))] |
	some name in service_names
}

# Groupings are built in one pass over their list, as a multi-value rule
# read whole (then cached): a comprehension filtering the list per key
# would cost a pass per key. The groups hold indexes into the list, sorted
# back into the list's order.
_ports_by_service[p.service] contains k if some k, p in ports

# tooling_ports are the mappings of databases, UIs and exporters: most rules
# judge only them, and the protected range bounds how many there are, so
# the rules stay cheap however many applications a repository has.
tooling_ports := [p |
	some p in ports
	p.category in tooling
]

# judged_ports are the mappings the variable rules (DBP201-DBP206) judge.
judged_ports := ports if input.config.env_var_form == "all"

else := tooling_ports

# written lists each value written for a host port where it is written: the
# literal or default at the mapping, and the root .env value at its line.
# The range rules judge each of them, because each must change. Only the
# values that a range rule can judge are listed: every value of a database
# tool, and the values of other services that fall in the protected range.
written contains {"port": p, "value": p.published, "at": finding.at(p), "where": "mapping"} if {
	some p in range_ports
	is_number(p.published)
}

written contains {"port": p, "value": n, "at": loc, "where": "env"} if {
	some p in range_ports
	v := p.variable
	n := port_number(v.env_value)
	loc := {"file": v.env_file, "line": v.env_line, "column": 1, "end_column": 1 + count(sprintf("%s=%s", [v.name, v.env_value]))}
}

# range_ports are the mappings that a range rule can judge.
range_ports := array.concat(tooling_ports, [p |
	some p in ports
	not p.category in tooling
	_touches_protected(p)
])

_touches_protected(p) if protected(p.published)

_touches_protected(p) if protected(port_number(p.variable.env_value))

# used is every host port that a mapping publishes or writes.
used contains p.effective if {
	some p in ports
	r := p.effective_range
	is_array(r)
	r[0] == r[1]
}

used contains n if {
	some p in ports
	r := p.effective_range
	is_array(r)
	r[0] < r[1]
	some n in numbers.range(r[0], r[1])
}

used contains p.published if {
	some p in ports
	is_number(p.published)
}

# port_number is the port a string such as "7000" gives; undefined for
# anything else (a range, a name, an empty value).
port_number(s) := to_number(s) if {
	is_string(s)
	regex.match(`^[0-9]{1,5}$`, s)
}

# documented is every port the convention table assigns.
documented contains row.port if {
	some row in input.conventions.rows
	is_number(row.port)
}

_backup_words := {"backup", "replica", "standby", "secondary", "slave", "follower", "bkp", "mirror"}

# _words[i] is the name of input.services[i] as its words joined by "-", so
# "timescale_db-backup" and "timescale-db-backup" read alike.
_words := [concat("-", svc.tokens) | some svc in input.services]

# _names_by_words maps joined words to the service names written that way.
_names_by_words := _names_grouped

_names_grouped[w] contains input.services[i].name if some i, w in _words

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
_backups_by_primary := {name: sort(backups) | some name, backups in _backups_grouped}

_backups_grouped[name] contains input.services[i].name if {
	some i, name in primary_name
	not _explicit_number(input.services[i].tokens)
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

# primary_mapping is the mapping of the primary that a backup mapping
# follows: among the primary's mappings with a known port (those in the
# backup's project when there are any, since base and prod files each pair
# a primary with its backups; projects are told apart by their base file),
# the lowest port on the same container port, else the lowest port.
primary_mapping(p) := _lowest([m | some m in ms; m.target == p.target]) if {
	ms := _primary_mappings(p)
} else := _lowest(_primary_mappings(p))

_primary_mappings(p) := _prefer([m | some m in known; m.project_file == p.project_file], known) if {
	known := [m |
		some m in ports_by_service[primary_name[p.svc]]
		is_number(m.effective)
	]
}

_prefer(first, second) := first if count(first) > 0

else := second

_lowest(ms) := sort([[m.effective, m.svc, m.idx, m] | some m in ms])[0][3]

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

# mapping_text renders the mapping as the convention writes it, keeping its
# host IP and protocol (dropping 127.0.0.1 would expose the port).
mapping_text(p, port) := sprintf("%s${%s:-%d}:%d%s", [_ip_prefix(p.host_ip), var_name(p), port, p.target, _protocol_suffix(p.protocol)])

_ip_prefix(ip) := "" if ip == ""

else := sprintf("[%s]:", [trim(ip, "[]")]) if contains(ip, ":")

else := sprintf("%s:", [ip])

_protocol_suffix(protocol) := "" if protocol in {"", "tcp"}

else := sprintf("/%s", [protocol])

# holders[n] are the mappings whose effective host port is n, in document
# order.
holders := {n: [ports[k] | some k in sort(ks)] | some n, ks in _holders}

_holders[p.effective] contains k if {
	some k, p in ports
	is_number(p.effective)
}

# spans reports whether a mapping publishes a range of container ports
# one to one ("7000-7050:7000-7050", the nodes of a cluster): it keeps its
# length wherever it goes, so no single target port is ever suggested for
# it, and it gets no machine fix.
spans(p) if p.target_range[0] != p.target_range[1]

# judged reports whether the variable rules (DBP201-DBP206) judge a mapping:
# databases, UIs and exporters, or every service with env_var_form: all.
judged(p) if p.category in tooling

judged(p) if input.config.env_var_form == "all"

# env_name names the file that stands for the root .env in messages.
env_name := input.env.file if input.env.file != ""

else := "the root .env"

# default_port is the numeric default of a mapping's variable.
default_port(p) := port_number(p.variable.default) if p.variable.has_default
