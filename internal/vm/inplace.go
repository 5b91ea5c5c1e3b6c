package vm

import "github.com/open-policy-agent/opa/v1/ast"

// The executor changes OPA's values in place where the plan treats a value
// as a reference: it appends to the array a local holds, adds to a set an
// object holds, and then brings the object's hash up to date. ast does not
// promise how it behaves under such changes; what the executor relies on
// is here alone, and TestInPlace (inplace_test.go) fails when an OPA
// upgrade changes it.

// appendInPlace appends v to the array t holds, for every holder of t:
// ast.Array.Append gives a new array with its hash updated, and t is
// pointed at it.
func appendInPlace(t, v *ast.Term) {
	t.Value = t.Value.(*ast.Array).Append(v)
}

// rehash brings obj's hash up to date after values it holds changed in
// place (a set added to, an array appended to): inserting one of its keys
// again makes ast recompute the hash from every value.
func rehash(obj ast.Object) {
	_ = obj.Iter(func(k, v *ast.Term) error {
		obj.Insert(k, v)
		return errStop
	})
}
