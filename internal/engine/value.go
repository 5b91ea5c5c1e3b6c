package engine

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/portguard/portguard/internal/vm"
)

// toValue converts a Go value to the OPA value its JSON encoding would give
// (same field names, embedded structs flattened, nil slices, maps and
// pointers as null, omitempty honoured), without encoding JSON and parsing
// it back: for a large repository that round trip costs more than the
// evaluation of most rules.
func toValue(v any) (ast.Value, error) {
	t, err := newConverter().term(reflect.ValueOf(v), true)
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// toNative converts a Go value as toValue does, to the executor's own
// values where they pay (vm.Record, vm.List): structs, maps and slices of
// composite values. Scalars, and maps and slices of scalars, are OPA
// values as with toValue. Only the plan's executor reads the result.
func toNative(v any) (ast.Value, error) {
	c := newConverter()
	c.native = true
	t, err := c.term(reflect.ValueOf(v), true)
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

// parallelFrom is the length from which a list (the services) converts on
// every core.
const parallelFrom = 256

// converter turns Go values into OPA terms. Terms are immutable, so equal
// scalars share one: booleans, null and numbers always, strings up to
// internMax bytes (file names, protocols, image and service names repeat
// across thousands of ports). It roughly halves the memory of the input,
// which holds every service while the rules run.
type converter struct {
	strings map[string]*ast.Term
	numbers map[int64]*ast.Term
	// native makes composite values vm.Records and vm.Lists.
	native bool
}

const internMax = 64

func newConverter() *converter {
	return &converter{strings: map[string]*ast.Term{}, numbers: map[int64]*ast.Term{}}
}

func (c *converter) str(s string) *ast.Term {
	if len(s) > internMax {
		return ast.StringTerm(s)
	}
	t, ok := c.strings[s]
	if !ok {
		t = ast.StringTerm(s)
		c.strings[s] = t
	}
	return t
}

// portTerms are the terms of 0 to 65535 (ports, line numbers), made when
// first met and shared by every converter.
var portTerms [1 << 16]atomic.Pointer[ast.Term]

func (c *converter) int(n int64) *ast.Term {
	if n >= 0 && n < int64(len(portTerms)) {
		slot := &portTerms[n]
		if t := slot.Load(); t != nil {
			return t
		}
		slot.CompareAndSwap(nil, ast.NewTerm(ast.Number(strconv.FormatInt(n, 10))))
		return slot.Load()
	}
	t, ok := c.numbers[n]
	if !ok {
		t = ast.NewTerm(ast.Number(strconv.FormatInt(n, 10)))
		c.numbers[n] = t
	}
	return t
}

// term converts v; a long list converts on every core (one converter each)
// when parallel is set, for the outer lists only, so goroutines do not nest.
func (c *converter) term(v reflect.Value, parallel bool) (*ast.Term, error) {
	if !v.IsValid() {
		return ast.InternedNullTerm, nil
	}
	return encoderOf(v.Type())(c, v, parallel)
}

// An encoder converts the values of one type. It is made once per type
// (encoderOf), with what the type says decided then (the fields of a
// struct, the encoders of its fields and elements, the schema of its
// records), so a value costs no more than its own content.
type encoder func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error)

var encoders sync.Map // reflect.Type -> encoder

// encoderOf is the encoder of type t. A type that contains itself gets,
// while its encoder is being made, one that waits for it.
func encoderOf(t reflect.Type) encoder {
	if e, ok := encoders.Load(t); ok {
		return e.(encoder)
	}
	var (
		ready sync.WaitGroup
		made  encoder
	)
	ready.Add(1)
	e, loaded := encoders.LoadOrStore(t, encoder(func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
		ready.Wait()
		return made(c, v, parallel)
	}))
	if loaded {
		return e.(encoder)
	}
	made = newEncoder(t)
	ready.Done()
	encoders.Store(t, made)
	return made
}

