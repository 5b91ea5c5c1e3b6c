package compose_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/dockertest"
)

// Compose v2 is found first, runs a project under its name (a top-level
// name: that docker-compose 1.29 rejects), lists its containers, and a
// failing call says which command failed, its exit code and what it printed.
func TestComposeV2Project(t *testing.T) {
	dockertest.Engine(t)
	cli := dockertest.Compose(t)
	if strings.Join(cli.Command, " ") != "docker compose" {
		t.Errorf("found %v, want docker compose first", cli.Command)
	}
	image := dockertest.ListenerImage(t)
	name := dockertest.Name(t, "compose")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte("name: "+name+"\nservices:\n  web:\n    image: "+image+"\n    command: [\"8080\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p := compose.Project{Dir: dir}
	p.Name = name
	dockertest.Up(t, cli, p)
	ids, err := cli.Containers(context.Background(), p)
	if err != nil || len(ids) != 1 {
		t.Fatalf("containers of %s: %v %v", name, ids, err)
	}
	if err := cli.Stop(context.Background(), p, "web"); err != nil {
		t.Fatal(err)
	}
	if ids, err := cli.Containers(context.Background(), p, "web"); err != nil || len(ids) != 1 {
		t.Errorf("a stopped container is still listed: %v %v", ids, err)
	}
	_, err = cli.Run(context.Background(), p, "up", "-d", "no-such-service")
	var ce *compose.Error
	if !errors.As(err, &ce) || ce.ExitCode == 0 || !strings.Contains(ce.Error(), "no-such-service") {
		t.Errorf("up of a missing service: %v", err)
	}
}

// docker-compose 1.x is the fallback: it answers version and is not v2.
func TestComposeV1Fallback(t *testing.T) {
	if _, err := exec.LookPath("docker-compose"); err != nil {
		t.Skip("no docker-compose on PATH")
	}
	c := &compose.CLI{Command: []string{"docker-compose"}}
	out, err := c.Run(context.Background(), compose.Project{}, "version", "--short")
	if err != nil {
		t.Fatal(err)
	}
	c.Version = strings.TrimSpace(string(out.Stdout))
	if strings.HasPrefix(c.Version, "1.") == c.V2() {
		t.Errorf("version %q, V2 %v", c.Version, c.V2())
	}
}

// Find fails clearly when neither command exists.
func TestFindNothing(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := compose.Find(context.Background())
	if !errors.Is(err, compose.ErrNotFound) {
		t.Errorf("Find without docker: %v", err)
	}
}

// A call never outlives its timeout.
func TestTimeout(t *testing.T) {
	sleep, err := exec.LookPath("sleep")
	if err != nil {
		t.Skip("no sleep command on PATH")
	}
	c := &compose.CLI{Command: []string{sleep, "30"}, Timeout: 200 * time.Millisecond}
	start := time.Now()
	_, err = c.Run(context.Background(), compose.Project{})
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want a deadline", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Errorf("took %s", time.Since(start))
	}
}

// --env-file files are passed in order, and compose interpolates from them
// instead of the project directory's .env.
func TestEnvFiles(t *testing.T) {
	cli, err := compose.Find(context.Background())
	if err != nil || !cli.V2() {
		t.Skipf("no Compose v2: %v", err)
	}
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	write("compose.yaml", "name: envfiles\nservices:\n  db:\n    image: db\n    ports:\n      - \"${DB_PORT:-1}:5432\"\n")
	write(".env", "DB_PORT=2\n")
	first := write("first.env", "DB_PORT=3\n")
	second := write("second.env", "DB_PORT=4\n")
	for _, tc := range []struct {
		files []string
		want  string
	}{
		{nil, `published: "2"`},
		{[]string{first}, `published: "3"`},
		{[]string{first, second}, `published: "4"`},
	} {
		var out strings.Builder
		if err := cli.Config(context.Background(), compose.Project{Dir: dir, EnvFiles: tc.files}, &out); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), tc.want) {
			t.Errorf("env files %v: config has no %s:\n%s", tc.files, tc.want, out.String())
		}
	}
}
