# METADATA
# title: services
# description: |
#   What each service is and which services run together: its
#   classification (kind, category, what the knowledge base says about a
#   database tool), decided by input from the evidence and read here, and
#   whether two services can run on one host at the same time (profiles,
#   conflict_scope). Services are known by their index in input.services;
#   the port mappings are lib/ports', the backups lib/backups'.
package portguard.lib.services

# tooling is the set of categories that own a sub-range of the protected
# range (database, ui, exporter, and any a platform team adds): the
# database tools that most rules judge.
tooling := {c | some c, _ in input.config.ranges} - {"protected", "reserved"}

# names is the set of every service name.
names := {svc.name | some svc in input.services}

# --- Classification -----------------------------------------------------------

# classification_of(i) is what input.services[i] is, as input classified
# it from the evidence (label, image, command, environment, name words):
# see input/classify.go. A document without it (a test's, a user's) reads
# as an unclassified service. A function, not a table: the rules read a
# field or two of it, and a table would copy every service's
# classification into a value of its own (10,000 services: 30 ms of a
# check, per-rule profile).
classification_of(i) := object.get(input.services[i], "classification", _unclassified)

# classification[i] is classification_of(i) for every service: kept for
# the policies of users (the built-in rules call classification_of).
classification := {i: classification_of(i) | some i, _ in input.services}

_unclassified := {
	"category": "other", "kind": "", "family": "", "display": "", "decided_by": "none", "weak": false,
	"basis": "", "keeps_data": false, "ports": [], "port_names": {}, "data_dirs": [], "listen_env": [], "evidence": [],
}

# kind[i] is the knowledge-base id of input.services[i], when known.
kind := {i: c.kind |
	some i, _ in input.services
	c := classification_of(i)
	c.kind != ""
}

# category[i] is the category of input.services[i].
category := {i: classification_of(i).category | some i, _ in input.services}

# entry[i] is what the knowledge base and the service's own configuration
# say about the database tool input.services[i]: family, display name,
# container ports (with their roles) and data directories; the rules that
# read entries judge database tools only.
entry := {i: object.filter(classification_of(i), {"family", "display", "ports", "port_names", "data_dirs", "keeps_data"}) |
	some i, _ in input.services
	category[i] in tooling
}

# --- Running together ---------------------------------------------------------

# run_together reports whether input.services[i] and input.services[j] run
# on one host at the same time: they are no alternatives, and in the same
# scope.
run_together(i, j) if {
	not alternatives(i, j)
	_same_scope(i, j)
}

# profiles are the profiles that --profile enabled; empty when none was
# given (every service is checked, and alternatives never conflict).
profiles := object.get(input, "profiles", [])

# alternatives reports whether input.services[i] and input.services[j]
# never run together: both belong to profiles, and none of them is shared.
# With --profile, the document holds only the enabled services, which do
# run together.
alternatives(i, j) if {
	count(profiles) == 0
	a := input.services[i].profiles
	b := input.services[j].profiles
	count(a) > 0
	count(b) > 0
	not _share(a, b)
}

_share(a, b) if {
	some x in a
	x in b
}

# scope is conflict_scope of .portguard.yaml: "host" (default: every
# project shares the host) or "project" (each project has a host of its
# own, as for a repository of independent samples).
scope := object.get(input.config, "conflict_scope", "host")

_same_scope(_, _) if scope != "project"

_same_scope(i, j) if _project(input.services[i]) == _project(input.services[j])

# _project is the base compose file of a service's project: projects are
# told apart by it.
_project(svc) := object.get(svc, "project_file", svc.file)
