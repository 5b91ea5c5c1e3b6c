package portguard.test.rules.ranges.unpinned_database_port

import data.portguard.rules.ranges.unpinned_database_port.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion) := fx.finding("DBP104", "error", loc, service, message, suggestion, [])

_host(svc) := object.union(svc, {"network_mode": "host"})

test_fail_random_host_port if {
	p := fx.random(8, 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "postgres",
			"postgres publishes container port 5432 on a random host port",
			`write "${POSTGRES_PORT:-7000}:5432" and set POSTGRES_PORT=7000 in the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
		),
	)}
}

test_fail_host_port_range if {
	p := fx.literal_range(8, 7000, 7002, 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "redis",
			"redis publishes the host port range 7000-7002 for container port 6379",
			`write "${REDIS_PORT:-7003}:6379" and set REDIS_PORT=7003 in the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${REDIS_PORT:-7003}:6379", 7003)],
			[fx.set_env("REDIS_PORT", "7003")],
			[fx.add_row(7003, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_network_mode_host if {
	svc := _host(fx.service("postgres", "postgres:16", 5, []))
	r := report with input as fx.doc([svc])
	r == {_expect(
		fx.at(svc), "postgres",
		"postgres uses network_mode host and publishes every port it listens on",
		"remove network_mode: host and publish the database port as ${SERVICE_PORT:-7000}:<container port>",
	)}
}

# The finding points at network_mode, where it is written.
test_fail_network_mode_host_points_at_network_mode if {
	at := {"file": fx.file, "line": 7, "column": 19, "end_column": 23}
	svc := object.union(_host(fx.service("redis", "redis:7", 5, [])), {"network_mode_at": at})
	r := report with input as fx.doc([svc])
	r == {_expect(
		at, "redis",
		"redis uses network_mode host and publishes every port it listens on",
		"remove network_mode: host and publish the database port as ${SERVICE_PORT:-7000}:<container port>",
	)}
}

# A range mapped one to one onto container ports pins every port: the nodes
# of a cluster publish it as a whole.
test_success_range_mapped_one_to_one if {
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [fx.literal_span(8, 7000, 7050, 7000)])])
	r == set()
}

test_fail_random_host_port_and_no_free_port_left if {
	p := fx.random(12, 6379)
	d := fx.with_config(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.service("redis", "redis:7", 9, [p]),
		]),
		{"ranges": object.union(fx.config.ranges, {"database": {"from": 7000, "to": 7000}})},
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			fx.at(p), "redis",
			"redis publishes container port 6379 on a random host port",
			"publish one host port from 7000-7000",
		),
		"no free port is left in database 7000-7000",
	)}
}

test_success_pinned_host_ports if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 9, [fx.literal(12, 7001, 6379)]),
		object.union(fx.service("mongo", "mongo:7", 13, []), {"network_mode": "bridge"}),
	])
	r == set()
}

# A variable without a value or default is DBP202/DBP203's, not a random port.
test_success_unknown_variable_is_not_random if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var_form(8, "", "POSTGRES_PORT", "", fx.unset, 5432)]),
	])
	r == set()
}

test_success_services_that_are_not_databases if {
	r := report with input as fx.doc([
		fx.service("app", "acme/app", 5, [fx.random(8, 3000), fx.literal_range(9, 9000, 9005, 9000)]),
		_host(fx.service("pgadmin", "dpage/pgadmin4", 10, [])),
		_host(fx.service("node-exporter", "prom/node-exporter", 14, [])),
	])
	r == set()
}

# A range documented row by row becomes one port: its own row stays, and
# the row of the port it stops publishing goes with it.
test_fail_host_port_range_takes_the_rows_it_leaves if {
	p := fx.literal_range(8, 7000, 7001, 5432)
	rows := [
		object.union(fx.row(7000, "postgres", 5), {"env_var": "POSTGRES_PORT"}),
		object.union(fx.row(7001, "postgres", 6), {"env_var": "POSTGRES_PORT"}),
	]
	r := report with input as fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), rows)
	r == {fx.with_fix(
		_expect(
			fx.at(p), "postgres",
			"postgres publishes the host port range 7000-7001 for container port 5432",
			`write "${POSTGRES_PORT:-7000}:5432" and set POSTGRES_PORT=7000 in the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[fx.remove_row(fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432), 6, 7001)],
		),
	)}
}
