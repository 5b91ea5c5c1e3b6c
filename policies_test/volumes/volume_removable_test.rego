package portguard.test.rules.volumes.volume_removable

import data.portguard.rules.volumes.volume_removable.report
import data.portguard.test.fixtures as fx

_postgres := fx.with_mounts(fx.service("postgres", "postgres:16", 5, []), [fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 7)])

test_fail_named_data_volume_not_external if {
	v := fx.named_volume("pgdata", "data-pgdata", 20)
	r := report with input as fx.with_volumes(fx.doc([_postgres]), [v])
	r == {fx.finding(
		"DBP603", "warning", fx.at(v), "postgres",
		"volume pgdata holds the data of postgres and is deleted by docker compose down -v",
		"docker volume create data-pgdata, then declare it external: true with name: data-pgdata",
		[],
	)}
}

test_fail_data_volume_without_name if {
	v := fx.volume("pgdata", 20)
	r := report with input as fx.with_volumes(fx.doc([_postgres]), [v])
	r == {fx.finding(
		"DBP603", "warning", fx.at(v), "postgres",
		"volume pgdata holds the data of postgres and is deleted by docker compose down -v",
		"docker volume create stack_pgdata, then declare it external: true with name: stack_pgdata",
		[],
	)}
}

test_success_external_or_not_data if {
	d := fx.with_volumes(
		fx.doc([
			_postgres,
			fx.with_mounts(fx.service("web", "nginx", 13, []), [fx.mount("volume", "static", "/usr/share/nginx/html", 15)]),
		]),
		[fx.external_volume("pgdata", "data-pgdata", 20), fx.volume("static", 24)],
	)
	r := report with input as d
	r == set()
}
