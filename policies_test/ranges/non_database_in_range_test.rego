package portguard.test.rules.ranges.non_database_in_range

import data.portguard.rules.ranges.non_database_in_range.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion, related) := fx.finding("DBP102", "error", loc, service, message, suggestion, related)

test_fail_literal_inside_range if {
	p := fx.literal(8, 7050, 80)
	r := report with input as fx.doc([fx.service("web", "nginx:1.27", 5, [p])])
	r == {_expect(
		fx.at(p), "web",
		"web is not a database tool (image repository nginx) and publishes 7050 inside 7000-7999, kept for databases",
		"publish web outside 7000-7999, e.g. 80, or label it portguard.category if it is a database tool",
		[],
	)}
}

test_fail_default_and_env_value_inside_range if {
	p := fx.var(8, "APP_PORT", "7080", fx.env("7081", 6), 3000)
	r := report with input as fx.doc([fx.service("app", "acme/app", 5, [p])])
	r == {
		_expect(
			fx.at(p), "app",
			"app is not a database tool (unknown image acme/app, and no database word ends its name or the service's) and publishes 7080 inside 7000-7999, kept for databases",
			"publish app outside 7000-7999, e.g. 3000, or label it portguard.category if it is a database tool",
			[],
		),
		_expect(
			fx.loc(".env", 6, 1, 14), "app",
			"APP_PORT=7081 in .env puts app inside 7000-7999, kept for databases (docker-compose.yml:8)",
			"publish app outside 7000-7999, e.g. 3000, or label it portguard.category if it is a database tool",
			[fx.related(p, "the mapping")],
		),
	}
}

test_fail_env_value_inside_range if {
	p := fx.var(8, "APP_PORT", "8080", fx.env("7010", 6), 3000)
	r := report with input as fx.doc([fx.service("app", "acme/app", 5, [p])])
	r == {_expect(
		fx.loc(".env", 6, 1, 14), "app",
		"APP_PORT=7010 in .env puts app inside 7000-7999, kept for databases (docker-compose.yml:8)",
		"publish app outside 7000-7999, e.g. 3000, or label it portguard.category if it is a database tool",
		[fx.related(p, "the mapping")],
	)}
}

test_fail_reserved_range if {
	p := fx.literal(8, 7500, 9090)
	r := report with input as fx.doc([fx.service("prometheus", "prom/prometheus", 5, [p])])
	r == {_expect(
		fx.at(p), "prometheus",
		"prometheus is not a database tool (image repository prom/prometheus) and publishes 7500 inside 7000-7999, kept for databases",
		"publish prometheus outside 7000-7999, e.g. 9090, or label it portguard.category if it is a database tool",
		[],
	)}
}

# The container port is itself protected or taken: the suggestion is the
# first free port from 8000.
test_fail_container_port_not_usable_outside if {
	p := fx.literal(8, 7070, 7070)
	q := fx.literal(12, 7071, 8000)
	r := report with input as fx.doc([
		fx.service("app", "acme/app", 5, [p]),
		fx.service("api", "acme/api", 9, [q]),
		fx.service("docs", "acme/docs", 13, [fx.literal(16, 8000, 80)]),
	])
	r == {
		_expect(
			fx.at(p), "app",
			"app is not a database tool (unknown image acme/app, and no database word ends its name or the service's) and publishes 7070 inside 7000-7999, kept for databases",
			"publish app outside 7000-7999, e.g. 8001, or label it portguard.category if it is a database tool",
			[],
		),
		_expect(
			fx.at(q), "api",
			"api is not a database tool (unknown image acme/api, and no database word ends its name or the service's) and publishes 7071 inside 7000-7999, kept for databases",
			"publish api outside 7000-7999, e.g. 8001, or label it portguard.category if it is a database tool",
			[],
		),
	}
}

test_fail_database_image_labeled_other if {
	p := fx.literal(8, 7000, 5432)
	svc := fx.labeled(fx.service("postgres", "postgres:16", 5, [p]), {"portguard.category": "other"})
	r := report with input as fx.doc([svc])
	r == {_expect(
		fx.at(p), "postgres",
		"postgres is not a database tool (label portguard.category=other) and publishes 7000 inside 7000-7999, kept for databases",
		"publish postgres outside 7000-7999, e.g. 5432, or label it portguard.category if it is a database tool",
		[],
	)}
}

test_success_services_outside_range if {
	r := report with input as fx.doc([
		fx.service("web", "nginx", 5, [fx.literal(8, 8080, 80)]),
		fx.service("app", "acme/app", 9, [fx.var(12, "APP_PORT", "3000", fx.env("3001", 2), 3000)]),
		fx.service("worker", "acme/worker", 13, [fx.random(16, 9000)]),
	])
	r == set()
}

test_success_database_tools_inside_range if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("pgadmin", "dpage/pgadmin4", 9, [fx.literal(12, 7100, 80)]),
		fx.service("postgres-exporter", "prometheuscommunity/postgres-exporter", 13, [fx.literal(16, 7200, 9187)]),
		fx.service("questdb", "questdb/questdb", 17, [fx.literal(20, 7500, 9000)]),
	])
	r == set()
}

test_success_classified_as_a_tool_by_label_x_portguard_or_config if {
	d := fx.with_config(
		fx.doc([
			fx.labeled(fx.service("web", "nginx", 5, [fx.literal(8, 7100, 80)]), {"portguard.category": "ui"}),
			fx.with_x(fx.service("stats", "acme/stats", 9, [fx.literal(12, 7200, 9000)]), {"category": "exporter"}),
			fx.classified_as(fx.service("ledger", "acme/ledger", 13, [fx.literal(16, 7001, 5000)]), "database", "config"),
		]),
		{"categories": {"ledger": "database"}},
	)
	r := report with input as d
	r == set()
}
