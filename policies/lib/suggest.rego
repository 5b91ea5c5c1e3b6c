# METADATA
# title: suggest
# description: |
#   Which host port each mapping of a database, UI or exporter should
#   publish: the one place that chooses, read by every rule's suggestion
#   and fix, by `portguard suggest` and by `portguard migrate plan`.
#
#   How to ask (with the input document of a check as input):
#
#     data.portguard.lib.suggest.target(p)   the port for mapping p, an
#         element of data.portguard.lib.ports.mappings (it carries svc, idx,
#         service and category); undefined when no port of its sub-range is
#         left, or for a service that is no database tool.
#     data.portguard.lib.suggest.needs_port(p)  whether p (no backup) must
#         leave the port the committed files give it.
#     data.portguard.lib.migrate.moves        every mapping whose target is
#         not the port it publishes now, built on target (migrate plan).
#     data.portguard.lib.suggest.result(req)  the answer of portguard
#         suggest: {category, backup_of, count} -> free ports.
#
#   The choice, in order, for a mapping that is no backup:
#
#     1. the port the committed files give it (its literal, or the default
#        of its variable) when it may keep it: in its sub-range, held by no
#        earlier service it runs with, assigned by the table to no other
#        service. The .env is local state: a mapping whose .env value
#        drifted from a good default goes back to the default, and a .env
#        value becomes a target only where the compose file gives no port
#        at all;
#     2. the port a variant of the service (the same name in another file)
#        keeps, so the variable they share has one value;
#     3. the free port its own row of the convention table documents (by
#        its variable, or by name for a service with one such mapping), so
#        a documented service returns to its row instead of beside it;
#     4. the next free port of its sub-range: the movers take them in
#        document order, so competing suggestions never collide; a primary
#        with backups takes a block of consecutive free ports.
#
#   A backup publishes its primary's target plus its number (primary + 1,
#   + 2, ...), where that port is free.
#
#   This file makes the choice; the free ports, how step 4 hands them out,
#   and result are the allocator's (allocator.rego, in this package).
package portguard.lib.suggest

import data.portguard.lib.backups
import data.portguard.lib.conflicts
import data.portguard.lib.conventions
import data.portguard.lib.ports
import data.portguard.lib.services

# --- The port of each mapping -------------------------------------------------

# target is the port a mapping of a database, UI or exporter should publish
# under the convention; undefined when none is left, and for a mapping that
# spans a range of container ports (ports.spans: the range moves whole).
target(p) := t if {
	backups.primary_name[p.svc]
	t := backup_target(p)
	_backup_fits(p, t)
} else := t if {
	p.category in services.tooling
	not ports.spans(p)
	not _follows(p)
	t := _base_target(p)
}

# _follows: a backup whose primary has a port to follow.
_follows(p) if {
	backups.primary_name[p.svc]
	backup_target(p)
}

# The choice reads the committed files: the .env is local state, and a
# fix computed on a laptop must be the one CI computes. at is the host port
# a mapping publishes by them: its literal or default, the .env value only
# where they give none.
at(p) := n if n := committed(p)

else := p.effective if {
	is_number(p.effective)
	p.effective_range[0] == p.effective_range[1]
}

# committed is the host port the committed files give a mapping: its
# literal, or the default of its variable; undefined when they give no
# single port (no default, a range, a random port).
committed(p) := p.published if {
	is_number(p.published)
	p.published_range[0] == p.published_range[1]
}

# _holders[n] are the indexes (into ports.mappings) of the mappings at n by
# the committed files, ranges included, in document order, for the ports n
# between the lowest and the highest port of the configured ranges
# (_span): the choice asks about no other port (a sub-range's, a row's of
# the protected range), and the applications of a large repository publish
# thousands of them (10,000 services: 30 ms, per-rule profile).
_holders := {n: sort(ks) | some n, ks in _holders_by_port}

_holders_by_port[n] contains k if {
	some k, p in ports.mappings
	n := at(p)
	_spanned(n)
}

_holders_by_port[n] contains k if {
	some k, p in ports.mappings
	not at(p)
	r := p.published_range
	is_array(r)
	r[0] < r[1]
	r[1] - r[0] < 1024
	some n in numbers.range(r[0], r[1])
	_spanned(n)
}

