package portguard.test.rules.live.port_drift

import data.portguard.rules.live.port_drift.report
import data.portguard.test.fixtures as fx
import data.portguard.test.live_fixtures as lx

_pg := fx.service("pg", "postgres:16", 3, [fx.var(5, "PG_PORT", "7001", fx.env("7001", 1), 5432)])

_doc := fx.doc([_pg])

test_fail_container_not_recreated if {
	c := lx.container("stack-pg-1", "postgres:16", "stack", "pg", [lx.published("0.0.0.0", 7000, 5432), lx.published("::", 7000, 5432)])
	r := report with input as lx.with_live(_doc, [], [c], [])
	r == {fx.finding(
		"DBP805", "warning", fx.at(_pg), "pg",
		"container stack-pg-1 publishes 7000->5432/tcp; docker-compose.yml now says 7001->5432/tcp: the service was not recreated after the change",
		"recreate it: docker compose up -d pg",
		[],
	)}
}

test_fail_variant_of_the_files_it_came_from if {
	prod := fx.in_file(fx.service("pg", "postgres:16", 3, [fx.literal(5, 7002, 5432)]), "docker-compose.prod.yml")
	c := lx.from_files(lx.container("stack-pg-1", "postgres:16", "stack", "pg", [lx.published("0.0.0.0", 7001, 5432)]), ["docker-compose.prod.yml"])
	r := report with input as lx.with_live(fx.doc([_pg, prod]), [], [c], [])
	r == {fx.finding(
		"DBP805", "warning", fx.at(prod), "pg",
		"container stack-pg-1 publishes 7001->5432/tcp; docker-compose.prod.yml now says 7002->5432/tcp: the service was not recreated after the change",
		"recreate it: docker compose up -d pg",
		[],
	)}
}

test_success_same_ports_other_project_unknown_or_stopped if {
	same := lx.container("stack-pg-1", "postgres:16", "stack", "pg", [lx.published("0.0.0.0", 7001, 5432), lx.published("::", 7001, 5432)])
	other := lx.container("other-pg-1", "postgres:16", "other", "pg", [lx.published("0.0.0.0", 7000, 5432)])
	unknown := fx.service("cache", "redis:7", 9, [fx.var(11, "CACHE_PORT", "", fx.unset, 6379)])
	cache := lx.container("stack-cache-1", "redis:7", "stack", "cache", [lx.published("0.0.0.0", 7010, 6379)])
	gone := lx.stopped(lx.container("stack-pg-2", "postgres:16", "stack", "pg", []))
	r := report with input as lx.with_live(fx.doc([_pg, unknown]), [], [same, other, cache, gone], [])
	r == set()
}
