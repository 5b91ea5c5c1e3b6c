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

// scanVars finds the variable references of s exactly where docker
// compose finds them (compose-go's template package); `$$` is an escaped
// dollar. A `${` that is not a reference is an error, as it is for
// compose.
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
			ref, err := bracedRef(s, i)
			if err != nil {
				return nil, err
			}
			refs = append(refs, ref)
			i = ref.End - 1
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

// bracedRef reads the reference `${...}` that starts at s[start], as
// compose-go's template package reads it: `${NAME}`, or `${NAME<op>` and
// then everything up to the last `}` of the line, cut at the `}` that
// closes the reference's first brace when there is one (counting braces
// the way compose counts them: the character after each `{` is skipped).
func bracedRef(s string, start int) (varRef, error) {
	j := start + 2
	if j >= len(s) || !isNameStart(s[j]) {
		return varRef{}, errBadRef(s, start)
	}
	for j < len(s) && isNameChar(s[j]) {
		j++
	}
	name := s[start+2 : j]
	if j < len(s) && s[j] == '}' {
		return varRef{Start: start, End: j + 1, Name: name, Form: ""}, nil
	}
	form := ""
	for _, op := range varOps {
		if strings.HasPrefix(s[j:], op) {
			form = op
			break
		}
	}
	if form == "" {
		return varRef{}, errBadRef(s, start)
	}
	end, deep := firstClosingBrace(s, start)
	if deep {
		return varRef{}, fmt.Errorf("variable references nested more than %d deep", maxNesting)
	}
	if end < 0 {
		// No brace closes the first one on this line: the reference runs
		// to the line's last }, after the operator.
		for i := j + len(form); i < len(s) && s[i] != '\n'; i++ {
			if s[i] == '}' {
				end = i
			}
		}
		if end < 0 {
			return varRef{}, errBadRef(s, start)
		}
	}
	arg := s[j+len(form) : end]
	// compose interpolates the argument when it applies: a broken one is
	// an error then, and always here.
	if strings.IndexByte(arg, '$') >= 0 {
		if _, err := scanVars(arg); err != nil {
			return varRef{}, err
		}
	}
	return varRef{Start: start, End: end + 1, Name: name, Form: form, Arg: arg}, nil
}

// errBadRef is the error of a `${` that docker compose cannot read: no
// closing brace (the value is not quoted: it may be a secret with "${"),
// or no variable name.
func errBadRef(s string, start int) error {
	if strings.IndexByte(s[start:], '}') < 0 {
		return fmt.Errorf("unclosed variable reference: a ${ without its closing }")
	}
	return errInvalidRef
}

// maxNesting bounds `${A:-${B:-...}}`: each default is scanned again when
// it is expanded, so unbounded nesting would cost quadratic time.
const maxNesting = 16

// firstClosingBrace is compose-go's getFirstBraceClosingIndex on the line
// of s from start: the index of the `}` that closes the `{` after start,
// or -1, where the character after each `{` is skipped; deep reports
// nesting beyond maxNesting.
func firstClosingBrace(s string, start int) (end int, deep bool) {
	open := 0
	for i := start; i < len(s) && s[i] != '\n'; i++ {
		if s[i] == '}' {
			open--
			if open == 0 {
				return i, false
			}
		}
		if s[i] == '{' {
			open++
			if open > maxNesting {
				return -1, true
			}
			if i+1 < len(s) && s[i+1] == '\n' {
				break
			}
			i++
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
	out, unknown := substitute(arg, refs, lookup)
	return out, len(unknown) == 0
}

// substitute replaces every reference of s with its value under lookup, as
// docker compose does: a variable without value (no value, no default) is
// the empty string, also a required one (${X:?msg}, where compose would
// stop). The indexes of the references without value are returned.
func substitute(s string, refs []varRef, lookup lookupFunc) (string, []int) {
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
		}
		b.WriteString(v)
		prev = r.End
	}
	b.WriteString(strings.ReplaceAll(s[prev:], "$$", "$"))
	return b.String(), unknown
}

// tolerantSubstitute is the interpolation compose-go runs on the fields it
// is given: docker compose's, except that a required variable without
// value (`${X:?must be set}`) does not stop the check: it is the empty
// string, as every variable without value is.
func tolerantSubstitute(s string, mapping template.Mapping) (string, error) {
	if strings.IndexByte(s, '$') < 0 {
		return s, nil
	}
	refs, err := scanVars(s)
	if err != nil {
		return "", err
	}
	out, _ := substitute(s, refs, lookupFunc(mapping))
	return out, nil
}
