# METADATA
# title: Table row matches no service
# description: |
#   A row of PORTS-CONVENTION.md documents a port in the protected range
#   that no compose file publishes, for a service that exists in no compose
#   file: the table documents something that is gone (or not yet written).
#   A second row for a port is stale too when it names no service and
#   every service publishing the port is documented by another row: it
#   goes, since naming the publisher would document it twice.
#   Not judged when compose files are named with -f: the check then sees
#   part of the repository, and the other rows document the rest.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp503
#     description: DBP503 in the rule reference
# custom:
#   id: DBP503
#   severity: warning
#   remediation: Remove the stale row, or add the service it documents.
#   tags: [docs]
package portguard.rules.docs.row_without_service

import data.portguard.lib.conventions
import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), {
	"file": input.conventions.file,
	"line": row.line,
	"column": 1,
	"end_column": 1,
	"service": row.service,
	"message": sprintf("the row for %d (%s) matches no service: nothing publishes %d and no service %s exists", [row.port, row.service, row.port, row.service]),
	"suggestion": sprintf("remove the row for %d from %s, or add the service", [row.port, input.conventions.file]),
}) if {
	not input.explicit_files
	some row in conventions.judged_rows
	count(conventions.publishers[row.port]) == 0
	count(conventions.named(row)) == 0
	not _env_var_used(row.env_var)
}

report contains finding.new(rego.metadata.chain(), {
	"file": input.conventions.file,
	"line": row.line,
	"column": 1,
	"end_column": 1,
	"service": row.service,
	"message": sprintf("the row for %d (%s) is stale: %s publishes %d and is documented at %s", [row.port, row.service, p.service, row.port, conventions.where(other)]),
	"suggestion": sprintf("remove the row for %d (%s) from %s", [row.port, row.service, input.conventions.file]),
	"related": [
		finding.related(p, sprintf("%s publishes %d here", [p.service, row.port])),
		{"file": input.conventions.file, "line": other.line, "message": sprintf("the row that documents %s", [p.service])},
	],
}) if {
	not input.explicit_files
	some row in conventions.judged_rows
	conventions.stale(row)
	p := conventions.publishers[row.port][0]
	other := [r |
		some r in conventions.judged_rows
		r.line != row.line
		conventions.satisfies(r, p)
	][0]
}

_env_var_used(name) if {
	name != ""
	some p in data.portguard.lib.ports.mappings
	p.variable.name == name
}
