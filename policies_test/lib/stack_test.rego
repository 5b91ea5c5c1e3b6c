package portguard.test.lib.stack

import data.portguard.lib.stack
import data.portguard.test.fixtures as fx

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
