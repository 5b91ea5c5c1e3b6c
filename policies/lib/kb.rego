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

# entry_id is the knowledge-base id of a service, undefined when unknown.
entry_id(svc) := id if id := _by_repo[svc.image_repo]

else := id if id := _by_name[svc.image_name]

else := id if id := _last_word(svc.image_tokens)

else := id if id := _by_name[lower(svc.name)]

else := id if id := _last_word(svc.tokens)

# _last_word is the entry of the last word that names one.
_last_word(words) := [id |
	some i, _ in words
	id := _by_name[words[(count(words) - 1) - i]]
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
