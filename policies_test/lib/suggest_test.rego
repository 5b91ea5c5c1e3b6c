package portguard.test.lib.suggest

import data.portguard.lib.ports
import data.portguard.lib.suggest
import data.portguard.test.fixtures as fx

# --- Targets -------------------------------------------------------------------

# _targets gives the suggested port of every mapping of a document, by
# service name and mapping index.
_targets(d) := t if {
	t := {sprintf("%s/%d", [p.service, p.idx]): suggest.target(p) | some p in ports.mappings} with input as d
}

test_free_skips_documented_ports if {
	d := fx.with_rows(
		fx.doc([fx.service("redis", "redis:7", 2, [fx.literal(5, 6379, 6379)])]),
		[fx.row(7000, "TimescaleDB", 17), fx.row(7001, "QuestDB", 18)],
	)
	_targets(d) == {"redis/0": 7002}
}

test_free_skips_ports_that_backups_must_take if {
	d := fx.doc([
		fx.service("redis", "redis:7", 2, [fx.literal(5, 6379, 6379)]),
		fx.service("timescaledb", "timescale/timescaledb:latest-pg16", 6, [fx.literal(9, 7000, 5432)]),
		fx.service("timescaledb-backup", "timescale/timescaledb:latest-pg16", 10, [fx.literal(13, 7005, 5432)]),
	])
	_targets(d) == {"redis/0": 7002, "timescaledb/0": 7000, "timescaledb-backup/0": 7001}
}

test_competing_movers_get_distinct_ports_in_document_order if {
	d := fx.doc([
		fx.service("mongo", "mongo:7", 2, [fx.literal(5, 27017, 27017)]),
		fx.service("mysql", "mysql:8", 6, [fx.literal(9, 3306, 3306)]),
		fx.service("pgadmin", "dpage/pgadmin4", 10, [fx.literal(13, 5050, 80)]),
		fx.service("postgres", "postgres:16", 14, [fx.literal(17, 7001, 5432)]),
		fx.service("redis", "redis:7", 18, [fx.literal(21, 6379, 6379)]),
	])
	_targets(d) == {"mongo/0": 7000, "mysql/0": 7002, "pgadmin/0": 7100, "postgres/0": 7001, "redis/0": 7003}
}

test_a_port_taken_by_an_earlier_service_moves if {
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
		fx.service("redis", "redis:7", 6, [fx.literal(9, 7000, 6379)]),
	])
	_targets(d) == {"postgres/0": 7000, "redis/0": 7001}
}

test_no_move_on_another_protocol_or_host_ip if {
	d := fx.doc([
		fx.service("a", "postgres:16", 2, [fx.on_ip(fx.literal(5, 7000, 5432), "127.0.0.1")]),
		fx.service("b", "postgres:16", 6, [fx.on_ip(fx.literal(9, 7000, 5432), "127.0.0.2")]),
		fx.service("c", "postgres:16", 10, [fx.udp(fx.literal(13, 7000, 5432))]),
	])
	_targets(d) == {"a/0": 7000, "b/0": 7000, "c/0": 7000}
}

test_a_wildcard_ip_takes_the_port_from_a_later_service if {
	d := fx.doc([
		fx.service("a", "postgres:16", 2, [fx.on_ip(fx.literal(5, 7000, 5432), "127.0.0.1")]),
		fx.service("b", "postgres:16", 6, [fx.on_ip(fx.literal(9, 7000, 5432), "0.0.0.0")]),
	])
	_targets(d) == {"a/0": 7000, "b/0": 7001}
}

test_variants_of_one_service_keep_their_port if {
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
		fx.in_file(fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]), "docker-compose.prod.yml"),
	])
	_targets(d) == {"postgres/0": 7000}
}

# A variant that must move joins the port another variant of the same
# service already holds; variants that all must move share one new port.
test_variants_of_one_service_share_one_target if {
	prod := "docker-compose.prod.yml"
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
		fx.in_file(fx.service("postgres", "postgres:16", 2, [fx.literal(5, 5433, 5432)]), prod),
		fx.service("redis", "redis:7", 6, [fx.literal(9, 6379, 6379)]),
		fx.in_file(fx.service("redis", "redis:7", 6, [fx.literal(9, 6380, 6379)]), prod),
	])
	[[p.service, p.file, suggest.target(p)] | some p in ports.mappings] == [
		["postgres", "docker-compose.yml", 7000],
		["postgres", prod, 7000],
		["redis", "docker-compose.yml", 7001],
		["redis", prod, 7001],
	] with input as d
}

