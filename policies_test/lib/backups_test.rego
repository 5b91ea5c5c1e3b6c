package portguard.test.lib.backups

import data.portguard.lib.backups
import data.portguard.test.fixtures as fx

# --- Backups -----------------------------------------------------------------

_backups(services) := b if {
	b := {input.services[i].name: [name, backups.backup_number[i]] | some i, name in backups.primary_name} with input as fx.doc(services)
}

test_backup_by_name if {
	_backups([
		fx.service("timescaledb", "timescale/timescaledb", 2, []),
		fx.service("timescaledb-backup", "timescale/timescaledb", 6, []),
		fx.service("timescaledb_replica", "timescale/timescaledb", 10, []),
		fx.service("redis-standby", "redis:7", 14, []),
	]) == {
		"timescaledb-backup": ["timescaledb", 1],
		"timescaledb_replica": ["timescaledb", 2],
	}
}

test_backup_by_name_of_a_primary_with_several_words if {
	_backups([
		fx.service("orders_db", "postgres:16", 2, []),
		fx.service("orders-db-backup", "postgres:16", 6, []),
	]) == {"orders-db-backup": ["orders_db", 1]}
}

test_backup_with_an_explicit_number if {
	_backups([
		fx.service("timescaledb", "timescale/timescaledb", 2, []),
		fx.service("timescaledb-backup-2", "timescale/timescaledb", 6, []),
		fx.service("timescaledb-backup", "timescale/timescaledb", 10, []),
	]) == {
		"timescaledb-backup-2": ["timescaledb", 2],
		"timescaledb-backup": ["timescaledb", 1],
	}
}

test_backup_by_label_and_x_portguard if {
	_backups([
		fx.service("main", "postgres:16", 2, []),
		fx.labeled(fx.service("standby-one", "postgres:16", 6, []), {"portguard.backup-of": "main"}),
		fx.with_x(fx.service("copy", "postgres:16", 10, []), {"backup_of": "main"}),
	]) == {
		"standby-one": ["main", 2],
		"copy": ["main", 1],
	}
}
