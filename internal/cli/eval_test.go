package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/engine"
)

func TestNewCmdEvalFlags(t *testing.T) {
	testFlags(t, NewCmdEval, []flagCase[EvalOptions]{
		{name: "query alone", args: []string{"input.version"}, want: EvalOptions{Query: "input.version", StackOptions: StackOptions{Path: "."}, Format: "json", Timeout: engine.DefaultTimeout}},
		{name: "every flag", args: []string{"data.x", "repo", "-f", "a.yml", "--config", "c.yaml", "--policy", "p", "--data", "d.json", "--no-builtin", "--format", "pretty", "--timeout", "5s"},
			want: EvalOptions{Query: "data.x", StackOptions: StackOptions{Path: "repo", Files: []string{"a.yml"}, Config: "c.yaml", Policies: []string{"p"}, Data: []string{"d.json"}}, NoBuiltin: true, Format: "pretty", Timeout: 5 * time.Second}},
		{name: "no query", args: nil, wantErr: true},
		{name: "two paths", args: []string{"q", "a", "b"}, wantErr: true},
	}, func(want *EvalOptions, f *Factory) { want.IO, want.Factory = f.IO, f })
}

func TestEvalRun(t *testing.T) {
	repo := filepath.Join("..", "..", "testdata", "e2e", "port-var-default")
	cases := []struct {
		name, query, path, format string
		policies                  []string
		code                      int
		stdout                    string // exact
		stderr                    string
	}{
		{name: "a value", query: "count(input.services)", stdout: "1\n"},
		{name: "a value, pretty", query: "count(input.services)", format: "pretty", stdout: "1\n"},
		{name: "a list of values", query: "input.services[_].name", stdout: "[\n  \"postgres\"\n]\n"},
		{name: "a list of values, pretty", query: "input.services[_].ports[_].raw", format: "pretty", stdout: "${POSTGRES_PORT:-7000}:5432\n"},
		{name: "the library's values as a table", format: "pretty",
			query:  `[{"service": p.service, "port": p.effective, "category": p.category} | some p in data.portguard.lib.ports.mappings]`,
			stdout: "CATEGORY  PORT  SERVICE\ndatabase  7000  postgres\n"},
		{name: "variables are the columns", query: "some i; name := input.services[i].name; image := input.services[i].image", format: "pretty",
			stdout: "I  NAME      IMAGE\n0  postgres  postgres:16\n"},
		{name: "variables as JSON", query: "some i; name := input.services[i].name",
			stdout: "[\n  {\n    \"i\": 0,\n    \"name\": \"postgres\"\n  }\n]\n"},
		{name: "an object of scalars", query: "data.portguard.lib.services.category", format: "pretty", stdout: "KEY  VALUE\n0    database\n"},
		{name: "no results", query: `some s in input.services; s.name == "web"`, stdout: "[]\n"},
		{name: "no results, pretty", query: `some s in input.services; s.name == "web"`, format: "pretty", stdout: "(no results)\n"},
		{name: "undefined", query: "data.portguard.nothing", code: ExitFindings, stderr: "the query is undefined"},
		{name: "a misspelt field", query: "input.services[_].prots", code: ExitPolicy, stderr: "query:1:1: undefined ref: input.services[_].prots"},
		{name: "a user policy", query: "data.portguard.rules.team.image_tag_pinned.report", policies: []string{filepath.Join("..", "..", "testdata", "e2e", "policy-contract")}, stdout: "[]\n"},
		{name: "unknown format", query: "input.version", format: "yaml", code: ExitInput, stderr: "--format"},
		{name: "missing path", query: "input.version", path: "no-such-dir", code: ExitInput},
		{name: "the document has input errors", query: "count(input.errors) > 0", path: filepath.Join("..", "..", "testdata", "e2e", "bad-port"),
			code: ExitInput, stdout: "true\n", stderr: "input error"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f, out, _ := factoryWithBuffers()
			opts := &EvalOptions{IO: f.IO, Factory: f, Query: c.query, StackOptions: StackOptions{Path: repo, Policies: c.policies}, Format: "json", Timeout: engine.DefaultTimeout}
			if c.path != "" {
				opts.Path = c.path
			}
			if c.format != "" {
				opts.Format = c.format
			}
			err := evalRun(context.Background(), opts)
			if got := exitCode(err); got != c.code {
				t.Fatalf("exit %d (%v), want %d\nstdout:\n%s", got, err, c.code, out)
			}
			if c.code == ExitClean || c.stdout != "" {
				if out.String() != c.stdout {
					t.Errorf("stdout:\n%s\nwant:\n%s", out, c.stdout)
				}
			}
			if c.stderr != "" && (err == nil || !strings.Contains(err.Error(), c.stderr)) {
				t.Errorf("error %v lacks %q", err, c.stderr)
			}
		})
	}
}

func TestEvalTimeout(t *testing.T) {
	f, _, _ := factoryWithBuffers()
	repo := filepath.Join("..", "..", "testdata", "e2e", "port-var-default")
	err := evalRun(context.Background(), &EvalOptions{IO: f.IO, Factory: f, Query: "count([x | some x in numbers.range(1, 100000000); x % 7 == 3])", StackOptions: StackOptions{Path: repo}, Format: "json", Timeout: 200 * time.Millisecond})
	if exitCode(err) != ExitPolicy || !strings.Contains(err.Error(), "--timeout 200ms") {
		t.Errorf("evalRun = %v, want exit 3 naming the timeout", err)
	}
}
