package portguard.test.rules.exceptions.invalid_exception

import data.portguard.rules.exceptions.invalid_exception.report
import data.portguard.test.fixtures as fx

_suggestion := "add reason: (why the finding is accepted) and, if temporary, expires: YYYY-MM-DD"

_x_suggestion := "add reason: (why the findings are accepted) next to ignore: in x-portguard"

_exception(rule, service, reason, expires, line) := {"rule": rule, "service": service, "file": "", "reason": reason, "expires": expires, "line": line}

_with_exceptions(exceptions) := fx.with_config(fx.doc([]), {"file": ".portguard.yaml", "exceptions": exceptions})

test_fail_exception_without_reason if {
	r := report with input as _with_exceptions([_exception("DBP102", "web", "", "", 4)])
	r == {fx.finding(
		"DBP001", "error", fx.loc(".portguard.yaml", 4, 1, 1), "web",
		"the exception for DBP102 on web has no reason and does not apply",
		_suggestion, [],
	)}
}

test_fail_exception_with_a_malformed_expiry if {
	r := report with input as _with_exceptions([_exception("DBP301", "", "legacy backup", "next week", 9)])
	r == {fx.finding(
		"DBP001", "error", fx.loc(".portguard.yaml", 9, 1, 1), "",
		`the exception for DBP301 has the expiry date "next week", which is not a date written YYYY-MM-DD, and does not apply`,
		_suggestion, [],
	)}
}

test_fail_x_portguard_ignore_without_reason if {
	svc := fx.with_x(fx.service("web", "nginx", 5, []), {"ignore": ["DBP102", "DBP501"]})
	r := report with input as fx.doc([svc])
	r == {fx.finding(
		"DBP001", "error", fx.at(svc), "web",
		"x-portguard of web, which ignores DBP102, DBP501, has no reason and does not apply",
		_x_suggestion, [],
	)}
}

# x-portguard is free YAML: a reason that is not text is no reason.
test_fail_x_portguard_reason_that_is_not_text if {
	svc := fx.with_x(fx.service("web", "nginx", 5, []), {"ignore": ["DBP102"], "reason": true})
	r := report with input as fx.doc([svc])
	r == {fx.finding(
		"DBP001", "error", fx.at(svc), "web",
		"x-portguard of web, which ignores DBP102, has no reason and does not apply",
		_x_suggestion, [],
	)}
}

# Written YYYY-MM-DD, but February has no 30th.
test_fail_x_portguard_impossible_expiry if {
	svc := fx.with_x(fx.service("web", "nginx", 5, []), {"ignore": ["DBP102"], "reason": "proxy", "expires": "2026-02-30"})
	r := report with input as fx.doc([svc])
	r == {fx.finding(
		"DBP001", "error", fx.at(svc), "web",
		`x-portguard of web, which ignores DBP102, has the expiry date "2026-02-30", which is not a date written YYYY-MM-DD, and does not apply`,
		_x_suggestion, [],
	)}
}

test_fail_x_portguard_malformed_expiry if {
	svc := fx.with_x(fx.service("web", "nginx", 5, []), {"ignore": ["DBP102"], "reason": "proxy", "expires": "2026/01/01"})
	r := report with input as fx.doc([svc])
	r == {fx.finding(
		"DBP001", "error", fx.at(svc), "web",
		`x-portguard of web, which ignores DBP102, has the expiry date "2026/01/01", which is not a date written YYYY-MM-DD, and does not apply`,
		_x_suggestion, [],
	)}
}

# The shape of a date is not enough: month 13 and day 45 exist nowhere.
test_fail_exception_with_an_impossible_date if {
	r := report with input as _with_exceptions([_exception("DBP301", "", "legacy backup", "2026-13-45", 9)])
	r == {fx.finding(
		"DBP001", "error", fx.loc(".portguard.yaml", 9, 1, 1), "",
		`the exception for DBP301 has the expiry date "2026-13-45", which is not a date written YYYY-MM-DD, and does not apply`,
		_suggestion, [],
	)}
}

_ignore(rules, reason) := {
	"file": "docker-compose.yml", "line": 7, "column": 20, "rules": rules, "reason": reason,
	"target_line": 7, "target": "port", "service": "redis",
}

_ignore_suggestion := "write # portguard:ignore DBP201 -- why the finding is accepted"

test_fail_inline_ignore_without_reason if {
	r := report with input as object.union(fx.doc([]), {"ignores": [_ignore(["DBP201", "DBP501"], "")]})
	r == {fx.finding(
		"DBP001", "error", fx.loc("docker-compose.yml", 7, 20, 20), "redis",
		`portguard:ignore DBP201, DBP501 has no reason after " -- " and does not apply`,
		_ignore_suggestion, [],
	)}
}

test_fail_inline_ignore_without_rule if {
	r := report with input as object.union(fx.doc([]), {"ignores": [_ignore([], "legacy")]})
	r == {fx.finding(
		"DBP001", "error", fx.loc("docker-compose.yml", 7, 20, 20), "redis",
		"portguard:ignore names no rule and does not apply",
		_ignore_suggestion, [],
	)}
}

test_success_inline_ignore_with_rule_and_reason if {
	r := report with input as object.union(fx.doc([]), {"ignores": [_ignore(["DBP201"], "the vendor's chart")]})
	r == set()
}

test_success_exceptions_with_reasons if {
	d := fx.with_config(
		fx.doc([
			fx.with_x(fx.service("web", "nginx", 5, []), {"ignore": ["DBP102"], "reason": "the legacy proxy", "expires": "2027-01-31"}),
			fx.with_x(fx.service("api", "acme/api", 9, []), {"category": "ui"}),
		]),
		{"file": ".portguard.yaml", "exceptions": [
			_exception("DBP102", "web", "the legacy proxy", "", 4),
			_exception("DBP301", "", "migrating", "2027-01-31", 8),
		]},
	)
	r := report with input as d
	r == set()
}

# An ephemeral database opts out of the data rules: it must say why.
test_fail_ephemeral_without_reason if {
	x := fx.with_x(fx.service("cache", "redis:7", 5, []), {"ephemeral": true})
	label := fx.labeled(fx.service("testdb", "postgres:16", 9, []), {"portguard.ephemeral": "true"})
	r := report with input as fx.doc([x, label])
	r == {
		fx.finding(
			"DBP001", "error", fx.at(x), "cache",
			"x-portguard of cache marks it ephemeral, has no reason and does not apply",
			"add reason: (why its data may be lost: a cache, a test stack) next to ephemeral: in x-portguard", [],
		),
		fx.finding(
			"DBP001", "error", fx.at(label), "testdb",
			`the label portguard.ephemeral of testdb is "true", which gives no reason, and does not apply`,
			`write the reason as the label's value: portguard.ephemeral: "test database, recreated on every run"`, [],
		),
	}
}

test_success_ephemeral_with_reason if {
	r := report with input as fx.doc([
		fx.with_x(fx.service("cache", "redis:7", 5, []), {"ephemeral": true, "reason": "a cache, rebuilt on start"}),
		fx.with_x(fx.service("queue", "redis:7", 7, []), {"ephemeral": "yes", "reason": "jobs are replayed"}),
		fx.labeled(fx.service("testdb", "postgres:16", 9, []), {"portguard.ephemeral": "test database, recreated on every run"}),
		fx.labeled(fx.service("db", "postgres:16", 13, []), {"portguard.ephemeral": "false"}),
		fx.with_x(fx.service("other", "postgres:16", 17, []), {"ephemeral": false}),
	])
	r == set()
}
