package portguard.test.lib.migrate

import data.portguard.lib.migrate
import data.portguard.test.fixtures as fx

_postgres := fx.with_mounts(
	fx.service("postgres", "postgres:16", 2, [fx.var(4, "POSTGRES_PORT", "5433", fx.env("5433", 1), 5432)]),
	[fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 6)],
)

_redis := fx.service("redis", "redis:7", 8, [fx.literal(10, 7001, 6379)])

_pgadmin := fx.service("pgadmin", "dpage/pgadmin4", 12, [fx.literal(14, 8080, 80)])

_web := fx.service("web", "nginx", 16, [fx.literal(18, 8080, 80)])

_stack := fx.doc([_postgres, _redis, _pgadmin, _web])

# A database and a UI outside their sub-ranges move to the target the fix
# gives them; the database that already follows the convention and the
# application stay.
test_moves_go_to_the_fix_target if {
	r := migrate.moves with input as _stack
	p := _postgres.ports[0]
	ui := _pgadmin.ports[0]
	r == [
		{
			"service": "postgres", "project": "stack", "project_file": fx.file,
			"file": fx.file, "line": 4, "column": 9, "raw": p.raw,
			"category": "database", "container_port": 5432, "protocol": "tcp", "host_ip": "",
			"from": 5433, "to": 7000, "variable": "POSTGRES_PORT",
			"fix": fx.fix(
				[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
				[fx.set_env("POSTGRES_PORT", "7000")],
				[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
			),
			"problem": "",
		},
		{
			"service": "pgadmin", "project": "stack", "project_file": fx.file,
			"file": fx.file, "line": 14, "column": 9, "raw": ui.raw,
			"category": "ui", "container_port": 80, "protocol": "tcp", "host_ip": "",
			"from": 8080, "to": 7100, "variable": "PGADMIN_PORT",
			"fix": fx.fix(
				[fx.edit(ui, "${PGADMIN_PORT:-7100}:80", 7100)],
				[fx.set_env("PGADMIN_PORT", "7100")],
				[fx.add_row(7100, "pgadmin", "PGADMIN_PORT", "ui", 80)],
			),
			"problem": "",
		},
	]
}

test_no_moves_when_the_stack_follows_the_convention if {
	d := fx.doc([_redis, _web])
	migrate.moves == [] with input as d
}

# No port left: the move is listed without a target, and says why.
test_no_free_port_left if {
	d := fx.with_config(fx.doc([_pgadmin]), {"ranges": object.union(fx.config.ranges, {"ui": {"from": 7100, "to": 7100}})})
	full := fx.doc([fx.service("adminer", "adminer", 20, [fx.literal(22, 7100, 8080)]), _pgadmin])
	r := migrate.moves with input as fx.with_config(full, d.config)
	[[m.service, m.to, m.fix, m.problem] | some m in r] == [["pgadmin", null, null, "no free port is left in ui 7100-7100"]]
}

# A mapping that holds another variable moves, but has no fix to do it.
test_unrewritable_mapping_says_why if {
	p := object.union(fx.var(4, "PG_PORT", "5432", fx.unset, 5432), {"raw": "${BIND:-127.0.0.1}:${PG_PORT:-5432}:5432", "host_ip": "127.0.0.1"})
	d := fx.doc([fx.service("postgres", "postgres:16", 2, [p])])
	r := migrate.moves with input as d
	[[m.to, m.fix, m.problem] | some m in r] == [[7000, null, "the mapping holds another variable, which a rewrite would lose"]]
}

# A backup moves to its primary's port + 1.
test_backup_moves_after_its_primary if {
	d := fx.doc([_redis, fx.service("redis-backup", "redis:7", 20, [fx.literal(22, 6380, 6379)])])
	r := migrate.moves with input as d
	[[m.service, m.from, m.to] | some m in r] == [["redis-backup", 6380, 7002]]
}

# Every database tool is listed with its dump tool and its data mounts.
test_services_list_dumps_and_data_mounts if {
	r := migrate.services with input as _stack
	r == [
		{
			"service": "postgres", "project": "stack", "project_file": fx.file, "category": "database",
			"image": "postgres:16", "family": "postgres", "dump": "pg_dumpall",
			"data_mounts": [object.union(fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 6), {"file": fx.file})],
			"loses_data": false,
		},
		{
			"service": "redis", "project": "stack", "project_file": fx.file, "category": "database",
			"image": "redis:7", "family": "redis", "dump": "", "data_mounts": [],
			"loses_data": true,
		},
		{
			"service": "pgadmin", "project": "stack", "project_file": fx.file, "category": "ui",
			"image": "dpage/pgadmin4", "family": "pgadmin", "dump": "", "data_mounts": [],
			"loses_data": false,
		},
	]
}

# Data on a bind mount or an anonymous volume survives a recreation; on
# tmpfs or in the container it does not.
test_loses_data_by_mount_type if {
	cases := {t: r |
		some t in ["volume", "bind", "anonymous", "tmpfs"]
		svc := fx.with_mounts(fx.service("postgres", "postgres:16", 2, []), [fx.mount(t, "x", "/var/lib/postgresql/data", 4)])
		r := migrate.services[0].loses_data with input as fx.doc([svc])
	}
	cases == {"volume": false, "bind": false, "anonymous": false, "tmpfs": true}
}
