package main

// End-to-end tests of the live checks (run, audit) on real sockets of the
// loopback and, where an engine answers, real containers started by
// Compose v2 from a locally built image. Colleagues' tests run on the same
// host and engine: assertions look at this test's ports and projects only.

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/dockertest"
	"github.com/portguard/portguard/internal/treetest"
)

// liveReport is the JSON report of run and audit.
type liveReport struct {
	Findings []finding `json:"findings"`
	Summary  summary   `json:"summary"`
	Live     *struct {
		Host        string `json:"host"`
		Listeners   int    `json:"listeners"`
		Inspected   bool   `json:"containers_inspected"`
		DockerError string `json:"docker_error"`
	} `json:"live"`
}

func readLiveReport(t *testing.T, path string) liveReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("no report: %v", err)
	}
	var r liveReport
	if err := json.Unmarshal(b, &r); err != nil {
		t.Fatalf("report is not JSON: %v\n%s", err, b)
	}
	if r.Live == nil {
		t.Fatalf("the report says nothing of the host:\n%s", b)
	}
	return r
}

// about keeps the findings of a rule whose message contains every word.
func about(fs []finding, rule string, words ...string) []finding {
	var out []finding
	for _, f := range fs {
		if f.RuleID != rule {
			continue
		}
		all := true
		for _, w := range words {
			all = all && strings.Contains(f.Message, w)
		}
		if all {
			out = append(out, f)
		}
	}
	return out
}

func needShell(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("the command run starts is a POSIX shell")
	}
}

// run refuses while a port of the stack is held on the host (the holder
// named, free ports suggested, CMD not executed), and runs CMD, with its
// exit code, once the port is free.
func TestRunRefusesAHeldPortThenRuns(t *testing.T) {
	needShell(t)
	port := dockertest.FreePorts(t, 1, 0, 0)[0]
	dir := treetest.WriteTemp(t, map[string]string{
		"compose.yml": fmt.Sprintf("services:\n  web:\n    image: nginx:1.27\n    ports:\n      - \"127.0.0.1:%d:80\"\n", port),
	})
	l, err := net.Listen("tcp", "127.0.0.1:"+strconv.Itoa(port))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "report.json")
	marker := filepath.Join(t.TempDir(), "ran")
	cmd := []string{"sh", "-c", "echo ran > " + marker + "; echo to stdout; exit 7"}
	res := run(t, invocation{args: append([]string{"run", dir, "--format", "json", "--output", out, "--"}, cmd...)})
	if res.code != 1 {
		t.Fatalf("run with the port held: exit %d, want 1\n%s", res.code, res.stderr)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Fatal("the command ran although its port was held")
	}
	if !strings.Contains(res.stderr, "not running sh") {
		t.Errorf("stderr does not say the command was not run:\n%s", res.stderr)
	}
	r := readLiveReport(t, out)
	held := about(r.Findings, "DBP802", fmt.Sprintf("web will publish %d/tcp", port), fmt.Sprintf("(pid %d)", os.Getpid()))
	if len(held) != 1 || held[0].File != "compose.yml" || held[0].Line != 5 || !strings.Contains(held[0].Suggestion, "publish web on a free port: ") {
		t.Fatalf("no DBP802 naming this process as the holder of %d: %+v", port, r.Findings)
	}
	// The suggested ports are free.
	for _, s := range strings.Split(strings.TrimPrefix(held[0].Suggestion, "stop the holder, or publish web on a free port: "), ", ") {
		n, err := strconv.Atoi(s)
		if err != nil || n <= port || (n >= 7000 && n <= 7999) {
			t.Errorf("suggested %q after %d", s, port)
		}
	}
	l.Close()

	res = run(t, invocation{args: append([]string{"run", dir, "--"}, cmd...)})
	if res.code != 7 {
		t.Fatalf("run with the port free: exit %d, want the command's 7\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the command did not run")
	}
	if res.stdout != "to stdout\n" {
		t.Errorf("stdout %q: the command's alone", res.stdout)
	}
	if !strings.Contains(res.stderr, "no findings") {
		t.Errorf("the report does not go to stderr:\n%s", res.stderr)
	}
}

