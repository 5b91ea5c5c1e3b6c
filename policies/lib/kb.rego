# METADATA
# title: kb
# description: |
#   Classification of services through the image knowledge base
#   (data.portguard.images). Order: label portguard.category, then
#   x-portguard.category, then .portguard.yaml categories, then the image
#   (exact repository, then image name, then the image name's words from the
#   last), then the service name (whole, then its words from the last, so
#   "timescaledb-exporter" is an exporter and "timescaledb-backup" a database).
package portguard.lib.kb

_by_repo[r] := id if {
	some id, e in data.portguard.images
	some r in e.repos
}

_by_name[n] := id if {
	some id, e in data.portguard.images
	some n in e.names
}

# entry_id is the knowledge-base id of a service, undefined when unknown:
# by its image, else by its name.
entry_id(svc) := id if id := image_id(svc.image_repo, svc.image_name, svc.image_tokens)

else := id if id := name_id(svc)

# image_id is the entry an image names: exact repository, image name, then
# the words of the image name from the last. The tables are read whole: a
# lookup by key would rescan the knowledge base for every service.
image_id(repo, name, words) := _image_id(repo, name, words, _by_repo, _by_name)

_image_id(repo, name, words, repos, names) := id if id := repos[repo]

else := id if id := names[name]

else := id if id := _from_last(words, names)

# name_id is the entry a service's name names: whole, then its words.
name_id(svc) := _name_id(svc, _by_name)

_name_id(svc, names) := id if id := names[lower(svc.name)]

else := id if id := _from_last(svc.tokens, names)

# _from_last is the entry named by a run of words, preferring runs that end
# nearer the last word and, among those, the longest: "app-redis-commander"
# is redis-commander, "timescaledb-backup" is timescaledb.
_from_last(words, names) := [id |
	some i, _ in words
	end := (count(words) - 1) - i
	some start in numbers.range(0, end)
	id := names[concat("-", array.slice(words, start, end + 1))]
][0]

# category of a service: database, ui, exporter, or other.
category(svc, id) := c if c := svc.labels["portguard.category"]

else := c if c := svc.x_portguard.category

else := c if c := input.config.categories[svc.name]

else := c if c := data.portguard.images[id].category

else := "other"

# entry is the knowledge-base entry of an id, empty when unknown.
entry(id) := e if e := data.portguard.images[id]

else := {"category": "other", "family": "", "ports": [], "data_dirs": [], "port_names": {}, "display": ""}
