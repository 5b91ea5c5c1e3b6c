package portguard.test.rules.live.container_outside_subrange

import data.portguard.rules.live.container_outside_subrange.report
import data.portguard.test.fixtures as fx
import data.portguard.test.live_fixtures as lx

_doc := fx.doc([fx.service("pg", "postgres:16", 3, [fx.literal(5, 7000, 5432)])])

_finding(message, suggestion, service) := fx.finding("DBP803", "error", fx.loc("", 0, 0, 0), service, message, suggestion, [])

test_fail_database_outside_range if {
	c := lx.container("legacy-redis-1", "redis:7", "legacy", "redis", [lx.published("0.0.0.0", 6379, 6379), lx.published("::", 6379, 6379)])
	r := report with input as lx.with_live(_doc, [lx.listener("tcp", "0.0.0.0", 7001, 3, "postgres")], [c], [])
	r == {_finding(
		"container legacy-redis-1 (compose project legacy, service redis, image redis:7) is a database and publishes 6379/tcp, outside 7000-7099",
		"move it to a free port of 7000-7099, e.g. 7002, in its compose file, then recreate it (docker compose up -d)",
		"redis",
	)}
}

test_fail_ui_in_database_range if {
	c := lx.container("tools-pgadmin-1", "dpage/pgadmin4:8", "tools", "pgadmin", [lx.published("127.0.0.1", 7050, 80)])
	r := report with input as lx.with_live(_doc, [], [c], [])
	r == {_finding(
		"container tools-pgadmin-1 (compose project tools, service pgadmin, image dpage/pgadmin4:8) is a ui and publishes 7050/tcp, outside 7100-7199",
		"move it to a free port of 7100-7199, e.g. 7100, in its compose file, then recreate it (docker compose up -d)",
		"pgadmin",
	)}
}

test_success_in_range_other_or_stopped if {
	cs := [
		lx.container("data-pg-1", "postgres:16", "data", "pg", [lx.published("0.0.0.0", 7000, 5432)]),
		lx.container("data-exporter-1", "prometheuscommunity/postgres-exporter", "data", "exporter", [lx.published("0.0.0.0", 7200, 9187)]),
		lx.container("shop-web-1", "nginx:1.27", "shop", "web", [lx.published("0.0.0.0", 8080, 80)]),
		lx.stopped(lx.container("old-redis-1", "redis:7", "old", "redis", [lx.published("0.0.0.0", 6379, 6379)])),
		lx.container("data-internal-1", "redis:7", "data", "internal", []),
	]
	r := report with input as lx.with_live(_doc, [], cs, [])
	r == set()
}
