package main

// End-to-end tests of `portguard mcp`: the built binary is started as a
// subprocess and driven over stdio by the MCP SDK's own client.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/dockertest"
	"github.com/portguard/portguard/internal/treetest"
)

// mcpSession starts `portguard mcp ARGS...` in dir and connects a client to
// it. The session is closed, and the server's stderr checked for a crash,
// when the test ends.
func mcpSession(t *testing.T, dir string, args ...string) *sdk.ClientSession {
	t.Helper()
	return mcpSessionEnv(t, dir, nil, args...)
}

// mcpSessionEnv is mcpSession with variables added to the environment.
func mcpSessionEnv(t *testing.T, dir string, env []string, args ...string) *sdk.ClientSession {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	cmd := exec.Command(binary, append([]string{"mcp"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(baseEnv(), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	client := sdk.NewClient(&sdk.Implementation{Name: "portguard-e2e", Version: "v0"}, nil)
	session, err := client.Connect(ctx, &sdk.CommandTransport{Command: cmd}, nil)
	if err != nil {
		t.Fatalf("connecting to portguard mcp: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Cleanup(func() {
		if err := session.Close(); err != nil {
			t.Errorf("closing the session: %v", err)
		}
		for _, bad := range []string{"goroutine ", "panic"} {
			if strings.Contains(stderr.String(), bad) {
				t.Errorf("the server's stderr contains %q:\n%s", bad, stderr.String())
			}
		}
	})
	return session
}

// callTool calls a tool and returns its result; a protocol error fails the
// test (a tool error is a result with IsError).
func callTool(t *testing.T, s *sdk.ClientSession, name string, args any) *sdk.CallToolResult {
	t.Helper()
	res, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: name, Arguments: args})
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return res
}

// structured decodes a successful tool result's structured content.
func structured(t *testing.T, name string, res *sdk.CallToolResult, into any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("%s: tool error: %s", name, resultText(res))
	}
	b, err := json.Marshal(res.StructuredContent)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, into); err != nil {
		t.Fatalf("%s: structured content: %v\n%s", name, err, b)
	}
}

func resultText(res *sdk.CallToolResult) string {
	var parts []string
	for _, c := range res.Content {
		if tc, ok := c.(*sdk.TextContent); ok {
			parts = append(parts, tc.Text)
		}
	}
	return strings.Join(parts, "\n")
}

func TestMCPListTools(t *testing.T) {
	s := mcpSession(t, ".")
	res, err := s.ListTools(context.Background(), nil)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		schema, _ := json.Marshal(tool.InputSchema)
		if !strings.Contains(string(schema), `"type":"object"`) {
			t.Errorf("%s: input schema %s", tool.Name, schema)
		}
		if tool.OutputSchema == nil {
			t.Errorf("%s has no output schema", tool.Name)
		}
		if tool.Description == "" {
			t.Errorf("%s has no description", tool.Name)
		}
	}
	slices.Sort(names)
	want := []string{"audit", "backup_create", "check", "explain_rule", "migration_apply", "migration_plan", "suggest_port"}
	if !slices.Equal(names, want) {
		t.Errorf("tools %v, want %v", names, want)
	}
}

// TestMCPCheck: the check tool returns the report `portguard check --format
// json` prints for the same stack.
func TestMCPCheck(t *testing.T) {
	s := mcpSession(t, ".")
	for _, fixture := range []string{"hardcoded-port", "duplicate-host-port", "malformed-yaml", "exception-config"} {
		root := filepath.Join("..", "..", "testdata", "e2e", fixture)
		var got report
		structured(t, "check", callTool(t, s, "check", map[string]any{"path": root}), &got)
		cli := decodeReport(t, run(t, invocation{args: []string{"check", root, "--format", "json"}}))
		gotJSON, _ := json.Marshal(got)
		wantJSON, _ := json.Marshal(cli)
		if !bytes.Equal(gotJSON, wantJSON) {
			t.Errorf("%s: the tool's report\n%s\ndiffers from the command's\n%s", fixture, gotJSON, wantJSON)
		}
		if fixture == "hardcoded-port" && (len(got.Findings) == 0 || got.Findings[0].RuleID != "DBP201" || got.Summary.ExitCode != 1) {
			t.Errorf("%s: findings %+v, exit code %d", fixture, got.Findings, got.Summary.ExitCode)
		}
	}
}

