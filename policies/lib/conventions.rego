# METADATA
# title: conventions
# description: |
#   Reading PORTS-CONVENTION.md against the stack: which services publish a
#   documented port, and which services a row names. Rows are matched by port
#   first, then by name, tolerantly: case and punctuation do not count, and
#   a row's word matches a service's word when it is a prefix of it (at least five
#   letters: "timescale" and "timescaledb", "mongo" and "mongodb") or both
#   share their first seven letters ("postgresql", "postgres", "postgress").
#   A row's word may abbreviate a service's word, not the other way round:
#   "Redis" names redis-cache, "RedisInsight" does not name redis.
#   A service is known by its name and its container_name; a row also
#   matches a mapping whose variable is the row's env var. Only rows in the
#   protected range are judged: the table may document other ranges too.
package portguard.lib.conventions

import data.portguard.lib.ports
import data.portguard.lib.services

# words splits a display name into its lowercase words.
words(name) := [w |
	some w in regex.split(`[^a-z0-9]+`, lower(name))
	w != ""
]

# _qualifiers name one port of a service ("QuestDB HTTP", "Qdrant gRPC");
# a row's name is matched without them.
_qualifiers := {"http", "https", "grpc", "api", "admin", "metrics", "tls", "ssl", "rest", "tcp", "udp", "port", "web", "ui"} | {role |
	some e in data.portguard.images
	some role in e.port_names
	role != ""
}

# row_words are the words of a row's service without port qualifiers
# (unless nothing else is left).
row_words(row) := ws if {
	full := words(row.service)
	ws := [w | some w in full; not w in _qualifiers]
	count(ws) > 0
} else := words(row.service)

_word_match(a, b) if a == b

_word_match(a, b) if {
	count(a) >= 5
	startswith(b, a)
}

_word_match(a, b) if {
	count(a) >= 7
	count(b) >= 7
	substring(a, 0, 7) == substring(b, 0, 7)
}

# names_match reports whether the words of a row name (a) name a service
# known by the words b: every word of a matches a word of b ("Redis" names
# redis-cache; "Ghost Cache" does not name cache).
names_match(a, b) if {
	count(a) > 0
	every w in a {
		some v in b
		_word_match(w, v)
	}
}

# aliases(i) are the word lists input.services[i] is known by.
aliases(i) := {svc.tokens, words(svc.container_name)} - {[]} if svc := input.services[i]

_prefix(w) := substring(w, 0, 5)

# _candidates[k] are the services with a word starting like k (a word of
# one of their aliases), for the prefixes k of the words of the table's
# rows (_row_prefixes), so a row is compared with a few services, not all
# of them. Read from the input's word lists (a list of every service's
# aliases would copy them into sets), and kept for the rows' prefixes
# only: the services' other words (their numbers, say) would cost a set
# each (10,000 services: 23 -> 9 ms, per-rule profile).
_candidates := _candidates_by_prefix

_candidates_by_prefix[k] contains i if {
	some i, svc in input.services
	some w in svc.tokens
	k := _prefix(w)
	k in _row_prefixes
}

_candidates_by_prefix[k] contains i if {
	some i, svc in input.services
	svc.container_name != ""
	some w in words(svc.container_name)
	k := _prefix(w)
	k in _row_prefixes
}

_row_prefixes := {_prefix(w) | some _, ws in _words_of_rows; some w in ws}

# _candidates_of(k) is _candidates[k], found by a pass over the services
# for a prefix of no row of the table (a row a policy makes up).
_candidates_of(k) := object.get(_candidates, k, set()) if k in _row_prefixes

else := {i |
	some i, _ in input.services
	some alias in aliases(i)
	some w in alias
	_prefix(w) == k
}

# named(row) is the set of service indexes whose name or container_name
# matches the row's service.
named(row) := {i |
	ws := _row_words(row)
	count(ws) > 0
	some i in _fewest_candidates(ws)
	some alias in aliases(i)
	names_match(ws, alias)
}

# _fewest_candidates(ws) are the candidates of the row word with the fewest:
# a service that matches the row has a word starting like each row word, so
# it is among the candidates of every one of them ("180" of "Redis 180"
# has a few, "redis" every Redis).
_fewest_candidates(ws) := _candidates_of(k) if {
	[_, k] := min([[count(_candidates_of(k)), k] | some w in ws; k := _prefix(w)])
}

# _row_words(row) is row_words(row), computed once per row of the table:
# the rows are matched against every mapping on their port.
_row_words(row) := ws if ws := _words_of_rows[row]

else := row_words(row)

_words_of_rows := {row: row_words(row) | some row in input.conventions.rows}

# judged_rows are the rows of single ports in the protected range. Rows of
# the table that portguard docs generates are read as documentation but
# never judged: they describe the compose files.
judged_rows := [row |
	some row in input.conventions.rows
	not row.generated
	is_number(row.port)
	ports.protected(row.port)
]

# publishers[n] are the mappings whose effective host port is n.
publishers := {n: [ports.range_mappings[k] | some k in sort(object.get(_publishers, n, []))] |
	some n in {r.port | some r in judged_rows}
}

_publishers[p.effective] contains k if some k, p in ports.range_mappings

# satisfies reports whether mapping p is what row documents: same name (or
# container_name), or the row's env var is the mapping's variable.
satisfies(row, p) if {
	ws := _row_words(row)
	some alias in aliases(p.svc)
	names_match(ws, alias)
}

satisfies(row, p) if {
	row.env_var != ""
	row.env_var == p.variable.name
}

# takes_documented reports whether mapping p publishes a port that a row
# assigns to another service, which exists in the compose files and runs
# with p (DBP402): the mapping must move, and the suggestions move it.
takes_documented(p) if takes_documented_at(p, p.effective)

# takes_documented_at reports whether mapping p would take a port that a row
# assigns to another service, publishing n.
takes_documented_at(p, n) if {
	some row in object.get(rows_by_port, n, [])
	ports.protected(row.port)
	not satisfies(row, p)
	o := owners(row, p)
	count(o) > 0
	not p.service in {input.services[i].name | some i in o}
}

# owners(row, p) are the indexes of the services the row names that run
# with mapping p's service (an alternative in another profile, or a
# service of another project with conflict_scope: project, never collides
# with it).
owners(row, p) := {i |
	some i in named(row)
	services.run_together(i, p.svc)
}

# stale reports whether row is a second row for its port: it names no
# service of the compose files, and every mapping that publishes the port
# is already documented by another row. Renaming it would give a service
# two rows; it goes (DBP503), where a row naming no publisher is misnamed
# (DBP502).
stale(row) if {
	group := publishers[row.port]
	count(group) > 0
	count(named(row)) == 0
	every p in group {
		not satisfies(row, p)
		documented_elsewhere(p, row)
	}
}

# documented_elsewhere reports whether a hand-written row other than row
# documents mapping p.
documented_elsewhere(p, row) if {
	some other in judged_rows
	other.line != row.line
	satisfies(other, p)
}

# documented_ports is every single port that some row documents.
documented_ports := {row.port | some row in input.conventions.rows; is_number(row.port)}

# rows_by_port[n] are the rows documenting port n.
rows_by_port := {n: [input.conventions.rows[k] | some k in sort(ks)] | some n, ks in _rows_by_port}

_rows_by_port[row.port] contains k if {
	some k, row in input.conventions.rows
	is_number(row.port)
}

# where renders a row's position.
where(row) := sprintf("%s:%d", [input.conventions.file, row.line])
