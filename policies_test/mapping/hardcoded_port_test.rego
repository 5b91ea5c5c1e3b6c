package portguard.test.rules.mapping.hardcoded_port

import data.portguard.rules.mapping.hardcoded_port.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP201", "error", fx.at(p), service, message, suggestion, [])

test_fail_database_literal if {
	p := fx.literal(8, 7000, 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			`postgres hard-codes host port 7000 in "7000:5432"`,
			`write "${POSTGRES_PORT:-7000}:5432" and add POSTGRES_PORT=7000 to the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[],
		),
	)}
}

# Without a root .env or a template of it, the fix rewrites the mapping
# and leaves the .env, local state the repository never had, unwritten.
test_fail_database_literal_without_env if {
	p := fx.literal(8, 7000, 5432)
	r := report with input as fx.without_env(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]))
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			`postgres hard-codes host port 7000 in "7000:5432"`,
			`write "${POSTGRES_PORT:-7000}:5432" and add POSTGRES_PORT=7000 to the root .env`,
		),
		fx.fix([fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)], [], []),
	)}
}

test_fail_database_literal_outside_range_gets_the_suggested_port if {
	p := fx.literal(8, 6379, 6379)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 1, [fx.var(3, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 5, [p]),
	])
	r == {fx.with_fix(
		_expect(
			p, "redis",
			`redis hard-codes host port 6379 in "6379:6379"`,
			`write "${REDIS_PORT:-7001}:6379" and add REDIS_PORT=7001 to the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${REDIS_PORT:-7001}:6379", 7001)],
			[fx.set_env("REDIS_PORT", "7001")],
			[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_ui_and_exporter_literals if {
	ui := fx.literal(8, 7100, 80)
	exporter := fx.literal(12, 7200, 9121)
	r := report with input as fx.doc([
		fx.service("pgadmin", "dpage/pgadmin4", 5, [ui]),
		fx.service("redis-exporter", "oliver006/redis_exporter", 9, [exporter]),
	])
	r == {
		fx.with_fix(
			_expect(
				ui, "pgadmin",
				`pgadmin hard-codes host port 7100 in "7100:80"`,
				`write "${PGADMIN_PORT:-7100}:80" and add PGADMIN_PORT=7100 to the root .env`,
			),
			fx.fix(
				[fx.edit(ui, "${PGADMIN_PORT:-7100}:80", 7100)],
				[fx.set_env("PGADMIN_PORT", "7100")],
				[],
			),
		),
		fx.with_fix(
			_expect(
				exporter, "redis-exporter",
				`redis-exporter hard-codes host port 7200 in "7200:9121"`,
				`write "${REDIS_EXPORTER_PORT:-7200}:9121" and add REDIS_EXPORTER_PORT=7200 to the root .env`,
			),
			fx.fix(
				[fx.edit(exporter, "${REDIS_EXPORTER_PORT:-7200}:9121", 7200)],
				[fx.set_env("REDIS_EXPORTER_PORT", "7200")],
				[],
			),
		),
	}
}

# The suggestion keeps the host IP and the protocol of the mapping.
test_fail_literal_with_host_ip_and_protocol if {
	v4 := fx.on_ip(fx.literal(8, 7000, 5432), "127.0.0.1")
	v6 := fx.udp(fx.on_ip(fx.literal(12, 7001, 6379), "::1"))
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [v4]),
		fx.service("redis", "redis:7", 9, [v6]),
	])
	r == {
		fx.with_fix(
			_expect(
				v4, "postgres",
				`postgres hard-codes host port 7000 in "127.0.0.1:7000:5432"`,
				`write "127.0.0.1:${POSTGRES_PORT:-7000}:5432" and add POSTGRES_PORT=7000 to the root .env`,
			),
			fx.fix(
				[fx.edit(v4, "127.0.0.1:${POSTGRES_PORT:-7000}:5432", 7000)],
				[fx.set_env("POSTGRES_PORT", "7000")],
				[],
			),
		),
		fx.with_fix(
			_expect(
				v6, "redis",
				`redis hard-codes host port 7001 in "[::1]:7001:6379/udp"`,
				`write "[::1]:${REDIS_PORT:-7001}:6379/udp" and add REDIS_PORT=7001 to the root .env`,
			),
			fx.fix(
				[fx.edit(v6, "[::1]:${REDIS_PORT:-7001}:6379/udp", 7001)],
				[fx.set_env("REDIS_PORT", "7001")],
				[],
			),
		),
	}
}

test_fail_literal_range if {
	p := fx.literal_range(8, 7000, 7002, 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			`postgres hard-codes host port 7000 in "7000-7002:5432"`,
			`write "${POSTGRES_PORT:-7003}:5432" and add POSTGRES_PORT=7003 to the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7003}:5432", 7003)],
			[fx.set_env("POSTGRES_PORT", "7003")],
			[fx.add_row(7003, "postgres", "POSTGRES_PORT", "database", 5432)],
		),
	)}
}

test_fail_every_service_with_env_var_form_all if {
	p := fx.literal(8, 8080, 80)
	d := fx.with_config(fx.doc([fx.service("web", "nginx", 5, [p])]), {"env_var_form": "all"})
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "web",
			`web hard-codes host port 8080 in "8080:80"`,
			`write "${WEB_PORT:-8080}:80" and add WEB_PORT=8080 to the root .env`,
		),
		fx.fix(
			[fx.edit(p, "${WEB_PORT:-8080}:80", 8080)],
			[fx.set_env("WEB_PORT", "8080")],
			[],
		),
	)}
}

test_success_variables if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var_form(12, "$", "REDIS_PORT", "", fx.env("7001", 2), 6379)]),
	])
	r == set()
}

test_success_services_that_are_not_database_tools if {
	r := report with input as fx.doc([fx.service("web", "nginx", 5, [fx.literal(8, 8080, 80)])])
	r == set()
}

# A random host port is DBP104's.
test_success_random_host_port if {
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [fx.random(8, 5432)])])
	r == set()
}

# The root .env already holds the variable: only the mapping must change.
test_fail_literal_with_the_variable_already_in_env if {
	p := fx.literal(8, 7000, 5432)
	d := fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	with_var := object.union(d, {"env": {"file": ".env", "vars": [{"name": "POSTGRES_PORT", "value": "7000", "app_value": "7000", "line": 3, "port_like": true}]}})
	r := report with input as with_var
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			`postgres hard-codes host port 7000 in "7000:5432"`,
			`write "${POSTGRES_PORT:-7000}:5432" (POSTGRES_PORT=7000 is already in .env)`,
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[],
		),
	)}
}

# A range of container ports keeps its length: the suggestion writes both
# ends with variables, and no machine fix squeezes it into one port.
test_fail_range_keeps_its_length if {
	p := fx.literal_span(8, 7000, 7050, 7000)
	r := report with input as fx.doc([fx.service("redis-cluster", "redis:7", 5, [p])])
	r == {fx.with_no_fix(
		_expect(
			p, "redis-cluster",
			`redis-cluster hard-codes host port 7000 in "7000-7050:7000-7050"`,
			`write the range with variables of the root .env, e.g. "${REDIS_CLUSTER_FIRST:-7000}-${REDIS_CLUSTER_LAST:-7050}:7000-7050"`,
		),
		"the mapping publishes the range of container ports 7000-7050, which moves as a whole: rewrite it by hand",
	)}
}
