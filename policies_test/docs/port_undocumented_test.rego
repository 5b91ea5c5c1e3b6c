package portguard.test.rules.docs.port_undocumented

import data.portguard.rules.docs.port_undocumented.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP501", "error", fx.at(p), service, message, suggestion, [])

test_fail_no_convention_table if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "postgres",
			"postgres publishes 7000, which is not documented: there is no PORTS-CONVENTION.md",
			"add the row | 7000 | postgres | POSTGRES_PORT | database | to PORTS-CONVENTION.md",
		),
		fx.fix([], [], [fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)]),
	)}
}

test_fail_port_missing_from_the_table if {
	p := fx.literal(12, 7001, 6379)
	d := fx.with_rows(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.service("redis", "redis:7", 9, [p]),
		]),
		[fx.row(7000, "Postgres", 17)],
	)
	r := report with input as d
	r == {fx.with_fix(
		_expect(
			p, "redis",
			"redis publishes 7001, which PORTS-CONVENTION.md does not list",
			"add the row | 7001 | redis | REDIS_PORT | database | to PORTS-CONVENTION.md",
		),
		fx.fix([], [], [fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)]),
	)}
}

# A mapping that must move is documented where it goes, by the fix that
# moves it: a row for a port it never publishes would not make the finding
# go away.
test_fail_tool_that_moves if {
	p := fx.literal(8, 7050, 80)
	r := report with input as fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])])
	r == {fx.with_fix(
		_expect(
			p, "pgadmin",
			"pgadmin publishes 7050, which is not documented: there is no PORTS-CONVENTION.md",
			`move pgadmin to 7100 (write "${PGADMIN_PORT:-7100}:80" and set PGADMIN_PORT=7100 in the root .env) and add the row | 7100 | pgadmin | PGADMIN_PORT | ui | to PORTS-CONVENTION.md`,
		),
		fx.fix(
			[fx.edit(p, "${PGADMIN_PORT:-7100}:80", 7100)],
			[fx.set_env("PGADMIN_PORT", "7100")],
			[fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80)],
		),
	)}
}

# pgadmin documented at 7100 but publishing 7050 moves to 7100, its own
# row: the row of 7050 goes instead of staying beside it.
test_fail_tool_that_moves_to_its_row if {
	p := fx.var(8, "PGADMIN_PORT", "7050", fx.env("7050", 1), 80)
	d := fx.with_rows(fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])]), [fx.row(7050, "pgadmin", 20), fx.row(7100, "pgAdmin", 21)])
	r := report with input as d
	r == set()
	fix := {f.fix | some f in data.portguard.rules.ranges.wrong_subrange.report} with input as d
	fix == {fx.fix(
		[fx.edit(p, "${PGADMIN_PORT:-7100}:80", 7100)],
		[fx.set_env("PGADMIN_PORT", "7100")],
		[fx.remove_row(fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80), 20, 7050)],
	)}
}

# A service that keeps its port takes its stale row along instead of
# getting a second one.
test_fail_stale_row_moves_to_the_published_port if {
	p := fx.var(8, "PGADMIN_PORT", "7150", fx.env("7150", 1), 80)
	d := fx.with_rows(fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])]), [fx.row(7100, "pgadmin", 20)])
	r := report with input as d
	r == {fx.with_fix(
		_expect(p, "pgadmin", "pgadmin publishes 7150, which PORTS-CONVENTION.md does not list", "move the row for 7100 (pgadmin, PORTS-CONVENTION.md:20) to 7150"),
		fx.fix([], [], [fx.move_row(fx.add_row(7150, "pgadmin", "PGADMIN_PORT", "ui", 80), 20, 7100)]),
	)}
}

test_fail_service_that_is_not_a_database_tool if {
	p := fx.literal(8, 7090, 9464)
	r := report with input as fx.doc([fx.service("worker", "acme/worker", 5, [p])])
	r == {_expect(
		p, "worker",
		"worker publishes 7090, which is not documented: there is no PORTS-CONVENTION.md",
		"publish worker outside 7000-7999, e.g. 9464, instead of documenting 7090",
	)}
}

test_fail_tool_that_must_move_with_no_free_port_left if {
	p := fx.literal(12, 7050, 8080)
	d := fx.with_config(
		fx.doc([
			fx.service("pgadmin", "dpage/pgadmin4", 5, [fx.literal(8, 7100, 80)]),
			fx.service("adminer", "adminer", 9, [p]),
		]),
		{"ranges": object.union(fx.config.ranges, {"ui": {"from": 7100, "to": 7100}})},
	)
	r := report with input as d
	r == {
		fx.with_fix(
			_expect(
				fx.literal(8, 7100, 80), "pgadmin",
				"pgadmin publishes 7100, which is not documented: there is no PORTS-CONVENTION.md",
				"add the row | 7100 | pgadmin | PGADMIN_PORT | ui | to PORTS-CONVENTION.md",
			),
			fx.fix([], [], [fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80)]),
		),
		fx.with_fix(
			_expect(
				p, "adminer",
				"adminer publishes 7050, which is not documented: there is no PORTS-CONVENTION.md",
				"add the row | 7050 | adminer | ADMINER_PORT | ui | to PORTS-CONVENTION.md",
			),
			fx.fix([], [], [fx.add_row(7050, "adminer", "ADMINER_PORT", "ui", 8080)]),
		),
	}
}

test_success_documented_or_outside_the_range if {
	d := fx.with_rows(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.service("web", "nginx", 9, [fx.literal(12, 8080, 80)]),
			fx.service("redis", "redis:7", 13, [fx.var_form(16, "", "REDIS_PORT", "", fx.unset, 6379)]),
		]),
		[fx.row(7000, "Postgres", 17)],
	)
	r := report with input as d
	r == set()
}

# A mapping inherited through extends by two services: db keeps 7001 and
# gets its row; orders-db would move, which one edit of the shared scalar
# cannot do, so nothing documents a port it never publishes.
test_fail_shared_mapping_documents_what_is_published if {
	p := fx.var(8, "DB_PORT", "7001", fx.env("7001", 1), 5432)
	d := fx.doc([fx.service("db", "postgres:16", 5, [p]), fx.service("orders-db", "postgres:16", 5, [p])])
	r := report with input as d
	r == {
		fx.with_fix(
			_expect(p, "db", "db publishes 7001, which is not documented: there is no PORTS-CONVENTION.md", "add the row | 7001 | db | DB_PORT | database | to PORTS-CONVENTION.md"),
			fx.fix([], [], [fx.add_row(7001, "db", "DB_PORT", "database", 5432)]),
		),
		fx.with_no_fix(
			_expect(p, "orders-db", "orders-db publishes 7001, which is not documented: there is no PORTS-CONVENTION.md", `move orders-db to 7000 (write "${DB_PORT:-7000}:5432" and set DB_PORT=7000 in the root .env) and add the row | 7000 | orders-db | DB_PORT | database | to PORTS-CONVENTION.md`),
			"its variable DB_PORT is shared by mappings that need different ports",
		),
	}
}
