package portguard.test.rules.mapping.variable_not_in_env

import data.portguard.rules.mapping.variable_not_in_env.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP203", "error", fx.at(p), service, message, suggestion, [])

# The root .env exists but lacks the variable.
_with_other_var(services) := fx.doc(array.concat(services, [fx.service("redis", "redis:7", 20, [fx.var(23, "REDIS_PORT", "7001", fx.env("7001", 1), 6379)])]))

test_fail_default_but_not_in_env if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.unset, 5432)
	r := report with input as _with_other_var([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			"postgres: POSTGRES_PORT is not defined in .env; port 7000 comes from the compose default alone",
			"add POSTGRES_PORT=7000 to the root .env",
		),
		fx.fix([], [fx.set_env("POSTGRES_PORT", "7000")], []),
	)}
}

test_fail_no_default_and_not_in_env if {
	p := fx.var_form(8, "", "POSTGRES_PORT", "", fx.unset, 5432)
	r := report with input as _with_other_var([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			"postgres: POSTGRES_PORT is not defined in .env; with no default either, the host port of container port 5432 is unknown",
			"add POSTGRES_PORT=7000 to the root .env",
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
		),
	)}
}

# Neither .env nor a template of it exists: the report says so once, and
# no mapping is blamed for a file that is not there.
test_success_env_missing if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.unset, 5432)
	q := fx.var_form(12, ":?", "REDIS_PORT", "required", fx.unset, 6379)
	r := report with input as fx.without_env(fx.doc([
		fx.service("postgres", "postgres:16", 5, [p]),
		fx.service("redis", "redis:7", 9, [q]),
	]))
	r == set()
}

test_fail_env_example_stands_in_and_lacks_the_variable if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.unset, 5432)
	r := report with input as fx.with_env_example(_with_other_var([fx.service("postgres", "postgres:16", 5, [p])]))
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			"postgres: POSTGRES_PORT is not defined in .env.example; port 7000 comes from the compose default alone",
			"add POSTGRES_PORT=7000 to the root .env",
		),
		fx.fix([], [object.union(fx.set_env("POSTGRES_PORT", "7000"), {"file": ".env.example"})], []),
	)}
}

test_fail_no_free_port_left if {
	p := fx.var_form(8, "", "POSTGRES_PORT", "", fx.unset, 5432)
	d := fx.with_config(
		_with_other_var([fx.service("postgres", "postgres:16", 5, [p])]),
		{"ranges": object.union(fx.config.ranges, {"database": {"from": 7001, "to": 7001}})},
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			p, "postgres",
			"postgres: POSTGRES_PORT is not defined in .env; with no default either, the host port of container port 5432 is unknown",
			"add POSTGRES_PORT=<port> to the root .env",
		),
		"no free port is left in database 7001-7001",
	)}
}

test_fail_every_service_with_env_var_form_all if {
	p := fx.var(8, "WEB_PORT", "8080", fx.unset, 80)
	d := fx.with_config(_with_other_var([fx.service("web", "nginx", 5, [p])]), {"env_var_form": "all"})
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "web",
			"web: WEB_PORT is not defined in .env; port 8080 comes from the compose default alone",
			"add WEB_PORT=8080 to the root .env",
		),
		fx.fix([], [fx.set_env("WEB_PORT", "8080")], []),
	)}
}

test_success_defined_in_env if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var_form(12, "$", "REDIS_PORT", "", fx.env("7001", 2), 6379)]),
		fx.service("mongo", "mongo:7", 13, [fx.var(16, "MONGO_PORT", "7002", fx.env("", 3), 27017)]),
	])
	r == set()
}

test_success_defined_in_env_example if {
	r := report with input as fx.with_env_example(fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
	]))
	r == set()
}

test_success_literals_and_other_services if {
	r := report with input as fx.without_env(fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("web", "nginx", 9, [fx.var(12, "WEB_PORT", "8080", fx.unset, 80)]),
	]))
	r == set()
}
