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

# A mount inside the data directory holds something else (scripts,
# configuration): the data directory itself is still not mounted.
test_fail_mount_inside_the_data_directory_is_not_the_data if {
	svc := fx.with_mounts(fx.service("clickhouse", "clickhouse/clickhouse-server", 5, []), [fx.mount("bind", "./user_scripts", "/var/lib/clickhouse/user_scripts", 7)])
	r := report with input as fx.doc([svc])
	r == {_expect(
		fx.at(svc), "clickhouse",
		"clickhouse does not mount its data directory /var/lib/clickhouse: the data dies with the container",
		"mount a named volume: clickhouse-data:/var/lib/clickhouse, declared under volumes: with name: clickhouse-data",
	)}
}

# The data directory the environment or command sets (PGDATA) is the one
# judged.
test_fail_data_directory_set_by_the_service if {
	m := fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 7)
	svc := fx.with_classification(fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [m]), {"data_dirs": ["/srv/pg"]})
	r := report with input as fx.doc([svc])
	r == {_expect(
		fx.at(svc), "postgres",
		"postgres does not mount its data directory /srv/pg: the data dies with the container",
		"mount a named volume: postgres-data:/srv/pg, declared under volumes: with name: postgres-data",
	)}
}

# What keeps no data (a router, a sentinel, an in-memory store, a job) is
# never told to mount one.
test_success_keeps_no_data if {
	r := report with input as fx.doc([
		fx.with_classification(fx.service("sentinel", "redis:7", 5, []), {"keeps_data": false}),
		fx.with_classification(fx.service("init", "mongo:7", 9, []), {"category": "job", "keeps_data": false}),
	])
	r == set()
}

# A database known only by the words of its name is judged on the data
# directory of what the words name, as a warning that says so.
test_fail_weak_classification_is_a_warning if {
	svc := fx.service("redis", "acme/cache:1", 5, [])
	r := report with input as fx.doc([svc])
	r == {fx.finding(
		"DBP601", "warning", fx.at(svc), "redis",
		`redis does not mount its data directory /data: the data dies with the container (redis is classified database from the word "redis" of the service name redis alone, a guess: set the label portguard.category if it is wrong)`,
		"mount a named volume: redis-data:/data, declared under volumes: with name: redis-data",
		[],
	)}
}
