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
	return valueOf(reflect.ValueOf(v), true)
}

// parallelFrom is the length from which a list (the services) converts on
// every core.
const parallelFrom = 256

// valueOf converts v; a long list converts on every core when parallel is
// set (for the outer lists only, so goroutines do not nest).
func valueOf(v reflect.Value, parallel bool) (ast.Value, error) {
	switch v.Kind() {
	case reflect.Invalid:
		return ast.Null{}, nil
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return valueOf(v.Elem(), parallel)
	case reflect.String:
		return ast.String(v.String()), nil
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.Float32, reflect.Float64:
		b, err := json.Marshal(v.Interface())
		if err != nil {
			return nil, err
		}
		return ast.Number(b), nil
	case reflect.Slice, reflect.Array:
		if v.Kind() == reflect.Slice && v.IsNil() {
			return ast.Null{}, nil
		}
		terms := make([]*ast.Term, v.Len())
		convert := func(from, to int) error {
			for i := from; i < to; i++ {
				x, err := valueOf(v.Index(i), false)
				if err != nil {
					return err
				}
				terms[i] = ast.NewTerm(x)
			}
			return nil
		}
		if !parallel || len(terms) < parallelFrom {
			if err := convert(0, len(terms)); err != nil {
				return nil, err
			}
			return ast.NewArray(terms...), nil
		}
		workers := runtime.GOMAXPROCS(0)
		errs := make([]error, workers)
		var wg sync.WaitGroup
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[w] = convert(w*len(terms)/workers, (w+1)*len(terms)/workers)
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return nil, err
		}
		return ast.NewArray(terms...), nil
	case reflect.Map:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if v.Type().Key().Kind() != reflect.String {
			return nil, fmt.Errorf("input: map with %s keys", v.Type().Key())
		}
		items := make([][2]*ast.Term, 0, v.Len())
		iter := v.MapRange()
		for iter.Next() {
			x, err := valueOf(iter.Value(), parallel)
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{ast.StringTerm(iter.Key().String()), ast.NewTerm(x)})
		}
		return ast.NewObject(items...), nil
	case reflect.Struct:
		fields := structFields(v.Type())
		items := make([][2]*ast.Term, 0, len(fields))
		for _, f := range fields {
			fv := v.FieldByIndex(f.index)
			if f.omitEmpty && fv.IsZero() {
				continue
			}
			x, err := valueOf(fv, parallel)
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{f.key, ast.NewTerm(x)})
		}
		return ast.NewObject(items...), nil
	}
	return nil, fmt.Errorf("input: cannot convert %s", v.Type())
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