func TestRunUsage(t *testing.T) {
	for _, args := range [][]string{{"run"}, {"run", "."}, {"run", "a", "b", "--", "true"}, {"run", "--"}} {
		res := run(t, invocation{args: args})
		if res.code != 2 || !strings.Contains(res.stderr, "--") {
			t.Errorf("portguard %s: exit %d, %s", strings.Join(args, " "), res.code, res.stderr)
		}
	}
	dir := treetest.WriteTemp(t, map[string]string{"compose.yml": "services:\n  web:\n    image: nginx\n"})
	res := run(t, invocation{args: []string{"run", dir, "--", "no-such-command-pgtest"}})
	if res.code != 127 || !strings.Contains(res.stderr, "no-such-command-pgtest") {
		t.Errorf("a missing command: exit %d, %s", res.code, res.stderr)
	}
}

// audit reports a process that is not a database tool listening inside
// 7000-7999, naming it, in every format; the prometheus textfile counts it.
func TestAuditReportsAListenerInRange(t *testing.T) {
	port := listenInReservedRange(t)
	dir := t.TempDir()
	out, prom := filepath.Join(dir, "audit.json"), filepath.Join(dir, "portguard.prom")
	res := run(t, invocation{args: []string{"audit", "--format", "json", "--format", "prometheus", "--format", "text", "--output", out, "--output", prom}})
	if res.code != 1 {
		t.Fatalf("audit: exit %d, want 1\n%s%s", res.code, res.stdout, res.stderr)
	}
	r := readLiveReport(t, out)
	want := fmt.Sprintf("(pid %d), not a database tool, listens on tcp 127.0.0.1:%d inside 7000-7999", os.Getpid(), port)
	if got := about(r.Findings, "DBP801", want); len(got) != 1 || got[0].File != "" {
		t.Errorf("no DBP801 %q among %+v", want, r.Findings)
	}
	if !strings.Contains(res.stdout, "(host)  error  DBP801") || !strings.Contains(res.stdout, want) {
		t.Errorf("text report:\n%s", res.stdout)
	}
	b, err := os.ReadFile(prom)
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	if strings.Contains(text, `portguard_findings{rule="DBP801",severity="error"} 0`) || !strings.Contains(text, "portguard_audit_timestamp_seconds ") ||
		!strings.Contains(text, `portguard_findings{rule="DBP805",severity="warning"}`) {
		t.Errorf("prometheus textfile:\n%s", text)
	}
}

// Concurrent audits appending to one log leave one valid JSON line each.
func TestAuditLogParallel(t *testing.T) {
	port := listenInReservedRange(t)
	logFile := filepath.Join(t.TempDir(), "audit.jsonl")
	const runs = 8
	var wg sync.WaitGroup
	codes := make([]int, runs)
	for i := 0; i < runs; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			codes[i] = run(t, invocation{args: []string{"audit", "--log", logFile, "--quiet"}}).code
		}(i)
	}
	wg.Wait()
	b, err := os.ReadFile(logFile)
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	if len(lines) != runs {
		t.Fatalf("%d lines for %d runs:\n%s", len(lines), runs, b)
	}
	for i, line := range lines {
		var rec struct {
			Time     string         `json:"time"`
			Host     string         `json:"host"`
			ExitCode *int           `json:"exit_code"`
			Counts   map[string]int `json:"counts"`
			Findings []finding      `json:"findings"`
		}
		if err := json.Unmarshal([]byte(line), &rec); err != nil {
			t.Fatalf("line %d is not JSON (%v): %s", i+1, err, line)
		}
		if !strings.HasSuffix(rec.Time, "Z") || rec.Host == "" || rec.ExitCode == nil || *rec.ExitCode != codes[0] || rec.Counts["error"] < 1 {
			t.Errorf("line %d: %s", i+1, line)
		}
		if len(about(rec.Findings, "DBP801", fmt.Sprintf("127.0.0.1:%d", port))) != 1 {
			t.Errorf("line %d lacks the listener on %d", i+1, port)
		}
	}
}

