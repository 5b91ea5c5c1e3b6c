package input

import _ "embed"

// Schema is the JSON Schema of the Document (input/schema.json), for policy
// authors and for `portguard input --schema`.
//
//go:embed schema.json
var Schema []byte
