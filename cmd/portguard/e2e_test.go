package main

// End-to-end tests: TestMain builds the portguard binary once, and every test
// runs it with exec.Command on fixture repositories (testdata/e2e/<case>/,
// examples/) and on the shared corpus, asserting exit codes and the exact
// findings of the JSON report.

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/portguard/portguard/internal/corpus"
)

// binary is the portguard executable built by TestMain.
var binary string

// repoRoot is the repository root, seen from this package's directory (the
// working directory of `go test`).
const repoRoot = "../.."

func TestMain(m *testing.M) {
	os.Exit(buildAndRun(m))
}

func buildAndRun(m *testing.M) int {
	dir, err := os.MkdirTemp("", "portguard-e2e-")
	if err != nil {
		fmt.Fprintf(os.Stderr, "e2e: %v\n", err)
		return 1
	}
	defer os.RemoveAll(dir)
	binary = filepath.Join(dir, "portguard")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", "build", "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintf(os.Stderr, "e2e: building portguard: %v\n", err)
		return 1
	}
	return m.Run()
}

// --- fixture checks ----------------------------------------------------------

func fixture(name string) string { return filepath.Join(repoRoot, "testdata", "e2e", name) }

func example(name string) string { return filepath.Join(repoRoot, "examples", name) }

type checkCase struct {
	name string
	path string   // repository to check
	args []string // further arguments to check
	// inside runs from within path with PATH omitted (for -f FILE).
	inside   bool
	exit     int
	findings []want
	errors   []wantErr
}

func (c checkCase) invocation(format string) invocation {
	args := []string{"check"}
	inv := invocation{}
	if c.inside {
		inv.dir = c.path
	} else {
		args = append(args, c.path)
	}
	args = append(args, c.args...)
	if format != "" {
		args = append(args, "--format", format)
	}
	inv.args = args
	return inv
}

const dc = "docker-compose.yml"

// TestCheckRules: one fixture per rule, its exact findings.
func TestCheckRules(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "DBP101 database outside range", path: fixture("database-outside-range"), exit: 1, findings: []want{
			{"DBP101", dc, 7, "postgres"},
			{"DBP101", ".env", 2, "postgres"},
		}},
		{name: "DBP102 non-database inside range", path: fixture("non-database-in-range"), exit: 1, findings: []want{
			{"DBP102", dc, 6, "web"},
			{"DBP501", dc, 6, "web"},
		}},
		{name: "DBP103 wrong sub-range and reserved range", path: fixture("wrong-subrange"), exit: 1, findings: []want{
			{"DBP103", dc, 6, "adminer"},
			{"DBP103", ".env", 1, "adminer"},
			{"DBP103", dc, 10, "redis"},
			{"DBP103", ".env", 2, "redis"},
			{"DBP501", dc, 6, "adminer"},
			{"DBP501", dc, 10, "redis"},
		}},
		{name: "DBP104 random host port", path: fixture("random-host-port"), exit: 1, findings: []want{
			{"DBP104", dc, 6, "postgres"},
		}},
		{name: "DBP104 host port range", path: fixture("host-port-range"), exit: 1, findings: []want{
			{"DBP104", dc, 6, "postgres"},
			{"DBP201", dc, 6, "postgres"},
		}},
		{name: "DBP104 network_mode host", path: fixture("network-mode-host"), exit: 1, findings: []want{
			{"DBP104", dc, 5, "redis"},
		}},
		{name: "DBP201 hard-coded port", path: fixture("hardcoded-port"), exit: 1, findings: []want{
			{"DBP201", dc, 6, "timescaledb"},
		}},
		{name: "DBP202 variable without numeric default", path: fixture("variable-without-default"), exit: 1, findings: []want{
			{"DBP202", dc, 6, "postgres"},
			{"DBP202", dc, 12, "redis"},
			{"DBP204", ".env", 2, "redis"},
		}},
		{name: "DBP203 variable not in .env", path: fixture("env-var-undefined"), exit: 1, findings: []want{
			{"DBP203", dc, 6, "postgres"},
		}},
		{name: "DBP203 with .env.example standing in", path: fixture("env-example-stands-in"), exit: 1, findings: []want{
			{"DBP203", dc, 6, "postgres"},
		}},
		{name: "DBP204 .env differs from default", path: fixture("env-differs-from-default"), exit: 0, findings: []want{
			{"DBP204", ".env", 1, "postgres"},
		}},
		{name: "DBP205 non-standard container port", path: fixture("nonstandard-container-port"), exit: 1, findings: []want{
			{"DBP205", dc, 6, "postgres"},
		}},
		{name: "DBP206 compose and applications disagree", path: fixture("env-views-disagree"), exit: 1, findings: []want{
			{"DBP206", ".env", 2, "postgres"},
		}},
		{name: "DBP301 backup not primary+1", path: fixture("backup-not-sequential"), exit: 1, findings: []want{
			{"DBP301", dc, 12, "timescaledb-backup"},
		}},
		{name: "DBP302 instances not sequential", path: fixture("instances-not-sequential"), exit: 0, findings: []want{
			{"DBP302", dc, 12, "analytics-postgres"},
		}},
		{name: "DBP401 conflict across two files", path: fixture("duplicate-host-port"), exit: 1, findings: []want{
			{"DBP401", "tools/compose/docker-compose.database.yml", 6, "redis"},
			{"DBP401", "apps/worker/docker-compose.yml", 5, "queue"},
			// The table gives 7030 to redis, and queue takes it.
			{"DBP402", "apps/worker/docker-compose.yml", 5, "queue"},
		}},
		{name: "DBP401 same service in base and prod file", path: fixture("same-service-variants"), exit: 0},
	})
}

