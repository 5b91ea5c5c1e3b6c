package vm

import (
	"strconv"
	"sync"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
)

// TestInPlace holds what the executor relies on when it changes OPA's
// values in place (inplace.go): an array appended to through its term, and
// sets and arrays changed inside an object, leave values that equal, hash
// and are found like the same values built afresh, once the object is
// rehashed. It fails when an OPA upgrade changes any of it.
func TestInPlace(t *testing.T) {
	arr := ast.ArrayTerm(ast.StringTerm("a"))
	holder := ast.ArrayTerm(arr)
	appendInPlace(arr, ast.StringTerm("b"))
	wantArr := ast.ArrayTerm(ast.StringTerm("a"), ast.StringTerm("b"))
	same(t, "the appended array", arr, wantArr)
	same(t, "an array holding the appended one", holder.Value.(*ast.Array).Elem(0), wantArr)

	set, list := ast.SetTerm(ast.IntNumberTerm(1)), ast.ArrayTerm()
	obj := ast.NewObject([2]*ast.Term{ast.StringTerm("set"), set}, [2]*ast.Term{ast.StringTerm("list"), list}, [2]*ast.Term{ast.StringTerm("n"), ast.IntNumberTerm(3)})
	set.Value.(ast.Set).Add(ast.IntNumberTerm(2))
	appendInPlace(list, ast.StringTerm("x"))
	rehash(obj)
	want := ast.NewObject(
		[2]*ast.Term{ast.StringTerm("set"), ast.SetTerm(ast.IntNumberTerm(1), ast.IntNumberTerm(2))},
		[2]*ast.Term{ast.StringTerm("list"), ast.ArrayTerm(ast.StringTerm("x"))},
		[2]*ast.Term{ast.StringTerm("n"), ast.IntNumberTerm(3)})
	same(t, "the rehashed object", ast.NewTerm(obj), ast.NewTerm(want))
	if obj.Get(ast.StringTerm("set")) != set || obj.Len() != 3 {
		t.Errorf("rehash replaced or lost a value: %v", obj)
	}
}

// same fails unless got equals want, hashes like it and is found by it in
// a set and as an object key.
func same(t *testing.T, what string, got, want *ast.Term) {
	t.Helper()
	if ast.Compare(got.Value, want.Value) != 0 || !got.Equal(want) {
		t.Errorf("%s: %v, want %v", what, got, want)
	}
	if got.Value.Hash() != want.Value.Hash() {
		t.Errorf("%s: hash %d, want %d (of the same value built afresh)", what, got.Value.Hash(), want.Value.Hash())
	}
	if !ast.NewSet(got).Contains(want) || ast.NewObject([2]*ast.Term{got, ast.BooleanTerm(true)}).Get(want) == nil {
		t.Errorf("%s: not found by an equal value", what)
	}
}

// TestIntTerms: the shared terms of 0, 1, 2, ... grow on demand from
// several goroutines, each term the number of its index, and a view taken
// before the list grew stays valid.
func TestIntTerms(t *testing.T) {
	var l termList
	early := l.upTo(3)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := g; i < 5000; i += 7 {
				if got := l.upTo(i)[i]; got.Value.Compare(ast.Number(strconv.Itoa(i))) != 0 {
					t.Errorf("term %d is %v", i, got)
					return
				}
			}
		}()
	}
	wg.Wait()
	if len(l.upTo(0)) <= 4999 {
		t.Errorf("the list has %d terms after term 4999 was asked for", len(l.upTo(0)))
	}
	for i, x := range early {
		if x.Value.Compare(ast.Number(strconv.Itoa(i))) != 0 {
			t.Errorf("early view: term %d is %v", i, x)
		}
	}
}