// TestMCPCheckProfiles: profiles select services as check --profile does.
func TestMCPCheckProfiles(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "e2e", "profile-alternatives")
	s := mcpSession(t, ".")
	for _, profiles := range [][]string{nil, {"pg"}, {"pg", "mysql"}} {
		args := []string{"check", root, "--format", "json"}
		for _, p := range profiles {
			args = append(args, "--profile", p)
		}
		var got report
		structured(t, "check", callTool(t, s, "check", map[string]any{"path": root, "profiles": profiles}), &got)
		cli := decodeReport(t, run(t, invocation{args: args}))
		g, _ := json.Marshal(got)
		w, _ := json.Marshal(cli)
		if !bytes.Equal(g, w) {
			t.Errorf("profiles %v: the tool's report\n%s\ndiffers from the command's\n%s", profiles, g, w)
		}
		if conflict := len(got.Findings) > 0 && got.Findings[0].RuleID == "DBP401"; conflict != (len(profiles) == 2) {
			t.Errorf("profiles %v: findings %+v", profiles, got.Findings)
		}
	}
}

// TestMCPNoSecrets: no value of .env or environment: reaches a tool result.
func TestMCPNoSecrets(t *testing.T) {
	s := mcpSession(t, ".")
	root := filepath.Join("..", "..", "testdata", "e2e", "secrets-redacted")
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"check", map[string]any{"path": root, "show_suppressed": true}},
		{"suggest_port", map[string]any{"path": root, "category": "ui", "count": 3}},
	} {
		res := callTool(t, s, c.tool, c.args)
		b, _ := json.Marshal(res)
		if res.IsError || strings.Contains(string(b), "CANARY") {
			t.Errorf("%s: error %v, or a secret in\n%s", c.tool, res.IsError, b)
		}
	}
}

func TestMCPSuggestPort(t *testing.T) {
	root := filepath.Join("..", "..", "testdata", "fix", "generated-table")
	s := mcpSession(t, ".")
	for _, args := range [][]string{
		{"--category", "database", "--count", "3"},
		{"--category", "exporter", "--count", "2"},
		{"--backup-of", "timescaledb", "--count", "2"},
	} {
		toolArgs := map[string]any{"path": root}
		for i := 0; i < len(args); i += 2 {
			switch args[i] {
			case "--category":
				toolArgs["category"] = args[i+1]
			case "--backup-of":
				toolArgs["backup_of"] = args[i+1]
			case "--count":
				n, _ := strconv.Atoi(args[i+1])
				toolArgs["count"] = n
			}
		}
		var got map[string]any
		structured(t, "suggest_port", callTool(t, s, "suggest_port", toolArgs), &got)
		var want map[string]any
		res := run(t, invocation{args: append([]string{"suggest", root, "--format", "json"}, args...)})
		if err := json.Unmarshal([]byte(res.stdout), &want); err != nil {
			t.Fatalf("suggest %v: %v\n%s", args, err, res.stderr)
		}
		for _, k := range []string{"category", "range", "primary", "ports"} {
			g, _ := json.Marshal(got[k])
			w, _ := json.Marshal(want[k])
			if !bytes.Equal(g, w) {
				t.Errorf("suggest_port %v: %s = %s, the command says %s", toolArgs, k, g, w)
			}
		}
	}
}

func TestMCPExplainRule(t *testing.T) {
	s := mcpSession(t, ".")
	var got struct {
		Rule struct {
			ID, Severity, Title, Description, Remediation string
		} `json:"rule"`
		Example struct {
			Description string `json:"description"`
			Files       []struct {
				Path, Content string
			} `json:"files"`
			Findings []finding `json:"findings"`
		} `json:"example"`
	}
	structured(t, "explain_rule", callTool(t, s, "explain_rule", map[string]any{"id": "dbp301"}), &got)
	if got.Rule.ID != "DBP301" || got.Rule.Severity != "error" || got.Rule.Title == "" || got.Rule.Remediation == "" {
		t.Errorf("rule %+v", got.Rule)
	}
	if len(got.Example.Files) == 0 || len(got.Example.Findings) == 0 {
		t.Fatalf("example %+v", got.Example)
	}
	for _, f := range got.Example.Findings {
		if f.RuleID != "DBP301" || f.File != got.Example.Files[0].Path || f.Line < 1 {
			t.Errorf("example finding %+v", f)
		}
	}
}

