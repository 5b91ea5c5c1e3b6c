package input

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// SchemaReference renders the input document's schema (Schema) as the
// Markdown reference of docs/input.md: a table of fields per object, each
// with its type and the schema's description.
func SchemaReference(schema []byte) ([]byte, error) {
	r, root, err := newSchemaDoc(schema, "")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.WriteString("# The input document\n\n")
	b.WriteString("Generated from `input/schema.json` by `go test ./input -run TestSchemaReference -update`;\ndo not edit by hand.\n\n")
	fmt.Fprintf(&b, "%s\n\n", schemaString(root.get("description")))
	b.WriteString("`portguard input --schema` prints the schema, for editors and other tools.\nPolicies are compiled against it, so a reference to a field that is not\nlisted here, or a comparison of a field with a value of another type, is a\npolicy error.\n")
	r.queue = append(r.queue, section{title: "input", anchor: "input", node: root})
	for len(r.queue) > 0 {
		s := r.queue[0]
		r.queue = r.queue[1:]
		r.writeSection(&b, s)
	}
	return b.Bytes(), nil
}

// SchemaSummary is the table of the document's top-level fields, their
// types linking to their sections of docs/input.md: the README shows it.
func SchemaSummary(schema []byte) ([]byte, error) {
	r, root, err := newSchemaDoc(schema, "docs/input.md")
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	r.writeTable(&b, "input", root)
	return b.Bytes(), nil
}

func newSchemaDoc(schema []byte, linkTo string) (*schemaDoc, *orderedObject, error) {
	root, err := decodeOrdered(schema)
	if err != nil {
		return nil, nil, fmt.Errorf("input/schema.json: %w", err)
	}
	r := &schemaDoc{defs: map[string]*orderedObject{}, linkTo: linkTo}
	if defs, ok := root.get("$defs").(*orderedObject); ok {
		for _, k := range defs.keys {
			if d, ok := defs.values[k].(*orderedObject); ok {
				r.defs[k] = d
			}
		}
	}
	return r, root, nil
}

type section struct {
	title, anchor string
	node          *orderedObject
}

type schemaDoc struct {
	defs map[string]*orderedObject
	// linkTo is the file the links to sections point into ("": this one).
	linkTo string
	queue  []section
	// seen keeps each object's section once (several fields share a def).
	seen []string
}

func (r *schemaDoc) writeSection(b *bytes.Buffer, s section) {
	fmt.Fprintf(b, "\n## %s\n\n", s.title)
	if d := schemaString(s.node.get("description")); d != "" && s.anchor != "input" {
		fmt.Fprintf(b, "%s\n\n", d)
	}
	r.writeTable(b, s.title, s.node)
}

// writeTable writes the fields of an object, one row each.
func (r *schemaDoc) writeTable(b *bytes.Buffer, title string, node *orderedObject) {
	props, _ := node.get("properties").(*orderedObject)
	if props == nil {
		return
	}
	b.WriteString("| field | type | description |\n|---|---|---|\n")
	for _, name := range props.keys {
		p, _ := props.values[name].(*orderedObject)
		if p == nil {
			continue
		}
		typ := r.typeOf(p, title+"."+name)
		fmt.Fprintf(b, "| `%s` | %s | %s |\n", name, typ, cell(schemaString(p.get("description"))))
	}
}

// typeOf renders a property's type, queueing a section for every object
// with fields it leads to. path names an object that has no def of its own.
func (r *schemaDoc) typeOf(n *orderedObject, path string) string {
	if ref := schemaString(n.get("$ref")); ref != "" {
		name := strings.TrimPrefix(ref, "#/$defs/")
		def := r.defs[name]
		if def == nil {
			return "`" + name + "`"
		}
		if def.get("properties") != nil {
			return r.link(name, def)
		}
		return r.typeOf(def, name)
	}
	if c, ok := n.values["const"]; ok {
		return "`" + compactJSON(c) + "`"
	}
	if e, ok := n.get("enum").([]any); ok {
		var alts []string
		for _, v := range e {
			alts = append(alts, "`"+compactJSON(v)+"`")
		}
		return strings.Join(alts, " \\| ")
	}
	if alts, ok := n.get("anyOf").([]any); ok {
		var out []string
		for _, a := range alts {
			if o, ok := a.(*orderedObject); ok {
				out = append(out, r.typeOf(o, path))
			}
		}
		return strings.Join(out, " or ")
	}
	var types []string
	switch t := n.get("type").(type) {
	case string:
		types = []string{t}
	case []any:
		for _, v := range t {
			types = append(types, schemaString(v))
		}
	}
	var out []string
	for _, t := range types {
		out = append(out, r.typeNamed(n, t, path))
	}
	if len(out) == 0 {
		return "any"
	}
	return strings.Join(out, " or ")
}

// typeNamed renders one of the types a property's type names.
func (r *schemaDoc) typeNamed(n *orderedObject, t, path string) string {
	switch t {
	case "array":
		item, _ := n.get("items").(*orderedObject)
		if n.get("minItems") == json.Number("2") && n.get("maxItems") == json.Number("2") {
			return "[low, high] of " + r.typeOf(item, path+"[]")
		}
		if item != nil {
			return "array of " + r.typeOf(item, path+"[]")
		}
		return "array"
	case "object":
		if n.get("properties") != nil {
			return r.link(path, n)
		}
		if add, ok := n.get("additionalProperties").(*orderedObject); ok {
			return "object of " + r.typeOf(add, path+"{}")
		}
		return "object"
	case "integer":
		if lo, hi := n.get("minimum"), n.get("maximum"); lo != nil && hi != nil {
			return fmt.Sprintf("integer (%v-%v)", lo, hi)
		}
		return "integer"
	}
	return t
}

// link queues the section of an object with fields and links to it.
func (r *schemaDoc) link(name string, n *orderedObject) string {
	anchor := strings.NewReplacer(".", "", "[", "", "]", "", "{", "", "}", "").Replace(name)
	if !slices.Contains(r.seen, name) {
		r.seen = append(r.seen, name)
		r.queue = append(r.queue, section{title: name, anchor: anchor, node: n})
	}
	return fmt.Sprintf("[%s](%s#%s)", name, r.linkTo, anchor)
}

// cell keeps a description on its table row and out of Markdown's way
// (<redacted> is not an HTML tag, *_PORT not emphasis).
var cell = strings.NewReplacer("|", "\\|", "\n", " ", "<", "&lt;", ">", "&gt;", "*", "\\*").Replace

func schemaString(v any) string {
	s, _ := v.(string)
	return s
}

func compactJSON(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// orderedObject is a JSON object that keeps its keys in file order, so the
// reference lists the fields in the order the schema gives them.
type orderedObject struct {
	keys   []string
	values map[string]any
}

func (o *orderedObject) get(k string) any { return o.values[k] }

func decodeOrdered(data []byte) (*orderedObject, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	v, err := decodeValue(dec)
	if err != nil {
		return nil, err
	}
	o, ok := v.(*orderedObject)
	if !ok {
		return nil, fmt.Errorf("the schema is not an object")
	}
	return o, nil
}

func decodeValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			o := &orderedObject{values: map[string]any{}}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				o.keys = append(o.keys, k)
				o.values[k] = v
			}
			_, err := dec.Token()
			return o, err
		case '[':
			var a []any
			for dec.More() {
				v, err := decodeValue(dec)
				if err != nil {
					return nil, err
				}
				a = append(a, v)
			}
			_, err := dec.Token()
			return a, err
		}
	case json.Number:
		return t, nil
	}
	return tok, nil
}
