package engine

import (
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
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
		return ast.ArrayTerm(terms...), nil
	}
	workers := runtime.GOMAXPROCS(0)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[w] = convert(newConverter(), w*len(terms)/workers, (w+1)*len(terms)/workers)
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return ast.ArrayTerm(terms...), nil
}

// object converts a map with string keys.
func (c *converter) object(v reflect.Value, parallel bool) (*ast.Term, error) {
	if v.Type().Key().Kind() != reflect.String {
		return nil, fmt.Errorf("input: map with %s keys", v.Type().Key())
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

// structure converts a struct as encoding/json would.
func (c *converter) structure(v reflect.Value, parallel bool) (*ast.Term, error) {
	fields := structFields(v.Type())
	items := make([][2]*ast.Term, 0, len(fields))
	for _, f := range fields {
		fv := v.FieldByIndex(f.index)
		if f.omitEmpty && fv.IsZero() {
			continue
		}
		x, err := c.term(fv, parallel)
		if err != nil {
			return nil, err
		}
		items = append(items, [2]*ast.Term{f.key, x})
	}
	return ast.ObjectTerm(items...), nil
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
