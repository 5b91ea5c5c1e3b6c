package fix

import (
	"regexp"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/diff"
)

// display is how --diff prints one file so that no secret reaches the
// output: a .env shows the values of port variables only, a compose file
// shows the changed lines alone (its context would show environment
// values and labels), the convention table shows everything.
type display struct {
	context int
	// old and new give the text to print for a line of each side, when it
	// differs from the line itself.
	old, new map[int]string
}

func (d display) options() diff.Options {
	return diff.Options{Context: d.context, Show: func(kind byte, oldLine, newLine int, text string) string {
		if kind == '+' {
			if s, ok := d.new[newLine]; ok {
				return s
			}
			return text
		}
		if s, ok := d.old[oldLine]; ok {
			return s
		}
		return text
	}}
}

const redacted = input.Redacted

func displayOf(f *File, ss *fileSplices, o *opSet, doc *input.Document) display {
	switch {
	case len(ss.edits) > 0:
		return composeDisplay(f, ss)
	case f.Path == doc.Env.File || f.Path == doc.Config.EnvFile:
		ports := input.PortVariables(doc.Services)
		for _, op := range o.env {
			ports[op.set.Name] = true
		}
		return display{context: diff.Context, old: envDisplay(f.Old, ports), new: envDisplay(f.New, ports)}
	}
	return display{context: diff.Context}
}

// composeDisplay shows the changed lines without context. A changed line
// that holds more than its mapping (a flow mapping such as
// `db: {environment: {...}, ports: ["5432:5432"]}`) shows its mappings
// alone.
func composeDisplay(f *File, ss *fileSplices) display {
	d := display{context: 0, old: map[int]string{}, new: map[int]string{}}
	oldScalars, newScalars := map[int][]string{}, map[int][]string{}
	for _, e := range ss.edits {
		line := e.edit.Line
		oldScalars[line] = append(oldScalars[line], string(e.file.data[e.start:e.end]))
		newScalars[line] = append(newScalars[line], e.text)
	}
	mask := func(lines []string, scalars map[int][]string, out map[int]string) {
		for n, ss := range scalars {
			if n-1 >= len(lines) {
				continue
			}
			text := lines[n-1]
			rest := text
			for _, s := range ss {
				rest = strings.Replace(rest, s, "", 1)
			}
			if !strings.Contains(rest, "{") {
				continue
			}
			indent := text[:len(text)-len(strings.TrimLeft(text, " \t"))]
			out[n] = indent + "… " + strings.Join(ss, " … ") + " …"
		}
	}
	mask(strings.Split(string(f.Old), "\n"), oldScalars, d.old)
	mask(strings.Split(string(f.New), "\n"), newScalars, d.new)
	return d
}

var envLineRE = regexp.MustCompile(`^(\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*)`)

// envDisplay gives the printable text of the lines of a .env that hold a
// value other than a port's (input.PortLike): the name stays, the value
// is redacted, as in the input document. Comments and blank lines print as they are; a line
// that is neither a definition nor a comment (the rest of a value that
// spans lines, a broken statement) is redacted whole.
func envDisplay(data []byte, ports map[string]bool) map[int]string {
	out := map[int]string{}
	f := newTextFile("", "", data, true)
	for n := 1; n <= f.lines(); n++ {
		line := string(f.line(n))
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		m := envLineRE.FindStringSubmatch(line)
		if m == nil {
			out[n] = redacted
			continue
		}
		name := m[2]
		_, _, complete := envValueSpan([]byte(line), len(m[1]))
		if input.PortLike(name, ports) && complete {
			continue
		}
		out[n] = m[1] + redacted
		// A quoted value that spans lines: its other lines are redacted too.
		for !complete && n < f.lines() {
			n++
			rest := string(f.line(n))
			out[n] = redacted
			q := line[len(m[1])]
			complete = strings.ContainsRune(rest, rune(q))
		}
	}
	return out
}
