package portguard.test.lib.suppressions

import data.portguard.lib.suppressions

# A judge input: findings (with fingerprints) and the facts that suppress
# them, over two services of one project. The tests of DBP002-DBP004 use
# these helpers too.
svc(name, line, x) := {
	"name": name, "file": "docker-compose.yml", "line": line, "project_file": "docker-compose.yml",
	"x_portguard": x, "labels": {}, "ports": [{"file": "docker-compose.yml"}],
}

doc_base := {
	"config": {"file": ".portguard.yaml", "exceptions": []},
	"files": [{"path": "docker-compose.yml"}],
	"services": [svc("redis", 2, {}), svc("web", 10, {})],
	"volumes": [],
	"env": {"file": ".env"},
	"conventions": {"file": "PORTS-CONVENTION.md"},
	"ignores": [],
}

finding(rule, file, line, service) := {
	"rule_id": rule, "file": file, "line": line, "service": service,
	"fingerprint": sprintf("%s-%s:1", [rule, service]), "related": [],
}

rules := ["DBP101", "DBP102", "DBP201", "DBP204", "DBP501", "DBP601"]

judge(findings, doc, baseline) := {"today": "2026-06-01", "rules": rules, "findings": findings, "baseline": baseline, "document": object.union(doc_base, doc)}

exception(rule, service, file, reason, expires, line) := {"rule": rule, "service": service, "file": file, "reason": reason, "expires": expires, "line": line}

ignore(rules, reason, line, target_line, target, service) := {
	"file": "docker-compose.yml", "line": line, "column": 9, "rules": rules, "reason": reason,
	"target_line": target_line, "target": target, "service": service,
}

test_exception_suppresses_its_rule_and_service_only if {
	fs := [finding("DBP102", "docker-compose.yml", 12, "web"), finding("DBP501", "docker-compose.yml", 12, "web"), finding("DBP102", "docker-compose.yml", 4, "redis")]
	d := suppressions.decisions with input as judge(fs, {"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP102", "web", "", "legacy proxy", "", 3)]}}, null)
	d == [[0, {"kind": "exception", "reason": "legacy proxy", "file": ".portguard.yaml", "line": 3}]]
}

test_exception_file_glob if {
	fs := [finding("DBP102", "apps/a/docker-compose.yml", 5, "web"), finding("DBP102", "docker-compose.yml", 12, "web")]
	d := suppressions.decisions with input as judge(fs, {"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP102", "", "apps/*/docker-compose.yml", "apps move later", "", 3)]}}, null)
	d == [[0, {"kind": "exception", "reason": "apps move later", "file": ".portguard.yaml", "line": 3}]]
}

# Expired exceptions and invalid ones (a date that is no date) do not apply.
test_expired_or_invalid_exception_does_not_apply if {
	fs := [finding("DBP102", "docker-compose.yml", 12, "web")]
	excs := [exception("DBP102", "web", "", "old", "2026-05-31", 3), exception("DBP102", "web", "", "bad date", "2026-13-45", 8), exception("DBP102", "web", "", "", "", 12)]
	d := suppressions.decisions with input as judge(fs, {"config": {"file": ".portguard.yaml", "exceptions": excs}}, null)
	d == []
	suppressions.expired_exceptions == {excs[0]} with input as judge(fs, {"config": {"file": ".portguard.yaml", "exceptions": excs}}, null)
}

test_exception_expiring_today_still_applies if {
	fs := [finding("DBP102", "docker-compose.yml", 12, "web")]
	d := suppressions.decisions with input as judge(fs, {"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP102", "web", "", "until today", "2026-06-01", 3)]}}, null)
	d == [[0, {"kind": "exception", "reason": "until today", "file": ".portguard.yaml", "line": 3}]]
}

