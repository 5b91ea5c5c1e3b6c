package portguard.test.rules.mapping.env_views_disagree

import data.portguard.rules.mapping.env_views_disagree.report
import data.portguard.test.fixtures as fx

_expect(line, end_column, service, message, suggestion, related) := fx.finding("DBP206", "error", fx.loc(".env", line, 1, end_column), service, message, suggestion, related)

test_fail_interpolated_value if {
	p := fx.var(8, "PG_PORT", "7000", fx.env_views("7000", "${BASE_PORT:-7000}", 3), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [p])])
	r == {_expect(
		3, 8, "postgres",
		`PG_PORT: docker compose reads "7000" from .env, the applications read "${BASE_PORT:-7000}"; postgres publishes the compose value (docker-compose.yml:8)`,
		"write PG_PORT=7000 as a plain number",
		[fx.related(p, "postgres uses PG_PORT here")],
	)}
}

# Every service that publishes the variable is named, each in its finding.
test_fail_variable_of_two_services if {
	p := fx.var(8, "REDIS_PORT", "7001", fx.env_views("7001", "7001 # cache", 4), 6379)
	q := fx.var(12, "REDIS_PORT", "7001", fx.env_views("7001", "7001 # cache", 4), 9121)
	r := report with input as fx.doc([
		fx.service("redis", "redis:7", 5, [p]),
		fx.service("redis-exporter", "oliver006/redis_exporter", 9, [q]),
	])
	r == {
		_expect(
			4, 11, "redis",
			`REDIS_PORT: docker compose reads "7001" from .env, the applications read "7001 # cache"; redis publishes the compose value (docker-compose.yml:8)`,
			"write REDIS_PORT=7001 as a plain number",
			[fx.related(p, "redis uses REDIS_PORT here")],
		),
		_expect(
			4, 11, "redis-exporter",
			`REDIS_PORT: docker compose reads "7001" from .env, the applications read "7001 # cache"; redis-exporter publishes the compose value (docker-compose.yml:12)`,
			"write REDIS_PORT=7001 as a plain number",
			[fx.related(q, "redis-exporter uses REDIS_PORT here")],
		),
	}
}

test_fail_env_example_stands_in if {
	p := fx.var(8, "PG_PORT", "7000", fx.env_views("7000", "${BASE_PORT:-7000}", 3), 5432)
	r := report with input as fx.with_env_example(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]))
	r == {fx.finding(
		"DBP206", "error", fx.loc(".env.example", 3, 1, 8), "postgres",
		`PG_PORT: docker compose reads "7000" from .env.example, the applications read "${BASE_PORT:-7000}"; postgres publishes the compose value (docker-compose.yml:8)`,
		"write PG_PORT=7000 as a plain number",
		[fx.related(p, "postgres uses PG_PORT here")],
	)}
}

test_success_both_read_the_same_value if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.var(8, "PG_PORT", "7000", fx.env("7000", 1), 5432)]),
	])
	r == set()
}

# Variables that no database tool publishes are not judged.
test_success_variables_of_other_services if {
	r := report with input as fx.doc([
		fx.service("web", "nginx", 5, [fx.var(8, "WEB_PORT", "8080", fx.env_views("8080", "${X:-8080}", 1), 80)]),
	])
	r == set()
}
