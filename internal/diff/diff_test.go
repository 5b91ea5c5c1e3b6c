package diff

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestUnified(t *testing.T) {
	old := "a\nb\nc\nd\ne\nf\ng\nh\ni\nj\nk\n"
	new := "a\nb\nc\nD\ne\nf\ng\nh\ni\nj\nk\nl\n"
	got := Unified("x.txt", []byte(old), []byte(new), false)
	want := `--- a/x.txt
+++ b/x.txt
@@ -1,7 +1,7 @@
 a
 b
 c
-d
+D
 e
 f
 g
@@ -9,3 +9,4 @@
 i
 j
 k
+l
`
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestUnifiedCreatedAndNoFinalNewline(t *testing.T) {
	got := Unified("n.md", nil, []byte("x\ny"), true)
	want := "--- /dev/null\n+++ b/n.md\n@@ -0,0 +1,2 @@\n+x\n+y\n\\ No newline at end of file\n"
	if got != want {
		t.Errorf("got\n%q\nwant\n%q", got, want)
	}
	if Unified("same", []byte("a\n"), []byte("a\n"), false) != "" {
		t.Error("equal files must give no diff")
	}
}

// TestMyersRebuilds checks on random inputs that the edit script turns a
// into b and keeps as many lines as an LCS does.
func TestMyersRebuilds(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 500; n++ {
		a := randomLines(r)
		b := randomLines(r)
		edits := myers(a, b)
		var got []line
		kept := 0
		ai, bi := 0, 0
		for _, e := range edits {
			switch e.kind {
			case ' ':
				if e.ai != ai || e.bi != bi || a[e.ai] != b[e.bi] {
					t.Fatalf("bad keep %+v at %d,%d", e, ai, bi)
				}
				got = append(got, a[e.ai])
				ai++
				bi++
				kept++
			case '-':
				if e.ai != ai {
					t.Fatalf("bad delete %+v at %d", e, ai)
				}
				ai++
			case '+':
				if e.bi != bi {
					t.Fatalf("bad insert %+v at %d", e, bi)
				}
				got = append(got, b[e.bi])
				bi++
			}
		}
		if ai != len(a) || bi != len(b) || len(got) != len(b) {
			t.Fatalf("script does not cover a=%v b=%v: %+v", a, b, edits)
		}
		if kept != lcs(a, b) {
			t.Fatalf("kept %d lines, the LCS has %d: a=%v b=%v", kept, lcs(a, b), a, b)
		}
	}
}

func randomLines(r *rand.Rand) []line {
	n := r.IntN(8)
	out := make([]line, n)
	for i := range out {
		out[i] = line{text: strings.Repeat("x", r.IntN(3))}
	}
	return out
}

func lcs(a, b []line) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				dp[i][j] = dp[i+1][j+1] + 1
			} else {
				dp[i][j] = max(dp[i+1][j], dp[i][j+1])
			}
		}
	}
	return dp[0][0]
}
