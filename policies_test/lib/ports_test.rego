package portguard.test.lib.ports

import data.portguard.lib.ports
import data.portguard.test.fixtures as fx

# --- Ports and written values ------------------------------------------------

test_ports_carry_service_project_and_category if {
	p := fx.literal(5, 7000, 5432)
	got := ports.mappings with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	got == [object.union(p, {"svc": 0, "idx": 0, "service": "postgres", "project_file": "docker-compose.yml", "category": "database"})]
}

test_written_at_the_mapping_and_at_the_env_line if {
	p := fx.var(5, "PG_PORT", "5432", fx.env("7000", 3), 5432)
	w := ports.written with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	{[x.where, x.value, x.at] | some x in w} == {
		["mapping", 5432, fx.at(p)],
		["env", 7000, fx.loc(".env", 3, 1, 13)],
	}
}

test_written_skips_values_that_are_not_ports if {
	p := fx.var(5, "PG_PORT", "7000", fx.env("seven", 3), 5432)
	w := ports.written with input as fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	{[x.where, x.value] | some x in w} == {["mapping", 7000]}
}

test_port_number if {
	ports.port_number("7000") == 7000
	not ports.port_number("")
	not ports.port_number("7000-7005")
	not ports.port_number("abc")
	not ports.port_number("1e3")
}

test_used_holds_effective_ranges_and_defaults if {
	d := fx.doc([
		fx.service("a", "postgres:16", 2, [fx.var(5, "A_PORT", "7000", fx.env("7003", 1), 5432)]),
		fx.service("b", "redis:7", 6, [fx.literal_range(9, 7010, 7012, 6379)]),
	])
	u := ports.used with input as d
	u == {7000, 7003, 7010, 7011, 7012}
}

# --- Variable names and mapping text -----------------------------------------

test_var_name_is_the_mapping_variable_else_the_service_name if {
	d := fx.doc([
		fx.service("pg", "postgres:16", 2, [fx.var(5, "DB_PORT", "7000", fx.unset, 5432)]),
		fx.service("redis-cache", "redis:7", 6, [fx.literal(9, 6379, 6379)]),
		fx.service("questdb", "questdb/questdb", 10, [fx.literal(13, 9000, 9000), fx.literal(14, 8812, 8812), fx.literal(15, 4000, 4000)]),
	])
	names := {sprintf("%s/%d", [p.service, p.idx]): ports.var_name(p) | some p in ports.mappings} with input as d
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
	text := ports.mapping_text(p, 7003) with input as fx.doc([fx.service("redis", "redis:7", 2, [p])])
	text == "${REDIS_PORT:-7003}:6379"
}

# --- What the variable rules judge -------------------------------------------

test_judged_are_database_tools_unless_env_var_form_is_all if {
	services := [
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)]),
		fx.service("web", "nginx", 6, [fx.literal(9, 8080, 80)]),
	]
	default_form := {p.service | some p in ports.mappings; ports.judged(p)} with input as fx.doc(services)
	default_form == {"postgres"}
	all_form := {p.service | some p in ports.mappings; ports.judged(p)} with input as fx.with_config(fx.doc(services), {"env_var_form": "all"})
	all_form == {"postgres", "web"}
}

test_env_name if {
	d := fx.doc([])
	ports.env_name == ".env" with input as d
	ports.env_name == ".env.example" with input as fx.with_env_example(d)
	ports.env_name == "the root .env" with input as fx.without_env(d)
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
	groups := ports.by_service with input as d
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
	groups := ports.holders with input as d
	{n: [[p.svc, p.idx] | some p in ps] | some n, ps in groups} == {
		7000: [[0, 0], [1, 0]],
		7001: [[0, 1]],
	}
}

test_lowest_is_the_lowest_port_then_the_first_in_document_order if {
	d := fx.doc([
		fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7002, 5432), fx.literal(6, 7001, 5433)]),
		fx.service("mysql", "mysql:8", 8, [fx.literal(9, 7001, 3306)]),
	])
	l := ports.lowest(ports.mappings) with input as d
	[l.svc, l.idx] == [0, 1]
	not ports.lowest([])
}
