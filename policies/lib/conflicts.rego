# METADATA
# title: conflicts
# description: |
#   Whether two port mappings cannot both bind their host port: decided
#   here once, and asked by DBP401, by the suggestions (who keeps a shared
#   port) and by portguard fix (whether the ports of a plan collide, see
#   after_fix).
#
#   Two mappings on one host port and protocol conflict when their host IPs
#   overlap and their services run together: services whose profiles are
#   disjoint are alternatives (docker compose starts one or the other)
#   unless --profile enabled both, and with conflict_scope: project only the
#   services of one project (one base compose file) share a host.
package portguard.lib.conflicts

import data.portguard.lib.conventions
import data.portguard.lib.ports
import data.portguard.lib.services

# conflict reports whether the mappings a and b (of ports.mappings), on the
# same host port and protocol, cannot both bind it. Variants of one service
# (the same name in other files: base, override, prod) never conflict; two
# entries of one service in one file do.
conflict(a, b) if {
	a.service != b.service
	together(a, b)
	ip_overlap(a.host_ip, b.host_ip)
}

conflict(a, b) if {
	a.service == b.service
	a.file == b.file
	[a.line, a.column] != [b.line, b.column]
	ip_overlap(a.host_ip, b.host_ip)
}

# together reports whether the services of mappings a and b run on one
# host at the same time (lib/services decides which do).
together(a, b) if services.run_together(a.svc, b.svc)

_wildcard := {"", "0.0.0.0", "::", "[::]"}

# ip_overlap reports whether two host IPs share an address: equal, or one is
# a wildcard (127.0.0.1 and 0.0.0.0 do; 127.0.0.1 and 127.0.0.2 do not).
ip_overlap(a, _) if a in _wildcard

ip_overlap(_, b) if b in _wildcard

ip_overlap(a, b) if a == b

# sharing[[n, protocol]] are the indexes into ports.mappings of the
# mappings that publish host port n (a range is in the group of each of its
# ports, up to 1024 of them). The built-in rules read shared, or _at.
sharing := {[n, proto]: ks |
	some n, all in _at
	some proto, ks in _by_protocol(all)
}

# shared is sharing without the ports that a single mapping publishes:
# what DBP401 judges.
shared := {[n, proto]: ks |
	some n, all in _at
	count(all) > 1
	some proto, ks in _by_protocol(all)
}

# _at[n] are the indexes into ports.mappings of the mappings that publish
# host port n: a grouping, read whole, keyed by the port alone, a number,
# which costs less to build for every mapping than a [port, protocol] key
# (10,000 services: 40 ms, per-rule profile); the few ports that several
# mappings publish are split by protocol afterwards.
_at[p.effective] contains k if {
	some k, p in ports.mappings
	r := p.effective_range
	is_array(r)
	r[0] == r[1]
}

_at[n] contains k if {
	some k, p in ports.mappings
	r := p.effective_range
	is_array(r)
	r[0] < r[1]
	r[1] - r[0] < 1024
	some n in numbers.range(r[0], r[1])
}

# _by_protocol(ks) groups the mappings ks by protocol: a pass over ks per
# protocol among them (tcp, udp, sctp), not per mapping, since thousands of
# applications may share one host port across projects.
_by_protocol(ks) := {proto: {k | some k in ks; ports.mappings[k].protocol == proto} |
	some proto in {ports.mappings[k].protocol | some k in ks}
}

# loses_conflict reports whether a mapping shares its host port with an
# earlier mapping (in document order) of another service it conflicts
# with, and should move: the first one keeps the port, unless the table
# assigns the port to another service (then it moves anyway).
loses_conflict(p) if p.idx in object.get(_losers, p.svc, set())

# _losers[i] are the indexes of the mappings of input.services[i] that lose
# a conflict: found once per mapping on a shared port, since the rules ask
# about a mapping again and again (a grouping, read whole: see lib/ports'
# header).
_losers[p.svc] contains p.idx if {
	some p in ports.mappings
	count(object.get(ports.holders, p.effective, [])) > 1
	some h in ports.holders[p.effective]
	h.service != p.service
	[h.svc, h.idx] < [p.svc, p.idx]
	h.protocol == p.protocol
	conflict(h, p)
	not conventions.takes_documented(h)
}

# held_by_other reports whether a mapping of another service that p
# conflicts with publishes host port n now.
held_by_other(p, n) if {
	some k in sharing[[n, p.protocol]]
	h := ports.mappings[k]
	h.service != p.service
	conflict(h, p)
}

# after_fix lists the problems of a plan of fixes, for portguard fix to
# refuse it: two services that would publish one host port, or a mapping
# whose new default and .env value disagree. plan is
#
#   {"edits": [{"file", "line", "column", "port"}],  the new host port of
#                                                     the mapping there
#    "env": {"NAME": "value"}}                         root .env values set
#
# Only pairs in which a mapping changes are reported: the conflicts the
# stack has now are DBP401's.
after_fix(plan) := sort(array.concat(
	[msg |
		some [k, n] in moved
		p := ports.mappings[k]
		v := p.variable.name
		value := plan.env[v]
		value != sprintf("%d", [n])
		_edited(p, edits)
		msg := sprintf("%s:%d: %s gets the default %d and %s=%s", [p.file, p.line, p.service, n, v, value])
	],
	[msg |
		some [n, proto, a, b] in {[n, p.protocol, min({k, o}), max({k, o})] |
			some [k, n] in moved
			p := ports.mappings[k]
			some o in _at_after(n, p.protocol, moved, moved_ks)
			o != k
			conflict(p, ports.mappings[o])
		}
		pa := ports.mappings[a]
		pb := ports.mappings[b]
		msg := sprintf("%d/%s: %s (%s:%d) and %s (%s:%d) would both publish it", [n, proto, pa.service, pa.file, pa.line, pb.service, pb.file, pb.line])
	],
)) if {
	edits := {[e.file, e.line, e.column]: e.port | some e in plan.edits}

	# moved are [index, new port] of the mappings that the plan changes
	moved := [[k, n] |
		some k, p in ports.mappings
		n := _new_port(p, edits, plan.env)
		_changed(p, n, edits)
	]
	moved_ks := {k | some [k, _] in moved}
}

_new_port(p, edits, _) := edits[[p.file, p.line, p.column]]

_new_port(p, edits, env) := n if {
	not edits[[p.file, p.line, p.column]]
	n := ports.port_number(env[p.variable.name])
}

_edited(p, edits) if edits[[p.file, p.line, p.column]]

_changed(p, _, edits) if _edited(p, edits)

_changed(p, n, _) if n != p.effective

# _at_after are the mappings on host port n after the plan: those that
# publish it now and stay, and those that move to it.
_at_after(n, proto, moved, moved_ks) := {k |
	some k in _sharers(n, proto)
	not k in moved_ks
} | {k |
	some [k, m] in moved
	m == n
	ports.mappings[k].protocol == proto
}

_sharers(n, proto) := object.get(_by_protocol(object.get(_at, n, set())), proto, set())
