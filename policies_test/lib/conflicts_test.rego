package portguard.test.lib.conflicts

import data.portguard.lib.conflicts
import data.portguard.lib.ports
import data.portguard.test.fixtures as fx

# _conflicts lists the pairs of services whose mappings on one port
# conflict, by name.
_conflicts(d) := c if {
	c := {[a.service, b.service] |
		some a in ports.mappings
		some b in ports.mappings
		a.effective == b.effective
		a.svc < b.svc
		conflicts.conflict(a, b)
	} with input as d
}

_pg := fx.service("postgres", "postgres:16", 2, [fx.literal(5, 7000, 5432)])

_mysql := fx.service("mysql", "mysql:8", 6, [fx.literal(9, 7000, 3306)])

_redis := fx.service("redis", "redis:7", 10, [fx.literal(13, 7000, 6379)])

test_services_without_profiles_conflict if {
	_conflicts(fx.doc([_pg, _mysql])) == {["postgres", "mysql"]}
}

# Disjoint profiles are alternatives: docker compose starts one or the
# other. A service without profiles runs with every profile.
test_disjoint_profiles_are_alternatives if {
	d := fx.doc([fx.in_profiles(_pg, ["pg"]), fx.in_profiles(_mysql, ["mysql"]), _redis])
	_conflicts(d) == {["postgres", "redis"], ["mysql", "redis"]}
}

test_a_shared_profile_runs_together if {
	d := fx.doc([fx.in_profiles(_pg, ["pg", "all"]), fx.in_profiles(_mysql, ["all"])])
	_conflicts(d) == {["postgres", "mysql"]}
}

# With --profile, the document holds the enabled services, which run
# together whatever their profiles.
test_enabled_profiles_run_together if {
	d := fx.with_profiles(fx.doc([fx.in_profiles(_pg, ["pg"]), fx.in_profiles(_mysql, ["mysql"])]), ["pg", "mysql"])
	_conflicts(d) == {["postgres", "mysql"]}
}

# conflict_scope: project gives each project a host of its own.
test_project_scope if {
	d := fx.doc([_pg, fx.in_project(_mysql, "other/compose.yaml"), _redis])
	_conflicts(d) == {["postgres", "mysql"], ["postgres", "redis"], ["mysql", "redis"]}
	_conflicts(fx.with_config(d, {"conflict_scope": "project"})) == {["postgres", "redis"]}
}

# The later service loses a port to an earlier one it runs with.
test_loses_conflict_only_to_a_service_it_runs_with if {
	d := fx.doc([fx.in_profiles(_pg, ["pg"]), fx.in_profiles(_mysql, ["mysql"]), _redis])
	{p.service | some p in ports.mappings; conflicts.loses_conflict(p)} == {"redis"} with input as d
}

test_held_by_other if {
	d := fx.doc([_pg, fx.service("redis", "redis:7", 10, [fx.literal_range(13, 7005, 7010, 6379)])])
	p := ports.mappings[0] with input as d
	conflicts.held_by_other(p, 7007) with input as d
	not conflicts.held_by_other(p, 7011) with input as d
	not conflicts.held_by_other(p, 7000) with input as d
}

# after_fix: a plan that moves redis onto the port of postgres and mysql
# (in a profile, which redis runs with), and a mapping whose new default
# and .env value disagree.
test_after_fix if {
	redis := fx.var(13, "REDIS_PORT", "6379", fx.env("6379", 1), 6379)
	d := fx.doc([_pg, fx.service("redis", "redis:7", 10, [redis]), fx.in_profiles(_mysql, ["mysql"])])
	plan := {"edits": [{"file": redis.file, "line": 13, "column": 9, "port": 7000}], "env": {"REDIS_PORT": "7001"}}
	conflicts.after_fix(plan) == [
		"7000/tcp: postgres (docker-compose.yml:5) and redis (docker-compose.yml:13) would both publish it",
		"7000/tcp: redis (docker-compose.yml:13) and mysql (docker-compose.yml:9) would both publish it",
		"docker-compose.yml:13: redis gets the default 7000 and REDIS_PORT=7001",
	] with input as d
}

# An alternative on the new port, a port another mapping leaves, and the
# .env alone moving a mapping.
test_after_fix_clean if {
	redis := fx.var(13, "REDIS_PORT", "7002", fx.env("7002", 1), 6379)
	d := fx.doc([
		fx.in_profiles(_pg, ["pg"]),
		fx.in_profiles(fx.service("redis", "redis:7", 10, [redis]), ["cache"]),
		fx.service("mongo", "mongo:7", 14, [fx.literal(17, 7001, 27017)]),
	])
	plan := {"edits": [{"file": "docker-compose.yml", "line": 17, "column": 9, "port": 7003}], "env": {"REDIS_PORT": "7000"}}
	conflicts.after_fix(plan) == [] with input as d
	conflicts.after_fix({"edits": [], "env": {"REDIS_PORT": "7001"}}) == [
		"7001/tcp: redis (docker-compose.yml:13) and mongo (docker-compose.yml:17) would both publish it",
	] with input as d
}
