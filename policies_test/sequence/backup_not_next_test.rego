package portguard.test.rules.sequence.backup_not_next

import data.portguard.rules.sequence.backup_not_next.report
import data.portguard.test.fixtures as fx

_expect(p, service, message, suggestion, related) := fx.finding("DBP301", "error", fx.at(p), service, message, suggestion, related)

_ts := "timescale/timescaledb:latest-pg16"

_primary := fx.var(8, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)

# The example of DESIGN 3.3.
test_fail_first_backup_by_name if {
	b := fx.var(12, "TIMESCALEDB_BACKUP_PORT", "7005", fx.env("7005", 2), 5432)
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup", _ts, 9, [b]),
	])
	r == {fx.with_fix(
		_expect(
			b, "timescaledb-backup",
			"timescaledb-backup publishes 7005; backups publish primary+1 = 7001 (timescaledb, docker-compose.yml:8)",
			`write "${TIMESCALEDB_BACKUP_PORT:-7001}:5432" and set TIMESCALEDB_BACKUP_PORT=7001 in the root .env`,
			[fx.related(_primary, "the primary timescaledb publishes 7000")],
		),
		fx.fix(
			[fx.edit(b, "${TIMESCALEDB_BACKUP_PORT:-7001}:5432", 7001)],
			[fx.set_env("TIMESCALEDB_BACKUP_PORT", "7001")],
			[fx.add_row(7001, "timescaledb-backup", "TIMESCALEDB_BACKUP_PORT", "database", 5432)],
		),
	)}
}

test_fail_second_backup_by_name if {
	b := fx.literal(16, 7005, 5432)
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup", _ts, 9, [fx.literal(12, 7001, 5432)]),
		fx.service("timescaledb-replica", _ts, 13, [b]),
	])
	r == {fx.with_fix(
		_expect(
			b, "timescaledb-replica",
			"timescaledb-replica publishes 7005; backups publish primary+2 = 7002 (timescaledb, docker-compose.yml:8)",
			`write "${TIMESCALEDB_REPLICA_PORT:-7002}:5432" and set TIMESCALEDB_REPLICA_PORT=7002 in the root .env`,
			[fx.related(_primary, "the primary timescaledb publishes 7000")],
		),
		fx.fix(
			[fx.edit(b, "${TIMESCALEDB_REPLICA_PORT:-7002}:5432", 7002)],
			[fx.set_env("TIMESCALEDB_REPLICA_PORT", "7002")],
			[fx.add_row(7002, "timescaledb-replica", "TIMESCALEDB_REPLICA_PORT", "database", 5432)],
		),
	)}
}

test_fail_backup_with_an_explicit_number if {
	b := fx.literal(12, 7001, 5432)
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup-2", _ts, 9, [b]),
	])
	r == {fx.with_fix(
		_expect(
			b, "timescaledb-backup-2",
			"timescaledb-backup-2 publishes 7001; backups publish primary+2 = 7002 (timescaledb, docker-compose.yml:8)",
			`write "${TIMESCALEDB_BACKUP_2_PORT:-7002}:5432" and set TIMESCALEDB_BACKUP_2_PORT=7002 in the root .env`,
			[fx.related(_primary, "the primary timescaledb publishes 7000")],
		),
		fx.fix(
			[fx.edit(b, "${TIMESCALEDB_BACKUP_2_PORT:-7002}:5432", 7002)],
			[fx.set_env("TIMESCALEDB_BACKUP_2_PORT", "7002")],
			[fx.add_row(7002, "timescaledb-backup-2", "TIMESCALEDB_BACKUP_2_PORT", "database", 5432)],
		),
	)}
}

test_fail_backup_by_label if {
	m := fx.literal(8, 7010, 5432)
	b := fx.literal(12, 7020, 5432)
	r := report with input as fx.doc([
		fx.service("main", "postgres:16", 5, [m]),
		fx.labeled(fx.service("standby", "postgres:16", 9, [b]), {"portguard.backup-of": "main"}),
	])
	r == {fx.with_fix(
		_expect(
			b, "standby",
			"standby publishes 7020; backups publish primary+1 = 7011 (main, docker-compose.yml:8)",
			`write "${STANDBY_PORT:-7011}:5432" and set STANDBY_PORT=7011 in the root .env`,
			[fx.related(m, "the primary main publishes 7010")],
		),
		fx.fix(
			[fx.edit(b, "${STANDBY_PORT:-7011}:5432", 7011)],
			[fx.set_env("STANDBY_PORT", "7011")],
			[fx.add_row(7011, "standby", "STANDBY_PORT", "database", 5432)],
		),
	)}
}

