package portguard.test.rules.conflicts.duplicate_host_port

import data.portguard.rules.conflicts.duplicate_host_port.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion, related) := fx.finding("DBP401", "error", fx.at(p), service, message, suggestion, related)

_cache := "docker-compose.cache.yml"

# Ports conflict across files: every file's services share one host.
test_fail_same_port_in_two_files if {
	pg := fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)
	redis := object.union(fx.literal(12, 7000, 6379), {"file": _cache})
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [pg]),
		fx.in_file(fx.service("redis", "redis:7", 9, [redis]), _cache),
	])
	r == {
		_expect(
			pg, "postgres",
			"postgres publishes 7000/tcp, also published by redis (docker-compose.cache.yml:12)",
			"keep postgres on 7000 and move the others",
			[fx.related(redis, "redis publishes 7000/tcp here")],
		),
		fx.with_fix(
			_expect(
				redis, "redis",
				"redis publishes 7000/tcp, also published by postgres (docker-compose.yml:8)",
				`move redis to 7001: write "${REDIS_PORT:-7001}:6379" and set REDIS_PORT=7001 in the root .env`,
				[fx.related(pg, "postgres publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(redis, "${REDIS_PORT:-7001}:6379", 7001)],
				[fx.set_env("REDIS_PORT", "7001")],
				[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
	}
}

test_fail_three_services_on_one_port if {
	a := fx.literal(8, 7000, 5432)
	b := fx.literal(12, 7000, 6379)
	c := fx.literal(16, 7000, 80)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [a]),
		fx.service("redis", "redis:7", 9, [b]),
		fx.service("web", "nginx", 13, [c]),
	])
	r == {
		_expect(
			a, "postgres",
			"postgres publishes 7000/tcp, also published by redis (docker-compose.yml:12), web (docker-compose.yml:16)",
			"keep postgres on 7000 and move the others",
			[fx.related(b, "redis publishes 7000/tcp here"), fx.related(c, "web publishes 7000/tcp here")],
		),
		fx.with_fix(
			_expect(
				b, "redis",
				"redis publishes 7000/tcp, also published by postgres (docker-compose.yml:8), web (docker-compose.yml:16)",
				`move redis to 7001: write "${REDIS_PORT:-7001}:6379" and set REDIS_PORT=7001 in the root .env`,
				[fx.related(a, "postgres publishes 7000/tcp here"), fx.related(c, "web publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(b, "${REDIS_PORT:-7001}:6379", 7001)],
				[fx.set_env("REDIS_PORT", "7001")],
				[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
		fx.with_no_fix(
			_expect(
				c, "web",
				"web publishes 7000/tcp, also published by postgres (docker-compose.yml:8), redis (docker-compose.yml:12)",
				"move web to a free port, e.g. 80",
				[fx.related(a, "postgres publishes 7000/tcp here"), fx.related(b, "redis publishes 7000/tcp here")],
			),
			"portguard moves the ports of databases, UIs and exporters only",
		),
	}
}

test_fail_duplicate_entries_of_one_service_in_one_file if {
	a := fx.literal(8, 7000, 5432)
	b := fx.var(9, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)
	r := report with input as fx.doc([fx.service("postgres", "postgres:16", 5, [a, b])])
	r == {
		_expect(
			a, "postgres",
			"postgres publishes 7000/tcp, also published by postgres (docker-compose.yml:9)",
			"keep this entry and remove the duplicate at docker-compose.yml:9",
			[fx.related(b, "postgres publishes 7000/tcp here")],
		),
		_expect(
			b, "postgres",
			"postgres publishes 7000/tcp, also published by postgres (docker-compose.yml:8)",
			"remove this entry: postgres already publishes the port at docker-compose.yml:8",
			[fx.related(a, "postgres publishes 7000/tcp here")],
		),
	}
}

# The same service name in base, override and prod files is one service.
test_success_variants_of_one_service_in_different_files if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.in_file(fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]), "docker-compose.prod.yml"),
		fx.in_file(fx.service("postgres", "postgres:15", 3, [fx.literal(4, 7000, 5432)]), "docker-compose.ci.yml"),
	])
	r == set()
}

test_fail_loopback_and_wildcard_overlap if {
	a := fx.on_ip(fx.literal(8, 7000, 5432), "127.0.0.1")
	b := fx.on_ip(fx.literal(12, 7000, 6379), "0.0.0.0")
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [a]),
		fx.service("redis", "redis:7", 9, [b]),
	])
	r == {
		_expect(
			a, "postgres",
			"postgres publishes 7000/tcp, also published by redis (docker-compose.yml:12)",
			"keep postgres on 7000 and move the others",
			[fx.related(b, "redis publishes 7000/tcp here")],
		),
		fx.with_fix(
			_expect(
				b, "redis",
				"redis publishes 7000/tcp, also published by postgres (docker-compose.yml:8)",
				`move redis to 7001: write "0.0.0.0:${REDIS_PORT:-7001}:6379" and set REDIS_PORT=7001 in the root .env`,
				[fx.related(a, "postgres publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(b, "0.0.0.0:${REDIS_PORT:-7001}:6379", 7001)],
				[fx.set_env("REDIS_PORT", "7001")],
				[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
	}
}

test_fail_same_host_ip if {
	a := fx.on_ip(fx.literal(8, 7000, 5432), "127.0.0.1")
	b := fx.on_ip(fx.literal(12, 7000, 6379), "127.0.0.1")
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [a]),
		fx.service("redis", "redis:7", 9, [b]),
	])
	r == {
		_expect(
			a, "postgres",
			"postgres publishes 7000/tcp, also published by redis (docker-compose.yml:12)",
			"keep postgres on 7000 and move the others",
			[fx.related(b, "redis publishes 7000/tcp here")],
		),
		fx.with_fix(
			_expect(
				b, "redis",
				"redis publishes 7000/tcp, also published by postgres (docker-compose.yml:8)",
				`move redis to 7001: write "127.0.0.1:${REDIS_PORT:-7001}:6379" and set REDIS_PORT=7001 in the root .env`,
				[fx.related(a, "postgres publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(b, "127.0.0.1:${REDIS_PORT:-7001}:6379", 7001)],
				[fx.set_env("REDIS_PORT", "7001")],
				[fx.add_row(7001, "redis", "REDIS_PORT", "database", 6379)],
			),
		),
	}
}

test_success_different_host_ips if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.on_ip(fx.literal(8, 7000, 5432), "127.0.0.1")]),
		fx.service("redis", "redis:7", 9, [fx.on_ip(fx.literal(12, 7000, 6379), "127.0.0.2")]),
	])
	r == set()
}

