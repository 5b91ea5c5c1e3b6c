package portguard.test.rules.sequence.instances_not_sequential

import data.portguard.rules.sequence.instances_not_sequential.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion) := fx.finding("DBP302", "warning", fx.at(p), service, message, suggestion, [])

_ts := "timescale/timescaledb:latest-pg16"

test_fail_gap_after_the_same_family if {
	p := fx.literal(12, 7005, 5432)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("timescaledb", _ts, 9, [p]),
	])
	r == {_expect(
		p, "timescaledb",
		"timescaledb publishes 7005, leaving a gap after 7000, the last postgres port before it",
		"move timescaledb to 7001, right after the other instances",
	)}
}

test_fail_gap_whose_next_port_is_taken if {
	p := fx.literal(16, 7003, 5432)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("redis", "redis:7", 9, [fx.literal(12, 7001, 6379)]),
		fx.service("timescaledb", _ts, 13, [p]),
	])
	r == {_expect(
		p, "timescaledb",
		"timescaledb publishes 7003, leaving a gap after 7000, the last postgres port before it",
		"move timescaledb next to the other instances of its type",
	)}
}

# A backup's port counts as an instance's port, but a backup is DBP301's.
test_fail_gap_after_a_backup if {
	p := fx.literal(16, 7004, 5432)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("postgres-backup", "postgres:16", 9, [fx.literal(12, 7001, 5432)]),
		fx.service("timescaledb", _ts, 13, [p]),
	])
	r == {_expect(
		p, "timescaledb",
		"timescaledb publishes 7004, leaving a gap after 7001, the last postgres port before it",
		"move timescaledb to 7002, right after the other instances",
	)}
}

test_fail_ui_family if {
	p := fx.var(12, "PGADMIN_ANALYTICS_PORT", "7105", fx.env("7105", 2), 80)
	r := report with input as fx.doc([
		fx.service("pgadmin", "dpage/pgadmin4", 5, [fx.literal(8, 7100, 80)]),
		fx.service("pgadmin-analytics", "dpage/pgadmin4", 9, [p]),
	])
	r == {_expect(
		p, "pgadmin-analytics",
		"pgadmin-analytics publishes 7105, leaving a gap after 7100, the last pgadmin port before it",
		"move pgadmin-analytics to 7101, right after the other instances",
	)}
}

test_success_sequential_instances if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("postgres-backup", "postgres:16", 9, [fx.literal(12, 7001, 5432)]),
		fx.service("timescaledb", _ts, 13, [fx.literal(16, 7002, 5432)]),
		fx.service("redis", "redis:7", 17, [fx.literal(20, 7010, 6379)]),
		fx.service("valkey", "valkey/valkey:8", 21, [fx.literal(24, 7011, 6379)]),
	])
	r == set()
}

# Ports outside the sub-range (DBP101/DBP103's), unknown ports and unknown
# families are not sequenced; variants of one service are one instance.
test_success_nothing_to_sequence if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("pg-legacy", "postgres:12", 9, [fx.literal(12, 5432, 5432)]),
		fx.service("pg-reports", "postgres:16", 13, [fx.var_form(16, "", "PG_REPORTS_PORT", "", fx.unset, 5432)]),
		fx.service("pg-old", "postgres:16", 17, [fx.literal(20, 7300, 5432)]),
		fx.service("ledger", "acme/ledger", 21, [fx.literal(24, 7050, 5000)]),
		fx.in_file(fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7020, 5432)]), "docker-compose.prod.yml"),
	])
	r == set()
}
