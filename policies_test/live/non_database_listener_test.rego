package portguard.test.rules.live.non_database_listener

import data.portguard.rules.live.non_database_listener.report
import data.portguard.test.fixtures as fx
import data.portguard.test.live_fixtures as lx

_doc := fx.doc([])

_finding(message, suggestion, service) := fx.finding("DBP801", "error", fx.loc("", 0, 0, 0), service, message, suggestion, [])

test_fail_process_in_range if {
	r := report with input as lx.with_live(_doc, [lx.listener("tcp", "0.0.0.0", 7500, 4242, "node")], [], [])
	r == {_finding(
		"node (pid 4242), not a database tool, listens on tcp 0.0.0.0:7500 inside 7000-7999",
		"stop the process (pid 4242) or move it outside 7000-7999, e.g. to 8000",
		"",
	)}
}

test_fail_hidden_owner_says_so if {
	r := report with input as lx.with_live(_doc, [lx.hidden("udp", "127.0.0.1", 7001)], [], [])
	r == {_finding(
		"a process whose owner this user may not see (run as root to name it) listens on udp 127.0.0.1:7001 inside 7000-7999",
		"identify the owner (run portguard audit as root, or ss -ltnup), then move it outside 7000-7999",
		"",
	)}
}

test_fail_container_not_database_tool if {
	c := lx.container("shop-web-1", "nginx:1.27", "shop", "web", [lx.published("0.0.0.0", 7100, 80), lx.published("::", 7100, 80)])
	proxy := lx.listener("tcp", "0.0.0.0", 7100, 900, "docker-proxy")
	r := report with input as lx.with_live(_doc, [proxy, lx.listener("tcp", "0.0.0.0", 8000, 5, "caddy")], [c], [])
	r == {_finding(
		"container shop-web-1 (compose project shop, service web, image nginx:1.27) is not a database tool (category other) and publishes 7100/tcp inside 7000-7999",
		"publish it outside 7000-7999, e.g. 8001, or label it portguard.category if it is a database tool",
		"web",
	)}
}

test_fail_proxy_without_engine if {
	r := report with input as lx.without_engine(_doc, [lx.listener("tcp", "0.0.0.0", 7000, 900, "docker-proxy")])
	r == {_finding(
		"container proxy docker-proxy (pid 900) listens on tcp 0.0.0.0:7000 inside 7000-7999 for a container that was not inspected (Cannot connect to the Docker daemon)",
		"stop the process (pid 900) or move it outside 7000-7999, e.g. to 8000",
		"",
	)}
}

test_success_database_tools_and_outside_ports if {
	db := lx.container("data-pg-1", "postgres:16", "data", "pg", [lx.published("0.0.0.0", 7000, 5432)])
	ui := fx.labeled(lx.container("data-admin-1", "example/admin:1", "data", "admin", [lx.published("0.0.0.0", 7100, 80)]), {"portguard.category": "ui"})
	web := lx.container("shop-web-1", "nginx:1.27", "shop", "web", [lx.published("0.0.0.0", 8080, 80)])
	listeners := [
		lx.listener("tcp", "0.0.0.0", 7000, 900, "docker-proxy"),
		lx.listener("tcp", "127.0.0.1", 7001, 77, "postgres"),
		lx.listener("tcp", "::", 7002, 78, "redis-server"),
		lx.listener("tcp", "0.0.0.0", 7200, 79, "postgres_exporter"),
		lx.listener("tcp", "0.0.0.0", 22, 1, "sshd"),
	]
	r := report with input as lx.with_live(_doc, listeners, [db, ui, web, lx.stopped(lx.container("old-1", "nginx", "", "", []))], [])
	r == set()
}

test_success_no_live_facts if {
	r := report with input as _doc
	r == set()
}