test_success_tcp_and_udp if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("statsd", "acme/statsd", 9, [fx.udp(fx.literal(12, 7000, 8125))]),
	])
	r == set()
}

test_fail_udp_on_udp if {
	a := fx.udp(fx.literal(8, 8125, 8125))
	b := fx.udp(fx.literal(12, 8125, 8125))
	r := report with input as fx.doc([
		fx.service("statsd", "acme/statsd", 5, [a]),
		fx.service("telegraf", "acme/telegraf", 9, [b]),
	])
	r == {
		_expect(
			a, "statsd",
			"statsd publishes 8125/udp, also published by telegraf (docker-compose.yml:12)",
			"keep statsd on 8125 and move the others",
			[fx.related(b, "telegraf publishes 8125/udp here")],
		),
		fx.with_no_fix(
			_expect(
				b, "telegraf",
				"telegraf publishes 8125/udp, also published by statsd (docker-compose.yml:8)",
				"move telegraf to a free port, e.g. 8000",
				[fx.related(a, "statsd publishes 8125/udp here")],
			),
			"portguard moves the ports of databases, UIs and exporters only",
		),
	}
}

# A range conflicts on the ports it shares with another mapping; the range
# must be replaced by one port anyway.
test_fail_port_range_overlap if {
	a := fx.literal_range(8, 7000, 7002, 5432)
	b := fx.literal(12, 7001, 6379)
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [a]),
		fx.service("redis", "redis:7", 9, [b]),
	])
	r == {
		fx.with_fix(
			_expect(
				a, "postgres",
				"postgres publishes 7001/tcp, also published by redis (docker-compose.yml:12)",
				`move postgres to 7003: write "${POSTGRES_PORT:-7003}:5432" and set POSTGRES_PORT=7003 in the root .env`,
				[fx.related(b, "redis publishes 7001/tcp here")],
			),
			fx.fix(
				[fx.edit(a, "${POSTGRES_PORT:-7003}:5432", 7003)],
				[fx.set_env("POSTGRES_PORT", "7003")],
				[fx.add_row(7003, "postgres", "POSTGRES_PORT", "database", 5432)],
			),
		),
		_expect(
			b, "redis",
			"redis publishes 7001/tcp, also published by postgres (docker-compose.yml:8)",
			"keep redis on 7001 and move the others",
			[fx.related(a, "postgres publishes 7001/tcp here")],
		),
	}
}

test_success_distinct_ports if {
	r := report with input as fx.doc([
		fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
		fx.service("redis", "redis:7", 9, [fx.literal_range(12, 7001, 7003, 6379)]),
		fx.service("mongo", "mongo:7", 13, [fx.literal(16, 7004, 27017), fx.random(17, 27017)]),
		fx.service("mysql", "mysql:8", 18, [fx.random(21, 3306)]),
	])
	r == set()
}