// --schedule prints the audit as given, with absolute paths, for cron and
// for systemd.
func TestAuditSchedule(t *testing.T) {
	dir := t.TempDir()
	res := run(t, invocation{dir: dir, args: []string{"audit", "stacks", "--log", "audit.jsonl", "--format", "prometheus", "--output", "portguard.prom", "--schedule", "cron"}})
	want := fmt.Sprintf("17 3 * * * %s audit %s --format prometheus --output %s --log %s\n", binary, filepath.Join(dir, "stacks"), filepath.Join(dir, "portguard.prom"), filepath.Join(dir, "audit.jsonl"))
	if res.code != 0 || !strings.HasSuffix(res.stdout, want) {
		t.Errorf("cron: exit %d\n%s\nwant the line %s", res.code, res.stdout, want)
	}
	res = run(t, invocation{dir: dir, args: []string{"audit", "--schedule", "systemd"}})
	for _, w := range []string{"ExecStart=" + binary + " audit\n", "OnCalendar=*-*-* 03:17:00", "[Install]\nWantedBy=timers.target"} {
		if res.code != 0 || !strings.Contains(res.stdout, w) {
			t.Errorf("systemd: exit %d, lacks %q:\n%s", res.code, w, res.stdout)
		}
	}
	if res := run(t, invocation{args: []string{"audit", "--schedule", "hourly"}}); res.code != 2 {
		t.Errorf("--schedule hourly: exit %d", res.code)
	}
}

// Without an engine the sockets are still judged and the report says the
// containers were not inspected.
func TestAuditWithoutEngine(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "none.sock")
	out := filepath.Join(t.TempDir(), "audit.json")
	res := run(t, invocation{args: []string{"audit", "--format", "text", "--format", "json", "--output", "-", "--output", out}, env: []string{"DOCKER_HOST=unix://" + sock}})
	if res.code != 0 && res.code != 1 {
		t.Fatalf("exit %d: %s", res.code, res.stderr)
	}
	r := readLiveReport(t, out)
	if r.Live.Inspected || !strings.Contains(r.Live.DockerError, sock) {
		t.Errorf("live %+v", *r.Live)
	}
	if !strings.Contains(res.stdout, "note: containers were not inspected: ") {
		t.Errorf("the text report does not say so:\n%s", res.stdout)
	}
}

