# METADATA
# title: Container port is not the image's standard port
# description: |
#   The mapping targets a container port on which the image does not listen
#   by default (5432 for Postgres), per the knowledge base in
#   data.portguard.images. Containers reach the database on its standard
#   port by service name, so the published port must lead to the same one.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp205
#     description: DBP205 in the rule reference
# custom:
#   id: DBP205
#   severity: error
#   remediation: Map the host port to the image's standard container port; if the image really listens elsewhere, add an exception with the reason.
#   tags: [ports, images]
package portguard.rules.mapping.nonstandard_container_port

import data.portguard.lib.finding
import data.portguard.lib.ports
import data.portguard.lib.services

report contains finding.new(rego.metadata.chain(), object.union(finding.at(p), {
	"service": p.service,
	"classification": services.classification_of(p.svc),
	"message": sprintf("%s maps to container port %d, but %s listens on %s", [p.service, p.target, e.display, _list(e.ports)]),
	"suggestion": sprintf("map the host port to container port %d", [e.ports[0]]),
})) if {
	some p in ports.tooling_mappings
	e := services.entry[p.svc]
	count(e.ports) > 0
	not _standard(p, e.ports)
}

# A mapping of a range of container ports is standard when one of them is.
_standard(p, listens) if {
	some n in listens
	n >= p.target_range[0]
	n <= p.target_range[1]
}

_list(ns) := concat(" or ", [sprintf("%d", [n]) | some n in ns])
