package input

import (
	"bytes"
	"encoding/json"
	"flag"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

func compileSchema(t *testing.T) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(Schema))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func validateDoc(t *testing.T, s *jsonschema.Schema, name string, doc *Document) {
	t.Helper()
	raw, err := json.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Validate(v); err != nil {
		t.Errorf("%s: the document does not match input/schema.json:\n%v", name, err)
	}
}

// TestSchemaValidatesDocuments loads fixture repositories covering every
// kind of fact and validates their documents against input/schema.json.
func TestSchemaValidatesDocuments(t *testing.T) {
	s := compileSchema(t)
	fixtures := map[string]map[string]string{
		"full": {
			"compose.yml": `name: demo
services:
  db:
    image: postgres:16
    labels: {portguard.role: backup}
    x-portguard: {category: database}
    ports:
      - "${PG_PORT:-7000}:5432"
      - target: 5433
        published: 7001-7002
      - "5434"
    volumes: [pgdata:/var/lib/postgresql/data, ./x:/y]
    environment:
      URL: postgres://u:p@db:5432/x
      PG_PORT: 7000
volumes:
  pgdata:
    name: pgdata
    external: true
`,
			".env":            "PG_PORT=7000\nSECRET=x\n",
			".portguard.yaml": "exceptions:\n  - rule: DBP101\n    service: db\n    reason: legacy\n    expires: 2030-01-01\n",
		},
		"errors": {"compose.yml": "services:\n  a: [\n", "b/compose.yml": "services:\n  b:\n    image: x\n    ports: [\"abc:1\"]\n"},
		"empty":  {},
	}
	for name, files := range fixtures {
		doc, err := Load(Options{Root: writeTree(t, files)})
		if err != nil {
			t.Fatal(err)
		}
		validateDoc(t, s, name, doc)
	}
	// The real-world corpus, read where it lives.
	dirs, _ := filepath.Glob("../../shared/corpus/real-world/*")
	if origin := "../../shared/corpus/origin"; dirExists(origin) {
		dirs = append(dirs, origin)
	}
	for _, dir := range dirs {
		doc, err := Load(Options{Root: dir})
		if err != nil {
			t.Fatal(err)
		}
		validateDoc(t, s, dir, doc)
	}
}

func dirExists(p string) bool {
	st, err := os.Stat(p)
	return err == nil && st.IsDir()
}

// TestSchemaMatchesGoTypes keeps input/schema.json in sync with the Go
// types: every JSON field of every struct in the Document is a property of
// the matching schema object, and every property is a field.
func TestSchemaMatchesGoTypes(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatal(err)
	}
	defs, _ := root["$defs"].(map[string]any)
	resolve := func(node map[string]any) map[string]any {
		for {
			if ref, ok := node["$ref"].(string); ok {
				node = defs[strings.TrimPrefix(ref, "#/$defs/")].(map[string]any)
				continue
			}
			if alts, ok := node["anyOf"].([]any); ok {
				for _, a := range alts {
					m := a.(map[string]any)
					if m["type"] != "null" {
						node = m
						break
					}
				}
				continue
			}
			return node
		}
	}
	var walk func(path string, typ reflect.Type, node map[string]any)
	walk = func(path string, typ reflect.Type, node map[string]any) {
		for typ.Kind() == reflect.Pointer {
			typ = typ.Elem()
		}
		node = resolve(node)
		switch typ.Kind() {
		case reflect.Slice:
			items, ok := node["items"].(map[string]any)
			if !ok {
				t.Errorf("%s: schema has no items for a list", path)
				return
			}
			walk(path+"[]", typ.Elem(), items)
		case reflect.Map:
			if add, ok := node["additionalProperties"].(map[string]any); ok {
				walk(path+"{}", typ.Elem(), add)
			}
		case reflect.Struct:
			props, _ := node["properties"].(map[string]any)
			fields := jsonFields(typ)
			var goNames, schemaNames []string
			for n := range fields {
				goNames = append(goNames, n)
			}
			for n := range props {
				schemaNames = append(schemaNames, n)
			}
			sort.Strings(goNames)
			sort.Strings(schemaNames)
			if !reflect.DeepEqual(goNames, schemaNames) {
				t.Errorf("%s (%s): Go fields %v, schema properties %v", path, typ.Name(), goNames, schemaNames)
				return
			}
			for n, ft := range fields {
				walk(path+"."+n, ft, props[n].(map[string]any))
			}
		}
	}
	walk("$", reflect.TypeOf(Document{}), root)
}

