package portguard.test.rules.exceptions.expired_exception

import data.portguard.rules.exceptions.expired_exception.notice
import data.portguard.test.fixtures as fx
import data.portguard.test.lib.suppressions as j

_suggestion := "fix what it covered, or give it a later expires: date"

test_fail_exception_expired if {
	excs := [j.exception("DBP102", "web", "", "legacy proxy", "2026-05-31", 3)]
	r := notice with input as j.judge([j.finding("DBP102", "docker-compose.yml", 12, "web")], {"config": {"file": ".portguard.yaml", "exceptions": excs}}, null)
	r == {fx.finding(
		"DBP003", "note", fx.loc(".portguard.yaml", 3, 1, 1), "web",
		"the exception for DBP102 on web expired on 2026-05-31",
		_suggestion, [],
	)}
}

test_fail_x_portguard_expired if {
	doc := {"services": [j.svc("web", 10, {"ignore": ["DBP102", "DBP501"], "reason": "legacy", "expires": "2025-12-31"})]}
	r := notice with input as j.judge([], doc, null)
	r == {fx.finding(
		"DBP003", "note", fx.loc("docker-compose.yml", 10, 1, 1), "web",
		"x-portguard of web, which ignores DBP102, DBP501, expired on 2025-12-31",
		_suggestion, [],
	)}
}

# Today is not past the date; an invalid date is DBP001's finding.
test_success_not_expired_or_invalid if {
	excs := [
		j.exception("DBP102", "web", "", "legacy proxy", "2026-06-01", 3),
		j.exception("DBP102", "web", "", "bad", "2026-02-30", 7),
	]
	r := notice with input as j.judge([], {"config": {"file": ".portguard.yaml", "exceptions": excs}}, null)
	r == set()
}
