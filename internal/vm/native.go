package vm

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The executor's own values for a large input document. OPA's objects
// keep a hash map, a key slice and a hash per element: converting a
// document of 10,000 services to them costs more than most rules, their
// lookups hash the key every time, and they hold four times the memory of
// the Go document. A Record is an object of known keys (a Go struct: the
// same keys for every value of the type), its values in a slice at the
// positions of its Schema; a List is an array that keeps no hashes.
//
// The executor reads them natively: a field, an element, a length, a kind,
// a loop. The arrays the plan builds keep them too (an array that gets
// one becomes a List: appendNative), and a few built-ins compute on them
// (nativeBuiltins: object.union of a record and an object is a record of
// the two schemas). Wherever a value leaves the executor's hands (another
// built-in's argument, a key or an element of an object or a set the plan
// builds, a comparison, a result) it is given as the OPA value it stands
// for (Plain), made once per value and kept. So OPA's code never sees a
// Record or a List, and a plan sees the same values as with the OPA
// document: the differential tests of internal/engine hold the two to the
// same findings.
//
// Records and Lists may hold OPA values; OPA values never hold them.

// Schema is the sorted keys of a kind of Record.
type Schema struct {
	keys []*ast.Term
	pos  map[string]int32
	// unions are the schemas of this one extended by the string keys of
	// an object (object.union), by those keys joined with "\x00".
	unions sync.Map // string -> *union
}

// union is a schema extended by the keys of an object: from[i] is the
// position of field i of a record of the smaller schema (-1: the object
// has that key too, and its value wins), to[j] that of the object's j-th
// key in sorted order.
type union struct {
	schema   *Schema
	from, to []int
}

// union gives the extension of s by the keys of b, nil when one is not
// a string.
func (s *Schema) union(b ast.Object) *union {
	names := make([]string, 0, b.Len())
	ok := true
	b.Foreach(func(k, _ *ast.Term) {
		str, isStr := k.Value.(ast.String)
		ok = ok && isStr
		names = append(names, string(str))
	})
	if !ok {
		return nil
	}
	sig := strings.Join(names, "\x00")
	if u, found := s.unions.Load(sig); found {
		return u.(*union)
	}
	// The merged keys: b's, then the record's that b has not.
	var kept []int
	all := slices.Clone(names)
	for i, k := range s.keys {
		if n := string(k.Value.(ast.String)); !slices.Contains(names, n) {
			kept = append(kept, i)
			all = append(all, n)
		}
	}
	merged, order, err := NewSchema(all)
	if err != nil {
		return nil
	}
	u := &union{schema: merged, from: make([]int, len(s.keys)), to: order[:len(names)]}
	for i := range u.from {
		u.from[i] = -1
	}
	for j, i := range kept {
		u.from[i] = order[len(names)+j]
	}
	s.unions.Store(sig, u)
	return u
}

// NewSchema makes the schema of the keys names, which must be distinct.
// order[i] is the position of names[i] in a Record's values.
func NewSchema(names []string) (s *Schema, order []int, err error) {
	sorted := slices.Clone(names)
	slices.Sort(sorted)
	s = &Schema{keys: make([]*ast.Term, len(sorted)), pos: make(map[string]int32, len(sorted))}
	for i, n := range sorted {
		if i > 0 && sorted[i-1] == n {
			return nil, nil, fmt.Errorf("key %q twice", n)
		}
		s.keys[i] = ast.StringTerm(n)
		s.pos[n] = int32(i)
	}
	order = make([]int, len(names))
	for i, n := range names {
		order[i] = int(s.pos[n])
	}
	return s, order, nil
}

// Len is the number of keys.
func (s *Schema) Len() int { return len(s.keys) }

// Record is an object of the keys of its schema; a nil value is a key the
// object does not have (an omitted field).
type Record struct {
	schema *Schema
	vals   []*ast.Term
	n      int
	plain  atomic.Pointer[ast.Term]
}