// TestCheckPortSyntaxes: every way of writing a port mapping.
func TestCheckPortSyntaxes(t *testing.T) {
	runCheckCases(t, []checkCase{
		// The short syntax (hardcoded-port), a host port range
		// (host-port-range) and a container port alone (random-host-port)
		// are cases of TestCheckRules.
		{name: "short syntax with host IP", path: fixture("port-host-ip"), exit: 1, findings: []want{
			{"DBP201", dc, 6, "postgres"},
		}},
		{name: "${V:-7000}", path: fixture("port-var-default"), exit: 0},
		{name: "${V-7000}", path: fixture("port-var-dash-default"), exit: 0},
		{name: "${V}", path: fixture("port-var-no-default"), exit: 1, findings: []want{
			{"DBP202", dc, 6, "postgres"},
		}},
		{name: "$V", path: fixture("port-var-bare"), exit: 1, findings: []want{
			{"DBP202", dc, 6, "postgres"},
		}},
		{name: "${V:?msg} unset", path: fixture("port-var-required"), exit: 1, findings: []want{
			{"DBP202", dc, 6, "postgres"},
			{"DBP203", dc, 6, "postgres"},
		}},
		{name: "${BIND:-127.0.0.1}:${V:-7000}", path: fixture("port-bind-var"), exit: 0},
		{name: "tcp and udp on one host port", path: fixture("port-udp"), exit: 0},
		{name: "long syntax", path: fixture("port-long"), exit: 1, findings: []want{
			{"DBP201", dc, 16, "redis"},
		}},
	})
}

// TestCheckComposeFeatures: override files, extends, include, profiles,
// anchors and -f, as docker compose reads them.
func TestCheckComposeFeatures(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "override file merges into its base", path: fixture("override-file"), exit: 1, findings: []want{
			{"DBP101", "docker-compose.override.yml", 5, "db"},
			{"DBP201", "docker-compose.override.yml", 5, "db"},
		}},
		{name: "extends same file and file:", path: fixture("extends"), exit: 1, findings: []want{
			{"DBP101", "common-services.yml", 6, "analytics-db"},
			{"DBP201", "common-services.yml", 6, "analytics-db"},
			{"DBP101", dc, 17, "cache"},
			{"DBP201", dc, 17, "cache"},
		}},
		{name: "include", path: fixture("include"), exit: 1, findings: []want{
			{"DBP101", "databases.yml", 5, "postgres"},
			{"DBP201", "databases.yml", 5, "postgres"},
			{"DBP101", "docker-compose.cache.yml", 6, "redis"},
			{"DBP201", "docker-compose.cache.yml", 6, "redis"},
		}},
		{name: "service in a profile", path: fixture("profiles"), exit: 1, findings: []want{
			{"DBP103", dc, 13, "pgadmin"},
			{"DBP201", dc, 13, "pgadmin"},
		}},
		{name: "anchors and merge keys", path: fixture("anchors"), exit: 1, findings: []want{
			{"DBP101", dc, 5, "orders-db"},
			{"DBP201", dc, 5, "orders-db"},
		}},
		{name: "-f FILE -f FILE", path: fixture("explicit-files"), inside: true, args: []string{"-f", "base.yml", "-f", "ports.yml"}, exit: 1, findings: []want{
			{"DBP101", "ports.yml", 5, "db"},
			{"DBP201", "ports.yml", 5, "db"},
		}},
		{name: "discovery without -f", path: fixture("explicit-files"), exit: 1, findings: []want{
			{"DBP101", dc, 6, "redis"},
			{"DBP201", dc, 6, "redis"},
		}},
		{name: "unset variables outside ports", path: fixture("tolerant-loading"), exit: 0},
	})
}

