package portguard.test.rules.exceptions.stale_baseline_entry

import data.portguard.rules.exceptions.stale_baseline_entry.notice
import data.portguard.test.fixtures as fx
import data.portguard.test.lib.suppressions as j

_entry(rule, service, fingerprint, line) := {"rule_id": rule, "file": "docker-compose.yml", "service": service, "fingerprint": fingerprint, "message": "m", "line": line}

test_fail_entry_that_matches_nothing if {
	b := {"file": ".portguard-baseline.json", "entries": [_entry("DBP201", "redis", "DBP201-redis:1", 3), _entry("DBP101", "redis", "gone:1", 4)]}
	r := notice with input as j.judge([j.finding("DBP201", "docker-compose.yml", 40, "redis")], {}, b)
	r == {fx.finding(
		"DBP004", "note", fx.loc(".portguard-baseline.json", 4, 1, 1), "redis",
		"the baseline entry for DBP101 on redis in docker-compose.yml matches no finding any more",
		"portguard baseline --update removes it", [],
	)}
}

test_success_every_entry_matches if {
	b := {"file": ".portguard-baseline.json", "entries": [_entry("DBP201", "redis", "DBP201-redis:1", 3)]}
	r := notice with input as j.judge([j.finding("DBP201", "docker-compose.yml", 40, "redis")], {}, b)
	r == set()
}

test_success_no_baseline if {
	r := notice with input as j.judge([j.finding("DBP201", "docker-compose.yml", 40, "redis")], {}, null)
	r == set()
}
