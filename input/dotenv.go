package input

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"

	composedotenv "github.com/compose-spec/compose-go/v2/dotenv"
	"github.com/joho/godotenv"
)

// dotenvFacts is a .env file as docker compose and as the applications read
// it, with the line where each variable is (last) defined.
type dotenvFacts struct {
	Compose map[string]string
	App     map[string]string
	Lines   map[string]int
	Order   []string
}

// lookup is docker compose's view of the file: the values compose
// interpolates into compose files.
func (d *dotenvFacts) lookup(name string) (string, bool) {
	if d == nil {
		return "", false
	}
	v, ok := d.Compose[name]
	return v, ok
}

// parseDotenv reads a .env file. compose-go's parser gives compose's view
// (it interpolates `${A:-x}` as docker compose does); godotenv gives the
// applications' view (as the Node and Go dotenv loaders read it). The shell
// environment is never consulted, so a check gives the same answer on every
// machine.
func parseDotenv(file string, data []byte) (*dotenvFacts, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	lines, order, statements, err := scanDotenvLines(file, data)
	if err != nil {
		return nil, err
	}
	compose, err := composedotenv.ParseWithLookup(bytes.NewReader(data), noLookup)
	var bad error
	if err != nil {
		// One broken statement must not hide the others: read them one by
		// one, in order, and report the first broken one by its line. The
		// parser's own message is not kept: it quotes the value, which may
		// be a secret.
		compose, bad = parseStatements(file, data, statements)
	}
	app, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// The applications' loader rejects what compose accepts: keep
		// compose's view, and report the difference through DBP206.
		app = map[string]string{}
	}
	return &dotenvFacts{Compose: compose, App: app, Lines: lines, Order: order}, bad
}

// parseStatements parses a .env statement by statement, each able to use
// the values defined before it, as compose reads the file. It returns the
// values it could read and an error naming the first broken statement.
func parseStatements(file string, data []byte, statements []dotenvStatement) (map[string]string, error) {
	vars := map[string]string{}
	var first error
	for _, st := range statements {
		lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
		one, err := composedotenv.ParseWithLookup(bytes.NewReader(data[st.start:st.end]), lookup)
		if err != nil {
			if first == nil {
				first = InputError{File: file, Line: st.line, Column: 1, Message: fmt.Sprintf("cannot read the value of %s (an unclosed ${, a stray quote or an invalid escape); the other variables are read", st.name)}
			}
			continue
		}
		for k, v := range one {
			vars[k] = v
		}
	}
	return vars, first
}

var dotenvKeyRE = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*)$`)

// dotenvStatement is one NAME=value statement: its byte span (a quoted
// value may span lines), its first line and its name.
type dotenvStatement struct {
	start, end int
	line       int
	name       string
}

// scanDotenvLines finds the line of each variable's last definition and the
// span of each statement. Quoted values may span lines; those lines are not
// statements.
func scanDotenvLines(file string, data []byte) (map[string]int, []string, []dotenvStatement, error) {
	lines := map[string]int{}
	var order []string
	var statements []dotenvStatement
	li := newLineIndex(data)
	n := len(li.starts)
	for i := 1; i <= n; i++ {
		text := string(li.line(i))
		m := dotenvKeyRE.FindStringSubmatch(text)
		if m == nil {
			continue
		}
		name, value := m[1], m[2]
		if _, seen := lines[name]; !seen {
			order = append(order, name)
		}
		lines[name] = i
		st := dotenvStatement{start: li.starts[i-1], line: i, name: name}
		if q := value; len(q) > 0 && (q[0] == '"' || q[0] == '\'') {
			for !closesQuote(q, q[0]) {
				i++
				if i > n {
					return nil, nil, nil, InputError{File: file, Line: st.line, Column: 1, Message: fmt.Sprintf("unterminated quoted value of %s", name)}
				}
				q += "\n" + string(li.line(i))
			}
		}
		st.end = len(data)
		if i < n {
			st.end = li.starts[i]
		}
		statements = append(statements, st)
	}
	return lines, order, statements, nil
}

// closesQuote reports whether the quoted value s (starting with quote)
// has its closing quote.
func closesQuote(s string, quote byte) bool {
	for i := 1; i < len(s); i++ {
		if quote == '"' && s[i] == '\\' {
			i++
			continue
		}
		if s[i] == quote {
			return true
		}
	}
	return false
}

// portLikeName reports whether a variable is named like a port, so its value
// may enter the document.
func portLikeName(name string) bool {
	u := strings.ToUpper(name)
	return u == "PORT" || strings.HasSuffix(u, "_PORT")
}
