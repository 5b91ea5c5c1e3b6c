package portguard.test.lib.table

import data.portguard.lib.table
import data.portguard.test.fixtures as fx

test_rows_sorted_by_port_with_files_of_every_variant if {
	pg := fx.var(8, "POSTGRES_PORT", "7001", fx.env("7001", 1), 5432)
	prod := object.union(fx.var(20, "POSTGRES_PORT", "7001", fx.env("7001", 1), 5432), {"file": "docker-compose.prod.yml"})
	d := fx.doc([
		fx.service("postgres", "postgres:16", 5, [pg]),
		fx.service("pgadmin", "dpage/pgadmin4", 9, [fx.literal(12, 7100, 80)]),
		fx.service("redis", "redis:7", 13, [fx.literal_range(16, 6999, 7000, 6379)]),
		fx.service("web", "nginx", 17, [fx.literal(18, 8080, 80)]),
		fx.in_file(fx.service("postgres", "postgres:16", 18, [prod]), "docker-compose.prod.yml"),
	])
	rows := table.rows with input as d
	[[r.port, r.service, r.variable, r.category, r.internal_port, r.files] | some r in rows] == [
		[7000, "redis", "", "database", 6379, ["docker-compose.yml"]],
		[7001, "postgres", "POSTGRES_PORT", "database", 5432, ["docker-compose.prod.yml", "docker-compose.yml"]],
		[7100, "pgadmin", "", "ui", 80, ["docker-compose.yml"]],
	]
	rows[1].at == [
		{"file": "docker-compose.prod.yml", "line": 20, "column": 9},
		{"file": "docker-compose.yml", "line": 8, "column": 9},
	]
}

test_no_rows if {
	table.rows == [] with input as fx.doc([fx.service("web", "nginx", 5, [fx.literal(8, 8080, 80)])])
}