// TestMCPToolErrors: a bad argument or a failure is a tool error with a
// clear message, and the server goes on answering.
func TestMCPToolErrors(t *testing.T) {
	s := mcpSession(t, ".")
	for _, c := range []struct {
		tool string
		args any
		want string
	}{
		{"check", map[string]any{"path": 42}, "path"},
		{"check", map[string]any{"path": ".", "files": "docker-compose.yml"}, "files"},
		{"check", map[string]any{"path": "no/such/dir"}, "no/such/dir"},
		{"check", map[string]any{"path": t.TempDir()}, "nothing to check: no compose file under"},
		{"check", map[string]any{"path": ".", "fail_on": "sometimes"}, `fail_on "sometimes": use error, warning, never`},
		{"explain_rule", map[string]any{}, "id"},
		{"explain_rule", map[string]any{"id": "DBP999"}, `no rule "DBP999"; the rules are DBP001, DBP002`},
		{"suggest_port", map[string]any{"category": "web"}, `unknown category "web"`},
		{"suggest_port", map[string]any{"count": -2}, "count -2"},
		{"suggest_port", map[string]any{"backup_of": "nope", "path": filepath.Join("..", "..", "testdata", "e2e", "hardcoded-port")}, `no service is named "nope"`},
	} {
		res := callTool(t, s, c.tool, c.args)
		if !res.IsError || !strings.Contains(resultText(res), c.want) {
			t.Errorf("%s %v: error %v, %q; want a tool error saying %q", c.tool, c.args, res.IsError, resultText(res), c.want)
		}
	}
	if _, err := s.CallTool(context.Background(), &sdk.CallToolParams{Name: "no_such_tool"}); err == nil {
		t.Errorf("an unknown tool is not an error")
	}
	var got report
	structured(t, "check", callTool(t, s, "check", map[string]any{"path": filepath.Join("..", "..", "testdata", "e2e", "hardcoded-port")}), &got)
	if len(got.Findings) == 0 {
		t.Errorf("after the errors, check finds nothing")
	}
}