# An x-portguard block or an exception whose date is written YYYY-MM-DD
# but is no date suppresses nothing, and is neither expired (DBP003) nor
# unused (DBP002): DBP001 alone reports it.
test_impossible_expiry_date_does_not_apply if {
	fs := [finding("DBP102", "docker-compose.yml", 12, "web"), finding("DBP201", "docker-compose.yml", 4, "redis")]
	doc := {
		"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP201", "redis", "", "replaced next month", "2026-13-45", 3)]},
		"services": [svc("redis", 2, {}), svc("web", 10, {"ignore": ["DBP102"], "reason": "legacy", "expires": "2026-02-30"})],
	}
	j := judge(fs, doc, null)
	suppressions.decisions == [] with input as j
	suppressions.expired_exceptions == set() with input as j
	suppressions.expired_x == set() with input as j
	suppressions.unused_exceptions == set() with input as j
	suppressions.unused_x_ignores == set() with input as j
}

# The judge's today is its input: the same exception applies up to its
# date and not a day later.
test_today_is_the_input if {
	fs := [finding("DBP102", "docker-compose.yml", 12, "web")]
	doc := {"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP102", "web", "", "until June", "2026-06-30", 3)]}}
	suppressions.decisions == [[0, {"kind": "exception", "reason": "until June", "file": ".portguard.yaml", "line": 3}]] with input as object.union(judge(fs, doc, null), {"today": "2026-06-30"})
	suppressions.decisions == [] with input as object.union(judge(fs, doc, null), {"today": "2026-07-01"})
	suppressions.expired_exceptions == {doc.config.exceptions[0]} with input as object.union(judge(fs, doc, null), {"today": "2026-07-01"})
}

test_x_portguard_covers_its_service_and_the_env_line if {
	fs := [finding("DBP204", ".env", 3, "web"), finding("DBP102", "docker-compose.yml", 12, "web"), finding("DBP102", "other/docker-compose.yml", 12, "web")]
	doc := {"services": [svc("redis", 2, {}), svc("web", 10, {"ignore": ["DBP204", "DBP102"], "reason": "legacy"})]}
	d := suppressions.decisions with input as judge(fs, doc, null)
	d == [
		[0, {"kind": "x-portguard", "reason": "legacy", "file": "docker-compose.yml", "line": 10}],
		[1, {"kind": "x-portguard", "reason": "legacy", "file": "docker-compose.yml", "line": 10}],
	]
}

test_inline_at_the_mapping_and_its_env_line if {
	env := object.union(finding("DBP204", ".env", 3, "redis"), {"related": [{"file": "docker-compose.yml", "line": 5, "message": "mapping"}]})
	fs := [finding("DBP201", "docker-compose.yml", 5, "redis"), env, finding("DBP201", "docker-compose.yml", 6, "redis"), finding("DBP501", "docker-compose.yml", 5, "redis")]
	doc := {"ignores": [ignore(["DBP201", "DBP204"], "vendor chart", 4, 5, "port", "redis")]}
	d := suppressions.decisions with input as judge(fs, doc, null)
	d == [
		[0, {"kind": "inline", "reason": "vendor chart", "file": "docker-compose.yml", "line": 4}],
		[1, {"kind": "inline", "reason": "vendor chart", "file": "docker-compose.yml", "line": 4}],
	]
}

test_inline_on_a_service_key_covers_the_service if {
	fs := [finding("DBP601", "docker-compose.yml", 2, "redis"), finding("DBP101", "docker-compose.yml", 5, "redis"), finding("DBP101", "docker-compose.yml", 12, "web")]
	doc := {"ignores": [ignore(["DBP101"], "moves in Q3", 1, 2, "service", "redis")]}
	d := suppressions.decisions with input as judge(fs, doc, null)
	d == [[1, {"kind": "inline", "reason": "moves in Q3", "file": "docker-compose.yml", "line": 1}]]
}

# A comment without a reason suppresses nothing (DBP001 reports it).
test_inline_without_reason_does_not_apply if {
	fs := [finding("DBP201", "docker-compose.yml", 5, "redis")]
	d := suppressions.decisions with input as judge(fs, {"ignores": [ignore(["DBP201"], "", 4, 5, "port", "redis")]}, null)
	d == []
}

