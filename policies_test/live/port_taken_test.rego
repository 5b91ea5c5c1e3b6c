package portguard.test.rules.live.port_taken

import data.portguard.rules.live.port_taken.report
import data.portguard.test.fixtures as fx
import data.portguard.test.live_fixtures as lx

_pg := fx.service("timescaledb", "timescale/timescaledb:latest-pg16", 3, [fx.var(5, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)])

_web := fx.service("web", "nginx:1.27", 10, [fx.literal(12, 3000, 80)])

_doc := fx.doc([_pg, _web])

test_fail_held_by_process if {
	p := _pg.ports[0]
	r := report with input as lx.with_live(_doc, [lx.listener("tcp", "127.0.0.1", 7000, 321, "postgres")], [], [])
	r == {fx.finding(
		"DBP802", "error", fx.at(p), "timescaledb",
		"timescaledb will publish 7000/tcp, already held on this host by postgres (pid 321)",
		"stop the holder, or publish timescaledb on a free port: 7001, 7002, 7003",
		[],
	)}
}

test_fail_held_by_other_container_suggests_ports_free_on_host if {
	p := _pg.ports[0]
	other := lx.container("legacy-db-1", "postgres:15", "legacy", "db", [lx.published("0.0.0.0", 7000, 5432)])
	busy := lx.container("legacy-db2-1", "postgres:15", "legacy", "db2", [lx.published("0.0.0.0", 7001, 5432)])
	proxy := lx.listener("tcp", "0.0.0.0", 7000, 900, "docker-proxy")
	r := report with input as lx.with_live(_doc, [proxy, lx.listener("udp", "0.0.0.0", 7002, 5, "dnsmasq")], [other, busy], [])
	r == {fx.finding(
		"DBP802", "error", fx.at(p), "timescaledb",
		"timescaledb will publish 7000/tcp, already held on this host by container legacy-db-1 (compose project legacy, service db, image postgres:15)",
		"stop the holder, or publish timescaledb on a free port: 7003, 7004, 7005",
		[],
	)}
}

test_fail_application_port_held if {
	p := _web.ports[0]
	r := report with input as lx.with_live(_doc, [lx.hidden("tcp", "::", 3000), lx.listener("tcp", "0.0.0.0", 3001, 8, "node")], [], [])
	r == {fx.finding(
		"DBP802", "error", fx.at(p), "web",
		"web will publish 3000/tcp, already held on this host by a process whose owner this user may not see (run as root to name it)",
		"stop the holder, or publish web on a free port: 3002, 3003, 3004",
		[],
	)}
}

test_fail_proxy_of_uninspected_container if {
	p := _pg.ports[0]
	r := report with input as lx.without_engine(_doc, [lx.listener("tcp", "0.0.0.0", 7000, 900, "docker-proxy")])
	r == {fx.finding(
		"DBP802", "error", fx.at(p), "timescaledb",
		"timescaledb will publish 7000/tcp, already held on this host by container proxy docker-proxy (pid 900) for a container that was not inspected (Cannot connect to the Docker daemon; it may be this service)",
		"stop the holder, or publish timescaledb on a free port: 7001, 7002, 7003",
		[],
	)}
}

test_success_service_holds_its_own_port if {
	own := lx.container("stack-timescaledb-1", "timescale/timescaledb:latest-pg16", "stack", "timescaledb", [lx.published("0.0.0.0", 7000, 5432), lx.published("::", 7000, 5432)])
	proxy := lx.listener("tcp", "0.0.0.0", 7000, 900, "docker-proxy")
	r := report with input as lx.with_live(_doc, [proxy, lx.listener("tcp", "0.0.0.0", 8080, 1, "caddy")], [own], [])
	r == set()
}

test_success_other_protocol_address_or_stopped if {
	d := fx.doc([fx.service("db", "postgres:16", 3, [fx.on_ip(fx.literal(5, 7000, 5432), "127.0.0.1")])])
	listeners := [
		lx.listener("udp", "0.0.0.0", 7000, 4, "dnsmasq"),
		lx.listener("tcp", "127.0.0.2", 7000, 5, "postgres"),
	]
	r := report with input as lx.with_live(d, listeners, [lx.stopped(lx.container("old-db-1", "postgres:15", "old", "db", []))], [])
	r == set()
}