func TestMCPResourcesAndPrompt(t *testing.T) {
	s := mcpSession(t, ".")
	ctx := context.Background()
	list, err := s.ListResources(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	uris := map[string]bool{}
	for _, r := range list.Resources {
		uris[r.URI] = true
	}
	var catalog []struct {
		ID, Title, Remediation string
	}
	if err := json.Unmarshal([]byte(run(t, invocation{args: []string{"rules", "--format", "json"}}).stdout), &catalog); err != nil {
		t.Fatal(err)
	}
	if len(uris) != len(catalog)+1 || !uris["portguard://rules"] {
		t.Errorf("%d resources for %d rules: %v", len(uris), len(catalog), uris)
	}
	read, err := s.ReadResource(ctx, &sdk.ReadResourceParams{URI: "portguard://rules"})
	if err != nil {
		t.Fatal(err)
	}
	var got []struct {
		ID, Title, Remediation string
	}
	if err := json.Unmarshal([]byte(read.Contents[0].Text), &got); err != nil || !slices.Equal(got, catalog) {
		t.Errorf("the catalog resource differs from portguard rules --format json (%v)", err)
	}
	one, err := s.ReadResource(ctx, &sdk.ReadResourceParams{URI: "portguard://rules/DBP401"})
	if err != nil {
		t.Fatal(err)
	}
	if text := one.Contents[0].Text; !strings.HasPrefix(text, "# DBP401: ") || !strings.Contains(text, "**Fix:**") {
		t.Errorf("DBP401:\n%s", text)
	}
	if _, err := s.ReadResource(ctx, &sdk.ReadResourceParams{URI: "portguard://rules/NOPE"}); err == nil {
		t.Errorf("reading an unknown rule is not an error")
	}

	prompt, err := s.GetPrompt(ctx, &sdk.GetPromptParams{Name: "protect-databases", Arguments: map[string]string{"path": "stacks"}})
	if err != nil {
		t.Fatal(err)
	}
	text := prompt.Messages[0].Content.(*sdk.TextContent).Text
	for _, want := range []string{"stacks under `stacks`", "**Status.**", "**Backup.**", "**Plan.**", "**Confirmation.**", "**Apply.**", "**Verification.**", "`confirm: true`"} {
		if !strings.Contains(text, want) {
			t.Errorf("the prompt lacks %q", want)
		}
	}
}

// TestMCPBrokenPolicy: a --policy that does not compile stops the server
// before it serves, with exit 3 and the place on stderr.
func TestMCPBrokenPolicy(t *testing.T) {
	policy := filepath.Join("..", "..", "testdata", "e2e", "policy-sandboxed", "http_send.rego")
	res := run(t, invocation{args: []string{"mcp", "--policy", policy}})
	if res.code != 3 || res.stdout != "" || !strings.Contains(res.stderr, "http_send.rego") {
		t.Errorf("exit %d, stdout %q, stderr %q", res.code, res.stdout, res.stderr)
	}
}

// TestMCPMigration: migration_plan is what migrate plan prints;
// migration_apply and backup_create without confirm refuse, describe what
// they would do and change nothing; with confirm and config_only they act
// as the commands with --config-only (TestMCPEngine: with the engine).
func TestMCPMigration(t *testing.T) {
	fixture := filepath.Join("..", "..", "testdata", "migrate", "postgres-off-convention")
	root := t.TempDir()
	treetest.Copy(t, fixture, root)
	before := treetest.Read(t, root)
	s := mcpSession(t, ".")

	var plan map[string]any
	structured(t, "migration_plan", callTool(t, s, "migration_plan", map[string]any{"path": root}), &plan)
	var want map[string]any
	cli := run(t, invocation{args: []string{"migrate", "plan", root, "--format", "json"}})
	if err := json.Unmarshal([]byte(cli.stdout), &want); err != nil {
		t.Fatalf("migrate plan: %v\n%s", err, cli.stderr)
	}
	g, _ := json.Marshal(plan)
	w, _ := json.Marshal(want)
	if !bytes.Equal(g, w) {
		t.Errorf("migration_plan\n%s\ndiffers from migrate plan --format json\n%s", g, w)
	}

	checkMCPConfigOnlyWithoutConfirm(t, s, root, before)

	var backed mcpBackup
	structured(t, "backup_create", callTool(t, s, "backup_create", map[string]any{"path": root, "config_only": true, "confirm": true}), &backed)
	if !backed.Created || backed.ID == "" || backed.Verification == nil || backed.Verification.Checked < 3 || len(backed.Verification.Problems) != 0 {
		t.Errorf("backup_create: %+v", backed)
	}
	if res := run(t, invocation{args: []string{"backup", "verify", backed.ID, root}}); res.code != 0 {
		t.Errorf("backup verify %s: exit %d %s", backed.ID, res.code, res.stderr)
	}

	var applied mcpApply
	structured(t, "migration_apply", callTool(t, s, "migration_apply", map[string]any{"path": root, "config_only": true, "confirm": true}), &applied)
	if !applied.Applied || applied.Result == nil || applied.Result.Backup == "" || len(applied.Result.Files) != 3 {
		t.Errorf("migration_apply: %+v", applied)
	}
	var after report
	structured(t, "check", callTool(t, s, "check", map[string]any{"path": root}), &after)
	for _, f := range after.Findings {
		if f.RuleID == "DBP101" || f.RuleID == "DBP103" {
			t.Errorf("after the migration: %s %s", f.RuleID, f.Message)
		}
	}
	if !strings.Contains(treetest.Read(t, root)[".env"], "POSTGRES_PORT=7000") {
		t.Errorf(".env after the migration:\n%s", treetest.Read(t, root)[".env"])
	}
}

// checkMCPConfigOnlyWithoutConfirm: without confirm, migration_apply and
// backup_create with config_only refuse, describe the plan and what they
// would take, and change nothing.
func checkMCPConfigOnlyWithoutConfirm(t *testing.T, s *sdk.ClientSession, root string, before map[string]string) {
	t.Helper()
	res := callTool(t, s, "migration_apply", map[string]any{"path": root, "config_only": true})
	var refused mcpApply
	structured(t, "migration_apply", res, &refused)
	text := resultText(res)
	if refused.Applied || !strings.HasPrefix(refused.Message, "not applied: ") || len(refused.Plan.Moves) != 2 ||
		refused.Plan.Moves[0].Service != "postgres" || refused.Plan.Moves[0].From != 5433 || refused.Plan.Moves[0].To != 7000 {
		t.Errorf("migration_apply without confirm: %+v", refused)
	}
	for _, want := range []string{"confirm: true", "postgres  shop     database  5433 -> 7000", "keeps volume shop-pgdata"} {
		if !strings.Contains(text, want) {
			t.Errorf("the refusal does not say %q:\n%s", want, text)
		}
	}
	res = callTool(t, s, "backup_create", map[string]any{"path": root, "config_only": true})
	var would mcpBackup
	structured(t, "backup_create", res, &would)
	if would.Created || !would.ConfigOnly || !slices.Contains(would.ConfigFiles, ".env") || !slices.Contains(would.ConfigFiles, "docker-compose.yml") {
		t.Errorf("backup_create without confirm: %+v", would)
	}
	if after := treetest.Read(t, root); !maps.Equal(before, after) {
		t.Fatalf("without confirm, files changed: %v", slices.Sorted(maps.Keys(after)))
	}
}

// TestMCPNoEngine: when no Docker engine answers, backup_create and
// migration_apply refuse as backup create and migrate apply do, with or
// without confirm, saying that config_only works without one, and change
// nothing; with config_only they work.
func TestMCPNoEngine(t *testing.T) {
	root := t.TempDir()
	treetest.Copy(t, filepath.Join("..", "..", "testdata", "migrate", "postgres-off-convention"), root)
	before := treetest.Read(t, root)
	sock := filepath.Join(t.TempDir(), "no-engine.sock")
	s := mcpSessionEnv(t, ".", []string{"DOCKER_HOST=unix://" + sock})
	for _, c := range []struct {
		tool string
		args map[string]any
	}{
		{"backup_create", map[string]any{"path": root}},
		{"backup_create", map[string]any{"path": root, "confirm": true}},
		{"migration_apply", map[string]any{"path": root}},
		{"migration_apply", map[string]any{"path": root, "confirm": true}},
	} {
		res := callTool(t, s, c.tool, c.args)
		text := resultText(res)
		if !res.IsError || !strings.HasPrefix(text, c.tool+" needs a Docker engine: ") || !strings.Contains(text, sock) || !strings.Contains(text, "(config_only: true works without one)") {
			t.Errorf("%s %v: error %v\n%s", c.tool, c.args, res.IsError, text)
		}
		if c.tool == "migration_apply" && !strings.Contains(text, "postgres  shop     database  5433 -> 7000") {
			t.Errorf("%s %v: the refusal does not carry the plan:\n%s", c.tool, c.args, text)
		}
		if b, _ := json.Marshal(res); strings.Contains(string(b), "correct-horse-battery-staple") {
			t.Errorf("%s %v: the result carries the password of .env", c.tool, c.args)
		}
	}
	if after := treetest.Read(t, root); !maps.Equal(before, after) {
		t.Fatalf("without an engine, files changed: %v", slices.Sorted(maps.Keys(after)))
	}
	var applied struct {
		Applied bool `json:"applied"`
	}
	structured(t, "migration_apply", callTool(t, s, "migration_apply", map[string]any{"path": root, "config_only": true, "confirm": true}), &applied)
	if !applied.Applied {
		t.Errorf("migration_apply with config_only, without an engine: not applied")
	}
}

// TestMCPAudit: the audit tool reports a process that is not a database
// tool listening in the range, as portguard audit does, and says what it
// looked at.
func TestMCPAudit(t *testing.T) {
	port := listenInReservedRange(t)
	s := mcpSession(t, ".")
	var r liveReport
	structured(t, "audit", callTool(t, s, "audit", map[string]any{}), &r)
	want := fmt.Sprintf("(pid %d), not a database tool, listens on tcp 127.0.0.1:%d inside 7000-7999", os.Getpid(), port)
	if got := about(r.Findings, "DBP801", want); len(got) != 1 || r.Summary.ExitCode != 1 {
		t.Errorf("no DBP801 %q among %+v (exit code %d)", want, r.Findings, r.Summary.ExitCode)
	}
	if r.Live == nil {
		t.Errorf("the report says nothing of the host")
	}
	for _, f := range r.Findings {
		if f.RuleID == "DBP802" {
			t.Errorf("the audit reports the pre-flight rule: %+v", f)
		}
	}
	res := callTool(t, s, "audit", map[string]any{"files": []string{"docker-compose.yml"}})
	if !res.IsError || !strings.Contains(resultText(res), "give the path too") {
		t.Errorf("files without path: %v %s", res.IsError, resultText(res))
	}
}

// mcpBackup is the result of backup_create.
type mcpBackup struct {
	Created     bool     `json:"created"`
	Message     string   `json:"message"`
	Dir         string   `json:"dir"`
	ID          string   `json:"id"`
	ConfigOnly  bool     `json:"config_only"`
	ConfigFiles []string `json:"config_files"`
	Dumps       []struct {
		Path, Source, Container, Tool string
	} `json:"dumps"`
	Volumes []struct {
		Name    string `json:"name"`
		Size    int64  `json:"size"`
		Archive string `json:"archive"`
		Service string `json:"service"`
		Live    bool   `json:"live"`
	} `json:"volumes"`
	Files []struct {
		Path, Kind, Source, Tool string
		Size                     int64
	} `json:"files"`
	Verification *struct {
		Checked  int   `json:"checked"`
		Problems []any `json:"problems"`
	} `json:"verification"`
}

// mcpApply is the result of migration_apply.
type mcpApply struct {
	Applied    bool   `json:"applied"`
	Message    string `json:"message"`
	ConfigOnly bool   `json:"config_only"`
	Plan       struct {
		Moves []struct {
			Service  string `json:"service"`
			From, To int
		} `json:"moves"`
	} `json:"plan"`
	Result *struct {
		Backup    string   `json:"backup"`
		Files     []string `json:"files"`
		Recreated []string `json:"recreated"`
	} `json:"result"`
	Steps []string `json:"steps"`
}

// TestMCPEngine: with a Docker engine, backup_create and migration_apply
// do what backup create and migrate apply --yes do, on a real PostgreSQL
// started with Compose v2: without confirm they say what they would take
// and move and change nothing; backup_create takes a verified backup with
// the dump; migration_apply refuses what would start the database on an
// empty volume, then moves it with its rows and names its backup; a
// migration that fails after its backup rolls back by itself. No result
// carries the password of the stack's .env.
func TestMCPEngine(t *testing.T) {
	st, cli, rows := startPGWithRows(t, "mcp")
	s := mcpSession(t, ".")
	var call mcpCall = func(tool string, args map[string]any) *sdk.CallToolResult {
		t.Helper()
		res := callTool(t, s, tool, args)
		b, _ := json.Marshal(res)
		noSecretIn(t, tool+" "+fmt.Sprint(args), string(b), st.password)
		return res
	}
	backups := filepath.Join(st.dir, "backups")
	before, _ := fileSnapshot(t, st.dir)

	taken := checkMCPBackupCreate(t, call, st)
	checkMCPApplyRefusals(t, call, st, before)

	// With confirm: the database moves with its rows, and the result names
	// the verified backup taken first.
	var applied mcpApply
	structured(t, "migration_apply", call("migration_apply", map[string]any{"path": st.dir, "confirm": true}), &applied)
	t.Logf("migration_apply: %s\n%s", applied.Message, strings.Join(applied.Steps, "\n"))
	if !applied.Applied || applied.Result == nil || applied.Result.Backup == "" || applied.Result.Backup == taken.ID ||
		!slices.Equal(applied.Result.Recreated, []string{st.project + "/postgres"}) ||
		!strings.Contains(applied.Message, "to undo: portguard rollback "+applied.Result.Backup) {
		t.Fatalf("migration_apply: %+v", applied)
	}
	answers := fmt.Sprintf("postgres answers on port %d and mounts volume %s at /var/lib/postgresql/data as before", st.newPort, st.volume)
	if !slices.Contains(applied.Steps, answers) {
		t.Errorf("the steps do not say %q", answers)
	}
	if out, err := st.psql(st.newPort, rowsSQL); err != nil || out != rows {
		t.Errorf("rows on the new port %d: %q %v, want %q", st.newPort, out, err, rows)
	}
	if env := treetest.ReadFile(t, filepath.Join(st.dir, ".env")); !strings.Contains(env, fmt.Sprintf("POSTGRES_PORT=%d\n", st.newPort)) {
		t.Errorf(".env after the migration: the port is not %d", st.newPort)
	}
	if res := run(t, invocation{args: []string{"backup", "verify", applied.Result.Backup, st.dir}}); res.code != 0 {
		t.Errorf("backup verify %s: exit %d %s", applied.Result.Backup, res.code, res.stderr)
	}
	if _, err := os.Stat(filepath.Join(backups, applied.Result.Backup, "dumps", st.project+"_postgres.sql.gz")); err != nil {
		t.Errorf("the migration's backup has no dump: %v", err)
	}

	checkMCPApplyRollsBack(t, call, st, cli, rows)
}

// mcpCall calls a tool of an MCP session.
type mcpCall func(tool string, args map[string]any) *sdk.CallToolResult

// checkMCPBackupCreate: backup_create without confirm says what it would
// take (the files, the dump and the volume) and writes nothing; with
// confirm, it takes a verified backup holding the dump with the rows and
// the archive of the volume, which it returns.
func checkMCPBackupCreate(t *testing.T, call mcpCall, st *pgStack) mcpBackup {
	t.Helper()
	backups := filepath.Join(st.dir, "backups")
	// backup_create without confirm: the files, the dump and the volume it
	// would take; nothing written.
	var would mcpBackup
	structured(t, "backup_create", call("backup_create", map[string]any{"path": st.dir}), &would)
	if would.Created || would.ConfigOnly || len(would.ConfigFiles) != 4 || len(would.Dumps) != 1 || would.Dumps[0].Source != st.project+"/postgres" ||
		would.Dumps[0].Tool != "pg_dumpall" || len(would.Volumes) != 1 || would.Volumes[0].Name != st.volume || !would.Volumes[0].Live {
		t.Errorf("backup_create without confirm: %+v", would)
	}
	for _, want := range []string{"not created: confirm is not true", "a pg_dumpall dump of " + st.project + "/postgres", "an archive of volume " + st.volume} {
		if !strings.Contains(would.Message, want) {
			t.Errorf("backup_create without confirm says %q, not %q", would.Message, want)
		}
	}
	if _, err := os.Stat(backups); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("backup_create without confirm made %s (%v)", backups, err)
	}

	// With confirm: a verified backup holding the dump with the rows and
	// the archive of the volume.
	var taken mcpBackup
	structured(t, "backup_create", call("backup_create", map[string]any{"path": st.dir, "confirm": true}), &taken)
	if !taken.Created || taken.ID == "" || taken.ConfigOnly || taken.Verification == nil || taken.Verification.Checked != 6 || len(taken.Verification.Problems) != 0 ||
		len(taken.Dumps) != 1 || len(taken.Volumes) != 1 || taken.Volumes[0].Archive == "" || !strings.Contains(taken.Message, "1 dump, 1 volume archive") {
		t.Fatalf("backup_create: %+v", taken)
	}
	if res := run(t, invocation{args: []string{"backup", "verify", taken.ID, st.dir}}); res.code != 0 {
		t.Errorf("backup verify %s: exit %d %s", taken.ID, res.code, res.stderr)
	}
	dump := gunzip(t, filepath.Join(taken.Dir, filepath.FromSlash(taken.Dumps[0].Path)))
	for _, want := range []string{"PostgreSQL database cluster dump complete", "beta-" + st.project} {
		if !strings.Contains(dump, want) {
			t.Errorf("the dump of backup_create has no %q", want)
		}
	}
	noSecretIn(t, "the manifest", treetest.ReadFile(t, filepath.Join(taken.Dir, "manifest.json")), st.password)
	return taken
}

