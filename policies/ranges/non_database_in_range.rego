# METADATA
# title: Service that is not a database tool publishes inside the database range
# description: |
#   A service that is neither a database, a database UI nor an exporter
#   publishes a host port inside the protected range (7000-7999 by default),
#   which is kept for databases and their tools. Classification comes from the
#   label portguard.category, x-portguard.category, .portguard.yaml
#   categories, the image, then the service name.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp102
#     description: DBP102 in the rule reference
# custom:
#   id: DBP102
#   severity: error
#   remediation: Publish the service outside the protected range; if it is a database tool the classifier missed, set the label portguard.category (database, ui or exporter).
#   tags: [ports, ranges]
package portguard.rules.ranges.non_database_in_range

import data.portguard.lib.finding
import data.portguard.lib.ports
import data.portguard.lib.services
import data.portguard.lib.suggest

report contains finding.new(rego.metadata.chain(), object.union(w.at, {
	"service": p.service,
	"message": _message(w),
	"suggestion": _suggestion(w),
	"related": _related(w),
})) if {
	some w in ports.written
	p := w.port
	not p.category in services.tooling
	ports.protected(w.value)
}

_range := sprintf("%d-%d", [ports.ranges.protected.from, ports.ranges.protected.to])

_message(w) := sprintf("%s is not a database tool (%s) and publishes %d inside %s, kept for databases", [w.port.service, services.classification_of(w.port.svc).basis, w.value, _range]) if w.where == "mapping"

else := sprintf("%s=%d in %s puts %s inside %s, kept for databases (%s)", [w.port.variable.name, w.value, w.at.file, w.port.service, _range, finding.where(w.port)])

_suggestion(w) := sprintf("publish %s outside %s, e.g. %d, or label it portguard.category if it is a database tool", [w.port.service, _range, suggest.outside_port(w.port)])

_related(w) := [finding.related(w.port, "the mapping")] if w.where == "env"

else := []
