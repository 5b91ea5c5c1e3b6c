package portguard.test.rules.docs.row_without_service

import data.portguard.rules.docs.row_without_service.report
import data.portguard.test.fixtures as fx

test_fail_row_matches_nothing if {
	d := fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)])]), [
		fx.row(7000, "Postgres", 17),
		fx.row(7005, "Legacy Cache", 18),
	])
	r := report with input as d
	r == {fx.finding(
		"DBP503", "warning", fx.loc("PORTS-CONVENTION.md", 18, 1, 1), "Legacy Cache",
		"the row for 7005 (Legacy Cache) matches no service: nothing publishes 7005 and no service Legacy Cache exists",
		"remove the row for 7005 from PORTS-CONVENTION.md, or add the service",
		[],
	)}
}

# A service of that name (publishing elsewhere or nothing), a mapping on
# the row's variable, a range row or a row outside 7000-7999 is no orphan.
test_success_rows_that_match_something if {
	d := fx.with_rows(
		fx.doc([
			fx.service("legacy-cache", "redis:7", 5, []),
			fx.service("mongo", "mongo:7", 9, [fx.var_form(12, "", "MONGO_PORT", "", fx.unset, 27017)]),
		]),
		[
			fx.row(7005, "Legacy Cache", 18),
			object.union(fx.row(7006, "Documents", 19), {"env_var": "MONGO_PORT"}),
			fx.range_row(7300, 7399, "Reserved", 20),
			fx.row(8080, "Website", 21),
		],
	)
	r := report with input as d
	r == set()
}

# With -f the check sees part of the repository: rows for the other stacks
# are not judged.
test_success_explicit_files_skip_rows if {
	d := object.union(
		fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)])]), [fx.row(7005, "Legacy Cache", 18)]),
		{"explicit_files": true},
	)
	r := report with input as d
	r == set()
}
