package portguard.test.rules.volumes.volume_without_name

import data.portguard.rules.volumes.volume_without_name.report
import data.portguard.test.fixtures as fx

_postgres := fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 7)])

test_fail_data_volume_without_name if {
	v := fx.volume("pgdata", 20)
	r := report with input as fx.with_volumes(fx.doc([_postgres]), [v])
	r == {fx.finding(
		"DBP602", "error", fx.at(v), "postgres",
		"volume pgdata holds the data of postgres but has no explicit name; docker compose calls it stack_pgdata",
		"add name: pgdata under volumes: pgdata:",
		[],
	)}
}

test_success_named_external_or_not_data if {
	d := fx.with_volumes(
		fx.doc([
			_postgres,
			fx.with_mounts(fx.service("redis", "redis:7", 9, []), [fx.mount("volume", "redisdata", "/data", 11)]),
			fx.with_mounts(fx.service("web", "nginx", 13, []), [fx.mount("volume", "static", "/usr/share/nginx/html", 15)]),
		]),
		[fx.named_volume("pgdata", "data-pgdata", 20), fx.external_volume("redisdata", "data-redis", 22), fx.volume("static", 24)],
	)
	r := report with input as d
	r == set()
}
