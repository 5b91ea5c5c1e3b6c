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

func (c *converter) int(n int64) *ast.Term {
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
	if v.IsValid() && marshals(v.Type()) {
		return c.marshaled(v)
	}
	switch v.Kind() {
	case reflect.Invalid:
		return ast.InternedNullTerm, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		return c.term(v.Elem(), parallel)
	case reflect.String:
		return c.str(v.String()), nil
	case reflect.Bool:
		return ast.InternedTerm(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.int(v.Int()), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.NewTerm(ast.Number(strconv.FormatUint(v.Uint(), 10))), nil
	case reflect.Float32, reflect.Float64:
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		return ast.NewTerm(ast.Number(b)), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		return c.list(v, parallel)
	case reflect.Map:
		if v.IsNil() {
			return ast.InternedNullTerm, nil
		}
		return c.object(v, parallel)
	case reflect.Struct:
		return c.structure(v, parallel)
	}
	return nil, fmt.Errorf("input: cannot convert %s", v.Type())
}

// list converts a slice or an array, on every core when parallel is set
// and the list is long.
func (c *converter) list(v reflect.Value, parallel bool) (*ast.Term, error) {
	terms := make([]*ast.Term, v.Len())
	convert := func(c *converter, from, to int) error {
		for i := from; i < to; i++ {
			x, err := c.term(v.Index(i), false)
			if err != nil {
				return err
			}
			terms[i] = x
		}
		return nil
	}
	if !parallel || len(terms) < parallelFrom {
		if err := convert(c, 0, len(terms)); err != nil {
			return nil, err
		}
		return c.array(v.Type(), terms), nil
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wc := newConverter()
			wc.native = c.native
			errs[w] = convert(wc, w*len(terms)/workers, (w+1)*len(terms)/workers)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return c.array(v.Type(), terms), nil
}

// array makes the array of terms, the elements of a list of type t.
func (c *converter) array(t reflect.Type, terms []*ast.Term) *ast.Term {
	if c.native && composite(t.Elem()) {
		return ast.NewTerm(vm.NewList(terms))
	}
	return ast.ArrayTerm(terms...)
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

// object converts a map with string keys.
func (c *converter) object(v reflect.Value, parallel bool) (*ast.Term, error) {
	if v.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("input: map with %s keys", v.Type().Key())
	}
	if c.native && composite(v.Type().Elem()) {
		return c.mapRecord(v, parallel)
	}
	items := make([][2]*ast.Term, 0, v.Len())
	iter := v.MapRange()
	for iter.Next() {
		x, err := c.term(iter.Value(), parallel)
		if err != nil {
			return nil, err
		}
		items = append(items, [2]*ast.Term{c.str(iter.Key().String()), x})
	}
	return ast.ObjectTerm(items...), nil
}

// mapRecord converts a map with string keys to a vm.Record.
func (c *converter) mapRecord(v reflect.Value, parallel bool) (*ast.Term, error) {
	names := make([]string, 0, v.Len())
	elems := make([]reflect.Value, 0, v.Len())
	for iter := v.MapRange(); iter.Next(); {
		names = append(names, iter.Key().String())
		elems = append(elems, iter.Value())
	}
	schema, order, err := vm.NewSchema(names)
	if err != nil {
		return nil, err // the keys of a map are distinct: never
	}
	vals := make([]*ast.Term, len(names))
	for i, elem := range elems {
		x, err := c.term(elem, parallel)
		if err != nil {
			return nil, err
		}
		vals[order[i]] = x
	}
	return ast.NewTerm(vm.NewRecord(schema, vals)), nil
}

// structure converts a struct as encoding/json would.
func (c *converter) structure(v reflect.Value, parallel bool) (*ast.Term, error) {
	fields := structFields(v.Type())
	if c.native {
		if rs := recordSchema(v.Type(), fields); rs != nil {
			vals := make([]*ast.Term, rs.schema.Len())
			err := c.eachField(v, fields, parallel, func(i int, x *ast.Term) { vals[rs.order[i]] = x })
			if err != nil {
				return nil, err
			}
			return ast.NewTerm(vm.NewRecord(rs.schema, vals)), nil
		}
	}
	items := make([][2]*ast.Term, 0, len(fields))
	err := c.eachField(v, fields, parallel, func(i int, x *ast.Term) { items = append(items, [2]*ast.Term{fields[i].key, x}) })
	if err != nil {
		return nil, err
	}
	return ast.ObjectTerm(items...), nil
}

// eachField converts the fields of struct v that encoding/json writes (not
// empty ones with omitempty) and gives each to put with its index in
// fields.
func (c *converter) eachField(v reflect.Value, fields []field, parallel bool, put func(i int, x *ast.Term)) error {
	for i, f := range fields {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		x, err := c.term(fv, parallel)
		if err != nil {
			return err
		}
		put(i, x)
	}
	return nil
}

// structSchema is the vm.Schema of a struct type, and the position of
// each of its fields (structFields) in a record's values.
type structSchema struct {
	schema *vm.Schema
	order  []int
}

var schemaCache sync.Map // reflect.Type -> *structSchema (nil: none)

// recordSchema is the schema of struct type t, nil when two of its fields
// have the same name (embedded structs), which only an OPA object resolves
// as encoding/json does.
func recordSchema(t reflect.Type, fields []field) *structSchema {
	if s, ok := schemaCache.Load(t); ok {
		return s.(*structSchema)
	}
	names := make([]string, len(fields))
	for i, f := range fields {
		names[i] = f.name
	}
	var rs *structSchema
	if schema, order, err := vm.NewSchema(names); err == nil {
		rs = &structSchema{schema: schema, order: order}
	}
	schemaCache.Store(t, rs)
	return rs
}

var marshalerType = reflect.TypeFor[json.Marshaler]()

var marshalerCache sync.Map // reflect.Type -> bool

// marshals reports whether values of type t encode themselves to JSON
// (time.Time, which a YAML timestamp in x-portguard decodes to): they
// convert by their encoding.
func marshals(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Struct, reflect.Slice, reflect.Map, reflect.String:
	default:
		return false
	}
	if t.Name() == "" || t.PkgPath() == "" {
		return false // unnamed or predeclared: no methods
	}
	if m, ok := marshalerCache.Load(t); ok {
		return m.(bool)
	}
	m := t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType)
	marshalerCache.Store(t, m)
	return m
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

var fieldCache sync.Map // reflect.Type -> []field

// structFields lists the JSON fields of a struct type, as encoding/json
// sees them: exported, tagged names, embedded untagged structs flattened.
func structFields(t reflect.Type) []field {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]field)
	}
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
	fieldCache.Store(t, out)
	return out
}
