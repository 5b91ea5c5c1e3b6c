package portguard.test.lib.stack

import data.portguard.lib.stack
import data.portguard.test.fixtures as fx

# _targets gives the suggested port of every mapping of a document, by
# service name and mapping index.
_targets(d) := t if {
	t := {sprintf("%s/%d", [p.service, p.idx]): stack.target(p) | some p in stack.ports} with input as d
}

# --- Ports and written values ------------------------------------------------

test_ports_carry_service_project_and_category if {
	p := fx.literal(5, 7000, 5432)
	ports := stack.ports with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	ports == [object.union(p, {"svc": 0, "idx": 0, "service": "postgres", "project_file": "docker-compose.yml", "category": "database"})]
}

test_written_at_the_mapping_and_at_the_env_line if {
	p := fx.var(5, "PG_PORT", "5432", fx.env("7000", 3), 5432)
	w := stack.written with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	{[x.where, x.value, x.at] | some x in w} == {
		["mapping", 5432, fx.at(p)],
		["env", 7000, fx.loc(".env", 3, 1, 13)],
	}
}

test_written_skips_values_that_are_not_ports if {
	p := fx.var(5, "PG_PORT", "7000", fx.env("seven", 3), 5432)
	w := stack.written with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	{[x.where, x.value] | some x in w} == {["mapping", 7000]}
}

test_port_number if {
	stack.port_number("7000") == 7000
	not stack.port_number("")
	not stack.port_number("7000-7005")
	not stack.port_number("abc")
	not stack.port_number("1e3")
}

test_used_holds_effective_ranges_and_defaults if {
	d := fx.doc([
		fx.service("a", "postgres:16", 2, [fx.var(5, "A_PORT", "7000", fx.env("7003", 1), 5432)]),
		fx.service("b", "redis:7", 6, [fx.literal_range(9, 7010, 7012, 6379)]),
	])
	u := stack.used with input as d
	u == {7000, 7003, 7010, 7011, 7012}
}

# --- Free ports and suggestions ----------------------------------------------

test_free_is_the_lowest_unused_port if {
	d := fx.doc([fx.service("a", "postgres:16", 2, [fx.literal(5, 7000, 5432), fx.literal(6, 7002, 5433)])])
	free := stack.free with input as d
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
	[[p.service, p.file, stack.target(p)] | some p in stack.ports] == [
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
	ports := {p.service: stack.outside_port(p) | some p in stack.ports; p.service != "other"} with input as d
	ports == {"web": 80, "api": 8001, "app": 8001}
}

# --- Backups -----------------------------------------------------------------

_backups(services) := b if {
	b := {input.services[i].name: [name, stack.backup_number[i]] | some i, name in stack.primary_name} with input as fx.doc(services)
}

test_backup_by_name if {
	_backups([
		fx.service("timescaledb", "timescale/timescaledb", 2, []),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, []),
		fx.service("timescaledb_replica", "timescale/timescaledb", 10, []),
		fx.service("redis-standby", "redis:7", 14, []),
	]) == {
		"timescaledb-backup": ["timescaledb", 1],
		"timescaledb_replica": ["timescaledb", 2],
	}
}

test_backup_by_name_of_a_primary_with_several_words if {
	_backups([
		fx.service("orders_db", "postgres:16", 2, []),
		fx.service("orders-db-backup", "postgres:16", 6, []),
	]) == {"orders-db-backup": ["orders_db", 1]}
}

test_backup_with_an_explicit_number if {
	_backups([
		fx.service("timescaledb", "timescale/timescaledb", 2, []),
		fx.service("timescaledb-backup-2", "timescale/timescaledb", 6, []),
		fx.service("timescaledb-backup", "timescale/timescaledb", 10, []),
	]) == {
		"timescaledb-backup-2": ["timescaledb", 2],
		"timescaledb-backup": ["timescaledb", 1],
	}
}

