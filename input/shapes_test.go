package input

import (
	"strings"
	"testing"
)

// TestCheckShapes gives the first value of a wrong type among what
// compose-go is given, at its line and column, and accepts every form the
// compose schema allows.
func TestCheckShapes(t *testing.T) {
	checkParseErrors(t, true, []parseErrorCase{
		{"accepted forms", "name: shop\nservices:\n  db:\n    image: postgres:16\n    build: .\n    container_name: db\n    network_mode: host\n    labels: {a: 1, b: true, c: null, d: x}\n    profiles: [dev]\n    extends: {service: base, file: base.yml}\n  web:\n    build: {context: .}\n    labels: [a=b]\n    extends: base\n  empty:\n  reset:\n    labels: !reset null\nvolumes:\n  data:\n  named:\n    name: x\n    driver: local\n    driver_opts: {type: none}\n    external: yes\n    labels: [a=b]\n    x-note: 1\n  legacy:\n    external: {name: y}\n", 0, 0, ""},
		{"name", "name: [a]\n", 1, 1, "name must be a string"},
		{"service", "services:\n  db: [a]\n", 2, 3, "services.db must be a mapping"},
		{"image", "services:\n  db:\n    image: {a: b}\n", 3, 5, "services.db.image must be a string"},
		{"container_name", "services:\n  db:\n    container_name: 12\n", 3, 5, "services.db.container_name must be a string"},
		{"build", "services:\n  db:\n    build: [a]\n", 3, 5, "services.db.build must be a string or a mapping"},
		{"labels", "services:\n  db:\n    labels: x\n", 3, 5, "services.db.labels must be a mapping or a list"},
		{"label value", "services:\n  db:\n    labels:\n      a: [1]\n", 4, 7, "services.db.labels.a must be a string, number, boolean or null"},
		{"label item", "services:\n  db:\n    labels:\n      - a=b\n      - 5\n", 5, 9, "services.db.labels.1 must be a string"},
		{"profiles", "services:\n  db:\n    profiles: dev\n", 3, 5, "services.db.profiles must be a list"},
		{"extends", "services:\n  db:\n    extends: 5\n", 3, 5, "services.db.extends must be a string or a mapping"},
		{"extends service", "services:\n  db:\n    extends: {service: [a]}\n", 3, 15, "services.db.extends.service must be a string"},
		{"volumes", "volumes: [a]\n", 1, 1, "volumes must be a mapping"},
		{"volume", "volumes:\n  data: x\n", 2, 3, "volumes.data must be a mapping"},
		{"volume name", "volumes:\n  data:\n    name: [x]\n", 3, 5, "volumes.data.name must be a string"},
		{"volume external", "volumes:\n  data:\n    external: [x]\n", 3, 5, "volumes.data.external must be a string, number or boolean or a mapping"},
		{"volume key", "volumes:\n  data:\n    size: 1\n", 3, 5, "volumes.data additional properties 'size' not allowed"},
		{"service name", "services:\n  \"my db\":\n    image: postgres:16\n", 2, 3, "services additional properties 'my db' not allowed (a service name is letters, digits, '.', '_' and '-')"},
		{"volume name", "volumes:\n  \"my vol\":\n", 2, 3, "volumes additional properties 'my vol' not allowed (a volume name is letters, digits, '.', '_' and '-')"},
	})
}

// parseErrorCase is a compose file and the error parsing it gives: its
// line, column and message ("" for none).
type parseErrorCase struct {
	name, data string
	line, col  int
	msg        string
}

// checkParseErrors parses each case's file: the error must be an
// InputError of compose.yml at the case's line and column, with its message
// (exact), or containing it.
func checkParseErrors(t *testing.T, exact bool, cases []parseErrorCase) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := parseComposeFile("/r/compose.yml", "compose.yml", []byte(c.data))
			if c.msg == "" {
				if err != nil {
					t.Fatalf("err = %v", err)
				}
				return
			}
			ie, ok := err.(InputError)
			if !ok {
				t.Fatalf("err = %v (%T), want an InputError", err, err)
			}
			matches := ie.Message == c.msg || !exact && strings.Contains(ie.Message, c.msg)
			if ie.File != "compose.yml" || ie.Line != c.line || ie.Column != c.col || !matches {
				t.Errorf("got %s:%d:%d %q, want %d:%d %q (exact: %v)", ie.File, ie.Line, ie.Column, ie.Message, c.line, c.col, c.msg, exact)
			}
		})
	}
}
