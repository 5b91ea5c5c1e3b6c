package portguard.test.rules.mapping.env_differs_from_default

import data.portguard.rules.mapping.env_differs_from_default.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion, related) := fx.finding("DBP204", "warning", loc, service, message, suggestion, related)

test_fail_env_value_is_the_convention_port if {
	p := fx.var(8, "POSTGRES_PORT", "5432", fx.env("7000", 3), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 3, 1, 14), "postgres",
			"POSTGRES_PORT=7000 in .env differs from the default 5432 of postgres (docker-compose.yml:8)",
			"change the default to ${POSTGRES_PORT:-7000}",
			[fx.related(p, "the default 5432 of POSTGRES_PORT")],
		),
		fx.fix([fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)], [], []),
	)}
}

test_fail_default_is_the_convention_port if {
	p := fx.var(8, "REDIS_PORT", "7003", fx.env("6379", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 2, 1, 11), "redis",
			"REDIS_PORT=6379 in .env differs from the default 7003 of redis (docker-compose.yml:8)",
			"set REDIS_PORT=7003 in .env",
			[fx.related(p, "the default 7003 of REDIS_PORT")],
		),
		fx.fix(
			[],
			[fx.set_env("REDIS_PORT", "7003")],
			[fx.add_row(7003, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_env_value_that_is_not_a_port if {
	p := fx.var(8, "REDIS_PORT", "7003", fx.env("redis", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 2, 1, 11), "redis",
			"REDIS_PORT=redis in .env differs from the default 7003 of redis (docker-compose.yml:8)",
			"set REDIS_PORT=7003 in .env",
			[fx.related(p, "the default 7003 of REDIS_PORT")],
		),
		fx.fix(
			[],
			[fx.set_env("REDIS_PORT", "7003")],
			[fx.add_row(7003, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_neither_is_the_convention_port if {
	p := fx.var(8, "POSTGRES_PORT", "5432", fx.env("5433", 3), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 3, 1, 14), "postgres",
			"POSTGRES_PORT=5433 in .env differs from the default 5432 of postgres (docker-compose.yml:8)",
			"set POSTGRES_PORT=7000 in .env and change the default to ${POSTGRES_PORT:-7000}",
			[fx.related(p, "the default 5432 of POSTGRES_PORT")],
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
		),
	)}
}

test_fail_no_free_port_left if {
	p := fx.var(12, "REDIS_PORT", "5432", fx.env("5433", 3), 6379)
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
			fx.loc(".env", 3, 1, 11), "redis",
			"REDIS_PORT=5433 in .env differs from the default 5432 of redis (docker-compose.yml:12)",
			"set REDIS_PORT and the default of redis to the same port",
			[fx.related(p, "the default 5432 of REDIS_PORT")],
		),
		"no free port is left in database 7000-7000",
	)}
}

test_fail_env_example_stands_in if {
	p := fx.var(8, "POSTGRES_PORT", "5432", fx.env("7000", 7), 5432)
	r := report with input as fx.with_env_example(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]))
	r == {fx.with_fix(
		_expect(
			fx.loc(".env.example", 7, 1, 14), "postgres",
			"POSTGRES_PORT=7000 in .env.example differs from the default 5432 of postgres (docker-compose.yml:8)",
			"change the default to ${POSTGRES_PORT:-7000}",
			[fx.related(p, "the default 5432 of POSTGRES_PORT")],
		),
		fx.fix([fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)], [], []),
	)}
}

# One variable read by two files (base and prod): each mapping is named.
test_fail_shared_variable if {
	p := fx.var(8, "PG_PORT", "5432", fx.env("7000", 3), 5432)
	q := object.union(fx.var(12, "PG_PORT", "5432", fx.env("7000", 3), 5432), {"file": "docker-compose.prod.yml"})
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [p]),
		fx.in_file(fx.service("postgres", "postgres:16", 9, [q]), "docker-compose.prod.yml"),
	])
	r == {
		fx.with_fix(
			_expect(
				fx.loc(".env", 3, 1, 8), "postgres",
				"PG_PORT=7000 in .env differs from the default 5432 of postgres (docker-compose.yml:8)",
				"change the default to ${PG_PORT:-7000}",
				[fx.related(p, "the default 5432 of PG_PORT")],
			),
			fx.fix([fx.edit(p, "${PG_PORT:-7000}:5432", 7000)], [], []),
		),
		fx.with_fix(
			_expect(
				fx.loc(".env", 3, 1, 8), "postgres",
				"PG_PORT=7000 in .env differs from the default 5432 of postgres (docker-compose.prod.yml:12)",
				"change the default to ${PG_PORT:-7000}",
				[fx.related(q, "the default 5432 of PG_PORT")],
			),
			fx.fix([fx.edit(q, "${PG_PORT:-7000}:5432", 7000)], [], []),
		),
	}
}

test_success_env_value_equals_default if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var(12, "REDIS_PORT", "7001", fx.env("07001", 2), 6379)]),
	])
	r == set()
}

# No default is DBP202's, no .env value DBP203's; other services are not judged.
test_success_left_to_other_rules if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var_form(8, "", "POSTGRES_PORT", "", fx.env("7000", 1), 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var(12, "REDIS_PORT", "6379", fx.unset, 6379)]),
		fx.service("web", "nginx", 13, [fx.var(16, "WEB_PORT", "80", fx.env("8080", 2), 80)]),
	])
	r == set()
}

# The committed files are the truth, the .env local state: a .env value
# that drifted from a good default (documented at 7002) goes back to it,
# even where its own port (7003) would be free. The compose file and the
# table stay.
test_fail_drift_from_a_documented_default if {
	p := fx.var(8, "REDIS_PORT", "7002", fx.env("7003", 2), 6379)
	d := fx.with_rows(fx.doc([fx.service("redis", "redis:7", 5, [p])]), [object.union(fx.row(7002, "redis", 20), {"env_var": "REDIS_PORT"})])
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 2, 1, 11), "redis",
			"REDIS_PORT=7003 in .env differs from the default 7002 of redis (docker-compose.yml:8)",
			"set REDIS_PORT=7002 in .env",
			[fx.related(p, "the default 7002 of REDIS_PORT")],
		),
		fx.fix([], [fx.set_env("REDIS_PORT", "7002")], []),
	)}
}
