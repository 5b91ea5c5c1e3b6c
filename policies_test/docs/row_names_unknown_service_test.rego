package portguard.test.rules.docs.row_names_unknown_service

import data.portguard.rules.docs.row_names_unknown_service.report
import data.portguard.test.fixtures as fx

test_fail_row_names_a_service_that_does_not_exist if {
	p := fx.literal(8, 7000, 5432)
	d := fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), [fx.row(7000, "TimescaleDB", 17)])
	r := report with input as d
	r == {fx.finding(
		"DBP502", "error", fx.loc("PORTS-CONVENTION.md", 17, 1, 1), "TimescaleDB",
		"the row for 7000 names TimescaleDB, but postgres publishes 7000 and no service TimescaleDB exists",
		"name postgres in the row for 7000",
		[fx.related(p, "postgres publishes 7000 here")],
	)}
}

test_success_row_names_the_publisher if {
	d := fx.with_rows(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.with_container_name(fx.service("cache", "redis:7", 9, [fx.literal(12, 7001, 6379)]), "data-redis"),
			fx.service("mongo", "mongo:7", 13, [fx.var(16, "MONGO_PORT", "7002", fx.env("7002", 1), 27017)]),
		]),
		[
			fx.row(7000, "PostgreSQL", 17),
			fx.row(7001, "Data Redis", 18),
			object.union(fx.row(7002, "Documents", 19), {"env_var": "MONGO_PORT"}),
		],
	)
	r := report with input as d
	r == set()
}

# A row naming a service that exists elsewhere is DBP402's; a row nothing
# publishes is DBP503's.
test_success_left_to_other_rules if {
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7005, 5432)]),
			fx.service("redis", "redis:7", 9, [fx.literal(12, 7000, 6379)]),
		]),
		[fx.row(7000, "TimescaleDB", 17), fx.row(7001, "QuestDB", 18)],
	)
	r := report with input as d
	r == set()
}

# With -f the check sees part of the repository: rows are not judged.
test_success_explicit_files_skip_rows if {
	d := object.union(
		fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)])]), [fx.row(7000, "TimescaleDB", 17)]),
		{"explicit_files": true},
	)
	r := report with input as d
	r == set()
}

# A second row for a port whose publisher another row already documents is
# stale (DBP503): renaming it would document postgres twice.
test_success_second_row_for_a_documented_publisher if {
	d := fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)])]), [
		fx.row(7000, "Postgres", 17),
		fx.row(7000, "Orders", 18),
	])
	r := report with input as d
	r == set()
}

# Of two publishers, the one no other row documents is the one to name.
test_fail_names_the_publisher_no_other_row_documents if {
	pg := fx.literal(8, 7000, 5432)
	redis := fx.literal(12, 7000, 6379)
	d := fx.with_rows(
		fx.doc([fx.service("postgres", "postgres:16", 5, [pg]), fx.service("redis", "redis:7", 9, [redis])]),
		[fx.row(7000, "Orders", 17), fx.row(7001, "Postgres", 18)],
	)
	r := report with input as d
	r == {fx.finding(
		"DBP502", "error", fx.loc("PORTS-CONVENTION.md", 17, 1, 1), "Orders",
		"the row for 7000 names Orders, but postgres, redis publishes 7000 and no service Orders exists",
		"name redis in the row for 7000",
		[fx.related(pg, "postgres publishes 7000 here"), fx.related(redis, "redis publishes 7000 here")],
	)}
}