// Real containers started by Compose v2 from the local listener image:
// audit reports DBP801, DBP803, DBP804 and DBP805 for them, run refuses a
// port a container of another project holds, and a service that holds its
// own port is no conflict.
func TestLiveContainers(t *testing.T) {
	needShell(t)
	engine := dockertest.Engine(t)
	cli := dockertest.Compose(t)
	image := dockertest.ListenerImage(t)
	project := dockertest.Name(t, "live")
	inRange := dockertest.FreePorts(t, 1, 7300, 7999)[0]
	dbPorts := dockertest.FreePorts(t, 2, 7000, 7099)
	outside := dockertest.FreePorts(t, 1, 0, 0)[0]
	st := &liveStack{project: project, image: image, inRange: inRange, outside: outside}
	dir := treetest.WriteTemp(t, map[string]string{"compose.yml": st.compose(dbPorts[0])})
	st.dir = dir
	p := compose.Project{Dir: dir, Name: project}
	dockertest.Up(t, cli, p)
	ctx := t.Context()
	// postgres-old leaves its volume behind; postgres-new's volume is gone.
	if _, err := cli.Run(ctx, p, "rm", "-s", "-f", "postgres-old", "postgres-new"); err != nil {
		t.Fatal(err)
	}
	dockertest.Docker(t, "volume", "rm", project+"_newdata")
	if _, err := engine.Volume(ctx, project+"_newdata"); !docker.IsNotFound(err) {
		t.Fatalf("volume %s_newdata still there: %v", project, err)
	}

	checkRunOnLiveStack(t, st)
	checkAuditOfLiveStack(t, st)

	// The file moves postgres; the running container does not follow.
	if err := os.WriteFile(filepath.Join(dir, "compose.yml"), []byte(st.compose(dbPorts[1])), 0o644); err != nil {
		t.Fatal(err)
	}
	r := auditLive(t, dir)
	drift := fmt.Sprintf("container %s-postgres-1 publishes %d->5432/tcp; compose.yml now says %d->5432/tcp", project, dbPorts[0], dbPorts[1])
	if got := about(r.Findings, "DBP805", drift); len(got) != 1 || got[0].Service != "postgres" || got[0].File != "compose.yml" {
		t.Errorf("no DBP805 %q among %+v", drift, r.Findings)
	}

	// Without PATH, the audit finds the stack through its containers'
	// compose labels and judges how it runs against its files.
	out := filepath.Join(t.TempDir(), "host.json")
	res := run(t, invocation{dir: t.TempDir(), args: []string{"audit", "--format", "json", "--output", out}})
	r = readLiveReport(t, out)
	file := filepath.Join(dir, "compose.yml")
	if got := about(r.Findings, "DBP805", drift); len(got) != 1 || got[0].File != file {
		t.Errorf("host audit: no DBP805 %q at %s among %+v (exit %d)", drift, file, r.Findings, res.code)
	}
	if got := about(r.Findings, "DBP804", project+"_olddata"); len(got) != 1 || got[0].File != file {
		t.Errorf("host audit: no DBP804 for %s_olddata at %s among %+v", project, file, r.Findings)
	}
	if got := about(r.Findings, "DBP102"); len(got) != 0 {
		t.Errorf("host audit reports static findings of the stacks: %+v", got)
	}
}

// liveStack is the stack of TestLiveContainers: web publishes a port in
// the reserved range, redis one outside the convention, postgres one of
// the database range; postgres-old and postgres-new are removed, leaving a
// volume and removing one.
type liveStack struct {
	dir, project, image string
	inRange, outside    int
}

func (st *liveStack) compose(pgPort int) string {
	return fmt.Sprintf(`name: %[1]s
services:
  web:
    image: %[2]s
    command: ["80"]
    ports: ["127.0.0.1:%[3]d:80"]
  redis:
    image: %[2]s
    command: ["6379"]
    ports: ["127.0.0.1:%[4]d:6379"]
  postgres:
    image: %[2]s
    command: ["5432"]
    ports: ["127.0.0.1:%[5]d:5432"]
    volumes: [pgdata:/var/lib/postgresql/data]
  postgres-old:
    image: %[2]s
    command: ["5432"]
    volumes: [olddata:/var/lib/postgresql/data]
  postgres-new:
    image: %[2]s
    command: ["5432"]
    volumes: [newdata:/var/lib/postgresql/data]
volumes:
  pgdata: {}
  olddata: {}
  newdata: {}
`, st.project, st.image, st.inRange, st.outside, pgPort)
}

// auditLive audits dir (exit 1) and returns its JSON report.
func auditLive(t *testing.T, dir string) liveReport {
	t.Helper()
	out := filepath.Join(t.TempDir(), "audit.json")
	res := run(t, invocation{args: []string{"audit", dir, "--format", "json", "--output", out}})
	if res.code != 1 {
		t.Fatalf("audit: exit %d, %s", res.code, res.stderr)
	}
	return readLiveReport(t, out)
}