test_unknown_and_range_ports_move if {
	d := fx.doc([
		fx.service("a", "postgres:16", 2, [fx.var_form(5, "", "A_PORT", "", fx.unset, 5432)]),
		fx.service("b", "postgres:16", 6, [fx.literal_range(9, 7000, 7002, 5432)]),
	])
	_targets(d) == {"a/0": 7003, "b/0": 7004}
}

test_no_target_when_the_sub_range_is_full if {
	d := fx.with_config(
		fx.doc([
			fx.service("a", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
			fx.service("b", "redis:7", 6, [fx.literal(9, 6379, 6379)]),
		]),
		{"ranges": object.union(fx.config.ranges, {"database": {"from": 7000, "to": 7000}})},
	)
	_targets(d) == {"a/0": 7000}
}

test_services_that_are_not_database_tools_have_no_target if {
	d := fx.doc([fx.service("web", "nginx", 2, [fx.literal(5, 7050, 80)])])
	_targets(d) == {}
}

test_backup_target_is_primary_plus_number if {
	d := fx.doc([
		fx.service("timescaledb", "timescale/timescaledb", 2, [fx.literal(5, 7010, 5432)]),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, [fx.literal(9, 7000, 5432)]),
		fx.service("timescaledb-backup-3", "timescale/timescaledb", 10, [fx.literal(13, 7001, 5432)]),
	])
	_targets(d) == {"timescaledb/0": 7010, "timescaledb-backup/0": 7011, "timescaledb-backup-3/0": 7013}
}

test_backup_follows_the_primary_on_the_same_container_port if {
	d := fx.doc([
		fx.service("questdb", "questdb/questdb", 2, [fx.literal(5, 7020, 9000), fx.literal(6, 7010, 8812)]),
		fx.service("questdb-replica", "questdb/questdb", 8, [fx.literal(11, 7000, 8812), fx.literal(12, 7001, 9000)]),
	])
	_targets(d) == {"questdb/0": 7020, "questdb/1": 7010, "questdb-replica/0": 7011, "questdb-replica/1": 7021}
}

test_backup_follows_the_primary_of_its_own_file if {
	d := fx.doc([
		fx.service("timescaledb", "timescale/timescaledb", 2, [fx.literal(5, 7000, 5432)]),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, [fx.literal(9, 7001, 5432)]),
		fx.in_file(fx.service("timescaledb", "timescale/timescaledb", 2, [fx.literal(5, 7010, 5432)]), "docker-compose.prod.yml"),
		fx.in_file(fx.service("timescaledb-backup", "timescale/timescaledb", 6, [fx.literal(9, 7011, 5432)]), "docker-compose.prod.yml"),
	])
	t := {[p.file, suggest.target(p)] | some p in ports.mappings; p.service == "timescaledb-backup"} with input as d
	t == {["docker-compose.yml", 7001], ["docker-compose.prod.yml", 7011]}
}

test_backup_of_a_primary_without_a_known_port_keeps_its_port if {
	d := fx.doc([
		fx.service("timescaledb", "timescale/timescaledb", 2, [fx.var_form(5, "", "TS_PORT", "", fx.unset, 5432)]),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, [fx.literal(9, 7001, 5432)]),
	])
	_targets(d) == {"timescaledb/0": 7000, "timescaledb-backup/0": 7001}
}

test_backup_on_a_container_port_the_primary_lacks_follows_its_lowest_port if {
	d := fx.doc([
		fx.service("questdb", "questdb/questdb", 2, [fx.literal(5, 7020, 9000), fx.literal(6, 7010, 8812)]),
		fx.service("questdb-replica", "questdb/questdb", 8, [fx.literal(11, 7000, 9009)]),
	])
	_targets(d) == {"questdb/0": 7020, "questdb/1": 7010, "questdb-replica/0": 7011}
}

test_a_default_held_by_another_service_is_not_kept if {
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7003, 5432)]),
		fx.service("redis", "redis:7", 6, [fx.var(9, "REDIS_PORT", "7003", fx.env("6379", 1), 6379)]),
	])
	_targets(d) == {"postgres/0": 7003, "redis/0": 7000}
}
