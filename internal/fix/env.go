package fix

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// envDefinition is where a .env line defines a variable: the line, and the
// byte span of its value (inside the quotes, without a trailing comment).
type envDefinition struct {
	line       int
	start, end int
	complete   bool // the value ends on this line
}

var envKeyRE = regexp.MustCompile(`^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*`)

// envDefinitions finds the last definition of every variable of a .env,
// as docker compose reads it (a later definition wins).
func envDefinitions(f *textFile) map[string]envDefinition {
	defs := map[string]envDefinition{}
	for n := 1; n <= f.lines(); n++ {
		s, e, _ := f.lineSpan(n)
		line := f.data[s:e]
		m := envKeyRE.FindSubmatchIndex(line)
		if m == nil {
			continue
		}
		name := string(line[m[2]:m[3]])
		vs, ve, complete := envValueSpan(line, m[1])
		defs[name] = envDefinition{line: n, start: s + vs, end: s + ve, complete: complete}
	}
	return defs
}

// envValueSpan is the span of the value that starts at v: inside its
// quotes, or up to a comment (" #") with trailing blanks left out.
func envValueSpan(line []byte, v int) (start, end int, complete bool) {
	if v < len(line) && (line[v] == '"' || line[v] == '\'') {
		q := line[v]
		for i := v + 1; i < len(line); i++ {
			if q == '"' && line[i] == '\\' {
				i++
				continue
			}
			if line[i] == q {
				return v + 1, i, true
			}
		}
		return v + 1, len(line), false
	}
	end = len(line)
	for i := v; i < len(line); i++ {
		if line[i] == '#' && (i == v || line[i-1] == ' ' || line[i-1] == '\t') {
			end = i
			break
		}
	}
	for end > v && (line[end-1] == ' ' || line[end-1] == '\t') {
		end--
	}
	return v, end, true
}

// envSplices sets each variable of sets (all of one .env file): the value
// of its last definition is replaced in place (quotes, export and comments
// kept); a variable the file lacks gets a line after the last variable of
// the same service (the first word of its name), else at the end.
func envSplices(f *textFile, sets []finding.EnvSet, what func(finding.EnvSet) string) ([]splice, error) {
	defs := f.envDefinitions()
	var out []splice
	for i, set := range sets {
		if !validEnvName(set.Name) || strings.ContainsAny(set.Value, "\r\n\"'#$ \t\\") {
			return nil, fmt.Errorf("%s: cannot write %s=%s to %s", what(set), set.Name, set.Value, f.path)
		}
		if d, ok := defs[set.Name]; ok {
			if !d.complete {
				return nil, fmt.Errorf("%s:%d: the value of %s spans lines; set it to %s by hand", f.path, d.line, set.Name, set.Value)
			}
			if string(f.data[d.start:d.end]) == set.Value {
				continue
			}
			desc := fmt.Sprintf("%s=%s -> %s=%s", set.Name, f.data[d.start:d.end], set.Name, set.Value)
			out = append(out, splice{file: f, start: d.start, end: d.end, text: set.Value, seq: i, ops: []int{i}, what: what(set), desc: desc})
			continue
		}
		at, lead := envInsertAt(f, defs, set.Name)
		out = append(out, splice{file: f, start: at, end: at, text: lead + set.Name + "=" + set.Value + f.eol, seq: i, ops: []int{i},
			what: what(set), desc: "add " + set.Name + "=" + set.Value})
	}
	return out, nil
}

// envInsertAt is where a new variable goes, and the line ending to write
// first when the file does not end with one.
func envInsertAt(f *textFile, defs map[string]envDefinition, name string) (int, string) {
	word, _, _ := strings.Cut(name, "_")
	best := 0
	for other, d := range defs {
		if w, _, _ := strings.Cut(other, "_"); w == word && d.complete && d.line > best {
			best = d.line
		}
	}
	if best > 0 && best < len(f.starts) {
		return f.starts[best], ""
	}
	if f.endsWithEOL() {
		return len(f.data), ""
	}
	return len(f.data), f.eol
}

var envNameRE = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func validEnvName(s string) bool { return envNameRE.MatchString(s) }
