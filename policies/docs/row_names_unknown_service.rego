# METADATA
# title: Table row names a service that does not exist
# description: |
#   A row of PORTS-CONVENTION.md assigns a port to a service (or env var)
#   that does not match what is published on that port, and the named
#   service exists in no compose file: the row is wrong, not the stack.
#   A row whose publishers another row already documents is stale instead
#   (DBP503): naming them would document them twice.
#   Not judged when compose files are named with -f: the check then sees
#   part of the repository, and the other rows document the rest.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp502
#     description: DBP502 in the rule reference
# custom:
#   id: DBP502
#   severity: error
#   remediation: Correct the row to name the service that publishes the port (or remove it).
#   tags: [docs]
package portguard.rules.docs.row_names_unknown_service

import data.portguard.lib.conventions
import data.portguard.lib.finding

report contains finding.new(rego.metadata.chain(), {
	"file": input.conventions.file,
	"line": row.line,
	"column": 1,
	"end_column": 1,
	"service": row.service,
	"message": sprintf("the row for %d names %s, but %s publishes %d and no service %s exists", [row.port, row.service, concat(", ", names), row.port, row.service]),
	"suggestion": sprintf("name %s in the row for %d", [undocumented[0], row.port]),
	"related": [finding.related(p, sprintf("%s publishes %d here", [p.service, row.port])) | some p in group],
}) if {
	not input.explicit_files
	some row in conventions.judged_rows
	group := conventions.publishers[row.port]
	count(group) > 0
	every p in group {
		not conventions.satisfies(row, p)
	}
	count(conventions.named(row)) == 0
	not conventions.stale(row)
	names := sort({p.service | some p in group})
	undocumented := sort({p.service | some p in group; not conventions.documented_elsewhere(p, row)})
}
