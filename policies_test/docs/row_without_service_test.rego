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

# A second row for a port whose publisher another row documents is stale,
# whether the other row is on the same port or where the service is
# documented to be.
test_fail_second_row_for_a_documented_publisher if {
	p := fx.literal(8, 7000, 5432)
	d := fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [p])]), [
		fx.row(7000, "Orders", 17),
		fx.row(7001, "Postgres", 18),
	])
	r := report with input as d
	r == {fx.finding(
		"DBP503", "warning", fx.loc("PORTS-CONVENTION.md", 17, 1, 1), "Orders",
		"the row for 7000 (Orders) is stale: postgres publishes 7000 and is documented at PORTS-CONVENTION.md:18",
		"remove the row for 7000 (Orders) from PORTS-CONVENTION.md",
		[fx.related(p, "postgres publishes 7000 here"), {"file": "PORTS-CONVENTION.md", "line": 18, "message": "the row that documents postgres"}],
	)}
}

# A row naming nobody on a port whose publisher no other row documents is
# misnamed (DBP502), not stale.
test_success_misnamed_row_is_not_stale if {
	d := fx.with_rows(fx.doc([fx.service("postgres", "postgres:16", 5, [fx.literal(8, 7000, 5432)])]), [fx.row(7000, "Orders", 17)])
	r := report with input as d
	r == set()
}