func newEncoder(t reflect.Type) encoder {
	if marshals(t) {
		return func(c *converter, v reflect.Value, _ bool) (*ast.Term, error) { return c.marshaled(v) }
	}
	switch t.Kind() {
	case reflect.Pointer:
		elem := encoderOf(t.Elem())
		return func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
			if v.IsNil() {
				return ast.InternedNullTerm, nil
			}
			return elem(c, v.Elem(), parallel)
		}
	case reflect.Interface:
		return func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
			if v.IsNil() {
				return ast.InternedNullTerm, nil
			}
			return c.term(v.Elem(), parallel)
		}
	case reflect.String:
		return func(c *converter, v reflect.Value, _ bool) (*ast.Term, error) { return c.str(v.String()), nil }
	case reflect.Bool:
		return func(_ *converter, v reflect.Value, _ bool) (*ast.Term, error) { return ast.InternedTerm(v.Bool()), nil }
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return func(c *converter, v reflect.Value, _ bool) (*ast.Term, error) { return c.int(v.Int()), nil }
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return func(_ *converter, v reflect.Value, _ bool) (*ast.Term, error) {
			return ast.NewTerm(ast.Number(strconv.FormatUint(v.Uint(), 10))), nil
		}
	case reflect.Float32, reflect.Float64:
		return func(_ *converter, v reflect.Value, _ bool) (*ast.Term, error) {
			b, err := json.Marshal(v.Interface())
			if err != nil {
				return nil, err
			}
			return ast.NewTerm(ast.Number(b)), nil
		}
	case reflect.Slice, reflect.Array:
		return listEncoder(t)
	case reflect.Map:
		return mapEncoder(t)
	case reflect.Struct:
		return structEncoder(t)
	}
	return func(_ *converter, v reflect.Value, _ bool) (*ast.Term, error) {
		return nil, fmt.Errorf("input: cannot convert %s", v.Type())
	}
}

// listEncoder converts a slice (nil: null) or an array, on every core
// when parallel is set and the list is long.
func listEncoder(t reflect.Type) encoder {
	elem, native := encoderOf(t.Elem()), composite(t.Elem())
	return func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		terms := make([]*ast.Term, v.Len())
		convert := func(c *converter, from, to int) error {
			for i := from; i < to; i++ {
				x, err := elem(c, v.Index(i), false)
				if err != nil {
					return err
				}
				terms[i] = x
			}
			return nil
		}
		var err error
		if !parallel || len(terms) < parallelFrom {
			err = convert(c, 0, len(terms))
		} else {
			err = c.split(len(terms), convert)
		}
		if err != nil {
			return nil, err
		}
		if c.native && native {
			return ast.NewTerm(vm.NewList(terms)), nil
		}
		return ast.ArrayTerm(terms...), nil
	}
}

// split runs convert over [0, n) in a part per core, each part with a
// converter of its own.
func (c *converter) split(n int, convert func(c *converter, from, to int) error) error {
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wc := newConverter()
			wc.native = c.native
			errs[w] = convert(wc, w*n/workers, (w+1)*n/workers)
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

// composite reports whether values of type t may convert to objects or
// arrays: the values worth a vm.Record or a vm.List around them.
func composite(t reflect.Type) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct, reflect.Map, reflect.Slice, reflect.Array, reflect.Interface:
		return true
	}
	return false
}