// jsonFields lists the JSON names of a struct's fields, embedded structs
// flattened.
func jsonFields(typ reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" || !f.IsExported() {
			continue
		}
		if f.Anonymous && tag == "" {
			for n, t := range jsonFields(f.Type) {
				out[n] = t
			}
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// TestSchemaDescribesEveryField: the schema is the reference of the input
// document (docs/input.md, editors), so every field of every object carries
// a description, the ones added later too; and it is written so that OPA's
// type checker reads it whole (anyOf, never oneOf).
func TestSchemaDescribesEveryField(t *testing.T) {
	var root map[string]any
	if err := json.Unmarshal(Schema, &root); err != nil {
		t.Fatal(err)
	}
	var walk func(path string, node map[string]any)
	walk = func(path string, node map[string]any) {
		if _, ok := node["oneOf"]; ok {
			t.Errorf("input/schema.json: %s uses oneOf: write anyOf, which OPA's type checker reads (it types a oneOf as any, so policies would go unchecked there)", path)
		}
		if props, ok := node["properties"].(map[string]any); ok {
			for _, name := range slices.Sorted(maps.Keys(props)) {
				p, _ := props[name].(map[string]any)
				if d, _ := p["description"].(string); strings.TrimSpace(d) == "" {
					t.Errorf("input/schema.json: %s.%s has no description: describe every field of the input document (docs/input.md is generated from them)", path, name)
				}
				walk(path+"."+name, p)
			}
		}
		if items, ok := node["items"].(map[string]any); ok {
			walk(path+"[]", items)
		}
		if add, ok := node["additionalProperties"].(map[string]any); ok {
			walk(path+"{}", add)
		}
		for _, key := range []string{"oneOf", "anyOf", "allOf"} {
			alts, _ := node[key].([]any)
			for _, a := range alts {
				if m, ok := a.(map[string]any); ok {
					walk(path, m)
				}
			}
		}
	}
	walk("input", root)
	defs, _ := root["$defs"].(map[string]any)
	for _, name := range slices.Sorted(maps.Keys(defs)) {
		d, _ := defs[name].(map[string]any)
		walk(name, d)
	}
}

var update = flag.Bool("update", false, "rewrite docs/input.md and the README's table of the input document from input/schema.json")

// TestSchemaReference keeps docs/input.md, the reference of the input
// document, and the README's table of its top-level fields generated from
// input/schema.json.
func TestSchemaReference(t *testing.T) {
	got, err := SchemaReference(Schema)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join("..", "docs", "input.md")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v; create it with: go test ./input -run TestSchemaReference -update", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("docs/input.md is out of date with input/schema.json; refresh it with:\n\tgo test ./input -run TestSchemaReference -update")
	}

	// The README shows the top-level fields, between its markers.
	summary, err := SchemaSummary(Schema)
	if err != nil {
		t.Fatal(err)
	}
	readmePath := filepath.Join("..", "README.md")
	readme, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- input-reference:begin -->\n", "<!-- input-reference:end -->"
	i, j := bytes.Index(readme, []byte(begin)), bytes.Index(readme, []byte(end))
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the lines %q and %q around the table of the input document", begin, end)
	}
	block := readme[i+len(begin) : j]
	if *update {
		updated := append(append(append([]byte{}, readme[:i+len(begin)]...), summary...), readme[j:]...)
		if err := os.WriteFile(readmePath, updated, 0o644); err != nil {
			t.Fatal(err)
		}
	} else if !bytes.Equal(block, summary) {
		t.Errorf("README.md's table of the input document is out of date with input/schema.json; refresh it with:\n\tgo test ./input -run TestSchemaReference -update")
	}
}
