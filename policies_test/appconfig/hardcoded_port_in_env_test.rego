package portguard.test.rules.appconfig.hardcoded_port_in_env

import data.portguard.rules.appconfig.hardcoded_port_in_env.report
import data.portguard.test.fixtures as fx

_ts := fx.service("timescaledb", "timescale/timescaledb", 5, [fx.var(8, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)])

test_fail_port_variable_set_to_a_database_port if {
	e := fx.setting("PG_PORT", "7000", 14, [])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP701", "error", fx.at(e), "app",
		"app sets PG_PORT=7000, a hard-coded database port",
		"read it from the root .env: ${TIMESCALEDB_PORT}",
		[],
	)}
}

test_fail_host_and_port_of_another_host if {
	e := fx.setting("DATABASE_URL", "<redacted>", 14, [["db.example.com", 7001]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP701", "error", fx.at(e), "app",
		"app writes db.example.com:7001 in DATABASE_URL, a hard-coded database port",
		"read it from a variable of the root .env",
		[],
	)}
}

# Variables, ports outside the range, and references that DBP702 and DBP703
# report (a service name, localhost).
test_success_variables_and_other_rules if {
	r := report with input as fx.doc([
		_ts,
		fx.with_environment(fx.service("app", "acme/app", 10, []), [
			fx.from_variable(fx.setting("PG_PORT", "${TIMESCALEDB_PORT}", 12, [])),
			fx.setting("HTTP_PORT", "8080", 13, []),
			fx.setting("DATABASE_URL", "<redacted>", 14, [["timescaledb", 7000]]),
			fx.setting("LOCAL_URL", "<redacted>", 15, [["localhost", 7000]]),
			fx.from_variable(fx.setting("REMOTE_URL", "<redacted>", 16, [["db.example.com", 7001]])),
		]),
	])
	r == set()
}

# A database's own listen-port variable configures the database itself,
# and so does any service's variable set to a container port it publishes.
test_success_own_listen_port if {
	e := fx.setting("PGPORT", "7000", 10, [])
	db := fx.with_classification(
		fx.with_environment(fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 7000)]), [e]),
		{"ports": [7000], "listen_env": ["PGPORT"]},
	)
	own := fx.with_environment(fx.service("ledger", "acme/ledger", 12, [fx.literal(14, 7001, 7001)]), [fx.setting("LEDGER_PORT", "7001", 16, [])])
	r := report with input as fx.doc([db, own])
	r == set()
}
