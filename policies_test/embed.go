// Package policiestest holds the built-in Rego unit tests: one test file per
// rule under policies_test/<area>/, mirroring policies/, plus tests of the
// shared library and the input builders they share (lib/fixtures_test.rego).
// The files are embedded so that `portguard verify` can run them next to a
// team's own tests; `go test` runs them through policies_test.go.
//
// Test packages live under portguard.test (portguard.test.rules.<area>.<rule>,
// portguard.test.lib.<name>, portguard.test.fixtures), outside
// portguard.rules, so the rule catalog and the findings query never see them.
package policiestest

import "embed"

// FS holds the built-in Rego unit tests (*/*_test.rego).
//
//go:embed */*.rego
var FS embed.FS
