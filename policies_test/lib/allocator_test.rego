package portguard.test.lib.allocator

import data.portguard.lib.ports
import data.portguard.lib.suggest
import data.portguard.test.fixtures as fx

# --- portguard suggest ---------------------------------------------------------

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

# --- Free ports ----------------------------------------------------------------

test_free_is_the_lowest_unused_port if {
	d := fx.doc([fx.service("a", "postgres:16", 2, [fx.literal(5, 7000, 5432), fx.literal(6, 7002, 5433)])])
	free := suggest.free with input as d
	array.slice(free.database, 0, 3) == [7001, 7003, 7004]
	array.slice(free.ui, 0, 1) == [7100]
	array.slice(free.exporter, 0, 1) == [7200]
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
