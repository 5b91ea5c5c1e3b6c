package portguard.test.rules.ranges.database_outside_range

import data.portguard.rules.ranges.database_outside_range.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion, related) := fx.finding("DBP101", "error", loc, service, message, suggestion, related)

# The example of DESIGN 3.3: the default and the .env value are both
# outside the range, and each is reported where it is written.
test_fail_default_and_env_value_outside_range if {
	p := fx.var(8, "REDIS_PORT", "6379", fx.env("6379", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {
		fx.with_fix(
			_expect(
				fx.at(p), "redis",
				"redis publishes host port 6379, outside 7000-7999",
				`write "${REDIS_PORT:-7000}:6379" and set REDIS_PORT=7000 in the root .env`,
				[],
			),
			fx.fix(
				[fx.edit(p, "${REDIS_PORT:-7000}:6379", 7000)],
				[fx.set_env("REDIS_PORT", "7000")],
				[fx.add_row(7000, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
		fx.with_fix(
			_expect(
				fx.loc(".env", 2, 1, 16), "redis",
				"REDIS_PORT=6379 in .env publishes redis outside 7000-7999 (docker-compose.yml:8)",
				"set REDIS_PORT=7000",
				[fx.related(p, "the mapping")],
			),
			fx.fix(
				[fx.edit(p, "${REDIS_PORT:-7000}:6379", 7000)],
				[fx.set_env("REDIS_PORT", "7000")],
				[fx.add_row(7000, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
	}
}

# The .env is local state: its 7003 is not copied into the compose file.
# The port comes from the committed files, as CI (without the .env) would
# choose it, and the .env follows.
test_fail_default_outside_range_env_inside if {
	p := fx.var(8, "REDIS_PORT", "6379", fx.env("7003", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "redis",
			"redis publishes host port 6379, outside 7000-7999",
			`write "${REDIS_PORT:-7000}:6379" and set REDIS_PORT=7000 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${REDIS_PORT:-7000}:6379", 7000)],
			[fx.set_env("REDIS_PORT", "7000")],
			[fx.add_row(7000, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

# The default is already right: the fix is to go back to it.
test_fail_env_outside_range_default_inside if {
	p := fx.var(8, "REDIS_PORT", "7003", fx.env("6379", 2), 6379)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 2, 1, 16), "redis",
			"REDIS_PORT=6379 in .env publishes redis outside 7000-7999 (docker-compose.yml:8)",
			"set REDIS_PORT=7003",
			[fx.related(p, "the mapping")],
		),
		fx.fix(
			[],
			[fx.set_env("REDIS_PORT", "7003")],
			[fx.add_row(7003, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_env_example_stands_in_for_env if {
	p := fx.var(8, "REDIS_PORT", "7003", fx.env("6379", 4), 6379)
	r := report with input as fx.with_env_example(fx.doc([fx.service("redis", "redis:7", 5, [p])]))
	r == {fx.with_fix(
		_expect(
			fx.loc(".env.example", 4, 1, 16), "redis",
			"REDIS_PORT=6379 in .env.example publishes redis outside 7000-7999 (docker-compose.yml:8)",
			"set REDIS_PORT=7003",
			[fx.related(p, "the mapping")],
		),
		fx.fix(
			[],
			[object.union(fx.set_env("REDIS_PORT", "7003"), {"file": ".env.example"})],
			[fx.add_row(7003, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}

test_fail_literal_outside_range if {
	p := fx.literal(8, 5432, 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "postgres",
			"postgres publishes host port 5432, outside 7000-7999",
			`write "${POSTGRES_PORT:-7000}:5432" and set POSTGRES_PORT=7000 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
			[fx.set_env("POSTGRES_PORT", "7000")],
			[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
		),
	)}
}

test_fail_databases_outside_range_get_distinct_ports if {
	pg := fx.literal(8, 5432, 5432)
	redis := fx.literal(12, 6379, 6379)
	taken := fx.literal(16, 7000, 5432)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [pg]),
		fx.service("redis", "redis:7", 9, [redis]),
		fx.service("timescaledb", "timescale/timescaledb", 13, [taken]),
	])
	r == {
		fx.with_fix(
			_expect(
				fx.at(pg), "postgres",
				"postgres publishes host port 5432, outside 7000-7999",
				`write "${POSTGRES_PORT:-7001}:5432" and set POSTGRES_PORT=7001 in the root .env`,
				[],
			),
			fx.fix(
				[fx.edit(pg, "${POSTGRES_PORT:-7001}:5432", 7001)],
				[fx.set_env("POSTGRES_PORT", "7001")],
				[fx.add_row(7001, "postgres", "POSTGRES_PORT", "database", 5432)],
			),
		),
		fx.with_fix(
			_expect(
				fx.at(redis), "redis",
				"redis publishes host port 6379, outside 7000-7999",
				`write "${REDIS_PORT:-7002}:6379" and set REDIS_PORT=7002 in the root .env`,
				[],
			),
			fx.fix(
				[fx.edit(redis, "${REDIS_PORT:-7002}:6379", 7002)],
				[fx.set_env("REDIS_PORT", "7002")],
				[fx.add_row(7002, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
	}
}

test_fail_no_free_port_left if {
	p := fx.literal(8, 6379, 6379)
	d := fx.with_config(
		fx.doc([
			fx.service("postgres", "postgres:16", 2, [fx.literal(4, 7000, 5432)]),
			fx.service("redis", "redis:7", 5, [p]),
		]),
		{"ranges": object.union(fx.config.ranges, {"database": {"from": 7000, "to": 7000}})},
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			fx.at(p), "redis",
			"redis publishes host port 6379, outside 7000-7999",
			"publish redis on a free port of 7000-7000",
			[],
		),
		"no free port is left in database 7000-7000",
	)}
}

test_fail_classified_by_label if {
	p := fx.literal(8, 9999, 9999)
	svc := fx.labeled(fx.service("ledger", "acme/ledger", 5, [p]), {"portguard.category": "database"})
	r := report with input as fx.doc([svc])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "ledger",
			"ledger publishes host port 9999, outside 7000-7999",
			`write "${LEDGER_PORT:-7000}:9999" and set LEDGER_PORT=7000 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${LEDGER_PORT:-7000}:9999", 7000)],
			[fx.set_env("LEDGER_PORT", "7000")],
			[fx.add_row(7000, "ledger", "LEDGER_PORT", "database", 9999)],
		),
	)}
}

test_success_database_inside_range if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("postgres-backup", "postgres:16", 9, [fx.literal(12, 7001, 5432)]),
		fx.service("questdb", "questdb/questdb", 13, [fx.literal(16, 7300, 9000)]),
	])
	r == set()
}

test_success_services_that_are_not_databases if {
	r := report with input as fx.doc([
		fx.service("web", "nginx", 5, [fx.literal(8, 8080, 80)]),
		fx.service("pgadmin", "dpage/pgadmin4", 9, [fx.literal(12, 5050, 80)]),
		fx.labeled(fx.service("redis", "redis:7", 13, [fx.literal(16, 6379, 6379)]), {"portguard.category": "other"}),
	])
	r == set()
}

# Random and unknown host ports are DBP104's and DBP202/DBP203's.
test_success_no_number_written if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.random(8, 5432)]),
		fx.service("redis", "redis:7", 9, [fx.var_form(12, "", "REDIS_PORT", "", fx.unset, 6379)]),
		fx.service("mongo", "mongo:7", 13, [fx.var(16, "MONGO_PORT", "7002", fx.env("", 3), 27017)]),
	])
	r == set()
}

# A range of container ports moves as a whole: the suggestion never
# squeezes it into one port, and there is no machine fix.
test_fail_range_outside_keeps_its_length if {
	p := fx.literal_span(8, 5000, 5010, 5000)
	r := report with input as fx.doc([fx.service("redis", "redis:7", 5, [p])])
	r == {fx.with_no_fix(
		_expect(
			fx.at(p), "redis",
			"redis publishes host ports 5000-5010, outside 7000-7999",
			"keep the 11 ports together: publish them as one range on 7000-7010, a free run of database's sub-range 7000-7099",
			[],
		),
		"the mapping publishes the range of container ports 5000-5010, which moves as a whole: rewrite it by hand",
	)}
}

# A service known only by the words of its name is a guess: at most a
# warning, which says what it rests on and how to correct it.
test_fail_weak_classification_is_a_warning_that_says_why if {
	p := fx.literal(8, 6380, 6379)
	r := report with input as fx.doc([fx.service("redis", "acme/cache:1", 5, [p])])
	r == {fx.with_fix(
		fx.finding(
			"DBP101", "warning", fx.at(p), "redis",
			`redis publishes host port 6380, outside 7000-7999 (redis is classified database from the word "redis" of the service name redis alone, a guess: set the label portguard.category if it is wrong)`,
			`write "${REDIS_PORT:-7000}:6379" and set REDIS_PORT=7000 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${REDIS_PORT:-7000}:6379", 7000)],
			[fx.set_env("REDIS_PORT", "7000")],
			[fx.add_row(7000, "redis", "REDIS_PORT", "database", 6379)],
		),
	)}
}
