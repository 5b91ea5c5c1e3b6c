package portguard.test.rules.live.data_volume_unused

import data.portguard.rules.live.data_volume_unused.report
import data.portguard.test.fixtures as fx
import data.portguard.test.live_fixtures as lx

_mount := fx.mount("volume", "pgdata", "/var/lib/postgresql/data", 7)

_pg := fx.with_mounts(fx.service("pg", "postgres:16", 3, [fx.literal(5, 7000, 5432)]), [_mount])

_named := fx.with_volumes(fx.doc([_pg]), [fx.named_volume("pgdata", "data-pgdata", 20)])

_unnamed := fx.with_volumes(fx.doc([_pg]), [fx.volume("pgdata", 20)])

_at := fx.at(object.union(_mount, {"file": fx.file}))

test_fail_volume_missing if {
	r := report with input as lx.with_live(_named, [], [], [lx.volume("other", "", "", [])])
	r == {fx.finding(
		"DBP804", "warning", _at, "pg",
		"the data volume data-pgdata of pg does not exist on this host: the database starts empty",
		"restore data-pgdata from a backup before pg starts, or check the volume's name",
		[],
	)}
}

test_fail_volume_unused_compose_name if {
	r := report with input as lx.with_live(_unnamed, [], [], [lx.volume("stack_pgdata", "stack", "pgdata", [])])
	r == {fx.finding(
		"DBP804", "warning", _at, "pg",
		"no container uses the data volume stack_pgdata of pg: docker volume prune --all would delete it",
		"start pg (docker compose up -d pg) so its container holds the volume",
		[],
	)}
}

test_success_volume_used_even_by_a_stopped_container if {
	r := report with input as lx.with_live(_named, [], [], [lx.volume("data-pgdata", "", "", ["stack-pg-1"])])
	r == set()
}

test_success_not_judged_without_engine if {
	r := report with input as lx.without_engine(_named, [])
	r == set()
}
