package report

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
)

// update rewrites the golden files: go test ./internal/report -update
var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// fixtureRoot is the one repository every golden file is printed from:
// findings of several rules, a suppressed one, an input error and related
// locations.
const fixtureRoot = "testdata/repo"

// secret is the password in the fixture's .env: no format may print it.
const secret = "golden-secret-never-printed"

var (
	fixtureOnce   sync.Once
	fixtureResult Result
	fixtureErr    error
)

// fixture runs the real pipeline (input.Load, the engine with the built-in
// policies, the configuration and the exceptions) on testdata/repo, once.
func fixture(t *testing.T) Result {
	t.Helper()
	fixtureOnce.Do(func() { fixtureResult, fixtureErr = runPipeline(fixtureRoot) })
	if fixtureErr != nil {
		t.Fatal(fixtureErr)
	}
	return fixtureResult
}

func runPipeline(root string) (Result, error) {
	doc, err := input.Load(input.Options{Root: root})
	if err != nil {
		return Result{}, err
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		return Result{}, err
	}
	fs, err := eng.Eval(context.Background(), doc)
	if err != nil {
		return Result{}, err
	}
	// A fixed day, so exceptions that expire do not change the goldens.
	sup, err := eng.Suppress(context.Background(), doc, fs, nil, time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	if err != nil {
		return Result{}, err
	}
	active, suppressed := sup.Active, sup.Suppressed
	r := Result{
		Time:       time.Date(2026, 1, 1, 3, 17, 0, 0, time.UTC),
		Tool:       Tool{Name: "portguard", Version: "1.0.0-golden", InformationURI: "https://github.com/portguard/portguard"},
		Root:       root,
		EnvFile:    doc.Env.File,
		Files:      len(doc.Files),
		Services:   len(doc.Services),
		Findings:   active,
		Suppressed: suppressed,
		Errors:     doc.Errors,
		Unset:      doc.Unset,
		Rules:      eng.Rules(),
		FailOn:     doc.Config.FailOn,
	}
	switch {
	case len(r.Errors) > 0:
		r.ExitCode = 2
	case r.Summary().Errors > 0:
		r.ExitCode = 1
	}
	return r, nil
}

// TestFixtureShowsEveryCase guards the fixture itself: the goldens are
// only worth their size if they show these cases.
func TestFixtureShowsEveryCase(t *testing.T) {
	r := fixture(t)
	rules := map[string]bool{}
	related := false
	for _, f := range r.Findings {
		rules[f.RuleID] = true
		related = related || len(f.Related) > 0
	}
	if len(rules) < 4 {
		t.Errorf("findings of %d rules, want several: %v", len(rules), rules)
	}
	if !related {
		t.Error("no finding with related locations")
	}
	if len(r.Suppressed) == 0 {
		t.Error("no suppressed finding")
	}
	if len(r.Errors) == 0 {
		t.Error("no input error")
	}
	if r.Summary().Warnings == 0 {
		t.Error("no warning")
	}
}

// goldenCases are the files under testdata/golden, one per format (and the
// text format with --show-suppressed).
var goldenCases = []struct {
	file, format   string
	showSuppressed bool
}{
	{"report.txt", "text", false},
	{"report-show-suppressed.txt", "text", true},
	{"report.json", "json", false},
	{"report.sarif", "sarif", false},
	{"report.junit.xml", "junit", false},
	{"report.github.txt", "github", false},
	{"report.prom", "prometheus", false},
}

func TestGolden(t *testing.T) {
	for _, c := range goldenCases {
		t.Run(c.file, func(t *testing.T) {
			r := fixture(t)
			r.ShowSuppressed = c.showSuppressed
			got := render(t, c.format, r)
			if strings.Contains(got, secret) {
				t.Errorf("the %s report prints the secret of the fixture's .env", c.format)
			}
			path := filepath.Join("testdata", "golden", c.file)
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (create it with: go test ./internal/report -update)", err)
			}
			if got != string(want) {
				t.Errorf("the %s report differs from %s (if the change is intended, refresh it with: go test ./internal/report -update):\n%s",
					c.format, path, firstDifference(string(want), got))
			}
		})
	}
}

// TestFormatsAreStable: every format prints the same bytes twice.
func TestFormatsAreStable(t *testing.T) {
	r := fixture(t)
	for _, name := range Names() {
		if a, b := render(t, name, r), render(t, name, r); a != b {
			t.Errorf("%s prints differently on a second run:\n%s", name, firstDifference(a, b))
		}
	}
}

// TestEveryFormatHasAGolden keeps the golden list in step with Formats.
func TestEveryFormatHasAGolden(t *testing.T) {
	has := map[string]bool{}
	for _, c := range goldenCases {
		has[c.format] = true
	}
	for _, name := range Names() {
		if !has[name] {
			t.Errorf("format %s has no golden file", name)
		}
	}
}

func TestNew(t *testing.T) {
	for _, name := range Names() {
		if w, err := New(name, Options{}); err != nil || w == nil {
			t.Errorf("New(%q) = %v, %v", name, w, err)
		}
	}
	if _, err := New("xml", Options{}); err == nil || !strings.Contains(err.Error(), "sarif") {
		t.Errorf("New(xml) = %v, want an error listing the formats", err)
	}
}

func render(t *testing.T, format string, r Result) string {
	t.Helper()
	w, err := New(format, Options{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := w.Write(&buf, r); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

// firstDifference shows the first line where two texts differ.
func firstDifference(want, got string) string {
	wl, gl := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(wl), len(gl)); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want: " + w + "\n   got: " + g
		}
	}
	return "(same lines)"
}

// findingAt builds a finding for hand-made results.
func findingAt(rule, severity, file string, line, col int, msg string) finding.Finding {
	return finding.Finding{RuleID: rule, Severity: severity, File: file, Line: line, Column: col, EndColumn: col + 10, Message: msg, Related: []finding.Related{}}
}

func TestTextColour(t *testing.T) {
	r := fixture(t)
	var plain, colour bytes.Buffer
	if err := (Text{}).Write(&plain, r); err != nil {
		t.Fatal(err)
	}
	if err := (Text{Color: true}).Write(&colour, r); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(plain.String(), "\x1b[") {
		t.Error("text without colour has ANSI escapes")
	}
	if !strings.Contains(colour.String(), ansiRed) {
		t.Error("text with colour has no red rule id")
	}
}

func TestJSONReport(t *testing.T) {
	r := fixture(t)
	for _, show := range []bool{false, true} {
		r.ShowSuppressed = show
		var got struct {
			Version  int               `json:"version"`
			Findings []finding.Finding `json:"findings"`
			Summary  Summary           `json:"summary"`
		}
		if err := json.Unmarshal([]byte(render(t, "json", r)), &got); err != nil {
			t.Fatal(err)
		}
		want := len(r.Findings)
		if show {
			want += len(r.Suppressed)
		}
		if got.Version != 1 || len(got.Findings) != want || got.Summary != r.Summary() {
			t.Errorf("show suppressed %v: version %d, %d findings (want %d), summary %+v", show, got.Version, len(got.Findings), want, got.Summary)
		}
	}
}
