package portguard.test.lib.fix

import data.portguard.lib.finding
import data.portguard.lib.fix
import data.portguard.lib.ports
import data.portguard.test.fixtures as fx

# _fix is the fix that puts the mapping of service name on its target.
_fix(d, name) := f if {
	f := [fix.to_target(p) | some p in ports.mappings; p.service == name][0] with input as d
}

test_mapping_is_rewritten_and_documented_when_it_moves if {
	p := fx.literal(8, 5432, 5432)
	_fix(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), "postgres") == fx.fix(
		[fx.edit(p, "${POSTGRES_PORT:-7000}:5432", 7000)],
		[fx.set_env("POSTGRES_PORT", "7000")],
		[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
	)
}

# A mapping already written as the convention writes it needs no edit, and
# a .env that holds the port needs no change.
test_nothing_to_change_gives_empty_lists if {
	p := fx.var(8, "POSTGRES_PORT", "7000", fx.env("7000", 1), 5432)
	_fix(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), "postgres") == fx.fix([], [], [])
}

# The long syntax edits the published value alone.
test_long_syntax_edits_the_published_value if {
	p := object.union(fx.literal(9, 5432, 5432), {"syntax": "long", "raw": "5432", "column": 20, "end_column": 24})
	_fix(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), "postgres") == fx.fix(
		[fx.edit(p, "${POSTGRES_PORT:-7000}", 7000)],
		[fx.set_env("POSTGRES_PORT", "7000")],
		[fx.add_row(7000, "postgres", "POSTGRES_PORT", "database", 5432)],
	)
}

# A variable host IP would be lost in the rewrite: no machine fix.
test_mapping_with_another_variable_has_no_fix if {
	p := object.union(fx.var(8, "PG_PORT", "5432", fx.unset, 5432), {"raw": "${BIND:-127.0.0.1}:${PG_PORT:-5432}:5432", "host_ip": "127.0.0.1"})
	_fix(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), "postgres") == fix.none("the mapping holds another variable, which a rewrite would lose")
}

# Ranges of container ports cannot be written as one mapping.
test_container_port_range_has_no_fix if {
	p := object.union(fx.literal_range(8, 7000, 7001, 5432), {"raw": "7000-7001:5432-5433", "target_range": [5432, 5433]})
	_fix(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), "postgres") == fix.none("the mapping publishes the range of container ports 5432-5433, which moves as a whole: rewrite it by hand")
}

# Two services that must move get distinct ports, in document order.
test_competing_movers_get_distinct_ports if {
	a := fx.literal(8, 5432, 5432)
	b := fx.literal(12, 6379, 6379)
	d := fx.doc([
		fx.service("postgres", "postgres:16", 5, [a]),
		fx.service("redis", "redis:7", 9, [b]),
	])
	{x.edits[0].port | some name in ["postgres", "redis"]; x := _fix(d, name)} == {7000, 7001}
}

# The hand-written row of the old port moves with the mapping; the row the
# docs command generated does not (portguard docs rewrites it).
test_row_of_the_old_port_moves if {
	b := fx.var(12, "TIMESCALEDB_BACKUP_PORT", "7005", fx.env("7005", 2), 5432)
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.var(8, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)]),
			fx.service("timescaledb-backup", "timescale/timescaledb", 9, [b]),
		]),
		[fx.row(7000, "timescaledb", 20), fx.row(7005, "timescaledb-backup", 21)],
	)
	_fix(d, "timescaledb-backup").rows == [fx.move_row(fx.add_row(7001, "timescaledb-backup", "TIMESCALEDB_BACKUP_PORT", "database", 5432), 21, 7005)]
}

test_generated_row_does_not_move if {
	b := fx.var(12, "TIMESCALEDB_BACKUP_PORT", "7005", fx.env("7005", 2), 5432)
	d := fx.with_rows(
		fx.doc([
			fx.service("timescaledb", "timescale/timescaledb", 5, [fx.var(8, "TIMESCALEDB_PORT", "7000", fx.env("7000", 1), 5432)]),
			fx.service("timescaledb-backup", "timescale/timescaledb", 9, [b]),
		]),
		[fx.row(7000, "timescaledb", 20), object.union(fx.row(7005, "timescaledb-backup", 30), {"generated": true})],
	)
	_fix(d, "timescaledb-backup").rows == [fx.add_row(7001, "timescaledb-backup", "TIMESCALEDB_BACKUP_PORT", "database", 5432)]
}

# The .env that was read takes the variables; without one, the configured.
test_env_file_is_the_one_read if {
	d := fx.doc([])
	fix.env_file == ".env" with input as d
	fix.env_file == ".env.example" with input as fx.with_env_example(d)
	fix.env_file == ".env" with input as fx.without_env(d)
}

# A null fix is left out of the finding; a fix that does not exist for a
# reason becomes no_fix.
test_finding_without_fix if {
	chain := [{"annotations": {"custom": {"id": "DBP999", "severity": "error"}}}]
	f := finding.new(chain, {"message": "m", "fix": null})
	not "fix" in object.keys(f)
	not "no_fix" in object.keys(f)
	g := finding.new(chain, {"message": "m", "fix": fx.fix([], [], [])})
	g.fix == fx.fix([], [], [])
	h := finding.new(chain, {"message": "m", "fix": fix.none("why")})
	not "fix" in object.keys(h)
	h.no_fix == "why"
}

# Variants of one service that classify differently want different ports
# for the variable they share: neither gets a machine fix.
test_contested_variable_has_no_fix if {
	db := fx.var(8, "CACHE_PORT", "6379", fx.unset, 6379)
	ui := object.union(fx.var(8, "CACHE_PORT", "8081", fx.unset, 6379), {"file": "docker-compose.tools.yml"})
	d := fx.doc([
		fx.service("cache", "redis:7", 5, [db]),
		fx.in_file(fx.labeled(fx.service("cache", "redis:7", 5, [ui]), {"portguard.category": "ui"}), "docker-compose.tools.yml"),
	])
	fix.contested == {"CACHE_PORT"} with input as d
	why := fix.none("its variable CACHE_PORT is shared by mappings that need different ports")
	[f | some p in ports.mappings; f := fix.to_target(p)] == [why, why] with input as d
}
