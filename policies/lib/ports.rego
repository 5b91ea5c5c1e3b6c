# METADATA
# title: ports
# description: |
#   The host ports of the stack: the ranges of the convention, every port
#   mapping flattened with its service, the values written for each host
#   port, the ports in use, and how the convention writes a mapping (its
#   variable, its text). What each service is comes from lib/services,
#   which port a mapping should publish from lib/suggest.
#
#   How the libraries stay linear in the number of services, under OPA's
#   topdown evaluator and in the plan that internal/vm executes (which has
#   no comprehension index) alike. Every library follows these idioms:
#
#   - A lookup table is a complete rule (t := {key: value | ...}): built
#     once per evaluation, then each lookup costs a hash.
#   - A grouping is a multi-value rule, _g[key] contains k if { some k, x
#     in list; ... }, holding indexes into its list (sorted back, they keep
#     the list's order), read whole: through a complete rule that turns it
#     into a table (g := {key: [list[k] | some k in sort(ks)] | some key,
#     ks in _g}), or object.get(_g, key, default). Never _g[key] with a
#     computed key: topdown computes a multi-value rule asked for one key
#     anew each time.
#   - Never a comprehension that filters the list per key ({key: [x | some
#     x in list; x.key == key]}): topdown indexes it, the plan makes one
#     pass per key. Never compare every pair: group, then compare inside a
#     group.
#   - Keys and values with several parts are objects with named fields
#     ({"service": ..., "target": ...}). An order stays an array, since
#     arrays compare element by element and objects by their sorted keys:
#     document order is [svc, idx], and a value is taken from the first of
#     a sorted list by destructuring ([_, m] := min(...)), never read back
#     by position. So does a lookup key built for every mapping, such as
#     conflicts.sharing's [port, protocol] (as an object it is one more
#     allocation per mapping: 20,000 at 10,000 services, BenchmarkEval),
#     destructured where it is read.
#
#   A mapping (an element of ports.mappings) is input's port mapping plus
#   svc and idx (its indexes in input.services and in the service's ports),
#   service, project_file and category.
package portguard.lib.ports

import data.portguard.lib.finding
import data.portguard.lib.services

# --- Ranges -------------------------------------------------------------------

# ranges are the host port ranges of the configuration, by name: protected,
# reserved and each category's sub-range ({from, to}).
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

# --- Mappings -----------------------------------------------------------------

# mappings lists every port mapping with its service index (svc), its index
# in the service (idx), the service name, the base file of its project
# (project_file) and its category.
mappings := [object.union(p, {"svc": i, "idx": j, "service": svc.name, "project_file": object.get(svc, "project_file", svc.file), "category": services.category[i]}) |
	some i, svc in input.services
	some j, p in svc.ports
]

# by_service[name] lists the mappings of every service called name (in
# every file: variants of one service share the name), in document order.
# The built-in rules call of_service instead: they ask about a few names,
# and the table of every name costs 20 ms at 10,000 services (per-rule
# profile).
by_service := {name: of_service(name) | some name in services.names}

# of_service(name) is by_service[name], found for that name only ([] for
# a name no service has). The built-in rules ask about databases, UIs and
# exporters: their mappings are grouped apart (_tooling_groups), and those
# of every name only when another name is asked (10,000 services: 20 ms,
# per-rule profile).
of_service(name) := [mappings[k] | some k in sort(ks)] if {
	name in _tooling_names
	ks := object.get(_tooling_groups, name, set())
} else := [mappings[k] | some k in sort(object.get(_by_service, name, set()))]

_by_service[p.service] contains k if some k, p in mappings

# _tooling_names are the names of the databases, UIs and exporters.
_tooling_names := {svc.name |
	some i, svc in input.services
	services.category[i] in services.tooling
}

# _tooling_groups[name] are the indexes of the mappings of every service
# called name, a database's, UI's or exporter's (variants that classify
# otherwise included).
_tooling_groups := {name: ks | some name, ks in _tooling_grouped}

_tooling_grouped[p.service] contains k if {
	some k, p in mappings
	p.service in _tooling_names
}

# holders[n] are the mappings whose effective host port is n, in document
# order.
holders := {n: [mappings[k] | some k in sort(ks)] | some n, ks in _holders}

_holders[p.effective] contains k if {
	some k, p in mappings
	is_number(p.effective)
}

