package portguard.test.rules.mapping.variable_without_default

import data.portguard.rules.mapping.variable_without_default.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP202", "error", fx.at(p), service, message, suggestion, [])

test_fail_braces_without_default if {
	p := fx.var_form(8, "", "POSTGRES_PORT", "", fx.env("7000", 1), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			`postgres: POSTGRES_PORT in "${POSTGRES_PORT}:5432" has no default`,
			`write "${POSTGRES_PORT:-7000}:5432"`,
		),
		fx.fix([fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)], [], []),
	)}
}

test_fail_bare_variable if {
	p := fx.var_form(8, "$", "REDIS_PORT", "", fx.env("7001", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "redis",
			`redis: REDIS_PORT in "$REDIS_PORT:6379" has no default`,
			`write "${REDIS_PORT:-7001}:6379"`,
		),
		fx.fix([fx.edit(p, "${REDIS_PORT:-7001}:6379", 7001)], [], []),
	)}
}

test_fail_required_variable if {
	p := fx.var_form(8, ":?", "MONGO_PORT", "set MONGO_PORT", fx.unset, 27017)
	q := fx.var_form(12, "?", "MYSQL_PORT", "", fx.unset, 3306)
	r := report with input as fx.doc([
		fx.service("mongo", "mongo:7", 5, [p]),
		fx.service("mysql", "mysql:8", 9, [q]),
	])
	r == {
		fx.with_fix(
			_expect(
				p, "mongo",
				`mongo: MONGO_PORT in "${MONGO_PORT:?set MONGO_PORT}:27017" has no default`,
				`write "${MONGO_PORT:-7000}:27017"`,
			),
			fx.fix(
				[fx.edit(p, "${MONGO_PORT:-7000}:27017", 7000)],
				[fx.set_env("MONGO_PORT", "7000")],
				[fx.add_row(7000, "mongo", "MONGO_PORT", "database", 27017)],
			),
		),
		fx.with_fix(
			_expect(
				q, "mysql",
				`mysql: MYSQL_PORT in "${MYSQL_PORT?}:3306" has no default`,
				`write "${MYSQL_PORT:-7001}:3306"`,
			),
			fx.fix(
				[fx.edit(q, "${MYSQL_PORT:-7001}:3306", 7001)],
				[fx.set_env("MYSQL_PORT", "7001")],
				[fx.add_row(7001, "mysql", "MYSQL_PORT", "database", 3306)],
			),
		),
	}
}

test_fail_default_that_is_not_a_port if {
	p := fx.var(8, "POSTGRES_PORT", "postgres", fx.unset, 5432)
	q := fx.var(12, "REDIS_PORT", "7000-7001", fx.env("7005", 2), 6379)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [p]),
		fx.service("redis", "redis:7", 9, [q]),
	])
	r == {
		fx.with_fix(
			_expect(
				p, "postgres",
				`postgres: POSTGRES_PORT in "${POSTGRES_PORT:-postgres}:5432" has the default "postgres", which is not a port number`,
				`write "${POSTGRES_PORT:-7000}:5432"`,
			),
			fx.fix(
				[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
				[fx.set_env("POSTGRES_PORT", "7000")],
				[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
			),
		),
		fx.with_fix(
			_expect(
				q, "redis",
				`redis: REDIS_PORT in "${REDIS_PORT:-7000-7001}:6379" has the default "7000-7001", which is not a port number`,
				`write "${REDIS_PORT:-7005}:6379"`,
			),
			fx.fix([fx.edit(q, "${REDIS_PORT:-7005}:6379", 7005)], [], []),
		),
	}
}

test_fail_no_free_port_left if {
	p := fx.var_form(12, "", "REDIS_PORT", "", fx.unset, 6379)
	d := fx.with_config(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
			fx.service("redis", "redis:7", 9, [p]),
		]),
		{"ranges": object.union(fx.config.ranges, {"database": {"from": 7000, "to": 7000}})},
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			p, "redis",
			`redis: REDIS_PORT in "${REDIS_PORT}:6379" has no default`,
			"write ${REDIS_PORT:-<port>}:6379 with a free port of the sub-range",
		),
		"no free port is left in database 7000-7000",
	)}
}

test_fail_every_service_with_env_var_form_all if {
	p := fx.var_form(8, "", "WEB_PORT", "", fx.env("8080", 4), 80)
	d := fx.with_config(fx.doc([fx.service("web", "nginx", 5, [p])]), {"env_var_form": "all"})
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "web",
			`web: WEB_PORT in "${WEB_PORT}:80" has no default`,
			`write "${WEB_PORT:-8080}:80"`,
		),
		fx.fix([fx.edit(p, "${WEB_PORT:-8080}:80", 8080)], [], []),
	)}
}

test_success_numeric_defaults if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.unset, 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var_form(12, "-", "REDIS_PORT", "7001", fx.env("7001", 1), 6379)]),
	])
	r == set()
}

# Literals are DBP201's; services that are no database tools are not judged.
test_success_literals_and_other_services if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("web", "nginx", 9, [fx.var_form(12, "", "WEB_PORT", "", fx.unset, 80)]),
	])
	r == set()
}
