package portguard.test.rules.mapping.nonstandard_container_port

import data.portguard.rules.mapping.nonstandard_container_port.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP205", "error", fx.at(p), service, message, suggestion, [])

test_fail_database_on_another_container_port if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5433)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {_expect(
		p, "postgres",
		"postgres maps to container port 5433, but PostgreSQL listens on 5432",
		"map the host port to container port 5432",
	)}
}

test_fail_image_with_several_standard_ports if {
	p := fx.literal(8, 7000, 3307)
	r := report with input as fx.doc([fx.service("mysql", "mysql:8", 5, [p])])
	r == {_expect(
		p, "mysql",
		"mysql maps to container port 3307, but MySQL listens on 3306 or 33060 or 33061",
		"map the host port to container port 3306",
	)}
}

test_fail_ui_on_another_container_port if {
	p := fx.literal(8, 7100, 8080)
	r := report with input as fx.doc([fx.service("pgadmin", "dpage/pgadmin4", 5, [p])])
	r == {_expect(
		p, "pgadmin",
		"pgadmin maps to container port 8080, but pgAdmin listens on 80 or 443",
		"map the host port to container port 80",
	)}
}

# A service known only by the words of its name runs an image the
# knowledge base does not know: its ports are not known either.
test_success_known_by_service_name_only if {
	p := fx.literal(8, 7001, 6380)
	r := report with input as fx.doc([fx.service("redis", "", 5, [p])])
	r == set()
}

# The listen port the command or environment sets is the standard one.
test_success_listen_port_set_by_the_service if {
	p := fx.literal(8, 7001, 6380)
	svc := fx.with_classification(fx.service("redis", "redis:7", 5, [p]), {"ports": [6380], "port_names": {"6380": ""}})
	r := report with input as fx.doc([svc])
	r == set()
}

# A range of container ports is standard when one of them is.
test_success_range_holding_the_standard_port if {
	p := fx.literal_range(8, 7000, 7005, 5430)
	q := object.union(p, {"target_range": [5430, 5435]})
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [q])])
	r == set()
}

test_success_standard_container_ports if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7001, 3306), fx.literal(13, 7002, 33060)]),
		fx.service("pgadmin", "dpage/pgadmin4", 14, [fx.literal(17, 7100, 443)]),
		fx.service("redis", "redis:7", 18, [fx.random(21, 6379)]),
	])
	r == set()
}

# Images that the knowledge base does not know, or knows without ports.
test_success_unknown_ports if {
	r := report with input as fx.doc([
		fx.service("app", "acme/app", 5, [fx.literal(8, 8080, 3000)]),
		fx.service("web", "nginx", 9, [fx.literal(12, 8081, 8080)]),
		fx.service("stats", "acme/stats-exporter", 13, [fx.literal(16, 7200, 9999)]),
	])
	r == set()
}

# Every documented port of a known image is standard: ClickHouse's HTTPS
# and native TLS ports among them.
test_success_every_documented_port if {
	r := report with input as fx.doc([fx.service("clickhouse", "clickhouse/clickhouse-server:24.8", 5, [
		fx.literal(8, 7000, 8123),
		fx.literal(9, 7001, 8443),
		fx.literal(10, 7002, 9000),
		fx.literal(11, 7003, 9440),
	])])
	r == set()
}
