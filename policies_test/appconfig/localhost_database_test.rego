package portguard.test.rules.appconfig.localhost_database

import data.portguard.rules.appconfig.localhost_database.report
import data.portguard.test.fixtures as fx

_ts := fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7000, 5432)])

test_fail_localhost_to_a_published_database_port if {
	e := fx.setting("DATABASE_URL", "<redacted>", 14, [["localhost", 7000]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP703", "error", fx.at(e), "app",
		"app reaches localhost:7000 in DATABASE_URL; inside a container that is the container itself, not timescaledb",
		"use timescaledb:5432",
		[],
	)}
}

test_fail_loopback_address if {
	e := fx.setting("PGHOST_URL", "<redacted>", 14, [["127.0.0.1", 7000]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP703", "error", fx.at(e), "app",
		"app reaches 127.0.0.1:7000 in PGHOST_URL; inside a container that is the container itself, not timescaledb",
		"use timescaledb:5432",
		[],
	)}
}

# The service's own port, and ports that no database tool publishes.
test_success_own_port_or_not_a_database if {
	r := report with input as fx.doc([
		fx.with_environment(_ts, [fx.setting("HEALTHCHECK_URL", "<redacted>", 9, [["localhost", 7000]])]),
		fx.service("web", "nginx", 10, [fx.literal(12, 8080, 80)]),
		fx.with_environment(fx.service("app", "acme/app", 14, []), [fx.setting("WEB_URL", "<redacted>", 16, [["localhost", 8080]])]),
	])
	r == set()
}

# A wildcard address is where a service listens, not a place it reaches,
# even on a port a database of another project publishes.
test_success_wildcard_listen_address if {
	pageserver := fx.service("pageserver", "neondatabase/neon", 10, [fx.literal(12, 6400, 6400)])
	listen := fx.setting("PAGESERVER_LISTEN_ADDR", "<redacted>", 14, [["0.0.0.0", 6400]])
	other := fx.service("other-pageserver", "neondatabase/neon", 16, [fx.literal(18, 6400, 6400)])
	r := report with input as fx.doc([fx.with_environment(pageserver, [listen]), other])
	r == set()
}

test_fail_wildcard_is_not_every_local_address if {
	e := fx.setting("DATABASE_URL", "<redacted>", 14, [["::1", 7000]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP703", "error", fx.at(e), "app",
		"app reaches ::1:7000 in DATABASE_URL; inside a container that is the container itself, not timescaledb",
		"use timescaledb:5432",
		[],
	)}
}
