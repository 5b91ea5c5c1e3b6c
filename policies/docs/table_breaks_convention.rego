# METADATA
# title: The convention table breaks the convention
# description: |
#   PORTS-CONVENTION.md itself breaks the convention: two rows assign the
#   same port to services that run together (alternatives in disjoint
#   profiles, or services of two projects with conflict_scope: project,
#   may share one), a row's category does not own the sub-range of its
#   port, or a row assigns a single port in the reserved range.
# related_resources:
#   - ref: https://github.com/portguard/portguard/blob/main/docs/rules.md#dbp504
#     description: DBP504 in the rule reference
# custom:
#   id: DBP504
#   severity: error
#   remediation: Give every port one row, in the sub-range of its category.
#   tags: [docs]
package portguard.rules.docs.table_breaks_convention

import data.portguard.lib.conventions
import data.portguard.lib.finding
import data.portguard.lib.ports
import data.portguard.lib.services

_finding(row, message, suggestion, related) := {
	"file": input.conventions.file,
	"line": row.line,
	"column": 1,
	"end_column": 1,
	"service": row.service,
	"message": message,
	"suggestion": suggestion,
	"related": related,
}

# A port assigned twice: reported at every row after the first.
report contains finding.new(rego.metadata.chain(), _finding(
	row,
	sprintf("%d is assigned twice: to %s here and to %s at %s", [row.port, row.service, first.service, conventions.where(first)]),
	sprintf("give %s its own free port", [row.service]),
	[{"file": input.conventions.file, "line": first.line, "message": sprintf("first row for %d", [row.port])}],
)) if {
	some row in conventions.judged_rows
	rows := conventions.rows_by_port[row.port]
	first := rows[0]
	row.line != first.line
	conventions.words(row.service) != conventions.words(first.service)
	not _apart(row, first)
}

# _apart reports whether the services two rows name never run together
# (alternatives in disjoint profiles, or projects of their own with
# conflict_scope: project): they may share a port.
_apart(a, b) if {
	na := conventions.named(a)
	nb := conventions.named(b)
	count(na) > 0
	count(nb) > 0
	every i in na {
		every j in nb {
			not services.run_together(i, j)
		}
	}
}

# A category whose sub-range does not hold the port.
report contains finding.new(rego.metadata.chain(), _finding(
	row,
	sprintf("the row puts %s (%s) on %d, outside %s's sub-range %d-%d", [row.service, row.category, row.port, row.category, r.from, r.to]),
	sprintf("move the row to a free port of %d-%d", [r.from, r.to]),
	[],
)) if {
	some row in conventions.judged_rows
	row.category in services.tooling
	r := ports.ranges[row.category]
	not ports.in_range(row.port, r)
}

# A single port in the reserved range.
report contains finding.new(rego.metadata.chain(), _finding(
	row,
	sprintf("the row assigns %d, in the reserved range %d-%d, to %s", [row.port, ports.ranges.reserved.from, ports.ranges.reserved.to, row.service]),
	"assign a port of the service's sub-range instead, or record an exception with its reason",
	[],
)) if {
	some row in conventions.judged_rows
	ports.reserved(row.port)
	not row.category in services.tooling
}
