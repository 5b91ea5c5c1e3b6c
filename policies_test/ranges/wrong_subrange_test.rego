package portguard.test.rules.ranges.wrong_subrange

import data.portguard.rules.ranges.wrong_subrange.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion, related) := fx.finding("DBP103", "error", loc, service, message, suggestion, related)

test_fail_ui_in_the_database_range if {
	p := fx.literal(8, 7000, 80)
	r := report with input as fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "pgadmin",
			"pgadmin (ui) publishes 7000, in the database range 7000-7099; ui ports belong in 7100-7199",
			`write "${PGADMIN_PORT:-7100}:80" and set PGADMIN_PORT=7100 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${PGADMIN_PORT:-7100}:80", 7100)],
			[fx.set_env("PGADMIN_PORT", "7100")],
			[fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80)],
		),
	)}
}

test_fail_database_in_the_reserved_range if {
	p := fx.literal(8, 7300, 9000)
	r := report with input as fx.doc([fx.service("questdb", "questdb/questdb", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "questdb",
			"questdb (database) publishes 7300, in the reserved range 7300-7999; database ports belong in 7000-7099",
			`write "${QUESTDB_PORT:-7000}:9000" and set QUESTDB_PORT=7000 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${QUESTDB_PORT:-7000}:9000", 7000)],
			[fx.set_env("QUESTDB_PORT", "7000")],
			[fx.add_row(7000, "questdb", "QUESTDB_PORT", "database", 9000)],
		),
	)}
}

test_fail_ui_outside_the_protected_range if {
	p := fx.literal(8, 5050, 80)
	r := report with input as fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.at(p), "pgadmin",
			"pgadmin (ui) publishes 5050, outside every database sub-range; ui ports belong in 7100-7199",
			`write "${PGADMIN_PORT:-7100}:80" and set PGADMIN_PORT=7100 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${PGADMIN_PORT:-7100}:80", 7100)],
			[fx.set_env("PGADMIN_PORT", "7100")],
			[fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80)],
		),
	)}
}

test_fail_default_and_env_value_in_the_wrong_sub_range if {
	p := fx.var(8, "ADMINER_PORT", "7010", fx.env("7011", 3), 8080)
	r := report with input as fx.doc([fx.service("adminer", "adminer:4", 5, [p])])
	r == {
		fx.with_fix(
			_expect(
				fx.at(p), "adminer",
				"adminer (ui) publishes 7010, in the database range 7000-7099; ui ports belong in 7100-7199",
				`write "${ADMINER_PORT:-7100}:8080" and set ADMINER_PORT=7100 in the root .env`,
				[],
			),
			fx.fix(
				[fx.edit(p, "${ADMINER_PORT:-7100}:8080", 7100)],
				[fx.set_env("ADMINER_PORT", "7100")],
				[fx.add_row(7100, "adminer", "ADMINER_PORT", "ui", 8080)],
			),
		),
		fx.with_fix(
			_expect(
				fx.loc(".env", 3, 1, 18), "adminer",
				"ADMINER_PORT=7011 in .env puts adminer (ui) in the database range 7000-7099; ui ports belong in 7100-7199 (docker-compose.yml:8)",
				"set ADMINER_PORT=7100",
				[fx.related(p, "the mapping")],
			),
			fx.fix(
				[fx.edit(p, "${ADMINER_PORT:-7100}:8080", 7100)],
				[fx.set_env("ADMINER_PORT", "7100")],
				[fx.add_row(7100, "adminer", "ADMINER_PORT", "ui", 8080)],
			),
		),
	}
}

# Only the .env value is wrong: the fix is to go back to the default.
test_fail_env_value_in_the_wrong_sub_range if {
	p := fx.var(8, "PG_EXPORTER_PORT", "7200", fx.env("7150", 3), 9187)
	r := report with input as fx.doc([fx.service("postgres-exporter", "prometheuscommunity/postgres-exporter", 5, [p])])
	r == {fx.with_fix(
		_expect(
			fx.loc(".env", 3, 1, 22), "postgres-exporter",
			"PG_EXPORTER_PORT=7150 in .env puts postgres-exporter (exporter) in the ui range 7100-7199; exporter ports belong in 7200-7299 (docker-compose.yml:8)",
			"set PG_EXPORTER_PORT=7200",
			[fx.related(p, "the mapping")],
		),
		fx.fix(
			[],
			[fx.set_env("PG_EXPORTER_PORT", "7200")],
			[fx.add_row(7200, "postgres-exporter", "PG_EXPORTER_PORT", "exporter", 9187)],
		),
	)}
}

test_fail_no_free_port_left if {
	p := fx.literal(12, 7000, 8080)
	d := fx.with_config(
		fx.doc([
			fx.service("adminer", "adminer", 9, [p]),
			fx.service("pgadmin", "dpage/pgadmin4", 5, [fx.literal(8, 7100, 80)]),
		]),
		{"ranges": object.union(fx.config.ranges, {"ui": {"from": 7100, "to": 7100}})},
	)
	r := report with input as d
	r == {fx.with_no_fix(
		_expect(
			fx.at(p), "adminer",
			"adminer (ui) publishes 7000, in the database range 7000-7099; ui ports belong in 7100-7100",
			"no free port is left in 7100-7100: free one, or widen the range in .portguard.yaml",
			[],
		),
		"no free port is left in ui 7100-7100",
	)}
}

# A platform team adds a category by adding its range.
test_fail_category_added_by_configuration if {
	p := fx.literal(8, 7000, 5672)
	d := fx.with_config(
		fx.doc([fx.labeled(fx.service("rabbitmq", "rabbitmq:3", 5, [p]), {"portguard.category": "queue"})]),
		{"ranges": object.union(fx.config.ranges, {"queue": {"from": 7400, "to": 7499}})},
	)
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			fx.at(p), "rabbitmq",
			"rabbitmq (queue) publishes 7000, in the database range 7000-7099; queue ports belong in 7400-7499",
			`write "${RABBITMQ_PORT:-7400}:5672" and set RABBITMQ_PORT=7400 in the root .env`,
			[],
		),
		fx.fix(
			[fx.edit(p, "${RABBITMQ_PORT:-7400}:5672", 7400)],
			[fx.set_env("RABBITMQ_PORT", "7400")],
			[fx.add_row(7400, "rabbitmq", "RABBITMQ_PORT", "queue", 5672)],
		),
	)}
}

test_success_tools_in_their_sub_ranges if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)]),
		fx.service("pgadmin", "dpage/pgadmin4", 9, [fx.literal(12, 7100, 80)]),
		fx.service("postgres-exporter", "prometheuscommunity/postgres-exporter", 13, [fx.literal(16, 7299, 9187)]),
	])
	r == set()
}

# A database outside the protected range is DBP101's; a service that is no
# database tool is DBP102's.
test_success_left_to_other_rules if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "POSTGRES_PORT", "5432", fx.env("5433", 1), 5432)]),
		fx.service("web", "nginx", 9, [fx.literal(12, 7300, 80)]),
		fx.service("worker", "acme/worker", 13, [fx.literal(16, 7150, 9000)]),
	])
	r == set()
}