// NewRecord makes a record of vals, by the positions of s (len(vals) ==
// s.Len()); it keeps vals.
func NewRecord(s *Schema, vals []*ast.Term) *Record {
	n := 0
	for _, v := range vals {
		if v != nil {
			n++
		}
	}
	return &Record{schema: s, vals: vals, n: n}
}

// get is the value of key k, nil when the record has none.
func (r *Record) get(k *ast.Term) *ast.Term {
	s, ok := k.Value.(ast.String)
	if !ok {
		return nil
	}
	if i, ok := r.schema.pos[string(s)]; ok {
		return r.vals[i]
	}
	return nil
}

// List is an array.
type List struct {
	elems []*ast.Term
	plain atomic.Pointer[ast.Term]
}

// NewList makes a list of elems; it keeps elems.
func NewList(elems []*ast.Term) *List { return &List{elems: elems} }

// appendNative appends v to the array t holds, in place as the plan
// expects (appendInPlace): an OPA array while the values are OPA's, a
// List from the first value that is not (the elements so far move to it).
func appendNative(t, v *ast.Term) {
	if l, ok := t.Value.(*List); ok {
		l.elems = append(l.elems, v)
		l.plain.Store(nil)
		return
	}
	if !native(v) {
		appendInPlace(t, v)
		return
	}
	elems, _ := elements(t)
	t.Value = NewList(append(elems, v))
}

// Plain gives t as OPA's value: t itself unless it holds a Record or a
// List, which are converted (deeply) once.
func Plain(t *ast.Term) *ast.Term {
	switch v := t.Value.(type) {
	case *Record:
		return v.term()
	case *List:
		return v.term()
	}
	return t
}

func (r *Record) term() *ast.Term {
	if t := r.plain.Load(); t != nil {
		return t
	}
	items := make([][2]*ast.Term, 0, r.n)
	for i, v := range r.vals {
		if v != nil {
			items = append(items, [2]*ast.Term{r.schema.keys[i], Plain(v)})
		}
	}
	t := ast.ObjectTerm(items...)
	if r.plain.CompareAndSwap(nil, t) {
		return t
	}
	return r.plain.Load()
}

func (l *List) term() *ast.Term {
	if t := l.plain.Load(); t != nil {
		return t
	}
	elems := make([]*ast.Term, len(l.elems))
	for i, v := range l.elems {
		elems[i] = Plain(v)
	}
	t := ast.ArrayTerm(elems...)
	if l.plain.CompareAndSwap(nil, t) {
		return t
	}
	return l.plain.Load()
}

// Both are OPA values by their plain form, should one reach OPA's code.

func (r *Record) Compare(other ast.Value) int          { return r.term().Value.Compare(plainValue(other)) }
func (r *Record) Find(path ast.Ref) (ast.Value, error) { return r.term().Value.Find(path) }
func (r *Record) Hash() int                            { return r.term().Value.Hash() }
func (r *Record) IsGround() bool                       { return true }
func (r *Record) String() string                       { return r.term().Value.String() }
func (r *Record) StringLength() int                    { return r.term().Value.StringLength() }
func (l *List) Compare(other ast.Value) int            { return l.term().Value.Compare(plainValue(other)) }
func (l *List) Find(path ast.Ref) (ast.Value, error)   { return l.term().Value.Find(path) }
func (l *List) Hash() int                              { return l.term().Value.Hash() }
func (l *List) IsGround() bool                         { return true }
func (l *List) String() string                         { return l.term().Value.String() }
func (l *List) StringLength() int                      { return l.term().Value.StringLength() }

func plainValue(v ast.Value) ast.Value {
	switch v := v.(type) {
	case *Record:
		return v.term().Value
	case *List:
		return v.term().Value
	}
	return v
}

// native reports whether t holds a Record or a List.
func native(t *ast.Term) bool {
	switch t.Value.(type) {
	case *Record, *List:
		return true
	}
	return false
}

// equal compares two values as OPA does.
func equal(a, b *ast.Term) bool {
	if a == b {
		return true
	}
	return ast.Compare(plainValue(a.Value), plainValue(b.Value)) == 0
}

