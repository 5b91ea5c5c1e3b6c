package input

import (
	"bytes"
	"regexp"
	"strings"
)

// Ignore is an inline suppression written next to what it suppresses:
// `# portguard:ignore DBP201,DBP501 -- why` in a compose file, on the line
// of a port mapping, a service key or a volume, or on the line before it;
// `<!-- portguard:ignore DBP503 -- why -->` in the convention table, on
// the line before a row. Whether it applies to a finding is decided by the
// policies (policies/lib/suppressions.rego); these are the facts.
type Ignore struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
	// Rules are the rule ids the comment names (comma or space separated).
	Rules []string `json:"rules"`
	// Reason is the text after " -- "; "" when the comment gives none.
	Reason string `json:"reason"`
	// TargetLine is the line the comment annotates: its own for a comment
	// after code, else the next line that is not a comment (0: a blank
	// line or the end of the file follows).
	TargetLine int `json:"target_line"`
	// Target is what is written at TargetLine: "port", "service",
	// "volume" (of a service, or a top-level one), "row" (of the
	// convention table), or "" for nothing portguard judges.
	Target string `json:"target"`
	// Service is the service whose port, key or volume is annotated.
	Service string `json:"service"`
}

// IgnoreMarker starts an inline suppression.
const IgnoreMarker = "portguard:ignore"

var (
	htmlIgnoreRE = regexp.MustCompile(`^\s*<!--\s*portguard:ignore\b(.*?)-->\s*$`)
	ruleSplitRE  = regexp.MustCompile(`[\s,]+`)
)

// yamlIgnores finds the portguard:ignore comments of a YAML file: a `#`
// at the start of a line or after a blank, outside quotes.
func yamlIgnores(file string, data []byte) []Ignore {
	return ignoresIn(data, func(lines []string, i int) (Ignore, bool) {
		l := lines[i]
		col, own := yamlComment(l)
		if col < 0 {
			return Ignore{}, false
		}
		text := strings.TrimSpace(l[col+1:])
		rest, ok := strings.CutPrefix(text, IgnoreMarker)
		if !ok || (rest != "" && rest[0] != ' ' && rest[0] != '\t' && rest[0] != '\r') {
			return Ignore{}, false
		}
		ig := parseIgnore(file, i+1, len([]rune(l[:col]))+1, rest)
		ig.TargetLine = i + 1
		if own {
			ig.TargetLine = nextCode(lines, i, func(s string) bool { c, o := yamlComment(s); return c >= 0 && o })
		}
		return ig, true
	})
}

// markdownIgnores finds the `<!-- portguard:ignore ... -->` lines of the
// convention table; each annotates the next line that is not one.
func markdownIgnores(file string, data []byte) []Ignore {
	return ignoresIn(data, func(lines []string, i int) (Ignore, bool) {
		l := lines[i]
		m := htmlIgnoreRE.FindStringSubmatch(l)
		if m == nil {
			return Ignore{}, false
		}
		ig := parseIgnore(file, i+1, strings.Index(l, "<!--")+1, m[1])
		ig.TargetLine = nextCode(lines, i, func(s string) bool { return htmlIgnoreRE.MatchString(s) })
		return ig, true
	})
}

// ignoresIn lists the ignore comments that read finds on the lines of a
// file, which it is given whole (an own-line comment annotates a later
// line).
func ignoresIn(data []byte, read func(lines []string, i int) (Ignore, bool)) []Ignore {
	if !bytes.Contains(data, []byte(IgnoreMarker)) {
		return nil
	}
	lines := strings.Split(string(trimBOM(data)), "\n")
	var out []Ignore
	for i := range lines {
		if ig, ok := read(lines, i); ok {
			out = append(out, ig)
		}
	}
	return out
}

// blankIgnoreRows turns an ignore comment that sits between two rows of a
// table into an empty row, so the table goes on past it (an HTML block ends
// a GFM table); the lines keep their numbers.
func blankIgnoreRows(data []byte) []byte {
	if !bytes.Contains(data, []byte(IgnoreMarker)) {
		return data
	}
	lines := strings.Split(string(data), "\n")
	changed := false
	for i := 1; i < len(lines); i++ {
		if !htmlIgnoreRE.MatchString(lines[i]) || !strings.Contains(lines[i-1], "|") {
			continue
		}
		j := i + 1
		for j < len(lines) && htmlIgnoreRE.MatchString(lines[j]) {
			j++
		}
		if j < len(lines) && strings.Contains(lines[j], "|") {
			for k := i; k < j; k++ {
				lines[k] = "|"
			}
			changed = true
			i = j
		}
	}
	if !changed {
		return data
	}
	return []byte(strings.Join(lines, "\n"))
}

// parseIgnore reads " DBP201, DBP501 -- why" after the marker.
func parseIgnore(file string, line, col int, rest string) Ignore {
	ids, reason, _ := strings.Cut(rest, "--")
	ig := Ignore{File: file, Line: line, Column: col, Rules: []string{}, Reason: strings.TrimSpace(reason)}
	for _, id := range ruleSplitRE.Split(strings.TrimSpace(ids), -1) {
		if id != "" {
			ig.Rules = append(ig.Rules, id)
		}
	}
	return ig
}

// nextCode is the 1-based number of the first line after i that isComment
// does not accept, or 0 when that line is blank or there is none.
func nextCode(lines []string, i int, isComment func(string) bool) int {
	for j := i + 1; j < len(lines); j++ {
		if isComment(lines[j]) {
			continue
		}
		if strings.TrimSpace(lines[j]) == "" {
			return 0
		}
		return j + 1
	}
	return 0
}

// yamlComment gives the byte offset of the `#` that starts a comment on
// the line (-1: none) and whether the line holds nothing else.
func yamlComment(l string) (col int, own bool) {
	var quote byte
	for i := 0; i < len(l); i++ {
		c := l[i]
		switch {
		case quote != 0:
			if c == quote {
				quote = 0
			}
		case c == '"' || c == '\'':
			quote = c
		case c == '#' && (i == 0 || l[i-1] == ' ' || l[i-1] == '\t'):
			return i, strings.TrimSpace(l[:i]) == ""
		}
	}
	return -1, false
}

// resolveIgnores says what each comment annotates, from the positions of
// the facts: a port mapping, a service key, a volume, a table row.
func resolveIgnores(doc *Document, igs []Ignore) []Ignore {
	type target struct{ kind, service string }
	at := map[Position]target{}
	key := func(file string, line int) Position { return Position{File: file, Line: line} }
	for _, s := range doc.Services {
		at[key(s.File, s.Line)] = target{"service", s.Name}
		for _, p := range s.Ports {
			at[key(p.File, p.Line)] = target{"port", s.Name}
		}
		for _, v := range s.Volumes {
			at[key(v.File, v.Line)] = target{"volume", s.Name}
		}
	}
	for _, v := range doc.Volumes {
		if _, ok := at[key(v.File, v.Line)]; !ok {
			at[key(v.File, v.Line)] = target{"volume", ""}
		}
	}
	for _, r := range doc.Conventions.Rows {
		if !r.Generated {
			at[key(doc.Conventions.File, r.Line)] = target{"row", r.Service}
		}
	}
	if igs == nil {
		igs = []Ignore{}
	}
	for i := range igs {
		if t, ok := at[key(igs[i].File, igs[i].TargetLine)]; ok && igs[i].TargetLine > 0 {
			igs[i].Target, igs[i].Service = t.kind, t.service
		}
	}
	return igs
}
