// Package policies holds the built-in judgement of portguard: one Rego file
// per rule under policies/<area>/, the shared library under policies/lib/
// and the knowledge base under policies/data/. The files are embedded in the
// binary; the Rego unit tests live in policies_test/.
package policies

import "embed"

// FS holds the built-in Rego modules (*/*.rego) and data files (data/*.json).
//
//go:embed */*.rego data/*.json
var FS embed.FS
