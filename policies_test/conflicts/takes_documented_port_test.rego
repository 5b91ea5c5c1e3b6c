package portguard.test.rules.conflicts.takes_documented_port

import data.portguard.rules.conflicts.takes_documented_port.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion, row_line, row_message) := fx.finding(
	"DBP402", "error", fx.at(p), service, message, suggestion,
	[{"file": "PORTS-CONVENTION.md", "line": row_line, "message": row_message}],
)

_rows := [fx.row(7000, "TimescaleDB", 17), fx.row(7010, "Redis", 18)]

# The service that must move goes to the port its own row documents
# (7010), not to the next free port beside a second row.
test_fail_database_takes_the_port_of_another if {
	p := fx.literal(12, 7000, 6379)
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7002, 5432)]),
			fx.service("redis", "redis:7", 9, [p]),
		]),
		_rows,
	)
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "redis",
			"redis publishes 7000, which PORTS-CONVENTION.md assigns to TimescaleDB (timescaledb)",
			`move redis to 7010: write "${REDIS_PORT:-7010}:6379" and set REDIS_PORT=7010 in the root .env`,
			17, "7000 is assigned to TimescaleDB",
		),
		fx.fix([fx.edit(p, "${REDIS_PORT:-7010}:6379", 7010)], [fx.set_env("REDIS_PORT", "7010")], []),
	)}
}

# Without a row of its own, it moves to the next free port, documented.
test_fail_database_without_a_row_moves_to_a_free_port if {
	p := fx.literal(12, 7000, 6379)
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7002, 5432)]),
			fx.service("redis", "redis:7", 9, [p]),
		]),
		[fx.row(7000, "TimescaleDB", 17)],
	)
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "redis",
			"redis publishes 7000, which PORTS-CONVENTION.md assigns to TimescaleDB (timescaledb)",
			`move redis to 7001: write "${REDIS_PORT:-7001}:6379" and set REDIS_PORT=7001 in the root .env`,
			17, "7000 is assigned to TimescaleDB",
		),
		fx.fix(
			[fx.edit(p, "${REDIS_PORT:-7001}:6379", 7001)],
			[fx.set_env("REDIS_PORT", "7001")],
			[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_service_that_is_not_a_database_tool if {
	p := fx.literal(12, 7010, 80)
	d := fx.with_rows(
		fx.doc([
			fx.service("cache", "redis:7", 5, [fx.var(8, "REDIS_PORT", "7011", fx.env("7011", 1), 6379)]),
			fx.service("web", "nginx", 9, [p]),
		]),
		[fx.row(7010, "Cache", 18)],
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			p, "web",
			"web publishes 7010, which PORTS-CONVENTION.md assigns to Cache (cache)",
			"move web outside the protected range, e.g. to 80",
			18, "7010 is assigned to Cache",
		),
		"portguard moves the ports of databases, UIs and exporters only",
	)}
}

test_success_the_owner_publishes_its_port if {
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7000, 5432)]),
			fx.service("redis-cache", "redis:7", 9, [fx.var(12, "REDIS_PORT", "7010", fx.env("7010", 1), 6379)]),
		]),
		array.concat(_rows, [fx.row(7020, "Analytics", 19)]),
	)
	r := report with input as d
	r == set()
}

# The row matches by its env var; a row naming no service is DBP502's.
test_success_matched_by_env_var_or_naming_no_service if {
	d := fx.with_rows(
		fx.doc([
			fx.service("pg", "postgres:16", 5, [fx.var(8, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)]),
			fx.service("cache", "redis:7", 9, [fx.literal(12, 7010, 6379)]),
		]),
		[object.union(fx.row(7000, "Main database", 17), {"env_var": "TIMESCALEDB_PORT"}), fx.row(7010, "Memcached", 18)],
	)
	r := report with input as d
	r == set()
}

# An alternative in another profile never runs with the row's service.
test_success_alternative_of_the_documented_service if {
	d := fx.with_rows(
		fx.doc([
			fx.in_profiles(fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]), ["pg"]),
			fx.in_profiles(fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7000, 3306)]), ["mysql"]),
		]),
		[fx.row(7000, "postgres", 17)],
	)
	r := report with input as d
	r == set()
}