// TestCheckBadInput: exit 2, errors with file:line, the rest still
// checked; --keep-going.
func TestCheckBadInput(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "malformed YAML", path: fixture("malformed-yaml"), exit: 2,
			errors:   []wantErr{{"tools/broken/docker-compose.yml", 5, 0}},
			findings: []want{{"DBP201", dc, 6, "redis"}}},
		{name: "unparsable port", path: fixture("bad-port"), exit: 2,
			errors:   []wantErr{{dc, 6, 9}},
			findings: []want{{"DBP201", dc, 12, "redis"}}},
		{name: "port out of range", path: fixture("port-out-of-range"), exit: 2,
			errors: []wantErr{{dc, 6, 9}}},
		{name: "-f of a missing file", path: fixture("explicit-files"), inside: true, args: []string{"-f", "does-not-exist.yml"}, exit: 2,
			errors: []wantErr{{"does-not-exist.yml", 0, 0}}},
		{name: "broken root .env", path: fixture("secret-in-broken-env"), exit: 2,
			errors: []wantErr{{".env", 2, 0}}},
		{name: "binary compose file", path: fixture("binary-compose-file"), exit: 2,
			errors: []wantErr{{dc, anyLine, 0}}},
		{name: "YAML alias bomb", path: fixture("yaml-alias-bomb"), exit: 2,
			errors: []wantErr{{dc, anyLine, 0}}},
		{name: "--keep-going with findings", path: fixture("malformed-yaml"), args: []string{"--keep-going"}, exit: 1,
			errors:   []wantErr{{"tools/broken/docker-compose.yml", 5, 0}},
			findings: []want{{"DBP201", dc, 6, "redis"}}},
		{name: "--keep-going with a bad port", path: fixture("bad-port"), args: []string{"--keep-going"}, exit: 1,
			errors:   []wantErr{{dc, 6, 9}},
			findings: []want{{"DBP201", dc, 12, "redis"}}},
		{name: "--keep-going without findings", path: fixture("port-out-of-range"), args: []string{"--keep-going"}, exit: 0,
			errors: []wantErr{{dc, 6, 9}}},
	})
}

// TestCheckFailOnAndExamples: --fail-on, and the bundled examples.
func TestCheckFailOnAndExamples(t *testing.T) {
	runCheckCases(t, []checkCase{
		{name: "--fail-on warning with a warning", path: fixture("env-differs-from-default"), args: []string{"--fail-on", "warning"}, exit: 1, findings: []want{
			{"DBP204", ".env", 1, "postgres"},
		}},
		{name: "--fail-on warning with DBP302", path: fixture("instances-not-sequential"), args: []string{"--fail-on", "warning"}, exit: 1, findings: []want{
			{"DBP302", dc, 12, "analytics-postgres"},
		}},
		{name: "--fail-on error with a warning", path: fixture("env-differs-from-default"), args: []string{"--fail-on", "error"}, exit: 0, findings: []want{
			{"DBP204", ".env", 1, "postgres"},
		}},
		{name: "--fail-on never with errors", path: fixture("hardcoded-port"), args: []string{"--fail-on", "never"}, exit: 0, findings: []want{
			{"DBP201", dc, 6, "timescaledb"},
		}},
		{name: "--fail-on never keeps input errors", path: fixture("bad-port"), args: []string{"--fail-on", "never"}, exit: 2,
			errors:   []wantErr{{dc, 6, 9}},
			findings: []want{{"DBP201", dc, 12, "redis"}}},

		// The bundled examples.
		{name: "examples/compliant", path: example("compliant"), exit: 0},
		{name: "examples/violating", path: example("violating"), exit: 1, findings: violatingFindings},
	})
}

// runCheckCases runs each case in json and in text format and compares the
// exit code, the exact findings and the input errors.
func runCheckCases(t *testing.T, cases []checkCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, c.invocation("json"))
			if res.code != c.exit {
				t.Errorf("exit code %d, want %d\nstderr:\n%s", res.code, c.exit, res.stderr)
			}
			r := decodeReport(t, res)
			compareFindings(t, r.Findings, c.findings)
			compareErrors(t, r.Errors, c.errors)

			text := run(t, c.invocation(""))
			if text.code != res.code {
				t.Errorf("text format exits %d, json format %d", text.code, res.code)
			}
			checkText(t, text.stdout, r)
		})
	}
}

