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
	lines, order, err := scanDotenvLines(file, data)
	if err != nil {
		return nil, err
	}
	compose, err := composedotenv.ParseWithLookup(bytes.NewReader(data), func(string) (string, bool) { return "", false })
	if err != nil {
		return nil, dotenvError(file, err)
	}
	app, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// The applications' loader rejects what compose accepts: keep
		// compose's view, and report the difference through DBP206.
		app = map[string]string{}
	}
	return &dotenvFacts{Compose: compose, App: app, Lines: lines, Order: order}, nil
}

var dotenvLineRE = regexp.MustCompile(`line (\d+)`)

func dotenvError(file string, err error) error {
	e := InputError{File: file, Message: strings.TrimSpace(err.Error())}
	if m := dotenvLineRE.FindStringSubmatch(err.Error()); m != nil {
		fmt.Sscanf(m[1], "%d", &e.Line)
	}
	return e
}

var dotenvKeyRE = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*)$`)

// scanDotenvLines finds the line of each variable's last definition. Quoted
// values may span lines; those lines are not statements.
func scanDotenvLines(file string, data []byte) (map[string]int, []string, error) {
	lines := map[string]int{}
	var order []string
	text := strings.ReplaceAll(string(data), "\r\n", "\n")
	all := strings.Split(text, "\n")
	for i := 0; i < len(all); i++ {
		m := dotenvKeyRE.FindStringSubmatch(all[i])
		if m == nil {
			continue
		}
		name, value := m[1], m[2]
		if _, seen := lines[name]; !seen {
			order = append(order, name)
		}
		lines[name] = i + 1
		if q := value; len(q) > 0 && (q[0] == '"' || q[0] == '\'') {
			start := i
			for !closesQuote(q, q[0]) {
				i++
				if i >= len(all) {
					return nil, nil, InputError{File: file, Line: start + 1, Message: fmt.Sprintf("unterminated quoted value of %s", name)}
				}
				q += "\n" + all[i]
			}
		}
	}
	return lines, order, nil
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