test_baseline_matches_by_fingerprint_never_by_line if {
	fs := [finding("DBP201", "docker-compose.yml", 40, "redis"), finding("DBP201", "docker-compose.yml", 41, "web")]
	entry := {"rule_id": "DBP201", "file": "docker-compose.yml", "service": "redis", "fingerprint": "DBP201-redis:1", "message": "m", "line": 3}
	stale := {"rule_id": "DBP101", "file": "docker-compose.yml", "service": "redis", "fingerprint": "gone:1", "message": "m", "line": 4}
	j := judge(fs, {}, {"file": ".portguard-baseline.json", "entries": [entry, stale]})
	d := suppressions.decisions with input as j
	d == [[0, {"kind": "baseline", "reason": "recorded in the baseline", "file": ".portguard-baseline.json", "line": 3}]]
	suppressions.stale_baseline == {stale} with input as j
}

# The suppression closest to the finding wins: a comment over x-portguard
# over an exception over the baseline.
test_closest_suppression_wins if {
	fs := [finding("DBP201", "docker-compose.yml", 5, "redis")]
	doc := {
		"config": {"file": ".portguard.yaml", "exceptions": [exception("DBP201", "redis", "", "exception", "", 3)]},
		"ignores": [ignore(["DBP201"], "comment", 4, 5, "port", "redis")],
		"services": [svc("redis", 2, {"ignore": ["DBP201"], "reason": "x"}), svc("web", 10, {})],
	}
	entry := {"rule_id": "DBP201", "file": "docker-compose.yml", "service": "redis", "fingerprint": "DBP201-redis:1", "message": "m", "line": 3}
	d := suppressions.decisions with input as judge(fs, doc, {"file": "b.json", "entries": [entry]})
	d == [[0, {"kind": "inline", "reason": "comment", "file": "docker-compose.yml", "line": 4}]]
}

test_valid_date if {
	suppressions.valid_date("2026-02-28")
	not suppressions.valid_date("2026-02-30")
	not suppressions.valid_date("2026-13-45")
	not suppressions.valid_date("2026-1-5")
	not suppressions.valid_date(20260101)
}

# An ephemeral database with a reason opts out of the data rules, at the
# service and at its top-level volume (in another file of its project);
# without a reason, or declared false, it does not.
test_ephemeral_database_opts_out_of_the_data_rules if {
	fs := [
		finding("DBP601", "docker-compose.yml", 3, "cache"),
		finding("DBP603", "volumes.yml", 20, "cache"),
		finding("DBP101", "docker-compose.yml", 4, "cache"),
		finding("DBP601", "docker-compose.yml", 13, "testdb"),
		finding("DBP601", "docker-compose.yml", 23, "nodb"),
		finding("DBP601", "docker-compose.yml", 33, "keep"),
	]
	doc := {
		"services": [
			svc("cache", 2, {"ephemeral": true, "reason": "a cache"}),
			object.union(svc("testdb", 12, {}), {"labels": {"portguard.ephemeral": "test stack"}}),
			svc("nodb", 22, {"ephemeral": true}),
			object.union(svc("keep", 32, {}), {"labels": {"portguard.ephemeral": "false"}}),
		],
		"volumes": [{"file": "volumes.yml", "project_file": "docker-compose.yml"}],
	}
	d := suppressions.decisions with input as judge(fs, doc, null)
	d == [
		[0, {"kind": "ephemeral", "reason": "ephemeral: a cache", "file": "docker-compose.yml", "line": 2}],
		[1, {"kind": "ephemeral", "reason": "ephemeral: a cache", "file": "docker-compose.yml", "line": 2}],
		[3, {"kind": "ephemeral", "reason": "ephemeral: test stack", "file": "docker-compose.yml", "line": 12}],
	]
}