// checkMCPApplyRefusals: migration_apply without confirm shows the plan and
// changes nothing; with confirm it refuses, as migrate apply does, a
// renamed volume, which would start the database on an empty one.
func checkMCPApplyRefusals(t *testing.T, call mcpCall, st *pgStack, before map[string]string) {
	t.Helper()
	// migration_apply without confirm: the plan, nothing changed.
	var planned mcpApply
	res := call("migration_apply", map[string]any{"path": st.dir})
	structured(t, "migration_apply", res, &planned)
	if planned.Applied || planned.ConfigOnly || !strings.HasPrefix(planned.Message, "not applied: ") || len(planned.Plan.Moves) != 1 ||
		planned.Plan.Moves[0].From != st.oldPort || planned.Plan.Moves[0].To != st.newPort || !strings.Contains(resultText(res), "keeps volume "+st.volume) {
		t.Errorf("migration_apply without confirm: %+v\n%s", planned, resultText(res))
	}
	if now, _ := fileSnapshot(t, st.dir); !maps.Equal(now, before) {
		t.Errorf("migration_apply without confirm changed files")
	}

	// The refusals of migrate apply: a renamed volume would start the
	// database on an empty one.
	composeFile := filepath.Join(st.dir, "docker-compose.yml")
	renamed := strings.Replace(before["docker-compose.yml"], "name: "+st.volume+"\n", "name: "+st.volume+"-new\n", 1)
	if err := os.WriteFile(composeFile, []byte(renamed), 0o644); err != nil {
		t.Fatal(err)
	}
	res = call("migration_apply", map[string]any{"path": st.dir, "confirm": true})
	if !res.IsError || !strings.Contains(resultText(res), "migration refused, nothing was changed") || !strings.Contains(resultText(res), "another (empty) volume") {
		t.Errorf("migration_apply with a renamed volume: error %v\n%s", res.IsError, resultText(res))
	}
	if now, _ := fileSnapshot(t, st.dir); now["docker-compose.yml"] != renamed || now[".env"] != before[".env"] {
		t.Errorf("the refused migration changed files")
	}
	if err := os.WriteFile(composeFile, []byte(before["docker-compose.yml"]), 0o644); err != nil {
		t.Fatal(err)
	}
}

