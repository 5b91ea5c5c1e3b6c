package input

import (
	"bytes"
	"fmt"
	"regexp"
	"strings"
	"unicode"

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
//
// The file is read statement by statement, where docker compose's parser
// finds them (dotenvStatements), each parsed by compose-go with the values
// defined before it. A statement compose rejects (`BAD LINE HERE`, an
// unterminated quote, a broken ${...}) makes docker compose refuse the
// whole file; here it is an input error at its line, and the statements
// before and after it are still read, in both views, so that no finding is
// built on a half-read file. The message never quotes the value: it may be
// a secret.
func parseDotenv(file string, data []byte) (*dotenvFacts, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	d := &dotenvFacts{Compose: map[string]string{}, Lines: map[string]int{}}
	lookup := func(k string) (string, bool) { v, ok := d.Compose[k]; return v, ok }
	statements := dotenvStatements(data)
	var first error
	ok := make([]bool, len(statements))
	for i, st := range statements {
		if st.broken == "" {
			one, err := composedotenv.ParseWithLookup(bytes.NewReader(data[st.start:st.end]), lookup)
			if err == nil {
				ok[i] = true
				for k, v := range one {
					d.define(k, v, st.line)
				}
				continue
			}
			st.broken = "the value holds a ${...} docker compose cannot interpolate (unclosed, invalid, or a required variable without value)"
			if strings.Contains(err.Error(), "key cannot contain a space") {
				st.broken = "the variable name holds a space"
			}
		}
		if first == nil {
			first = InputError{File: file, Line: st.line, Column: 1,
				Message: "docker compose cannot read this line: " + st.broken + "; the other variables are read"}
		}
	}
	app, err := godotenv.UnmarshalBytes(data)
	if err != nil {
		// The applications' loaders would stop on this file too: read what
		// they can, statement by statement, so that the two views differ only
		// where they read a statement differently (DBP206).
		app = map[string]string{}
		for i, st := range statements {
			if !ok[i] {
				continue
			}
			if one, err := godotenv.UnmarshalBytes(data[st.start:st.end]); err == nil {
				for k, v := range one {
					app[k] = v
				}
			}
		}
	}
	d.App = app
	return d, first
}

// define records a variable docker compose reads, at the line of its last
// definition, which wins.
func (d *dotenvFacts) define(name, value string, line int) {
	if name == "" {
		return
	}
	if _, seen := d.Lines[name]; !seen {
		d.Order = append(d.Order, name)
	}
	d.Compose[name], d.Lines[name] = value, line
}

// dotenvStatement is one statement of a .env file: its byte span (a quoted
// value may span lines; a line may hold a statement after a quoted value),
// its first line, and why docker compose cannot read it, if it cannot.
type dotenvStatement struct {
	start, end int
	line       int
	broken     string
}

var dotenvExportRE = regexp.MustCompile(`^export\s+`)

// dotenvStatements splits a .env file where compose-go's dotenv parser
// splits it (its getStatementStart, locateKeyName and extractVarValue),
// so that each statement parsed alone reads as it reads in the whole
// file. Where the parser would stop (a character a name cannot hold, an
// unterminated quote), the statement is marked broken and ends with its
// line, and the next line starts afresh.
func dotenvStatements(data []byte) []dotenvStatement {
	var out []dotenvStatement
	src := string(data)
	line := 1
	pos := 0
	// advance moves pos to p, counting lines.
	advance := func(p int) {
		line += strings.Count(src[pos:p], "\n")
		pos = p
	}
	lineEnd := func(from int) int {
		if i := strings.IndexByte(src[from:], '\n'); i >= 0 {
			return from + i + 1
		}
		return len(src)
	}
	for pos < len(src) {
		// The statement starts at the next character that is not a space;
		// a # starts a comment to the end of the line.
		i := strings.IndexFunc(src[pos:], func(r rune) bool { return !unicode.IsSpace(r) })
		if i < 0 {
			break
		}
		advance(pos + i)
		if src[pos] == '#' {
			nl := strings.IndexByte(src[pos:], '\n')
			if nl < 0 {
				break
			}
			advance(pos + nl)
			continue
		}
		st := dotenvStatement{start: pos, line: line}
		st.end, st.broken = dotenvStatementEnd(src, pos)
		if st.broken != "" {
			st.end = max(st.end, lineEnd(pos))
		}
		out = append(out, st)
		advance(st.end)
	}
	return out
}

// dotenvStatementEnd finds where the statement starting at s[start] ends,
// as compose-go's parser reads it, or why the parser stops on it.
func dotenvStatementEnd(s string, start int) (end int, broken string) {
	src := s[start:]
	off := 0
	if m := dotenvExportRE.FindStringIndex(src); m != nil {
		trimmed := strings.TrimLeftFunc(src[len("export"):], isDotenvSpace)
		off = len(src) - len(trimmed)
	}
	keyEnd, sep := -1, rune(0)
	for i, r := range src[off:] {
		if isDotenvSpace(r) {
			continue
		}
		switch r {
		case '=', ':', '\n':
			keyEnd, sep = off+i, r
		case '_', '.', '-', '[', ']':
			continue
		default:
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				continue
			}
			return start, fmt.Sprintf("the variable name holds %q (a name is letters, digits, _ . - [ ])", r)
		}
		break
	}
	switch {
	case keyEnd < 0:
		// A name without = at the end of the file: compose reads the whole
		// rest as the value of an empty name.
		return len(s), ""
	case sep == '\n':
		// A name alone on its line takes its value from the environment.
		return start + keyEnd + 1, ""
	}
	value := strings.TrimLeftFunc(src[keyEnd+1:], isDotenvSpace)
	vstart := start + len(src) - len(value)
	if value == "" || (value[0] != '"' && value[0] != '\'') {
		if i := strings.IndexByte(value, '\n'); i >= 0 {
			return vstart + i + 1, ""
		}
		return len(s), ""
	}
	quote := value[0]
	escaped := false
	for i := 1; i < len(value); i++ {
		c := value[i]
		switch {
		case c != quote && !escaped && c == '\\':
			escaped = true
		case c != quote:
			escaped = false
		case escaped:
			escaped = false
		default:
			return vstart + i + 1, ""
		}
	}
	return start, "the quoted value is never closed"
}

// isDotenvSpace is compose-go's dotenv isSpace: a space that is not a line
// break.
func isDotenvSpace(r rune) bool {
	switch r {
	case '\t', '\v', '\f', '\r', ' ', 0x85, 0xA0:
		return true
	}
	return false
}

// PortLike reports whether the value of the root .env variable name may
// enter the document and any output: a variable that a port mapping
// references (portVars, see PortVariables) or that is named like a port.
// Every other value is a secret. fix's --diff shows a .env by this rule too.
func PortLike(name string, portVars map[string]bool) bool {
	return portVars[name] || portLikeName(name)
}

// PortVariables are the names of the variables that the port mappings of
// services reference.
func PortVariables(services []Service) map[string]bool {
	used := map[string]bool{}
	for _, s := range services {
		for _, p := range s.Ports {
			if p.Variable != nil {
				used[p.Variable.Name] = true
			}
		}
	}
	return used
}

// portLikeName reports whether a variable is named like a port, so its value
// may enter the document.
func portLikeName(name string) bool {
	u := strings.ToUpper(name)
	return u == "PORT" || strings.HasSuffix(u, "_PORT")
}