// violatingFindings is what examples/violating must report (README.md of
// examples/ walks through them).
var violatingFindings = []want{
	// tools/compose/docker-compose.database.yml
	{"DBP201", "tools/compose/docker-compose.database.yml", 17, "timescaledb"},
	{"DBP301", "tools/compose/docker-compose.database.yml", 38, "timescaledb-backup"},
	{"DBP205", "tools/compose/docker-compose.database.yml", 59, "questdb"},
	{"DBP202", "tools/compose/docker-compose.database.yml", 70, "qdrant"},
	{"DBP203", "tools/compose/docker-compose.database.yml", 71, "qdrant"},
	{"DBP101", "tools/compose/docker-compose.database.yml", 81, "redis"},
	{"DBP601", "tools/compose/docker-compose.database.yml", 83, "redis"},
	// tools/compose/docker-compose.tools.yml
	{"DBP103", "tools/compose/docker-compose.tools.yml", 12, "pgadmin"},
	{"DBP501", "tools/compose/docker-compose.tools.yml", 12, "pgadmin"},
	// apps
	{"DBP401", "apps/market-api/docker-compose.yml", 10, "market-api"},
	{"DBP401", "apps/dashboard/docker-compose.yml", 10, "dashboard"},
	{"DBP702", "apps/market-api/docker-compose.yml", 14, "market-api"},
	{"DBP102", "apps/market-api/docker-compose.yml", 24, "market-worker"},
	{"DBP501", "apps/market-api/docker-compose.yml", 24, "market-worker"},
	{"DBP704", "apps/market-api/.env", 1, ""},
	{"DBP705", "apps/market-api/src/config.js", 4, ""},
	// the root .env
	{"DBP204", ".env", 7, "questdb"},
	{"DBP101", ".env", 11, "redis"},
	{"DBP103", ".env", 14, "pgadmin"},
}

// TestEnvExampleNamed checks that the report says which file stood in for
// the absent root .env.
func TestEnvExampleNamed(t *testing.T) {
	res := run(t, invocation{args: []string{"check", fixture("env-example-stands-in")}})
	named := false
	for _, line := range strings.Split(res.stdout, "\n") {
		if strings.Contains(line, ".env.example") && !strings.Contains(line, "DBP") {
			named = true
		}
	}
	if !named {
		t.Errorf("the text report does not say that .env.example was read:\n%s", res.stdout)
	}
	r := decodeReport(t, run(t, invocation{args: []string{"check", fixture("env-example-stands-in"), "--format", "json"}}))
	if r.EnvFile != ".env.example" {
		t.Errorf("env_file = %q, want .env.example", r.EnvFile)
	}
	for _, f := range r.Findings {
		if f.RuleID == "DBP203" && !strings.Contains(f.Message, ".env.example") {
			t.Errorf("DBP203 does not name .env.example: %s", f.Message)
		}
	}
}

// TestUnsetVariablesMentionedOnce checks that variables without a value in
// fields portguard does not judge are named once, not once per use.
func TestUnsetVariablesMentionedOnce(t *testing.T) {
	res := run(t, invocation{args: []string{"check", fixture("tolerant-loading")}})
	if res.code != 0 {
		t.Errorf("exit %d, want 0\n%s%s", res.code, res.stdout, res.stderr)
	}
	for _, v := range []string{"STACK_NAME", "POSTGRES_READ_ONLY", "WEB_ROOT"} {
		if n := strings.Count(res.stdout, v); n != 1 {
			t.Errorf("%s appears %d times in the report, want once:\n%s", v, n, res.stdout)
		}
	}
}