// checkMCPApplyRollsBack: a migration that fails after its backup rolls
// back by itself: the database, started again with --env-file, would not
// get the next port from docker compose. The error names the backup.
func checkMCPApplyRollsBack(t *testing.T, call mcpCall, st *pgStack, cli *compose.CLI, rows string) {
	t.Helper()
	envFile := filepath.Join(st.dir, "deploy.env")
	if err := os.WriteFile(envFile, []byte(fmt.Sprintf("POSTGRES_PORT=%d\nPOSTGRES_PASSWORD=%s\n", st.newPort, st.password)), 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := cli.Run(ctx, compose.Project{Dir: st.dir, Name: st.project, EnvFiles: []string{envFile}}, "up", "-d", "--force-recreate"); err != nil {
		t.Fatalf("starting the stack with --env-file: %v", err)
	}
	st.waitFor(t, st.newPort)
	next := dockertest.FreePorts(t, 1, 7050, 7099)[0]
	if err := os.WriteFile(filepath.Join(st.dir, ".portguard.yaml"), []byte(fmt.Sprintf("ranges:\n  database: {from: %d, to: %d}\n", next, next)), 0o644); err != nil {
		t.Fatal(err)
	}
	beforeFailure, _ := fileSnapshot(t, st.dir)
	res := call("migration_apply", map[string]any{"path": st.dir, "confirm": true})
	text := resultText(res)
	t.Logf("migration_apply that fails:\n%s", text)
	m := regexp.MustCompile(`rolled back to backup (\S+): the files are as before, and so are the services`).FindStringSubmatch(text)
	if !res.IsError || m == nil || !strings.Contains(text, "migration failed while recreating the services") ||
		!strings.Contains(text, fmt.Sprintf("postgres answers on port %d again", st.newPort)) {
		t.Fatalf("migration_apply that fails: error %v\n%s", res.IsError, text)
	}
	if res := run(t, invocation{args: []string{"backup", "verify", m[1], st.dir}}); res.code != 0 {
		t.Errorf("backup verify %s: exit %d %s", m[1], res.code, res.stderr)
	}
	if now, _ := fileSnapshot(t, st.dir); !maps.Equal(now, beforeFailure) {
		t.Errorf("the files after the automatic rollback differ from before")
	}
	if out, err := st.psql(st.newPort, rowsSQL); err != nil || out != rows {
		t.Errorf("rows on port %d after the rollback: %q %v, want %q", st.newPort, out, err, rows)
	}
}
