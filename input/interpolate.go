package input

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/compose-spec/compose-go/v2/template"
)

// varRef is one variable reference in a compose string: `$NAME`,
// `${NAME}` or `${NAME<op>arg}` with op one of :- - :? ? :+ +.
type varRef struct {
	Start, End int // byte offsets of the whole reference in the string
	Name       string
	Form       string // "$", "", ":-", "-", ":?", "?", ":+", "+"
	Arg        string // default, error message or alternative, unexpanded
}

// hasDefault reports whether the reference carries a default value that
// applies when the variable is unset.
func (r varRef) hasDefault() bool { return r.Form == ":-" || r.Form == "-" }

var varOps = []string{":-", ":?", ":+", "-", "?", "+"}

// scanVars finds the variable references of s the way docker compose reads
// them; `$$` is an escaped dollar. A `${` without its closing brace is an
// error, as it is for compose.
func scanVars(s string) ([]varRef, error) {
	var refs []varRef
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || i+1 >= len(s) {
			continue
		}
		switch next := s[i+1]; {
		case next == '$':
			i++
		case next == '{':
			end, deep := closingBrace(s, i+1)
			switch {
			case deep:
				return nil, fmt.Errorf("variable references nested more than %d deep", maxNesting)
			case end < 0:
				// Not quoted: the value may be a secret (a password with "${").
				return nil, fmt.Errorf("unclosed variable reference: a ${ without its closing }")
			}
			ref, err := parseBraced(s[i+2 : end])
			if err != nil {
				return nil, err
			}
			ref.Start, ref.End = i, end+1
			refs = append(refs, ref)
			i = end
		case isNameStart(next):
			j := i + 1
			for j < len(s) && isNameChar(s[j]) {
				j++
			}
			refs = append(refs, varRef{Start: i, End: j, Name: s[i+1 : j], Form: "$"})
			i = j - 1
		}
	}
	return refs, nil
}

// maxNesting bounds `${A:-${B:-...}}`: each default is scanned again when
// it is expanded, so unbounded nesting would cost quadratic time.
const maxNesting = 16

// closingBrace returns the index of the brace closing the one at open,
// counting nested `${...}` in defaults, or -1; deep reports nesting beyond
// maxNesting.
func closingBrace(s string, open int) (end int, deep bool) {
	depth := 0
	for i := open; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
			if depth > maxNesting {
				return -1, true
			}
		case '}':
			depth--
			if depth == 0 {
				return i, false
			}
		}
	}
	return -1, false
}

// clip shortens text quoted in a message: a broken value may be long.
func clip(s string) string {
	const max = 64
	if len(s) <= max {
		return s
	}
	cut := max
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

var errInvalidRef = fmt.Errorf("invalid variable reference: ${ takes a name, then optionally :-, -, :?, ?, :+ or + and a value")

func parseBraced(body string) (varRef, error) {
	j := 0
	for j < len(body) && isNameChar(body[j]) {
		j++
	}
	name := body[:j]
	if name == "" || !isNameStart(name[0]) {
		return varRef{}, errInvalidRef
	}
	rest := body[j:]
	if rest == "" {
		return varRef{Name: name, Form: ""}, nil
	}
	for _, op := range varOps {
		if strings.HasPrefix(rest, op) {
			return varRef{Name: name, Form: op, Arg: rest[len(op):]}, nil
		}
	}
	return varRef{}, errInvalidRef
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameChar(c byte) bool { return isNameStart(c) || (c >= '0' && c <= '9') }

// lookupFunc maps a variable name to its value, reporting whether it is set.
type lookupFunc func(string) (string, bool)

// noLookup is the compose file's own view: nothing is set, so only defaults
// written in the file apply.
func noLookup(string) (string, bool) { return "", false }

// resolve gives the value of ref under lookup, as docker compose would, and
// whether that value is known. An unset variable without a default, or a
// required one, is unknown.
func resolve(ref varRef, lookup lookupFunc) (string, bool) {
	v, ok := lookup(ref.Name)
	switch ref.Form {
	case ":-":
		if ok && v != "" {
			return v, true
		}
		return expandArg(ref.Arg, lookup)
	case "-":
		if ok {
			return v, true
		}
		return expandArg(ref.Arg, lookup)
	case ":?":
		return v, ok && v != ""
	case "?":
		return v, ok
	case ":+":
		if ok && v != "" {
			return expandArg(ref.Arg, lookup)
		}
		return "", true
	case "+":
		if ok {
			return expandArg(ref.Arg, lookup)
		}
		return "", true
	default:
		return v, ok
	}
}

// expandArg interpolates a default or alternative, which may itself hold
// variables.
func expandArg(arg string, lookup lookupFunc) (string, bool) {
	refs, err := scanVars(arg)
	if err != nil {
		return "", false
	}
	out, unknown := substitute(arg, refs, lookup, "")
	return out, len(unknown) == 0
}

// substitute replaces every reference of s with its value under lookup;
// unknown values become placeholder, and their indexes are returned.
func substitute(s string, refs []varRef, lookup lookupFunc, placeholder string) (string, []int) {
	if len(refs) == 0 {
		return strings.ReplaceAll(s, "$$", "$"), nil
	}
	var b strings.Builder
	var unknown []int
	prev := 0
	for i, r := range refs {
		b.WriteString(strings.ReplaceAll(s[prev:r.Start], "$$", "$"))
		v, ok := resolve(r, lookup)
		if !ok {
			unknown = append(unknown, i)
			v = placeholder
		}
		b.WriteString(v)
		prev = r.End
	}
	b.WriteString(strings.ReplaceAll(s[prev:], "$$", "$"))
	return b.String(), unknown
}

// tolerantSubstitute is the interpolation compose-go runs on every field
// portguard does not judge: an unset variable without a default, or a
// required one (`${X:?must be set}`), does not stop the check. It becomes
// the placeholder, and the variable is reported once as unset.
func tolerantSubstitute(placeholder string, unset func(name string)) func(string, template.Mapping) (string, error) {
	return func(s string, mapping template.Mapping) (string, error) {
		refs, err := scanVars(s)
		if err != nil {
			return "", err
		}
		out, unknown := substitute(s, refs, lookupFunc(mapping), placeholder)
		for _, i := range unknown {
			unset(refs[i].Name)
		}
		return out, nil
	}
}