// TestViolatingExampleIsActionable checks the promise of the example: every
// finding names its service and port and carries a concrete fix, and the
// fixes do not collide with each other.
func TestViolatingExampleIsActionable(t *testing.T) {
	r := decodeReport(t, run(t, invocation{args: []string{"check", example("violating"), "--format", "json"}}))
	portRE := regexp.MustCompile(`\b\d{2,5}\b`)
	for _, f := range r.Findings {
		if f.Suggestion == "" {
			t.Errorf("%s has no suggestion", f.key())
		}
		if f.RuleID == "DBP704" || f.RuleID == "DBP705" {
			continue // about files, not services
		}
		if f.Service == "" || !strings.Contains(f.Message, f.Service) {
			t.Errorf("%s: the message does not name the service: %s", f.key(), f.Message)
		}
		// Volume rules are about where data lives, not about a port.
		if !strings.HasPrefix(f.RuleID, "DBP6") && !portRE.MatchString(f.Message) {
			t.Errorf("%s: the message does not name the port: %s", f.key(), f.Message)
		}
	}
	// The host ports the suggestions name. Applying every fix must leave a
	// stack without conflicts (no port sent to two services) and every
	// finding on one mapping must agree on where that mapping goes.
	assignRE := regexp.MustCompile(`\b[A-Z][A-Z0-9_]*_PORT=(\d+)\b|:-(\d+)\}|\bto (\d+)\b|\bon (\d+)\b|e\.g\. (\d+)\b|\| (\d+) \|`)
	byPort := map[string]map[string]bool{}    // port -> services
	byMapping := map[string]map[string]bool{} // mapping -> ports
	for _, f := range r.Findings {
		if f.Service == "" {
			continue
		}
		// A finding at the .env line is about the mapping it relates to.
		mapping := fmt.Sprintf("%s:%d", f.File, f.Line)
		if (f.File == ".env" || strings.HasSuffix(f.File, "/.env")) && len(f.Related) == 1 {
			mapping = fmt.Sprintf("%s:%d", f.Related[0].File, f.Related[0].Line)
		}
		for _, m := range assignRE.FindAllStringSubmatch(f.Suggestion, -1) {
			for _, port := range m[1:] {
				if port == "" {
					continue
				}
				if byPort[port] == nil {
					byPort[port] = map[string]bool{}
				}
				byPort[port][f.Service] = true
				if byMapping[mapping] == nil {
					byMapping[mapping] = map[string]bool{}
				}
				byMapping[mapping][port] = true
			}
		}
	}
	for port, services := range byPort {
		if len(services) > 1 {
			t.Errorf("the suggestions send %s to the same host port %s", strings.Join(sortedKeys(services), " and "), port)
		}
	}
	for mapping, ports := range byMapping {
		if len(ports) > 1 {
			var which []string
			for _, f := range r.Findings {
				if fmt.Sprintf("%s:%d", f.File, f.Line) == mapping {
					which = append(which, f.RuleID+": "+f.Suggestion)
				}
			}
			t.Errorf("the suggestions for the mapping at %s disagree on its host port (%s):\n    %s", mapping, strings.Join(sortedKeys(ports), ", "), strings.Join(which, "\n    "))
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// TestSeveralOutputs checks one evaluation printed in two formats: JSON to a
// file and text to stdout, with the same findings.
func TestSeveralOutputs(t *testing.T) {
	out := filepath.Join(t.TempDir(), "report.json")
	res := run(t, invocation{args: []string{"check", example("violating"), "--format", "json", "--output", out, "--format", "text"}})
	if res.code != 1 {
		t.Errorf("exit %d, want 1\n%s", res.code, res.stderr)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatalf("the JSON report was not written: %v", err)
	}
	r := decodeReport(t, result{code: res.code, stdout: string(data)})
	if len(r.Findings) == 0 {
		t.Fatal("the JSON report has no findings")
	}
	checkText(t, res.stdout, r)
}

// --- port syntaxes, as the input document records them ----------------------

type docPort struct {
	Raw            string       `json:"raw"`
	Syntax         string       `json:"syntax"`
	File           string       `json:"file"`
	Line           int          `json:"line"`
	Column         int          `json:"column"`
	HostIP         string       `json:"host_ip"`
	Protocol       string       `json:"protocol"`
	Published      *int         `json:"published"`
	PublishedRange []int        `json:"published_range"`
	Target         int          `json:"target"`
	TargetRange    []int        `json:"target_range"`
	Variable       *docVariable `json:"variable"`
	Effective      *int         `json:"effective"`
}

type docVariable struct {
	Name    string `json:"name"`
	Form    string `json:"form"`
	Default string `json:"default"`
}

// inputDocument is the input document of dir, which must load (exit 0).
func inputDocument(t *testing.T, dir string) inputDoc {
	t.Helper()
	doc, res := inputOf(t, invocation{args: []string{"input", dir}})
	if res.code != 0 {
		t.Fatalf("portguard input %s: exit %d\n%s", dir, res.code, res.stderr)
	}
	return doc
}

// portCase is a port mapping of a fixture and the facts the input
// document must record for it.
type portCase struct {
	fixture, service string
	index            int
	line, column     int
	syntax           string
	hostIP, protocol string
	published        int // 0: null
	publishedRange   []int
	target           int
	targetRange      []int
	variable, form   string // "": no variable
	effective        int    // 0: null
}

var portSyntaxCases = []portCase{
	{fixture: "hardcoded-port", service: "timescaledb", line: 6, column: 9, syntax: "short", protocol: "tcp",
		published: 7000, target: 5432, effective: 7000},
	{fixture: "port-host-ip", service: "postgres", line: 6, column: 9, syntax: "short", hostIP: "127.0.0.1", protocol: "tcp",
		published: 7000, target: 5432, effective: 7000},
	{fixture: "port-var-default", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		published: 7000, target: 5432, variable: "POSTGRES_PORT", form: ":-", effective: 7000},
	{fixture: "port-var-dash-default", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		published: 7000, target: 5432, variable: "POSTGRES_PORT", form: "-", effective: 7000},
	{fixture: "port-var-no-default", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		target: 5432, variable: "POSTGRES_PORT", form: "", effective: 7000},
	{fixture: "port-var-bare", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		target: 5432, variable: "POSTGRES_PORT", form: "$", effective: 7000},
	{fixture: "port-var-required", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		target: 5432, variable: "POSTGRES_PORT", form: ":?"},
	{fixture: "port-bind-var", service: "postgres", line: 6, column: 9, syntax: "short", hostIP: "127.0.0.1", protocol: "tcp",
		published: 7000, target: 5432, variable: "POSTGRES_PORT", form: ":-", effective: 7000},
	{fixture: "port-udp", service: "memcached", index: 0, line: 6, column: 9, syntax: "short", protocol: "tcp",
		published: 7040, target: 11211, variable: "MEMCACHED_PORT", form: ":-", effective: 7040},
	{fixture: "port-udp", service: "memcached", index: 1, line: 7, column: 9, syntax: "short", protocol: "udp",
		published: 7040, target: 11211, variable: "MEMCACHED_PORT", form: ":-", effective: 7040},
	{fixture: "host-port-range", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		published: 7000, publishedRange: []int{7000, 7001}, target: 5432, targetRange: []int{5432, 5432}, effective: 7000},
	{fixture: "random-host-port", service: "postgres", line: 6, column: 9, syntax: "short", protocol: "tcp",
		target: 5432},
	{fixture: "port-long", service: "postgres", line: 7, column: 20, syntax: "long", hostIP: "127.0.0.1", protocol: "tcp",
		published: 7000, target: 5432, variable: "POSTGRES_PORT", form: ":-", effective: 7000},
	{fixture: "port-long", service: "redis", line: 16, column: 20, syntax: "long", hostIP: "127.0.0.1", protocol: "tcp",
		published: 7030, target: 6379, effective: 7030},
	{fixture: "anchors", service: "orders-db", line: 5, column: 7, syntax: "short", protocol: "tcp",
		published: 5432, target: 5432, effective: 5432},
	{fixture: "anchors", service: "users-db", line: 15, column: 9, syntax: "short", protocol: "tcp",
		published: 7001, target: 5432, variable: "USERS_DB_PORT", form: ":-", effective: 7001},
}

// TestPortSyntaxFacts: the input document records every way of writing a
// port mapping with its position, parts, variable and effective port.
func TestPortSyntaxFacts(t *testing.T) {
	for _, c := range portSyntaxCases {
		t.Run(fmt.Sprintf("%s/%s[%d]", c.fixture, c.service, c.index), func(t *testing.T) {
			t.Parallel()
			checkPortFacts(t, c)
		})
	}
}

func checkPortFacts(t *testing.T, c portCase) {
	t.Helper()
	doc := inputDocument(t, fixture(c.fixture))
	var ports []docPort
	found := 0
	for _, s := range doc.Services {
		if s.Name == c.service {
			ports = s.Ports
			found++
		}
	}
	if found != 1 {
		t.Fatalf("%d services named %s in the document, want 1", found, c.service)
	}
	if c.index >= len(ports) {
		t.Fatalf("%s has %d ports, want index %d", c.service, len(ports), c.index)
	}
	p := ports[c.index]
	check := func(field string, got, want any) {
		t.Helper()
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%s = %v, want %v (port %+v)", field, got, want, p)
		}
	}
	check("line", p.Line, c.line)
	check("column", p.Column, c.column)
	check("syntax", p.Syntax, c.syntax)
	check("host_ip", p.HostIP, c.hostIP)
	check("protocol", p.Protocol, c.protocol)
	check("published", intOrZero(p.Published), c.published)
	check("target", p.Target, c.target)
	check("effective", intOrZero(p.Effective), c.effective)
	if c.publishedRange != nil {
		check("published_range", p.PublishedRange, c.publishedRange)
	}
	if c.targetRange != nil {
		check("target_range", p.TargetRange, c.targetRange)
	}
	if c.variable == "" {
		if p.Variable != nil {
			t.Errorf("variable = %+v, want none", *p.Variable)
		}
		return
	}
	if p.Variable == nil {
		t.Fatalf("variable = none, want %s", c.variable)
	}
	check("variable.name", p.Variable.Name, c.variable)
	check("variable.form", p.Variable.Form, c.form)
}

func intOrZero(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// --- invocation errors -------------------------------------------------------

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name   string
		args   []string
		stderr string
	}{
		{"unknown --format", []string{"check", fixture("hardcoded-port"), "--format", "xml"}, "xml"},
		{"unknown flag", []string{"check", fixture("hardcoded-port"), "--frobnicate"}, "--frobnicate"},
		{"unknown --fail-on", []string{"check", fixture("hardcoded-port"), "--fail-on", "sometimes"}, "sometimes"},
		{"two paths", []string{"check", fixture("hardcoded-port"), fixture("port-host-ip")}, "arg"},
		{"missing PATH", []string{"check", fixture("does-not-exist")}, "does-not-exist"},
		{"PATH is a file", []string{"check", filepath.Join(fixture("hardcoded-port"), dc)}, dc},
		{"unknown command", []string{"frobnicate"}, "frobnicate"},
		{"unknown rules --format", []string{"rules", "--format", "yaml"}, "yaml"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			res := run(t, invocation{args: c.args})
			if res.code != 2 {
				t.Errorf("exit %d, want 2\nstdout:\n%s\nstderr:\n%s", res.code, res.stdout, res.stderr)
			}
			if !strings.Contains(res.stderr, c.stderr) {
				t.Errorf("stderr does not mention %q:\n%s", c.stderr, res.stderr)
			}
			if strings.Count(strings.TrimSpace(res.stderr), "\n") > 20 {
				t.Errorf("stderr is %d lines long; a usage error takes one:\n%s", strings.Count(res.stderr, "\n"), res.stderr)
			}
		})
	}
}