# The service that the table assigns the port to keeps it, even when the
# other one comes first in the document: only the other one moves.
test_fail_documented_owner_keeps_the_port if {
	a := fx.var(8, "QUESTDB_PORT", "7000", fx.env("7000", 1), 9000)
	b := fx.var(12, "TIMESCALEDB_PORT", "7000", fx.env("7000", 2), 5432)
	d := fx.with_rows(
		fx.doc([
			fx.service("questdb", "questdb/questdb", 5, [a]),
			fx.service("timescaledb", "timescale/timescaledb", 9, [b]),
		]),
		[fx.row(7000, "timescaledb", 17)],
	)
	r := report with input as d
	r == {
		fx.with_fix(
			_expect(
				a, "questdb",
				"questdb publishes 7000/tcp, also published by timescaledb (docker-compose.yml:12)",
				`move questdb to 7001: write "${QUESTDB_PORT:-7001}:9000" and set QUESTDB_PORT=7001 in the root .env`,
				[fx.related(b, "timescaledb publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(a, "${QUESTDB_PORT:-7001}:9000", 7001)],
				[fx.set_env("QUESTDB_PORT", "7001")],
				[fx.add_row(7001, "questdb", "QUESTDB_PORT", "database", 9000)],
			),
		),
		_expect(
			b, "timescaledb",
			"timescaledb publishes 7000/tcp, also published by questdb (docker-compose.yml:8)",
			"keep timescaledb on 7000 and move the others",
			[fx.related(a, "questdb publishes 7000/tcp here")],
		),
	}
}

# A port that a dozen services share: every one is reported, each naming
# the first ten of the others and how many more there are.
test_fail_many_services_on_one_port_name_ten if {
	apps := [fx.service(sprintf("app%02d", [i]), "node:20", 1 + (4 * i), [fx.literal(4 + (4 * i), 8080, 8080)]) | some i in numbers.range(0, 11)]
	r := report with input as fx.doc(apps)
	count(r) == 12
	first := [f | some f in r; f.service == "app00"][0]
	first.message == concat("", [
		"app00 publishes 8080/tcp, also published by ",
		"app01 (docker-compose.yml:8), app02 (docker-compose.yml:12), app03 (docker-compose.yml:16), ",
		"app04 (docker-compose.yml:20), app05 (docker-compose.yml:24), app06 (docker-compose.yml:28), ",
		"app07 (docker-compose.yml:32), app08 (docker-compose.yml:36), app09 (docker-compose.yml:40), ",
		"app10 (docker-compose.yml:44) and 1 more",
	])
	[x.line | some x in first.related] == [8, 12, 16, 20, 24, 28, 32, 36, 40, 44]
}

# Services in disjoint profiles are alternatives: docker compose starts the
# services of one profile or the other.
test_success_alternatives_in_disjoint_profiles if {
	r := report with input as fx.doc([
		fx.in_profiles(fx.service("postgres", "postgres:16", 5, [fx.var(8, "DB_PORT", "7000", fx.env("7000", 1), 5432)]), ["pg"]),
		fx.in_profiles(fx.service("mysql", "mysql:8", 9, [fx.var(12, "DB_PORT", "7000", fx.env("7000", 1), 3306)]), ["mysql"]),
	])
	r == set()
}

# check --profile pg --profile mysql starts both: they conflict.
test_fail_enabled_profiles_run_together if {
	pg := fx.literal(8, 7000, 5432)
	mysql := fx.literal(12, 7000, 3306)
	r := report with input as fx.with_profiles(
		fx.doc([
			fx.in_profiles(fx.service("postgres", "postgres:16", 5, [pg]), ["pg"]),
			fx.in_profiles(fx.service("mysql", "mysql:8", 9, [mysql]), ["mysql"]),
		]),
		["pg", "mysql"],
	)
	r == {
		_expect(
			pg, "postgres",
			"postgres publishes 7000/tcp, also published by mysql (docker-compose.yml:12)",
			"keep postgres on 7000 and move the others",
			[fx.related(mysql, "mysql publishes 7000/tcp here")],
		),
		fx.with_fix(
			_expect(
				mysql, "mysql",
				"mysql publishes 7000/tcp, also published by postgres (docker-compose.yml:8)",
				`move mysql to 7001: write "${MYSQL_PORT:-7001}:3306" and set MYSQL_PORT=7001 in the root .env`,
				[fx.related(pg, "postgres publishes 7000/tcp here")],
			),
			fx.fix(
				[fx.edit(mysql, "${MYSQL_PORT:-7001}:3306", 7001)],
				[fx.set_env("MYSQL_PORT", "7001")],
				[fx.add_row(7001, "mysql", "MYSQL_PORT", "database", 3306)],
			),
		),
	}
}

# With conflict_scope: project, each project has a host of its own.
test_success_other_project_with_project_scope if {
	r := report with input as fx.with_config(
		fx.doc([
			fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)]),
			fx.in_project(fx.service("mysql", "mysql:8", 9, [fx.literal(12, 7000, 3306)]), "samples/mysql/compose.yaml"),
		]),
		{"conflict_scope": "project"},
	)
	r == set()
}