// checkRunOnLiveStack: run on the running stack finds no conflict (its
// own containers hold its ports); another project wanting web's port is
// refused, naming the container, and its command does not run.
func checkRunOnLiveStack(t *testing.T, st *liveStack) {
	t.Helper()
	// The stack's own containers hold its ports: no conflict.
	out := filepath.Join(t.TempDir(), "run.json")
	res := run(t, invocation{args: []string{"run", st.dir, "--format", "json", "--output", out, "--", "true"}})
	if r := readLiveReport(t, out); len(about(r.Findings, "DBP802")) != 0 || !r.Live.Inspected {
		t.Errorf("run on the running stack: DBP802 %+v (exit %d)", about(r.Findings, "DBP802"), res.code)
	}

	// Another project wanting web's port is refused, naming the container.
	other := treetest.WriteTemp(t, map[string]string{"compose.yml": fmt.Sprintf("name: %s-b\nservices:\n  api:\n    image: %s\n    ports: [\"127.0.0.1:%d:8080\"]\n", st.project, st.image, st.inRange)})
	marker := filepath.Join(t.TempDir(), "ran")
	res = run(t, invocation{args: []string{"run", other, "--format", "json", "--output", out, "--", "sh", "-c", "touch " + marker}})
	r := readLiveReport(t, out)
	holder := fmt.Sprintf("api will publish %d/tcp, already held on this host by container %s-web-1 (compose project %s, service web, image %s)", st.inRange, st.project, st.project, st.image)
	if res.code != 1 || len(about(r.Findings, "DBP802", holder)) != 1 {
		t.Errorf("run of a second project on a held port: exit %d, findings %+v", res.code, r.Findings)
	}
	if _, err := os.Stat(marker); err == nil {
		t.Error("the command ran")
	}
}

// checkAuditOfLiveStack: audit reports DBP801, DBP803 and DBP804 for the
// running stack, no drift while the file is unchanged, and no pre-flight.
func checkAuditOfLiveStack(t *testing.T, st *liveStack) {
	t.Helper()
	r := auditLive(t, st.dir)
	for _, c := range []struct {
		rule  string
		words []string
	}{
		{"DBP801", []string{"container " + st.project + "-web-1 ", "service web", fmt.Sprintf("publishes %d/tcp inside 7000-7999", st.inRange)}},
		{"DBP803", []string{"container " + st.project + "-redis-1 ", "is a database", fmt.Sprintf("publishes %d/tcp, outside 7000-7099", st.outside)}},
		{"DBP804", []string{"no container uses the data volume " + st.project + "_olddata of postgres-old"}},
		{"DBP804", []string{"the data volume " + st.project + "_newdata of postgres-new does not exist"}},
	} {
		if got := about(r.Findings, c.rule, c.words...); len(got) != 1 {
			t.Errorf("%s %q: %d findings among %+v", c.rule, c.words, len(got), r.Findings)
		}
	}
	if got := about(r.Findings, "DBP805", st.project); len(got) != 0 {
		t.Errorf("drift before the file changed: %+v", got)
	}
	if got := about(r.Findings, "DBP802"); len(got) != 0 {
		t.Errorf("audit reports the pre-flight: %+v", got)
	}
}

// input --live prints the live facts the policies see, with this process's
// listener among them; without --live there are none.
func TestInputLive(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	dir := treetest.WriteTemp(t, map[string]string{"compose.yml": "services:\n  web:\n    image: nginx\n"})
	var doc struct {
		Live *struct {
			Listeners []struct {
				Protocol string `json:"protocol"`
				IP       string `json:"ip"`
				Port     int    `json:"port"`
				PID      int    `json:"pid"`
			} `json:"listeners"`
		} `json:"live"`
	}
	res := run(t, invocation{args: []string{"input", "--live", dir}})
	if err := json.Unmarshal([]byte(res.stdout), &doc); err != nil || res.code != 0 || doc.Live == nil {
		t.Fatalf("input --live: exit %d, %v\n%s", res.code, err, res.stdout)
	}
	found := false
	for _, s := range doc.Live.Listeners {
		found = found || (s.Port == port && s.Protocol == "tcp" && s.IP == "127.0.0.1" && s.PID == os.Getpid())
	}
	if !found {
		t.Errorf("the listener on %d is not in live.listeners", port)
	}
	res = run(t, invocation{args: []string{"input", dir}})
	if strings.Contains(res.stdout, `"live"`) {
		t.Error("input without --live carries live facts")
	}
}