_span := [min({r.from | some r in ports.ranges}), max({r.to | some r in ports.ranges})]

_spanned(n) if {
	n >= _span[0]
	n <= _span[1]
}

_at_port(n) := [ports.mappings[k] | some k in ks] if ks := _holders[n]

else := []

# _used are the host ports the committed files publish (in _span).
_used := {n | some n, _ in _holders}

# kept is the port a mapping keeps: the one the committed files give it (or
# its .env, where they give none), when it may keep it.
kept(p) := n if {
	n := at(p)
	keepable(p, n)
}

# keepable reports whether mapping p, at port n by the committed files, may
# keep it: n lies in its sub-range, no earlier single-port mapping of a
# service p runs with is there first (unless that one takes a port the
# table assigns to another service; a range must move anyway), and the
# table assigns n to no other service.
keepable(p, n) if {
	ports.in_range(n, ports.ranges[p.category])
	not _loses_at(p, n)
	not conventions.takes_documented_at(p, n)
}

_loses_at(p, n) if {
	some h in _at_port(n)
	at(h) == n
	h.service != p.service
	[h.svc, h.idx] < [p.svc, p.idx]
	h.protocol == p.protocol
	conflicts.conflict(h, p)
	not conventions.takes_documented_at(h, n)
}

# needs_port reports whether a mapping of a database, UI or exporter (not a
# backup) keeps no port of its own and must get one: its committed port is
# unknown, a range, outside its sub-range, taken by an earlier service or
# assigned by the table to another service.
needs_port(p) if not kept(p)

# --- Groups --------------------------------------------------------------------

# Variants of one service (the same name in other files: base, override,
# prod) share their ports: a group is {service, target, category} (target
# the container port), and every mapping of a group gets the same target, so the
# variable they share never needs two values. (Variants that classify
# differently, say one with a database image and one with an exporter
# image, are different groups: no port can satisfy both.)
_group(p) := {"service": p.service, "target": p.target, "category": p.category}

# _base_target is the target of a mapping that is no backup.
_base_target(p) := n if n := kept(p)

else := n if n := _settled[_group(p)]

else := n if n := _row_port[_group(p)]

else := n if n := _allocated[_group(p)]

# _fixed_target is _base_target without the free ports (which depend on it
# through the ports the backups of the others take).
_fixed_target(p) := n if n := kept(p)

else := n if n := _settled[_group(p)]

else := n if n := _row_port[_group(p)]

_primaries := [p |
	some p in ports.tooling_mappings
	not backups.primary_name[p.svc]
]

# _settled[g] is the port a variant of group g keeps: the others join it.
_settled := {g: min(ns) | some g, ns in _kept_by_group}

_kept_by_group[_group(p)] contains n if {
	some p in _primaries
	n := kept(p)
}

# _movers[g] is the first place in the document of a mapping of group g,
# for every group that must get a new port.
_movers := {g: min(places) | some g, places in _mover_places}

_mover_places[_group(p)] contains [p.svc, p.idx] if {
	some p in _primaries
	not ports.spans(p)
	not kept(p)
	not _settled[_group(p)]
}

# _groups_of[name] are the groups of the service called name.
_groups_of := {name: gs | some name, gs in _groups_by_name}

_groups_by_name[p.service] contains _group(p) if some p in _primaries

# --- Rows of the table -----------------------------------------------------

# _row_port[g] is the port of the row that documents group g, when g must
# move and the port is free for it: the row is in g's sub-range, and every
# other service on its port must leave it (the row names g's service, not
# theirs). When rows of one port document several groups, the one named by
# its variable wins over one named by its service name, then the earliest;
# a group that wins several rows takes the lowest port.
_row_port := {g: min(ns) | some g, ns in _rows_won}

_rows_won[g] contains n if {
	some n, claims in _claims_by_port
	[_, g] := min(claims)
}

_claims_by_port[row.port] contains [[own.rank, place], g] if {
	some g, place in _movers
	some own in object.get(_own_rows, g, set())
	row := own.row
	ports.in_range(row.port, ports.ranges[g.category])
	_row_free(row, g)
}

