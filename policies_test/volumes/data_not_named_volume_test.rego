package portguard.test.rules.volumes.data_not_named_volume

import data.portguard.rules.volumes.data_not_named_volume.report
import data.portguard.test.fixtures as fx

_expect(loc, service, message, suggestion) := fx.finding("DBP601", "error", loc, service, message, suggestion, [])

_pg_suggestion := "mount a named volume: postgres-data:/var/lib/postgresql/data, declared under volumes: with name: postgres-data"

test_fail_bind_mount if {
	m := fx.mount("bind", "./pgdata", "/var/lib/postgresql/data", 7)
	r := report with input as fx.doc([fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [m])])
	r == {_expect(
		fx.at(m), "postgres",
		"postgres keeps its data in /var/lib/postgresql/data on the bind mount ./pgdata",
		_pg_suggestion,
	)}
}

test_fail_bind_mount_without_path if {
	m := fx.mount("bind", "", "/var/lib/postgresql/data", 7)
	r := report with input as fx.doc([fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [m])])
	r == {_expect(
		fx.at(m), "postgres",
		"postgres keeps its data in /var/lib/postgresql/data on a bind mount whose path is a variable without value",
		_pg_suggestion,
	)}
}

test_fail_anonymous_and_tmpfs if {
	a := fx.mount("anonymous", "", "/var/lib/postgresql/data", 7)
	t := fx.mount("tmpfs", "", "/data", 11)
	r := report with input as fx.doc([
		fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [a]),
		fx.with_mounts(fx.service("redis", "redis:7", 9, []), [t]),
	])
	r == {
		_expect(
			fx.at(a), "postgres",
			"postgres keeps its data in /var/lib/postgresql/data on an anonymous volume",
			_pg_suggestion,
		),
		_expect(
			fx.at(t), "redis",
			"redis keeps its data in /data on a tmpfs mount",
			"mount a named volume: redis-data:/data, declared under volumes: with name: redis-data",
		),
	}
}

test_fail_no_mount if {
	svc := fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [fx.mount("bind", "./init", "/docker-entrypoint-initdb.d", 7)])
	r := report with input as fx.doc([svc])
	r == {_expect(
		fx.at(svc), "postgres",
		"postgres does not mount its data directory /var/lib/postgresql/data: the data dies with the container",
		_pg_suggestion,
	)}
}

# A named volume on the data directory or its parent; services without data
# directories.
test_success_named_volume if {
	r := report with input as fx.doc([
		fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 7)]),
		fx.with_mounts(fx.service("timescaledb", "timescale/timescaledb", 9, []), [fx.mount("volume", "tsdata", "/var/lib/postgresql", 11)]),
		fx.service("web", "nginx", 13, []),
		fx.service("postgres-exporter", "prometheuscommunity/postgres-exporter", 17, []),
	])
	r == set()
}