test_backup_by_label_and_x_portguard if {
	_backups([
		fx.service("main", "postgres:16", 2, []),
		fx.labeled(fx.service("standby-one", "postgres:16", 6, []), {"portguard.backup-of": "main"}),
		fx.with_x(fx.service("copy", "postgres:16", 10, []), {"backup_of": "main"}),
	]) == {
		"standby-one": ["main", 2],
		"copy": ["main", 1],
	}
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
	t := {[p.file, stack.target(p)] | some p in stack.ports; p.service == "timescaledb-backup"} with input as d
	t == {["docker-compose.yml", 7001], ["docker-compose.prod.yml", 7011]}
}

test_backup_of_a_primary_without_a_known_port_keeps_its_port if {
	d := fx.doc([
		fx.service("timescaledb", "timescale/timescaledb", 2, [fx.var_form(5, "", "TS_PORT", "", fx.unset, 5432)]),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, [fx.literal(9, 7001, 5432)]),
	])
	_targets(d) == {"timescaledb/0": 7000, "timescaledb-backup/0": 7001}
}

# --- Variable names and mapping text -----------------------------------------

test_var_name_is_the_mapping_variable_else_the_service_name if {
	d := fx.doc([
		fx.service("pg", "postgres:16", 2, [fx.var(5, "DB_PORT", "7000", fx.unset, 5432)]),
		fx.service("redis-cache", "redis:7", 6, [fx.literal(9, 6379, 6379)]),
		fx.service("questdb", "questdb/questdb", 10, [fx.literal(13, 9000, 9000), fx.literal(14, 8812, 8812), fx.literal(15, 4000, 4000)]),
	])
	names := {sprintf("%s/%d", [p.service, p.idx]): stack.var_name(p) | some p in stack.ports} with input as d
	names == {
		"pg/0": "DB_PORT",
		"redis-cache/0": "REDIS_CACHE_PORT",
		"questdb/0": "QUESTDB_PORT",
		"questdb/1": "QUESTDB_PG_PORT",
		"questdb/2": "QUESTDB_4000_PORT",
	}
}

test_mapping_text if {
	p := object.union(fx.literal(5, 6379, 6379), {"svc": 0, "idx": 0, "service": "redis"})
	text := stack.mapping_text(p, 7003) with input as fx.doc([fx.service("redis", "redis:7", 2, [p])])
	text == "${REDIS_PORT:-7003}:6379"
}

# --- What the variable rules judge -------------------------------------------

test_judged_are_database_tools_unless_env_var_form_is_all if {
	services := [
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
		fx.service("web", "nginx", 6, [fx.literal(9, 8080, 80)]),
	]
	default_form := {p.service | some p in stack.ports; stack.judged(p)} with input as fx.doc(services)
	default_form == {"postgres"}
	all_form := {p.service | some p in stack.ports; stack.judged(p)} with input as fx.with_config(fx.doc(services), {"env_var_form": "all"})
	all_form == {"postgres", "web"}
}

test_env_name if {
	d := fx.doc([])
	stack.env_name == ".env" with input as d
	stack.env_name == ".env.example" with input as fx.with_env_example(d)
	stack.env_name == "the root .env" with input as fx.without_env(d)
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

# --- Groupings ----------------------------------------------------------------

test_ports_by_service_in_document_order_with_every_service if {
	a := fx.literal(5, 7001, 5432)
	b := fx.literal(6, 7000, 5433)
	c := fx.literal(9, 7002, 5432)
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [a, b]),
		fx.service("web", "nginx:1", 7, []),
		fx.service("postgres", "postgres:16", 8, [c]),
	])
	groups := stack.ports_by_service with input as d
	{name: [[p.svc, p.idx] | some p in ps] | some name, ps in groups} == {
		"postgres": [[0, 0], [0, 1], [2, 0]],
		"web": [],
	}
}

test_holders_group_by_effective_port_in_document_order if {
	a := fx.literal(5, 7000, 5432)
	b := fx.literal(6, 7001, 5433)
	c := fx.literal(9, 7000, 5432)
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [a, b]),
		fx.service("mysql", "mysql:8", 8, [c]),
	])
	groups := stack.holders with input as d
	{n: [[p.svc, p.idx] | some p in ps] | some n, ps in groups} == {
		7000: [[0, 0], [1, 0]],
		7001: [[0, 1]],
	}
}