// --- colour ------------------------------------------------------------------

func TestNoColor(t *testing.T) {
	for _, env := range [][]string{nil, {"NO_COLOR=1"}} {
		for _, args := range [][]string{
			{"check", example("violating")},
			{"check", fixture("malformed-yaml")},
			{"rules"},
		} {
			t.Run(fmt.Sprint(env, args[0], filepath.Base(args[len(args)-1])), func(t *testing.T) {
				t.Parallel()
				res := run(t, invocation{args: args, env: env})
				if ansiRE.MatchString(res.stdout) || ansiRE.MatchString(res.stderr) {
					t.Errorf("output has ANSI escapes (env %v, stdout not a terminal):\n%q", env, res.stdout)
				}
			})
		}
	}
}

// --- rules and version -------------------------------------------------------

var catalogRules = []string{"DBP101", "DBP102", "DBP103", "DBP104", "DBP201", "DBP202", "DBP203", "DBP204", "DBP205", "DBP206", "DBP301", "DBP302", "DBP401"}

func TestRules(t *testing.T) {
	res := run(t, invocation{args: []string{"rules"}})
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, id := range catalogRules {
		if !strings.Contains(res.stdout, id) {
			t.Errorf("portguard rules does not list %s", id)
		}
	}

	res = run(t, invocation{args: []string{"rules", "--format", "json"}})
	var rules []struct {
		ID, Severity, Title, Remediation string
	}
	if err := json.Unmarshal([]byte(res.stdout), &rules); err != nil {
		t.Fatalf("rules --format json: %v", err)
	}
	byID := map[string]bool{}
	for _, r := range rules {
		if byID[r.ID] {
			t.Errorf("%s is listed twice", r.ID)
		}
		byID[r.ID] = true
		if r.Title == "" || r.Remediation == "" || (r.Severity != "error" && r.Severity != "warning" && r.Severity != "note") {
			t.Errorf("%s: incomplete catalog entry %+v", r.ID, r)
		}
	}
	for _, id := range catalogRules {
		if !byID[id] {
			t.Errorf("rules --format json does not list %s", id)
		}
	}
}

