// Package diff renders unified diffs of text files, as `portguard fix
// --diff` and `portguard docs --check` print them. A small Myers diff on
// lines: the files portguard changes are small and the changes few, so the
// O((N+M)·D) walk is cheap and no dependency is needed.
package diff

import (
	"fmt"
	"strings"
)

// Context is the number of unchanged lines shown around a change.
const Context = 3

// Unified returns the unified diff that turns old into new, with the
// headers `--- a/name` and `+++ b/name` (`--- /dev/null` when created is
// set); "" when they are equal.
func Unified(name string, old, new []byte, created bool) string {
	return UnifiedWith(name, old, new, created, Options{Context: Context})
}

// Options tune what a diff shows.
type Options struct {
	// Context is the number of unchanged lines around a change.
	Context int
	// Show, when set, gives the text printed for a line: kind is ' ', '-'
	// or '+', and the line numbers (1-based) are those of the line in the
	// old and the new file (0 on the side it is not in). It lets a caller
	// hide what must not be printed, such as secrets.
	Show func(kind byte, oldLine, newLine int, text string) string
}

// UnifiedWith is Unified with options.
func UnifiedWith(name string, old, new []byte, created bool, o Options) string {
	if string(old) == string(new) {
		return ""
	}
	a, b := splitLines(string(old)), splitLines(string(new))
	edits := myers(a, b)
	var out strings.Builder
	if created {
		out.WriteString("--- /dev/null\n")
	} else {
		fmt.Fprintf(&out, "--- a/%s\n", name)
	}
	fmt.Fprintf(&out, "+++ b/%s\n", name)
	for _, h := range hunks(edits, o.Context) {
		writeHunk(&out, h, a, b, o.Show)
	}
	return out.String()
}

// line is one line of a file, without its "\n"; last is set for a final
// line that has no line ending.
type line struct {
	text    string
	noFinal bool
}

func splitLines(s string) []line {
	if s == "" {
		return nil
	}
	parts := strings.SplitAfter(s, "\n")
	if parts[len(parts)-1] == "" {
		parts = parts[:len(parts)-1]
	}
	out := make([]line, len(parts))
	for i, p := range parts {
		out[i] = line{text: strings.TrimSuffix(p, "\n"), noFinal: !strings.HasSuffix(p, "\n")}
	}
	return out
}

// edit is one step of the diff: keep a[ai] (== b[bi]), delete a[ai], or
// insert b[bi].
type edit struct {
	kind   byte // ' ', '-', '+'
	ai, bi int
}

// myers computes a shortest edit script from a to b.
func myers(a, b []line) []edit {
	n, m := len(a), len(b)
	maxD := n + m
	off := maxD + 1
	v := make([]int, 2*maxD+3)
	var trace [][]int
	eq := func(x, y int) bool { return a[x] == b[y] }
	found := false
	for d := 0; d <= maxD && !found; d++ {
		trace = append(trace, append([]int(nil), v...))
		for k := -d; k <= d; k += 2 {
			var x int
			if k == -d || (k != d && v[off+k-1] < v[off+k+1]) {
				x = v[off+k+1]
			} else {
				x = v[off+k-1] + 1
			}
			y := x - k
			for x < n && y < m && eq(x, y) {
				x++
				y++
			}
			v[off+k] = x
			if x >= n && y >= m {
				found = true
				break
			}
		}
	}
	trace = append(trace, append([]int(nil), v...))
	// Walk back from (n, m) through the saved frontiers.
	var rev []edit
	x, y := n, m
	for d := len(trace) - 2; d >= 0 && (x > 0 || y > 0); d-- {
		vd := trace[d]
		k := x - y
		var prevK int
		if k == -d || (k != d && vd[off+k-1] < vd[off+k+1]) {
			prevK = k + 1
		} else {
			prevK = k - 1
		}
		prevX := vd[off+prevK]
		prevY := prevX - prevK
		for x > prevX && y > prevY {
			x--
			y--
			rev = append(rev, edit{' ', x, y})
		}
		if d == 0 {
			break
		}
		if x == prevX {
			y--
			rev = append(rev, edit{'+', x, y})
		} else {
			x--
			rev = append(rev, edit{'-', x, y})
		}
	}
	for x > 0 && y > 0 {
		x--
		y--
		rev = append(rev, edit{' ', x, y})
	}
	out := make([]edit, len(rev))
	for i, e := range rev {
		out[len(rev)-1-i] = e
	}
	return out
}

// hunks groups the edit script into runs of changes with their context.
func hunks(edits []edit, context int) [][]edit {
	var out [][]edit
	i := 0
	for i < len(edits) {
		for i < len(edits) && edits[i].kind == ' ' {
			i++
		}
		if i == len(edits) {
			break
		}
		start := max(0, i-context)
		end := i
		// Extend while the next change is within 2*Context unchanged lines.
		for end < len(edits) {
			if edits[end].kind != ' ' {
				end++
				continue
			}
			j := end
			for j < len(edits) && edits[j].kind == ' ' {
				j++
			}
			if j == len(edits) || j-end > 2*context {
				end = min(len(edits), end+context)
				break
			}
			end = j
		}
		out = append(out, edits[start:end])
		i = end
	}
	return out
}

func writeHunk(out *strings.Builder, h []edit, a, b []line, show func(byte, int, int, string) string) {
	aStart, bStart := -1, -1
	aLen, bLen := 0, 0
	for _, e := range h {
		if e.kind != '+' {
			if aStart < 0 {
				aStart = e.ai
			}
			aLen++
		}
		if e.kind != '-' {
			if bStart < 0 {
				bStart = e.bi
			}
			bLen++
		}
	}
	// An empty side starts at the line before (unified diff convention).
	if aStart < 0 {
		aStart = h[0].ai - 1
	}
	if bStart < 0 {
		bStart = h[0].bi - 1
	}
	fmt.Fprintf(out, "@@ -%s +%s @@\n", span(aStart, aLen), span(bStart, bLen))
	for _, e := range h {
		var l line
		if e.kind == '+' {
			l = b[e.bi]
		} else {
			l = a[e.ai]
		}
		text := l.text
		if show != nil {
			oldLine, newLine := e.ai+1, e.bi+1
			switch e.kind {
			case '-':
				newLine = 0
			case '+':
				oldLine = 0
			}
			text = show(e.kind, oldLine, newLine, text)
		}
		out.WriteByte(e.kind)
		out.WriteString(text)
		out.WriteByte('\n')
		if l.noFinal {
			out.WriteString("\\ No newline at end of file\n")
		}
	}
}

func span(start, n int) string {
	if n == 1 {
		return fmt.Sprintf("%d", start+1)
	}
	return fmt.Sprintf("%d,%d", start+1, n)
}
