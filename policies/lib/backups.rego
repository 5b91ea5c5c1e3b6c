# METADATA
# title: backups
# description: |
#   Backups and their primaries: which service each backup backs up (a
#   label, x-portguard, or the words of its name), its number among the
#   primary's backups, and the mapping of the primary that each backup
#   mapping follows. A backup publishes its primary's port plus its number
#   (lib/suggest). Groupings follow the idioms of lib/ports' header.
package portguard.lib.backups

import data.portguard.lib.ports

_backup_words := {"backup", "replica", "standby", "secondary", "slave", "follower", "bkp", "mirror"}

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

# _words[i] is the name of input.services[i] as its words joined by "-", so
# "timescale_db-backup" and "timescale-db-backup" read alike.
_words := [concat("-", svc.tokens) | some svc in input.services]

# _names_by_words maps joined words to the service names written that way.
_names_by_words := _names_grouped

_names_grouped[w] contains input.services[i].name if some i, w in _words

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

# _backups_by_primary[name] lists the names of the backups of service name
# that carry no explicit number, sorted.
_backups_by_primary := {name: sort(backups) | some name, backups in _backups_grouped}

_backups_grouped[name] contains input.services[i].name if {
	some i, name in primary_name
	not _explicit_number(input.services[i].tokens)
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
primary_mapping(p) := ports.lowest([m | some m in ms; m.target == p.target]) if {
	ms := _primary_mappings(p)
} else := ports.lowest(_primary_mappings(p))

_primary_mappings(p) := _prefer([m | some m in known; m.project_file == p.project_file], known) if {
	known := [m |
		some m in ports.of_service(primary_name[p.svc])
		is_number(m.effective)
	]
}

_prefer(first, second) := first if count(first) > 0

else := second
