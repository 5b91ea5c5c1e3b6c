package portguard.test.lib.conventions

import data.portguard.lib.conventions

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