# own_rows(p) are the rows of the table that document mapping p (no
# backup) as its own, {rank, row}: rank 0 by its variable, 1 by the
# service's name when the row names no variable and the service has no
# other mapping the row could mean.
own_rows(p) := rows if rows := _own_rows[_group(p)]

else := set()

# _own_rows[g] are own_rows of group g, found from the rows (by variable,
# and by name through the index conventions.named keeps), so a large table
# is read once, not once per mapping.
_own_rows := {g: rows | some g, rows in _own_rows_grouped}

_own_rows_grouped[g] contains {"rank": 0, "row": row} if {
	some row in conventions.judged_rows
	row.env_var != ""
	some g in object.get(_groups_by_var, row.env_var, set())
}

_own_rows_grouped[g] contains {"rank": 1, "row": row} if {
	some row in conventions.judged_rows
	row.env_var == ""
	some i in conventions.named(row)
	gs := _groups_of[input.services[i].name]
	count(gs) == 1
	some g in gs
}

_groups_by_var := {v: gs | some v, gs in _groups_by_var_grouped}

_groups_by_var_grouped[ports.var_name(p)] contains _group(p) if some p in _primaries

# _members[g] are the mappings of group g.
_members := {g: ms | some g, ms in _members_by_group}

_members_by_group[_group(p)] contains p if some p in _primaries

# _row_free: every mapping of another service on the row's port must leave
# it (it takes a port the table assigns to g's service), and a primary's
# backups find their ports after it.
_row_free(row, g) if {
	some p in _members[g]
	every h in _at_port(row.port) {
		_leaves_for(h, p, row.port)
	}
	_block_fits(g, row.port)
}

_leaves_for(h, p, _) if h.service == p.service

_leaves_for(h, p, _) if not conflicts.conflict(h, p)

_leaves_for(h, _, n) if conventions.takes_documented_at(h, n)

# _block_fits: the ports after n that g's backups take lie in the sub-range
# and are neither used by another service nor documented for one.
_block_fits(g, _) if _width(g) == 1

_block_fits(g, n) if {
	_width(g) > 1
	every j in numbers.range(1, _width(g) - 1) {
		ports.in_range(n + j, ports.ranges[g.category])
		not _occupied(n + j, g)
	}
}

_occupied(n, g) if {
	some h in _at_port(n)
	not _backup_service(g, h.service)
	h.service != g.service
}

_occupied(n, g) if {
	some row in object.get(conventions.rows_by_port, n, [])
	not _names_a_backup(row, g)
}

_backup_service(g, name) if name in _backups_of[g]

_names_a_backup(row, g) if {
	some b in _backup_mappings[g]
	conventions.satisfies(row, b)
}

# --- Backups ------------------------------------------------------------------

# backup_target is the port a backup mapping must publish: the target of
# its primary mapping plus the backup's number.
backup_target(p) := _base_target(backups.primary_mapping(p)) + backups.backup_number[p.svc]

# _backup_fits: the backup may take t (no other service holds it first, the
# table assigns it to no one else), in its sub-range.
_backup_fits(p, t) if {
	ports.in_range(t, ports.ranges[p.category])
	not _held_at(p, t)
	not conventions.takes_documented_at(p, t)
}

_held_at(p, n) if {
	some h in _at_port(n)
	h.service != p.service
	h.protocol == p.protocol
	conflicts.conflict(h, p)
}

# _backup_mappings[g] are the backup mappings that follow a mapping of
# group g; _backups_of[g] their service names.
_backup_mappings := {g: bs | some g, bs in _backups_by_group}

_backups_by_group[_group(backups.primary_mapping(b))] contains b if {
	some b in ports.tooling_mappings
	backups.primary_name[b.svc]
}

_backups_of := {g: {b.service | some b in bs} | some g, bs in _backup_mappings}

# _width(g) is how many consecutive ports group g takes: its own and one
# per backup number after it.
_width(g) := w if w := _widths[g]

else := 1

_widths := {g: w |
	some g, bs in _backup_mappings
	w := 1 + max({backups.backup_number[b.svc] | some b in bs})
}

# _backup_ports are the ports that the backups of primaries with a fixed
# target take.
_backup_ports := {t |
	some b in ports.tooling_mappings
	backups.primary_name[b.svc]
	t := _fixed_target(backups.primary_mapping(b)) + backups.backup_number[b.svc]
}