// nativeBuiltin computes a built-in function on operands of which some
// are the executor's own values, when it can without converting them to
// OPA's; ok is false when it cannot, and the operands are converted.
type nativeBuiltin func(e *eval, ops []*ast.Term) (v *ast.Term, ok bool)

// nativeBuiltins are the built-in functions the rules call on the input's
// objects and lists, whose OPA values would be made for nothing: the count
// of the services, a field with a default.
var nativeBuiltins = map[string]nativeBuiltin{
	"count": func(e *eval, ops []*ast.Term) (*ast.Term, bool) {
		if n := length(ops[0].Value); n >= 0 {
			return e.index(n), true
		}
		return nil, false
	},
	"object.union": func(_ *eval, ops []*ast.Term) (*ast.Term, bool) {
		// A record extended by an object of the plan (ports.mappings): a
		// record of the two schemas together, its values shared.
		r, ok := ops[0].Value.(*Record)
		b, ok2 := ops[1].Value.(ast.Object)
		if !ok || !ok2 {
			return nil, false
		}
		u := r.schema.union(b)
		if u == nil {
			return nil, false
		}
		vals := make([]*ast.Term, u.schema.Len())
		for i, v := range r.vals {
			if p := u.from[i]; p >= 0 {
				vals[p] = v
			} else if v != nil && isObject(v) && isObject(b.Get(r.schema.keys[i])) {
				return nil, false // two objects: OPA merges them
			}
		}
		i := 0
		b.Foreach(func(_, v *ast.Term) {
			vals[u.to[i]] = v
			i++
		})
		return ast.NewTerm(NewRecord(u.schema, vals)), true
	},
	"array.concat": func(_ *eval, ops []*ast.Term) (*ast.Term, bool) {
		// Lists of records (ports.range_mappings) stay lists.
		a, ok := elements(ops[0])
		b, ok2 := elements(ops[1])
		if !ok || !ok2 {
			return nil, false
		}
		return ast.NewTerm(NewList(append(slices.Clip(a), b...))), true
	},
	"object.filter": func(_ *eval, ops []*ast.Term) (*ast.Term, bool) {
		// Some fields of a record (services.entry): made without the
		// record's OPA value.
		r, ok := ops[0].Value.(*Record)
		keys, ok2 := ops[1].Value.(ast.Set)
		if !ok || !ok2 {
			return nil, false
		}
		items := make([][2]*ast.Term, 0, min(r.n, keys.Len()))
		for i, v := range r.vals {
			if v != nil && keys.Contains(r.schema.keys[i]) {
				items = append(items, [2]*ast.Term{r.schema.keys[i], Plain(v)})
			}
		}
		return ast.ObjectTerm(items...), true
	},
	"object.get": func(_ *eval, ops []*ast.Term) (*ast.Term, bool) {
		// A field, or a path of fields (suppressions' input.baseline),
		// with a default: as OPA walks it (ast.Term.Get), without the
		// record's OPA value.
		if _, ok := ops[0].Value.(*Record); !ok || len(ops) != 3 {
			return nil, false
		}
		path, ok := ops[1].Value.(*ast.Array)
		if !ok {
			return cmp.Or(dot(ops[0], ops[1]), ops[2]), true
		}
		v := ops[0]
		for i := 0; i < path.Len() && v != nil; i++ {
			v = dot(v, path.Elem(i))
		}
		return cmp.Or(v, ops[2]), true
	},
}

func isObject(t *ast.Term) bool {
	switch t.Value.(type) {
	case ast.Object, *Record:
		return true
	}
	return false
}

// elements are the elements of a List (its own slice) or of an OPA array
// (a new one).
func elements(t *ast.Term) ([]*ast.Term, bool) {
	switch v := t.Value.(type) {
	case *List:
		return v.elems, true
	case *ast.Array:
		elems := make([]*ast.Term, v.Len())
		for i := range elems {
			elems[i] = v.Elem(i)
		}
		return elems, true
	}
	return nil, false
}
