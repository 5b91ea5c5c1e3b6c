package portguard.test.rules.docs.table_breaks_convention

import data.portguard.rules.docs.table_breaks_convention.report
import data.portguard.test.fixtures as fx

_expect(line, service, message, suggestion, related) := fx.finding("DBP504", "error", fx.loc("PORTS-CONVENTION.md", line, 1, 1), service, message, suggestion, related)

_table(rows) := fx.with_rows(fx.doc([]), rows)

test_fail_port_assigned_twice if {
	r := report with input as _table([fx.row(7000, "TimescaleDB", 17), fx.row(7001, "Redis", 18), fx.row(7000, "QuestDB", 20)])
	r == {_expect(
		20, "QuestDB",
		"7000 is assigned twice: to QuestDB here and to TimescaleDB at PORTS-CONVENTION.md:17",
		"give QuestDB its own free port",
		[{"file": "PORTS-CONVENTION.md", "line": 17, "message": "first row for 7000"}],
	)}
}

test_fail_category_outside_its_sub_range if {
	r := report with input as _table([object.union(fx.row(7100, "Redis", 17), {"category": "database"})])
	r == {_expect(
		17, "Redis",
		"the row puts Redis (database) on 7100, outside database's sub-range 7000-7099",
		"move the row to a free port of 7000-7099",
		[],
	)}
}

test_fail_single_port_in_the_reserved_range if {
	r := report with input as _table([fx.row(7300, "Jaeger", 17)])
	r == {_expect(
		17, "Jaeger",
		"the row assigns 7300, in the reserved range 7300-7999, to Jaeger",
		"assign a port of the service's sub-range instead, or record an exception with its reason",
		[],
	)}
}

# The same service on one port in two tables, categories in their
# sub-ranges, a reserved range documented as a range.
test_success_table_that_follows_the_convention if {
	r := report with input as _table([
		object.union(fx.row(7000, "TimescaleDB", 17), {"category": "database"}),
		object.union(fx.row(7100, "pgAdmin", 18), {"category": "ui"}),
		object.union(fx.row(7200, "postgres-exporter", 19), {"category": "exporter"}),
		fx.range_row(7300, 7999, "Reserved", 20),
		fx.row(7000, "timescaledb", 40),
	])
	r == set()
}

# The table that portguard docs generates describes the compose files: it
# documents ports but is never judged.
test_success_generated_rows_are_not_judged if {
	generated := {"generated": true}
	r := report with input as _table([
		fx.row(7000, "TimescaleDB", 17),
		object.union(fx.row(7000, "QuestDB", 40), generated),
		object.union(object.union(fx.row(7100, "Redis", 41), {"category": "database"}), generated),
		object.union(fx.row(7350, "web", 42), generated),
	])
	r == set()
}

# Alternatives in disjoint profiles, and with conflict_scope: project the
# services of two projects, never run together: they may share a port.
test_success_services_that_never_run_together_share_a_port if {
	rows := [fx.row(7000, "postgres", 17), fx.row(7000, "mysql", 18)]
	alternatives := fx.doc([
		fx.in_profiles(fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]), ["pg"]),
		fx.in_profiles(fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7000, 3306)]), ["mysql"]),
	])
	r := report with input as fx.with_rows(alternatives, rows)
	r == set()
	projects := fx.with_config(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.in_project(fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7000, 3306)]), "samples/mysql/compose.yaml"),
		]),
		{"conflict_scope": "project"},
	)
	s := report with input as fx.with_rows(projects, rows)
	s == set()
}

test_fail_services_of_two_projects_share_one_host if {
	d := fx.with_rows(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.in_project(fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7000, 3306)]), "samples/mysql/compose.yaml"),
		]),
		[fx.row(7000, "postgres", 17), fx.row(7000, "mysql", 18)],
	)
	r := report with input as d
	r == {fx.finding(
		"DBP504", "error", fx.loc("PORTS-CONVENTION.md", 18, 1, 1), "mysql",
		"7000 is assigned twice: to mysql here and to postgres at PORTS-CONVENTION.md:17",
		"give mysql its own free port",
		[{"file": "PORTS-CONVENTION.md", "line": 17, "message": "first row for 7000"}],
	)}
}
