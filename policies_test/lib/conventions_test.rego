package portguard.test.lib.conventions

import data.portguard.lib.conventions
import data.portguard.test.fixtures as fx

# A row names a service when every word of the row's name matches a word of
# the service's name or container_name, tolerantly.
test_names_match_tolerantly if {
	conventions.names_match(["timescaledb", "backup"], ["timescaledb", "backup"])
	conventions.names_match(["redis"], ["redis", "cache"])
	conventions.names_match(["postgresql", "langgraph"], ["postgress", "langgraph"])
	conventions.names_match(["postgresql", "langgraph"], ["data", "postgres", "langgraph"])
	conventions.names_match(["mongo"], ["mongodb"])
	conventions.names_match(["timescale"], ["data", "timescaledb"])
}

test_names_do_not_match_loosely if {
	not conventions.names_match(["ghost", "cache"], ["cache"])
	not conventions.names_match(["timescaledb", "backup"], ["timescaledb"])
	not conventions.names_match(["redisinsight"], ["redis"])
	not conventions.names_match([], ["redis"])
}

# Port qualifiers ("QuestDB HTTP", "Qdrant gRPC") are left out of a row's
# name, unless nothing else is left.
test_row_words_drop_port_qualifiers if {
	conventions.row_words({"service": "QuestDB HTTP"}) == ["questdb"]
	conventions.row_words({"service": "Qdrant gRPC"}) == ["qdrant"]
	conventions.row_words({"service": "TimescaleDB Backup"}) == ["timescaledb", "backup"]
	conventions.row_words({"service": "HTTP"}) == ["http"]
}

# named finds the services a row names, by name or container_name, for a
# row of the table and for a row a policy makes up (whose words start like
# no row's: its candidates are not kept).
test_named_for_rows_of_the_table_and_others if {
	d := fx.with_rows(
		fx.doc([
			fx.service("redis-cache", "redis:7", 3, []),
			fx.with_container_name(fx.service("cache", "redis:7", 9, []), "timescale-cache"),
			fx.service("app", "node:20", 15, []),
		]),
		[fx.row(7000, "Redis", 10)],
	)
	conventions.named(fx.row(7000, "Redis", 10)) == {0} with input as d
	conventions.named(fx.row(7001, "TimescaleDB Cache", 11)) == {1} with input as d
	conventions.named(fx.row(7002, "Node", 12)) == set() with input as d
}
