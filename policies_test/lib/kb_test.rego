package portguard.test.lib.kb

import data.portguard.lib.kb
import data.portguard.lib.stack
import data.portguard.test.fixtures as fx

# _classify gives [knowledge-base id, category] of each service of a
# document, by name.
_classify(services) := {svc.name: [object.get(stack.kind, i, ""), stack.category[i]] | some i, svc in services}

_of(services) := r if {
	r := _classify(services) with input as fx.doc(services)
}

# --- Knowledge base ----------------------------------------------------------

test_every_name_and_repo_names_one_entry if {
	names := [n | some e in data.portguard.images; some n in e.names]
	repos := [r | some e in data.portguard.images; some r in e.repos]
	count(names) == count({n | some n in names})
	count(repos) == count({r | some r in repos})
}

test_every_entry_is_complete if {
	every e in data.portguard.images {
		e.category in {"database", "ui", "exporter", "other"}
		is_string(e.family)
		is_string(e.display)
		every n in e.ports {
			is_number(n)
			sprintf("%d", [n]) in object.keys(e.port_names)
		}
	}
}

test_unknown_image_and_name_is_other if {
	_of([fx.service("api", "myorg/api:1.2", 2, [])]) == {"api": ["", "other"]}
}

test_entry_of_unknown_id_is_empty if {
	kb.entry("") == {"category": "other", "family": "", "ports": [], "data_dirs": [], "port_names": {}, "display": ""}
	kb.entry("postgres").family == "postgres"
}

# --- Order: label, x-portguard, .portguard.yaml, image, name ----------------

test_label_wins_over_everything if {
	svc := fx.with_x(fx.labeled(fx.service("postgres", "postgres:16", 2, []), {"portguard.category": "ui"}), {"category": "exporter"})
	d := fx.with_config(fx.doc([svc]), {"categories": {"postgres": "other"}})
	r := _classify([svc]) with input as d
	r == {"postgres": ["postgres", "ui"]}
}

test_x_portguard_wins_over_config_and_image if {
	svc := fx.with_x(fx.service("postgres", "postgres:16", 2, []), {"category": "exporter"})
	d := fx.with_config(fx.doc([svc]), {"categories": {"postgres": "other"}})
	r := _classify([svc]) with input as d
	r == {"postgres": ["postgres", "exporter"]}
}

test_config_category_wins_over_image if {
	svc := fx.service("cache", "redis:7", 2, [])
	d := fx.with_config(fx.doc([svc]), {"categories": {"cache": "other"}})
	r := _classify([svc]) with input as d
	r == {"cache": ["redis", "other"]}
}

test_config_category_names_a_service_the_kb_does_not_know if {
	svc := fx.service("ledger", "myorg/ledger:3", 2, [])
	d := fx.with_config(fx.doc([svc]), {"categories": {"ledger": "database"}})
	r := _classify([svc]) with input as d
	r == {"ledger": ["", "database"]}
}

# --- Image -------------------------------------------------------------------

test_image_repository if {
	_of([
		fx.service("db", "timescale/timescaledb:latest-pg16", 2, []),
		fx.service("metrics", "prometheuscommunity/postgres-exporter:v0.15.0", 6, []),
		fx.service("admin", "docker.io/dpage/pgadmin4@sha256:0123", 10, []),
		fx.service("kv", "docker.io/library/redis:7", 14, []),
	]) == {
		"db": ["timescaledb", "database"],
		"metrics": ["postgres_exporter", "exporter"],
		"admin": ["pgadmin", "ui"],
		"kv": ["redis", "database"],
	}
}

test_image_name_from_another_registry if {
	_of([
		fx.service("db", "registry.example.com:5000/mirror/postgres:16", 2, []),
		fx.service("ui", "ghcr.io/acme/mongo-express:1", 6, []),
	]) == {
		"db": ["postgres", "database"],
		"ui": ["mongo_express", "ui"],
	}
}

test_image_words_from_the_last if {
	_of([
		fx.service("a", "acme/custom-postgres:16", 2, []),
		fx.service("b", "acme/postgres-custom-exporter:1", 6, []),
		fx.service("c", "acme/team-redis-commander:1", 10, []),
	]) == {
		"a": ["postgres", "database"],
		"b": ["exporter", "exporter"],
		"c": ["redis_commander", "ui"],
	}
}

test_image_wins_over_service_name if {
	_of([fx.service("postgres", "redis:7", 2, [])]) == {"postgres": ["redis", "database"]}
}

# --- Service name ------------------------------------------------------------

test_service_name_without_image if {
	_of([
		fx.service("postgres", "", 2, []),
		fx.service("redis_exporter", "", 6, []),
		fx.service("mongo-express", "", 10, []),
	]) == {
		"postgres": ["postgres", "database"],
		"redis_exporter": ["redis_exporter", "exporter"],
		"mongo-express": ["mongo_express", "ui"],
	}
}

test_service_name_with_an_unknown_image if {
	_of([fx.service("pgadmin", "acme/admin-panel:2", 2, [])]) == {"pgadmin": ["pgadmin", "ui"]}
}

test_service_words_from_the_last if {
	_of([
		fx.service("timescaledb-exporter", "", 2, []),
		fx.service("timescaledb-backup", "", 6, []),
		fx.service("Orders_Postgres_Replica", "", 10, []),
	]) == {
		"timescaledb-exporter": ["exporter", "exporter"],
		"timescaledb-backup": ["timescaledb", "database"],
		"Orders_Postgres_Replica": ["postgres", "database"],
	}
}

test_service_words_prefer_the_longest_run_at_the_end if {
	_of([
		fx.service("redis_commander", "", 2, []),
		fx.service("app-redis-commander", "", 6, []),
		fx.service("orders-mongo-express-ui", "", 10, []),
	]) == {
		"redis_commander": ["redis_commander", "ui"],
		"app-redis-commander": ["redis_commander", "ui"],
		"orders-mongo-express-ui": ["mongo_express", "ui"],
	}
}

test_service_words_that_name_nothing_are_other if {
	_of([fx.service("web-frontend", "", 2, [])]) == {"web-frontend": ["", "other"]}
}