func TestVersion(t *testing.T) {
	opa := moduleVersion(t, "github.com/open-policy-agent/opa")
	res := run(t, invocation{args: []string{"version"}})
	if res.code != 0 {
		t.Fatalf("exit %d\n%s", res.code, res.stderr)
	}
	for _, line := range strings.Split(res.stdout, "\n") {
		if strings.Contains(strings.ToLower(line), "opa") && strings.Contains(line, opa) {
			return
		}
	}
	t.Errorf("portguard version does not print the OPA version %s:\n%s", opa, res.stdout)
}

// moduleVersion reads a required module's version (without the v) from go.mod.
func moduleVersion(t *testing.T, module string) string {
	t.Helper()
	f, err := os.Open(filepath.Join(repoRoot, "go.mod"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(strings.TrimPrefix(strings.TrimSpace(sc.Text()), "require "))
		if len(fields) >= 2 && fields[0] == module {
			return strings.TrimPrefix(fields[1], "v")
		}
	}
	t.Fatalf("go.mod does not require %s", module)
	return ""
}

// --- secrets -----------------------------------------------------------------

const canary = "CANARY_SECRET_do_not_print"

func TestSecretsNeverPrinted(t *testing.T) {
	for _, name := range []string{"secrets-redacted", "secret-in-broken-env"} {
		for _, args := range [][]string{
			{"check", fixture(name)},
			{"check", fixture(name), "--format", "json"},
			{"check", fixture(name), "--keep-going"},
			{"input", fixture(name)},
		} {
			t.Run(name+"/"+strings.Join(append([]string{args[0]}, args[2:]...), " "), func(t *testing.T) {
				t.Parallel()
				res := run(t, invocation{args: args})
				if strings.Contains(res.stdout, canary) {
					t.Errorf("portguard %s prints the secret on stdout:\n%s", strings.Join(args, " "), excerpt(res.stdout, canary))
				}
				if strings.Contains(res.stderr, canary) {
					t.Errorf("portguard %s prints the secret on stderr:\n%s", strings.Join(args, " "), excerpt(res.stderr, canary))
				}
			})
		}
	}
}

// excerpt shows the lines of s that contain sub.
func excerpt(s, sub string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, sub) {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

func TestInputRedactsValues(t *testing.T) {
	doc := inputDocument(t, fixture("secrets-redacted"))
	env := map[string]string{}
	for _, v := range doc.Env.Vars {
		env[v.Name] = v.Value
	}
	for name, want := range map[string]string{
		"API_PORT":          "8080",
		"POSTGRES_PASSWORD": "<redacted>",
		"SESSION_SECRET":    "<redacted>",
	} {
		if got, ok := env[name]; !ok || got != want {
			t.Errorf(".env %s = %q (present %v), want %q", name, got, ok, want)
		}
	}
	seen := map[string]string{}
	for _, s := range doc.Services {
		for _, e := range s.Environment {
			seen[s.Name+"."+e.Name] = e.Value
		}
	}
	for _, key := range []string{"postgres.API_TOKEN", "postgres.POSTGRES_PASSWORD", "api.DATABASE_URL", "api.SESSION_SECRET"} {
		if got, ok := seen[key]; !ok || got != "<redacted>" {
			t.Errorf("environment %s = %q (present %v), want <redacted>", key, got, ok)
		}
	}
}

// --- the shared corpus -------------------------------------------------------

// TestCorpus checks every repository of the shared corpus (the one the
// convention comes from, its head, the real-world ones), read in place:
// findings are fine, input errors and crashes are not.
func TestCorpus(t *testing.T) {
	c := corpus.Dir()
	if c == "" {
		t.Skip("../shared/corpus not found (set PORTGUARD_CORPUS)")
	}
	dirs := corpus.Repositories(c)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			t.Parallel()
			res := run(t, invocation{args: []string{"check", dir, "--format", "json"}})
			if res.code != 0 && res.code != 1 {
				t.Errorf("exit %d, want 0 or 1\nstderr:\n%s\nstdout:\n%s", res.code, res.stderr, res.stdout)
			}
			r := decodeReport(t, res)
			for _, e := range r.Errors {
				t.Errorf("input error %s:%d:%d: %s", e.File, e.Line, e.Column, e.Message)
			}
		})
	}
	if len(dirs) == 0 {
		t.Errorf("no repository found under %s", c)
	}
}