test_fail_backup_by_x_portguard if {
	m := fx.literal(8, 7010, 6379)
	b := fx.literal(12, 7000, 6379)
	r := report with input as fx.doc([
		fx.service("cache", "redis:7", 5, [m]),
		fx.with_x(fx.service("cache-copy", "redis:7", 9, [b]), {"backup_of": "cache"}),
	])
	r == {fx.with_fix(
		_expect(
			b, "cache-copy",
			"cache-copy publishes 7000; backups publish primary+1 = 7011 (cache, docker-compose.yml:8)",
			`write "${CACHE_COPY_PORT:-7011}:6379" and set CACHE_COPY_PORT=7011 in the root .env`,
			[fx.related(m, "the primary cache publishes 7010")],
		),
		fx.fix(
			[fx.edit(b, "${CACHE_COPY_PORT:-7011}:6379", 7011)],
			[fx.set_env("CACHE_COPY_PORT", "7011")],
			[fx.add_row(7011, "cache-copy", "CACHE_COPY_PORT", "database", 6379)],
		),
	)}
}

test_fail_backup_without_a_known_port if {
	b := fx.var_form(12, "", "TIMESCALEDB_BACKUP_PORT", "", fx.unset, 5432)
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup", _ts, 9, [b]),
	])
	r == {fx.with_fix(
		_expect(
			b, "timescaledb-backup",
			"timescaledb-backup publishes no known host port; backups publish primary+1 = 7001 (timescaledb, docker-compose.yml:8)",
			`write "${TIMESCALEDB_BACKUP_PORT:-7001}:5432" and set TIMESCALEDB_BACKUP_PORT=7001 in the root .env`,
			[fx.related(_primary, "the primary timescaledb publishes 7000")],
		),
		fx.fix(
			[fx.edit(b, "${TIMESCALEDB_BACKUP_PORT:-7001}:5432", 7001)],
			[fx.set_env("TIMESCALEDB_BACKUP_PORT", "7001")],
			[fx.add_row(7001, "timescaledb-backup", "TIMESCALEDB_BACKUP_PORT", "database", 5432)],
		),
	)}
}

# Base and prod files each pair the primary with its backup. The two
# backups would share TIMESCALEDB_BACKUP_PORT with different ports (7001
# and 7011), so no machine fix: one value cannot fix both.
test_fail_backup_follows_the_primary_of_its_own_file if {
	prod := "docker-compose.prod.yml"
	pm := object.union(fx.literal(8, 7010, 5432), {"file": prod})
	b := object.union(fx.literal(12, 7001, 5432), {"file": prod})
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup", _ts, 9, [fx.literal(12, 7001, 5432)]),
		fx.in_file(fx.service("timescaledb", _ts, 5, [pm]), prod),
		fx.in_file(fx.service("timescaledb-backup", _ts, 9, [b]), prod),
	])
	r == {fx.with_no_fix(
		_expect(
			b, "timescaledb-backup",
			"timescaledb-backup publishes 7001; backups publish primary+1 = 7011 (timescaledb, docker-compose.prod.yml:8)",
			`write "${TIMESCALEDB_BACKUP_PORT:-7011}:5432" and set TIMESCALEDB_BACKUP_PORT=7011 in the root .env`,
			[fx.related(pm, "the primary timescaledb publishes 7010")],
		),
		"its variable TIMESCALEDB_BACKUP_PORT is shared by mappings that need different ports",
	)}
}

test_success_backups_on_primary_plus_n if {
	r := report with input as fx.doc([
		fx.service("timescaledb", _ts, 5, [_primary]),
		fx.service("timescaledb-backup", _ts, 9, [fx.var(12, "TIMESCALEDB_BACKUP_PORT", "7001", fx.env("7001", 2), 5432)]),
		fx.service("timescaledb-replica", _ts, 13, [fx.literal(16, 7002, 5432)]),
		fx.service("timescaledb-backup-5", _ts, 17, [fx.literal(20, 7005, 5432)]),
	])
	r == set()
}

# "redis-backup" backs up nothing when no service is called redis, and a
# label that names no service has no primary port to follow.
test_success_no_primary if {
	r := report with input as fx.doc([
		fx.service("redis-backup", "redis:7", 5, [fx.literal(8, 7005, 6379)]),
		fx.labeled(fx.service("standby", "postgres:16", 9, [fx.literal(12, 7009, 5432)]), {"portguard.backup-of": "gone"}),
	])
	r == set()
}
