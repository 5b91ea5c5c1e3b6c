package portguard.test.lib.suggest

import data.portguard.lib.ports
import data.portguard.lib.suggest
import data.portguard.test.fixtures as fx

_req(category, backup_of, n) := {"category": category, "backup_of": backup_of, "count": n}

_stack := fx.with_rows(
	fx.doc([
		fx.service("timescaledb", "timescale/timescaledb", 2, [fx.literal(4, 7000, 5432)]),
		fx.service("redis", "redis:7", 6, [fx.literal(8, 6379, 6379)]),
		fx.service("pgadmin", "dpage/pgadmin4", 10, [fx.literal(12, 7100, 80)]),
		fx.service("web", "nginx", 14, [fx.literal(16, 8080, 80)]),
	]),
	[fx.row(7003, "questdb", 30)],
)

# Free: not published (7000), not due to a mover (redis goes to 7001), not
# in the table (7003).
test_lowest_free_ports_of_a_category if {
	r := suggest.result(_req("database", "", 3)) with input as _stack
	r == {"category": "database", "range": {"from": 7000, "to": 7099}, "primary": null, "ports": [7002, 7004, 7005], "error": ""}
}

test_other_categories if {
	suggest.result(_req("ui", "", 1)).ports == [7101] with input as _stack
	suggest.result(_req("exporter", "", 2)).ports == [7200, 7201] with input as _stack
}

# A backup follows its primary: primary + 1 first, skipping taken ports.
test_backup_of_a_service if {
	r := suggest.result(_req("", "timescaledb", 2)) with input as _stack
	r == {"category": "database", "range": {"from": 7000, "to": 7099}, "primary": {"service": "timescaledb", "port": 7000}, "ports": [7002, 7004], "error": ""}
}

# A primary outside its range is followed where the fix puts it.
test_backup_of_a_primary_that_moves if {
	r := suggest.result(_req("", "redis", 1)) with input as _stack
	r.primary == {"service": "redis", "port": 7001}
	r.ports == [7002]
}

test_errors if {
	suggest.result(_req("web", "", 1)).error == `unknown category "web": use database, exporter, ui` with input as _stack
	suggest.result(_req("", "nope", 1)).error == `no service is named "nope"` with input as _stack
	suggest.result(_req("", "web", 1)).error == "web is not a database, UI or exporter (category other)" with input as _stack
}

test_no_port_left if {
	d := fx.with_config(_stack, {"ranges": object.union(fx.config.ranges, {"ui": {"from": 7100, "to": 7100}})})
	suggest.result(_req("ui", "", 2)).ports == [] with input as d
}

# --- Targets -------------------------------------------------------------------

# _targets gives the suggested port of every mapping of a document, by
# service name and mapping index.
_targets(d) := t if {
	t := {sprintf("%s/%d", [p.service, p.idx]): suggest.target(p) | some p in ports.mappings} with input as d
}

test_free_is_the_lowest_unused_port if {
	d := fx.doc([fx.service("a", "postgres:16", 2, [fx.literal(5, 7000, 5432), fx.literal(6, 7002, 5433)])])
	free := suggest.free with input as d
	array.slice(free.database, 0, 3) == [7001, 7003, 7004]
	array.slice(free.ui, 0, 1) == [7100]
	array.slice(free.exporter, 0, 1) == [7200]
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

test_outside_port_is_the_container_port_when_free if {
	web := fx.literal(5, 7050, 80)
	api := fx.literal(9, 7051, 8000)
	app := fx.literal(13, 7052, 7300)
	d := fx.doc([
		fx.service("web", "nginx", 2, [web]),
		fx.service("api", "acme/api", 6, [api]),
		fx.service("app", "acme/app", 10, [app]),
		fx.service("other", "acme/other", 14, [fx.literal(17, 8000, 8000)]),
	])
	outside := {p.service: suggest.outside_port(p) | some p in ports.mappings; p.service != "other"} with input as d
	outside == {"web": 80, "api": 8001, "app": 8001}
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