// mapEncoder converts a map (nil: null) with string keys: an OPA object,
// or a vm.Record when the values may be composite.
func mapEncoder(t reflect.Type) encoder {
	if t.Key().Kind() != reflect.String {
		return func(_ *converter, v reflect.Value, _ bool) (*ast.Term, error) {
			if v.IsNil() {
				return ast.InternedNullTerm, nil
			}
			return nil, fmt.Errorf("input: map with %s keys", v.Type().Key())
		}
	}
	elem, native := encoderOf(t.Elem()), composite(t.Elem())
	return func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		names := make([]string, 0, v.Len())
		vals := make([]*ast.Term, 0, v.Len())
		for iter := v.MapRange(); iter.Next(); {
			x, err := elem(c, iter.Value(), parallel)
			if err != nil {
				return nil, err
			}
			names, vals = append(names, iter.Key().String()), append(vals, x)
		}
		if c.native && native {
			schema, order, err := vm.NewSchema(names)
			if err != nil {
				return nil, err // the keys of a map are distinct: never
			}
			byPos := make([]*ast.Term, len(vals))
			for i, x := range vals {
				byPos[order[i]] = x
			}
			return ast.NewTerm(vm.NewRecord(schema, byPos)), nil
		}
		items := make([][2]*ast.Term, len(vals))
		for i, x := range vals {
			items[i] = [2]*ast.Term{c.str(names[i]), x}
		}
		return ast.ObjectTerm(items...), nil
	}
}

// structEncoder converts a struct as encoding/json would: an OPA object,
// or a vm.Record of the type's schema (unless two fields have the same
// name, which only an OPA object resolves as encoding/json does).
func structEncoder(t reflect.Type) encoder {
	fields := structFields(t)
	encs := make([]encoder, len(fields))
	names := make([]string, len(fields))
	for i, f := range fields {
		encs[i] = encoderOf(t.FieldByIndex(f.index).Type)
		names[i] = f.name
	}
	schema, order, schemaErr := vm.NewSchema(names)
	each := func(c *converter, v reflect.Value, parallel bool, put func(i int, x *ast.Term)) error {
		for i, f := range fields {
			var fv reflect.Value
			if len(f.index) == 1 {
				fv = v.Field(f.index[0])
			} else {
				fv = v.FieldByIndex(f.index)
			}
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			x, err := encs[i](c, fv, parallel)
			if err != nil {
				return err
			}
			put(i, x)
		}
		return nil
	}
	return func(c *converter, v reflect.Value, parallel bool) (*ast.Term, error) {
		if c.native && schemaErr == nil {
			vals := make([]*ast.Term, schema.Len())
			if err := each(c, v, parallel, func(i int, x *ast.Term) { vals[order[i]] = x }); err != nil {
				return nil, err
			}
			return ast.NewTerm(vm.NewRecord(schema, vals)), nil
		}
		items := make([][2]*ast.Term, 0, len(fields))
		if err := each(c, v, parallel, func(i int, x *ast.Term) { items = append(items, [2]*ast.Term{fields[i].key, x}) }); err != nil {
			return nil, err
		}
		return ast.ObjectTerm(items...), nil
	}
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

// marshals reports whether values of type t encode themselves to JSON
// (time.Time, which a YAML timestamp in x-portguard decodes to): they
// convert by their encoding.
func marshals(t reflect.Type) bool {
	return t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
}

// marshaled converts a value by its JSON encoding.
func (c *converter) marshaled(v reflect.Value) (*ast.Term, error) {
	b, err := json.Marshal(v.Interface())
	if err != nil {
		return nil, err
	}
	x, err := ast.ValueFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(x), nil
}

type field struct {
	name      string
	key       *ast.Term // shared by every object of the type: keys are never modified
	index     []int
	omitEmpty bool
}

// structFields lists the JSON fields of a struct type, as encoding/json
// sees them: exported, tagged names, embedded untagged structs flattened.
func structFields(t reflect.Type) []field {
	var out []field
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if sf.Anonymous && name == "" && sf.Type.Kind() == reflect.Struct {
			for _, inner := range structFields(sf.Type) {
				inner.index = append([]int{i}, inner.index...)
				out = append(out, inner)
			}
			continue
		}
		if !sf.IsExported() {
			continue
		}
		if name == "" {
			name = sf.Name
		}
		out = append(out, field{name: name, key: ast.StringTerm(name), index: []int{i}, omitEmpty: strings.Contains(opts, "omitempty")})
	}
	return out
}