# tooling_mappings are the mappings of databases, UIs and exporters: most
# rules judge only them, and the protected range bounds how many there are,
# so the rules stay cheap however many applications a repository has.
tooling_mappings := [p |
	some p in mappings
	p.category in services.tooling
]

# judged_mappings are the mappings the variable rules (DBP201-DBP206) judge.
judged_mappings := mappings if input.config.env_var_form == "all"

else := tooling_mappings

# judged reports whether the variable rules (DBP201-DBP206) judge a mapping:
# databases, UIs and exporters, or every service with env_var_form: all.
judged(p) if p.category in services.tooling

judged(p) if input.config.env_var_form == "all"

# range_mappings are the mappings that a range rule can judge: every
# mapping of a database tool, and those of other services that touch the
# protected range.
range_mappings := array.concat(tooling_mappings, [p |
	some p in mappings
	not p.category in services.tooling
	_touches_protected(p)
])

_touches_protected(p) if protected(p.published)

_touches_protected(p) if protected(port_number(p.variable.env_value))

# lowest is the mapping of ms on the lowest effective host port, the first
# in document order among equals; undefined when ms is empty.
lowest(ms) := m if [_, m] := sort([[[x.effective, x.svc, x.idx], x] | some x in ms])[0]

# spans reports whether a mapping publishes a range of container ports
# one to one ("7000-7050:7000-7050", the nodes of a cluster): it keeps its
# length wherever it goes, so no single target port is ever suggested for
# it, and it gets no machine fix.
spans(p) if p.target_range[0] != p.target_range[1]

# --- Host ports written and used ------------------------------------------------

# written lists each value written for a host port where it is written: the
# literal or default at the mapping, and the root .env value at its line.
# The range rules judge each of them, because each must change. Only the
# values of range_mappings are listed.
written contains {"port": p, "value": p.published, "at": finding.at(p), "where": "mapping"} if {
	some p in range_mappings
	is_number(p.published)
}

written contains {"port": p, "value": n, "at": loc, "where": "env"} if {
	some p in range_mappings
	v := p.variable
	n := port_number(v.env_value)
	loc := {"file": v.env_file, "line": v.env_line, "column": 1, "end_column": 1 + count(sprintf("%s=%s", [v.name, v.env_value]))}
}

# used is every host port that a mapping publishes or writes.
used contains p.effective if {
	some p in mappings
	r := p.effective_range
	is_array(r)
	r[0] == r[1]
}

used contains n if {
	some p in mappings
	r := p.effective_range
	is_array(r)
	r[0] < r[1]
	some n in numbers.range(r[0], r[1])
}

used contains p.published if {
	some p in mappings
	is_number(p.published)
}

# documented is every port the convention table assigns.
documented contains row.port if {
	some row in input.conventions.rows
	is_number(row.port)
}

# port_number is the port a string such as "7000" gives; undefined for
# anything else (a range, a name, an empty value).
port_number(s) := to_number(s) if {
	is_string(s)
	regex.match(`^[0-9]{1,5}$`, s)
}

# --- How the convention writes a mapping ----------------------------------------

# var_name gives the variable a mapping should use: its own, else one named
# after the service (TIMESCALEDB_PORT), with the port's role for further
# ports of a multi-port service (QUESTDB_PG_PORT).
var_name(p) := p.variable.name if is_string(p.variable.name)

else := sprintf("%s_PORT", [_upper_name(p.service)]) if _is_main_port(p)

else := sprintf("%s_%s_PORT", [_upper_name(p.service), upper(_port_role(p))])

_upper_name(name) := upper(regex.replace(name, `[^A-Za-z0-9]+`, "_"))

_is_main_port(p) if count(input.services[p.svc].ports) == 1

_is_main_port(p) if services.entry[p.svc].port_names[sprintf("%d", [p.target])] == ""

_is_main_port(p) if {
	not services.entry[p.svc].port_names[sprintf("%d", [p.target])]
	p.idx == 0
}

_port_role(p) := role if {
	role := services.entry[p.svc].port_names[sprintf("%d", [p.target])]
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

# default_port is the numeric default of a mapping's variable.
default_port(p) := port_number(p.variable.default) if p.variable.has_default

# env_name names the file that stands for the root .env in messages.
env_name := input.env.file if input.env.file != ""

else := "the root .env"
