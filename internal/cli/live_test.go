package cli

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/portguard/portguard/input"
)

func TestRunFlags(t *testing.T) {
	f, _, _ := factoryWithBuffers()
	got, err := parseFlags(f, NewCmdRun, "stacks", "--fail-on", "warning", "-f", "a.yml", "--", "docker", "compose", "up", "-d", "--wait")
	if err != nil {
		t.Fatal(err)
	}
	if got.Path != "stacks" || got.FailOn != "warning" || !reflect.DeepEqual(got.Files, []string{"a.yml"}) ||
		!reflect.DeepEqual(got.Command, []string{"docker", "compose", "up", "-d", "--wait"}) {
		t.Errorf("%+v", got)
	}
	got, err = parseFlags(f, NewCmdRun, "--", "true")
	if err != nil || got.Path != "." || !reflect.DeepEqual(got.Command, []string{"true"}) {
		t.Errorf("%+v %v", got, err)
	}
}

func TestAuditFlags(t *testing.T) {
	f, _, _ := factoryWithBuffers()
	got, err := parseFlags(f, NewCmdAudit, "--log", "audit.jsonl", "--format", "prometheus", "--output", "p.prom")
	if err != nil {
		t.Fatal(err)
	}
	if got.HasPath || got.Log != "audit.jsonl" || !reflect.DeepEqual(got.Formats, []string{"prometheus"}) {
		t.Errorf("%+v", got)
	}
	got, err = parseFlags(f, NewCmdAudit, "/srv", "--schedule", "cron")
	if err != nil || !got.HasPath || got.Path != "/srv" || got.Schedule != "cron" {
		t.Errorf("%+v %v", got, err)
	}
}

// audit judges the facts it is given: a listener of another user's process
// in the range is reported, saying its owner is not visible, and the
// report says the containers were not inspected.
func TestAuditOnGivenFacts(t *testing.T) {
	f, out, _ := factoryWithBuffers()
	f.Live = func(context.Context, string) *input.Live {
		return &input.Live{
			Host: "h", Listing: true,
			Listeners:  []input.Listener{{Protocol: "tcp", IP: "0.0.0.0", Port: 7444}, {Protocol: "tcp", IP: "0.0.0.0", Port: 22, PID: 1, Command: "sshd", OwnerVisible: true}},
			Docker:     input.LiveDocker{Error: "permission denied"},
			Containers: []input.LiveContainer{}, Volumes: []input.LiveVolume{},
		}
	}
	opts := &AuditOptions{CheckOptions: CheckOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: "."}}}
	err := auditRun(context.Background(), opts)
	var exit *ExitError
	if !errors.As(err, &exit) || exit.Code != ExitFindings {
		t.Fatalf("err %v", err)
	}
	want := []string{
		"note: containers were not inspected: permission denied",
		"(host)  error  DBP801  a process whose owner this user may not see (run as root to name it) listens on tcp 0.0.0.0:7444 inside 7000-7999",
		"1 error on the host; checked 0 compose files, 0 services and the host",
	}
	for _, w := range want {
		if !strings.Contains(out.String(), w) {
			t.Errorf("output lacks %q:\n%s", w, out.String())
		}
	}
}

func TestScheduleQuoting(t *testing.T) {
	for in, want := range map[string]string{"/usr/bin/portguard": "/usr/bin/portguard", "/my dir/x": "'/my dir/x'", "it's": `'it'\''s'`} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
	if got := cronSchedule([]string{"/bin/pg", "audit", "/a%b"}); !strings.Contains(got, `* /bin/pg audit /a\%b`) {
		t.Errorf("cron does not escape %%: %s", got)
	}
	if got := systemdQuote("/my dir/50%"); got != `"/my dir/50%%"` {
		t.Errorf("systemdQuote: %s", got)
	}
}

// A host audit finds the stacks of the containers through their compose
// labels; a stack whose files are gone is skipped with a note, never an
// input error.
func TestAuditSkipsStacksWhoseFilesAreGone(t *testing.T) {
	f, out, _ := factoryWithBuffers()
	gone := filepath.Join(t.TempDir(), "gone", "compose.yml")
	f.Live = func(context.Context, string) *input.Live {
		return &input.Live{
			Host: "h", Listing: true, Listeners: []input.Listener{},
			Docker: input.LiveDocker{Inspected: true},
			Containers: []input.LiveContainer{{
				ID: "0123456789ab", Name: "old-db-1", Image: "postgres:16", ImageRepo: "postgres", ImageName: "postgres", ImageTokens: []string{"postgres"},
				State: "running", Running: true, Project: "old", Service: "db", Tokens: []string{"db"},
				ConfigFiles: []string{filepath.ToSlash(gone)}, Labels: map[string]string{}, Ports: []input.LivePort{}, Mounts: []input.LiveMount{},
			}},
			Volumes: []input.LiveVolume{},
		}
	}
	opts := &AuditOptions{CheckOptions: CheckOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: "."}}}
	if err := auditRun(context.Background(), opts); err != nil {
		t.Fatalf("err %v\n%s", err, out.String())
	}
	want := "note: stack old (" + gone + "): " + gone + " is gone; not compared with its files"
	if !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
}

// TestAuditGathersFromLabelsWithoutPath: without PATH, audit asks for the
// host's facts with the root "" (the stacks of the containers found
// through their compose labels), as the MCP audit tool does; with PATH,
// with PATH.
func TestAuditGathersFromLabelsWithoutPath(t *testing.T) {
	for _, hasPath := range []bool{false, true} {
		f, _, _ := factoryWithBuffers()
		var roots []string
		f.Live = func(_ context.Context, root string) *input.Live {
			roots = append(roots, root)
			return &input.Live{Host: "h", Listing: true, Containers: []input.LiveContainer{}, Volumes: []input.LiveVolume{}}
		}
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "docker-compose.yml"), []byte("services:\n  db:\n    image: postgres:16\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		opts := &AuditOptions{CheckOptions: CheckOptions{IO: f.IO, Factory: f, StackOptions: StackOptions{Path: dir}}, HasPath: hasPath}
		var exit *ExitError
		if err := auditRun(context.Background(), opts); err != nil && (!errors.As(err, &exit) || exit.Code != ExitFindings) {
			t.Fatalf("has path %v: %v", hasPath, err)
		}
		want := ""
		if hasPath {
			want = dir
		}
		if len(roots) != 1 || roots[0] != want {
			t.Errorf("has path %v: the live facts were gathered with roots %q, want [%q]", hasPath, roots, want)
		}
	}
}
