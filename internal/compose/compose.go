// Package compose drives docker compose through its command line, never
// re-implementing it: Compose v2 (`docker compose`), with the standalone
// `docker-compose` as a fallback. Every call takes a context and runs
// under a timeout.
package compose

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"strings"
	"time"
)

// DefaultTimeout bounds each call (an `up` may create volumes and networks
// and start many containers).
const DefaultTimeout = 10 * time.Minute

// versionTimeout bounds the probe of a candidate command.
const versionTimeout = 20 * time.Second

// CLI is a compose command line that answered.
type CLI struct {
	// Command is the argv prefix: ["docker", "compose"] or
	// ["docker-compose"].
	Command []string
	// Version is what `version --short` printed ("5.6.0", "1.29.2").
	Version string
	// Timeout bounds each call (0: DefaultTimeout).
	Timeout time.Duration
	// Env, when set, is the environment of every call (KEY=value); nil
	// inherits the process's, DOCKER_HOST included.
	Env []string
}

// ErrNotFound says that neither `docker compose` nor `docker-compose`
// answered.
var ErrNotFound = errors.New("compose: neither `docker compose` nor `docker-compose` answered `version`")

// Find returns Compose v2 when `docker compose version` answers, else
// `docker-compose`, else ErrNotFound.
func Find(ctx context.Context) (*CLI, error) {
	var tried []string
	for _, argv := range [][]string{{"docker", "compose"}, {"docker-compose"}} {
		c := &CLI{Command: argv}
		out, err := c.run(ctx, versionTimeout, nil, "version", "--short")
		if err != nil {
			tried = append(tried, err.Error())
			continue
		}
		c.Version = strings.TrimPrefix(strings.TrimSpace(string(out.Stdout)), "v")
		return c, nil
	}
	return nil, fmt.Errorf("%w (%s)", ErrNotFound, strings.Join(tried, "; "))
}

// V2 reports whether the command is Compose v2 or later (it honours a
// top-level name:, --wait, ps --format json).
func (c *CLI) V2() bool { return !strings.HasPrefix(c.Version, "1.") }

// String names the command as a user would type it.
func (c *CLI) String() string { return strings.Join(c.Command, " ") }

// Project says which compose project a call is about.
type Project struct {
	// Dir is the project directory (--project-directory) and the
	// directory the command runs in; "" keeps the current one.
	Dir string
	// Files are the compose files (-f), in order; none: compose's own
	// discovery in Dir.
	Files []string
	// Name is the project name (-p); "" lets compose derive it.
	Name     string
	Profiles []string
	// EnvFiles are the --env-file files, in order; none: compose reads the
	// .env of the project directory.
	EnvFiles []string
}

func (p Project) args() []string {
	var a []string
	if p.Dir != "" {
		a = append(a, "--project-directory", p.Dir)
	}
	for _, f := range p.Files {
		a = append(a, "-f", f)
	}
	if p.Name != "" {
		a = append(a, "-p", p.Name)
	}
	for _, pr := range p.Profiles {
		a = append(a, "--profile", pr)
	}
	for _, f := range p.EnvFiles {
		a = append(a, "--env-file", f)
	}
	return a
}

// Output is what a call printed.
type Output struct {
	Stdout []byte
	Stderr []byte
}

// Error is a compose call that failed: its arguments, exit code and the
// last lines it printed on stderr.
type Error struct {
	Args     []string
	ExitCode int
	Stderr   string
	Err      error
}

func (e *Error) Error() string {
	msg := fmt.Sprintf("%s: %v", strings.Join(e.Args, " "), e.Err)
	if e.Stderr != "" {
		msg += ": " + e.Stderr
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Run runs `compose [project flags] args...` and returns its output.
func (c *CLI) Run(ctx context.Context, p Project, args ...string) (Output, error) {
	return c.run(ctx, c.Timeout, &p, args...)
}

func (c *CLI) run(ctx context.Context, timeout time.Duration, p *Project, args ...string) (Output, error) {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	argv := append([]string{}, c.Command...)
	dir := ""
	if p != nil {
		argv = append(argv, p.args()...)
		dir = p.Dir
	}
	argv = append(argv, args...)
	cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
	cmd.Dir = dir
	cmd.Env = c.Env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	out := Output{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if err != nil {
		e := &Error{Args: argv, ExitCode: -1, Stderr: lastLines(stderr.String(), 5), Err: err}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			e.ExitCode = ee.ExitCode()
		}
		if ctx.Err() != nil {
			e.Err = fmt.Errorf("%w after %s", ctx.Err(), timeout)
		}
		return out, e
	}
	return out, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.TrimSpace(strings.Join(lines, "\n"))
}

// Up creates and starts the project's services (all, or the ones named) in
// the background: `up -d`, recreating those whose configuration changed.
func (c *CLI) Up(ctx context.Context, p Project, services ...string) error {
	_, err := c.Run(ctx, p, append([]string{"up", "-d"}, services...)...)
	return err
}

// DownOptions say what `down` removes beyond the containers and networks.
type DownOptions struct {
	// Volumes removes the project's named volumes too (`down -v`): only
	// for projects a caller created itself.
	Volumes bool
	// RemoveOrphans removes containers of the project no longer in its
	// files.
	RemoveOrphans bool
}

// Down stops and removes the project's containers and networks.
func (c *CLI) Down(ctx context.Context, p Project, o DownOptions) error {
	args := []string{"down"}
	if o.Volumes {
		args = append(args, "-v")
	}
	if o.RemoveOrphans {
		args = append(args, "--remove-orphans")
	}
	_, err := c.Run(ctx, p, args...)
	return err
}

// Stop stops the project's services (all, or the ones named).
func (c *CLI) Stop(ctx context.Context, p Project, services ...string) error {
	_, err := c.Run(ctx, p, append([]string{"stop"}, services...)...)
	return err
}

// Containers lists the ids of the project's containers (of the services
// named, or all), stopped ones included.
func (c *CLI) Containers(ctx context.Context, p Project, services ...string) ([]string, error) {
	out, err := c.Run(ctx, p, append([]string{"ps", "-a", "-q"}, services...)...)
	if err != nil {
		return nil, err
	}
	return strings.Fields(string(out.Stdout)), nil
}

// Config prints the project as compose resolves it (`config`): its output
// carries environment values, so callers must not show it.
func (c *CLI) Config(ctx context.Context, p Project, w io.Writer) error {
	out, err := c.Run(ctx, p, "config")
	if err != nil {
		return err
	}
	_, err = w.Write(out.Stdout)
	return err
}
