package portguard.test.rules.appconfig.published_port_in_container

import data.portguard.rules.appconfig.published_port_in_container.report
import data.portguard.test.fixtures as fx

_ts := fx.with_container_name(fx.service("timescaledb", "timescale/timescaledb", 5, [fx.literal(8, 7000, 5432)]), "data-timescale")

test_fail_service_name_and_published_port if {
	e := fx.setting("DATABASE_URL", "<redacted>", 14, [["timescaledb", 7000]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP702", "error", fx.at(e), "app",
		"app reaches timescaledb:7000 in DATABASE_URL, the port timescaledb publishes on the host",
		"use timescaledb:5432, the port timescaledb listens on inside the network",
		[fx.related(_ts, "timescaledb is defined here")],
	)}
}

test_fail_container_name_and_published_port if {
	e := fx.setting("PG_URL", "<redacted>", 14, [["data-timescale", 7000]])
	r := report with input as fx.doc([_ts, fx.with_environment(fx.service("app", "acme/app", 10, []), [e])])
	r == {fx.finding(
		"DBP702", "error", fx.at(e), "app",
		"app reaches data-timescale:7000 in PG_URL, the port timescaledb publishes on the host",
		"use data-timescale:5432, the port timescaledb listens on inside the network",
		[fx.related(_ts, "timescaledb is defined here")],
	)}
}

test_success_internal_port_or_not_a_database if {
	r := report with input as fx.doc([
		_ts,
		fx.service("web", "nginx", 9, [fx.literal(12, 8080, 80)]),
		fx.service("qdrant", "qdrant/qdrant", 13, [fx.literal(16, 6333, 6333)]),
		fx.with_environment(fx.service("app", "acme/app", 17, []), [
			fx.setting("DATABASE_URL", "<redacted>", 19, [["timescaledb", 5432]]),
			fx.setting("WEB_URL", "<redacted>", 20, [["web", 8080]]),
			fx.setting("QDRANT_URL", "<redacted>", 21, [["qdrant", 6333]]),
		]),
	])
	r == set()
}
