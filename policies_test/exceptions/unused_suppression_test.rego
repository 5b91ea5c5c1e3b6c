package portguard.test.rules.exceptions.unused_suppression

import data.portguard.rules.exceptions.unused_suppression.notice
import data.portguard.test.fixtures as fx
import data.portguard.test.lib.suppressions as j

_at(file, line) := fx.loc(file, line, 1, 1)

test_fail_exception_that_matches_nothing if {
	excs := [j.exception("DBP102", "web", "", "legacy proxy", "", 3), j.exception("DBP501", "", "", "table later", "", 7)]
	r := notice with input as j.judge([j.finding("DBP501", "docker-compose.yml", 12, "web")], {"config": {"file": ".portguard.yaml", "exceptions": excs}}, null)
	r == {fx.finding(
		"DBP002", "warning", _at(".portguard.yaml", 3), "web",
		"the exception for DBP102 on web matches no finding",
		"remove it from .portguard.yaml", [],
	)}
}

test_fail_x_portguard_rule_that_matches_nothing if {
	doc := {"services": [j.svc("redis", 2, {}), j.svc("web", 10, {"ignore": ["DBP102", "DBP501"], "reason": "legacy"})]}
	r := notice with input as j.judge([j.finding("DBP501", "docker-compose.yml", 12, "web")], doc, null)
	r == {fx.finding(
		"DBP002", "warning", _at("docker-compose.yml", 10), "web",
		"x-portguard of web ignores DBP102, which matches no finding of web",
		"remove DBP102 from the ignore list of web", [],
	)}
}

test_fail_inline_ignore_that_matches_nothing if {
	doc := {"ignores": [
		j.ignore(["DBP201", "DBP501"], "vendor chart", 4, 5, "port", "redis"),
		j.ignore(["DBP601"], "tmpfs on purpose", 8, 9, "", ""),
	]}
	r := notice with input as j.judge([j.finding("DBP201", "docker-compose.yml", 5, "redis")], doc, null)
	r == {
		fx.finding(
			"DBP002", "warning", fx.loc("docker-compose.yml", 4, 9, 9), "redis",
			"portguard:ignore DBP501 matches no finding of the port mapping on line 5",
			"remove the comment, or put it on or just above the line of the finding it is for", [],
		),
		fx.finding(
			"DBP002", "warning", fx.loc("docker-compose.yml", 8, 9, 9), "",
			"portguard:ignore DBP601 annotates no port mapping, service, volume or table row",
			"remove the comment, or put it on or just above the line of the finding it is for", [],
		),
	}
}

# An id no rule has is an input error, not also an unused suppression.
test_success_unknown_rule_ids if {
	doc := {
		"config": {"file": ".portguard.yaml", "exceptions": [j.exception("DBP1O2", "web", "", "typo", "", 3)]},
		"ignores": [j.ignore(["DBP2O1"], "typo", 4, 5, "port", "redis")],
	}
	r := notice with input as j.judge([], doc, null)
	r == set()
}

test_success_every_suppression_used if {
	doc := {
		"config": {"file": ".portguard.yaml", "exceptions": [j.exception("DBP102", "web", "", "legacy proxy", "", 3)]},
		"ignores": [j.ignore(["DBP201"], "vendor chart", 4, 5, "port", "redis")],
	}
	fs := [j.finding("DBP201", "docker-compose.yml", 5, "redis"), j.finding("DBP102", "docker-compose.yml", 12, "web")]
	r := notice with input as j.judge(fs, doc, null)
	r == set()
}
