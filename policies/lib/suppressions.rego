# METADATA
# title: suppressions
# description: |
#   Whether an exception, an x-portguard ignore, an ephemeral database, an
#   inline portguard:ignore comment or a baseline entry suppresses a finding
#   is decided here, once,
#   for every command. The functions at the top judge one exception or
#   comment (DBP001 reports the invalid ones); the rules below run after the
#   rules have reported, over the judge input (schema.judge): the findings
#   with their fingerprints, the facts that suppress them, the baseline and
#   today's date. Go only splits the findings by the decisions.
# schemas:
#   - input: schema.judge
package portguard.lib.suppressions

import data.portguard.lib.finding

# --- validity (also read by DBP001 on the input document) ---

# no_reason holds for a reason that is empty or not text (x-portguard can
# hold any YAML value).
no_reason(reason) if reason == ""

no_reason(reason) if not is_string(reason)

# valid_date holds for a real calendar date written YYYY-MM-DD: 2026-13-45
# is not one.
valid_date(d) if {
	is_string(d)
	regex.match(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`, d)
	parts := split(d, "-")
	year := to_number(parts[0])
	month := to_number(parts[1])
	day := to_number(parts[2])
	month >= 1
	month <= 12
	day >= 1
	day <= _days(year, month)
}

# Computed, not parsed: a builtin that fails on a bad date would be an
# error under strict evaluation, not an answer.
_days(_, month) := 31 if month in {1, 3, 5, 7, 8, 10, 12}

_days(_, month) := 30 if month in {4, 6, 9, 11}

_days(year, 2) := 29 if _leap(year)

_days(year, 2) := 28 if not _leap(year)

_leap(year) if {
	year % 4 == 0
	year % 100 != 0
}

_leap(year) if year % 400 == 0

# bad_expiry holds for an expires that is given and is no valid date.
bad_expiry(expires) if {
	expires != ""
	not valid_date(expires)
}

# valid holds for a suppression that has a reason and, if it expires, a
# valid date (expired or not).
valid(reason, expires) if {
	not no_reason(reason)
	not bad_expiry(expires)
}

# expired holds for a valid expiry date before today (YYYY-MM-DD compares
# as text).
expired(expires, today) if {
	valid_date(expires)
	expires < today
}

# --- ephemeral databases (also read by DBP001 on the input document) ---

# ephemeral_rules are the rules an ephemeral database opts out of: those
# about keeping its data.
ephemeral_rules := {"DBP601", "DBP602", "DBP603"}

# declares_ephemeral holds for a service that says its data may be lost (a
# cache, a test stack): x-portguard: {ephemeral: true, reason: ...}, or the
# label portguard.ephemeral whose value is the reason.
declares_ephemeral(s) if _truthy(s.x_portguard.ephemeral)

declares_ephemeral(s) if {
	v := s.labels["portguard.ephemeral"]
	not lower(trim_space(v)) in {"", "false", "no", "0", "off"}
}

# ephemeral_reason is the reason a service gives: x-portguard's reason, or
# the label's value ("" when the label is a bare true).
ephemeral_reason(s) := object.get(s.x_portguard, "reason", "") if _truthy(s.x_portguard.ephemeral)

else := "" if lower(trim_space(s.labels["portguard.ephemeral"])) in {"1", "on", "true", "y", "yes"}

else := trim_space(s.labels["portguard.ephemeral"])

_truthy(true)

_truthy(v) if {
	is_string(v)
	lower(trim_space(v)) in {"true", "yes", "y", "on", "1"}
}

# --- the judge: which findings are suppressed, and by what ---

_doc := input.document

_today := input.today

_compose_files := {f.path | some f in _doc.files}

# The .env line and the table row are outside the compose files; a
# service's suppressions cover its findings there too.
_outside := {f |
	some f in [_doc.env.file, _doc.conventions.file]
	f != ""
	not f in _compose_files
}

_project_files[s.project_file] contains s.file if some s in _doc.services

_project_files[s.project_file] contains p.file if {
	some s in _doc.services
	some p in s.ports
}

_project_files[v.project_file] contains v.file if some v in _doc.volumes

# _of_service holds when finding f is about service s: its name, and a file
# of its project (or the .env or table).
_of_service(f, s) if {
	f.service == s.name
	f.file in _project_files[s.project_file]
}

_of_service(f, s) if {
	f.service == s.name
	f.file in _outside
}

# Config exceptions in force: valid and not expired.
_exceptions := [e |
	some e in _doc.config.exceptions
	valid(e.reason, e.expires)
	not expired(e.expires, _today)
]

_exception_covers(e, f) if {
	e.rule == f.rule_id
	_service_matches(e.service, f.service)
	_file_matches(e.file, f.file)
}

_service_matches("", _)

_service_matches(s, s) if s != ""

_file_matches("", _)

_file_matches(g, file) if {
	g != ""
	glob.match(g, ["/"], file)
}

_file_matches(g, g) if g != ""

# x-portguard ignores in force, by service name.
_x_ignores[s.name] contains s if {
	some s in _doc.services
	is_array(s.x_portguard.ignore)
	valid(object.get(s.x_portguard, "reason", ""), object.get(s.x_portguard, "expires", ""))
	not expired(object.get(s.x_portguard, "expires", ""), _today)
}

# Ephemeral databases with a reason, by service name.
_ephemeral[s.name] contains s if {
	some s in _doc.services
	declares_ephemeral(s)
	not no_reason(ephemeral_reason(s))
}

# Inline comments in force, by the line they annotate, and those on a
# service key by service.
_valid_ignores := [ig |
	some ig in _doc.ignores
	count(ig.rules) > 0
	not no_reason(ig.reason)
]

_ignores_at[[ig.file, ig.target_line]] contains ig if {
	some ig in _valid_ignores
	ig.target in {"port", "volume", "row"}
}

_service_at[[s.file, s.line]] contains s if some s in _doc.services

_service_ignores[ig.service] contains [ig, s] if {
	some ig in _valid_ignores
	ig.target == "service"
	some s in _service_at[[ig.file, ig.target_line]]
}

_baseline_entries := object.get(input, ["baseline", "entries"], [])

_baseline_file := object.get(input, ["baseline", "file"], "")

_key(x) := [x.rule_id, x.file, x.service, x.fingerprint]

_baseline_at[_key(e)] := e.line if some e in _baseline_entries

# _candidates[i] are the suppressions of finding i, as [rank, kind, reason,
# file, line, rule]: the one closest to the finding wins (an inline
# comment, then x-portguard, then an exception, then the baseline).
_candidates[i] contains [1, "inline", ig.reason, ig.file, ig.line, f.rule_id] if {
	some i, f in input.findings
	some ig in _ignores_at[[f.file, f.line]]
	f.rule_id in ig.rules
}

# The .env line or table row a finding about an annotated mapping points
# at (DBP204, DBP206, the .env side of DBP101): the comment at the mapping
# covers it.
_candidates[i] contains [1, "inline", ig.reason, ig.file, ig.line, f.rule_id] if {
	some i, f in input.findings
	not f.file in _compose_files
	some r in f.related
	some ig in _ignores_at[[r.file, r.line]]
	f.rule_id in ig.rules
}

_candidates[i] contains [1, "inline", ig.reason, ig.file, ig.line, f.rule_id] if {
	some i, f in input.findings
	some [ig, s] in _service_ignores[f.service]
	f.rule_id in ig.rules
	_of_service(f, s)
}

_candidates[i] contains [2, "x-portguard", s.x_portguard.reason, s.file, s.line, f.rule_id] if {
	some i, f in input.findings
	some s in _x_ignores[f.service]
	f.rule_id in s.x_portguard.ignore
	_of_service(f, s)
}

_candidates[i] contains [2, "ephemeral", sprintf("ephemeral: %s", [ephemeral_reason(s)]), s.file, s.line, f.rule_id] if {
	some i, f in input.findings
	f.rule_id in ephemeral_rules
	some s in _ephemeral[f.service]
	_of_service(f, s)
}

_candidates[i] contains [3, "exception", e.reason, _doc.config.file, e.line, f.rule_id] if {
	some i, f in input.findings
	some e in _exceptions
	_exception_covers(e, f)
}

_candidates[i] contains [4, "baseline", "recorded in the baseline", _baseline_file, line, f.rule_id] if {
	some i, f in input.findings
	line := _baseline_at[_key(f)]
}

# decisions are [i, {kind, reason, file, line}] for every suppressed
# finding i of input.findings; kind is inline, x-portguard, ephemeral,
# exception or baseline.
decisions := [[i, {"kind": kind, "reason": reason, "file": file, "line": line}] |
	some i, cs in _candidates
	[_, kind, reason, file, line, _] := sort(cs)[0]
]

# --- what suppresses nothing: the notices of DBP002-DBP004 ---

# An id no loaded rule has is an input error of its own (exit 2).
_known := {r | some r in input.rules}

_used contains [kind, file, line, rule] if {
	some cs in _candidates
	some [_, kind, _, file, line, rule] in cs
}

# unused_exceptions are the exceptions in force that cover no finding.
unused_exceptions contains e if {
	some e in _exceptions
	e.rule in _known
	not ["exception", _doc.config.file, e.line, e.rule] in _used
}

# unused_x_ignores are [service, rule] of x-portguard ignores in force that
# cover no finding of their service.
unused_x_ignores contains [s, r] if {
	some ss in _x_ignores
	some s in ss
	some r in s.x_portguard.ignore
	r in _known
	not ["x-portguard", s.file, s.line, r] in _used
}

# unused_ignores are [comment, rule] of valid inline comments that cover
# no finding (or annotate nothing portguard judges).
unused_ignores contains [ig, r] if {
	some ig in _valid_ignores
	some r in ig.rules
	r in _known
	not ["inline", ig.file, ig.line, r] in _used
}

# expired_exceptions are the valid exceptions whose date has passed, and
# x-portguard blocks likewise ({service} instead of {rule}).
expired_exceptions contains e if {
	some e in _doc.config.exceptions
	valid(e.reason, e.expires)
	expired(e.expires, _today)
}

expired_x contains s if {
	some s in _doc.services
	is_array(s.x_portguard.ignore)
	valid(object.get(s.x_portguard, "reason", ""), object.get(s.x_portguard, "expires", ""))
	expired(object.get(s.x_portguard, "expires", ""), _today)
}

_finding_keys := {_key(f) | some f in input.findings}

# stale_baseline are the baseline entries that match no finding any more.
stale_baseline contains e if {
	some e in _baseline_entries
	not _key(e) in _finding_keys
}

baseline_file := _baseline_file

# result is what the judge stage returns to Go: the decisions, the
# findings of the rules that report on suppressions (a `notice` set), and
# the lines of the stale baseline entries (baseline --update drops them).
result := {
	"decisions": decisions,
	"notices": [n | some n in data.portguard.rules[_][_].notice],
	"stale_baseline": sort([e.line | some e in stale_baseline]),
}

# where is the scope of a suppression in messages: " on SERVICE".
on(service) := sprintf(" on %s", [service]) if service != ""

else := ""

# at_line is a location at the start of a line, for findings about a line
# of a configuration file.
at_line(file, line) := {"file": file, "line": line, "column": 1, "end_column": 1}

# new is finding.new for the notices, which point at a line.
new(chain, file, line, details) := finding.new(chain, object.union(at_line(file, line), details))
