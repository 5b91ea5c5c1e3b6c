package docker

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/moby/moby/api/pkg/stdcopy"
	"github.com/moby/moby/client"
)

// ExecOptions say what to run in a container.
type ExecOptions struct {
	Cmd        []string
	User       string
	WorkingDir string
	// Env is the command's environment (KEY=value); it never appears in an
	// error or a result.
	Env []string
	// Stdin, when set, is copied to the command's standard input, which is
	// then closed.
	Stdin io.Reader
	// Stdout and Stderr receive the output as it comes (a dump of a whole
	// database); when nil, the output is kept in the ExecResult.
	Stdout, Stderr io.Writer
	// Timeout bounds the command (0: the client's StreamTimeout).
	Timeout time.Duration
}

// ExecResult is how a command ended and, unless streamed, what it printed.
type ExecResult struct {
	ExitCode int
	Stdout   []byte
	Stderr   []byte
}

// Exec runs a command in a running container and waits for it. A command
// that runs and fails is not an error: its ExitCode says so.
func (c *Client) Exec(ctx context.Context, id string, o ExecOptions) (ExecResult, error) {
	if len(o.Cmd) == 0 {
		return ExecResult{}, fmt.Errorf("docker exec in %s: no command", id)
	}
	ctx, cancel := c.stream(ctx, o.Timeout)
	defer cancel()
	created, err := c.api.ExecCreate(ctx, id, client.ExecCreateOptions{
		User: o.User, WorkingDir: o.WorkingDir, Env: o.Env, Cmd: o.Cmd,
		AttachStdin: o.Stdin != nil, AttachStdout: true, AttachStderr: true,
	})
	if err != nil {
		return ExecResult{}, c.wrap(fmt.Errorf("exec %s in %s: %w", o.Cmd[0], id, err))
	}
	att, err := c.api.ExecAttach(ctx, created.ID, client.ExecAttachOptions{})
	if err != nil {
		return ExecResult{}, c.wrap(fmt.Errorf("exec %s in %s: %w", o.Cmd[0], id, err))
	}
	defer att.Close()
	// The hijacked connection ignores the context: close it when the
	// context ends, so a hung command cannot outlive its timeout.
	stop := context.AfterFunc(ctx, att.Close)
	defer stop()
	if o.Stdin != nil {
		go func() {
			_, _ = io.Copy(att.Conn, o.Stdin)
			_ = att.CloseWrite()
		}()
	}
	var outBuf, errBuf bytes.Buffer
	stdout, stderr := o.Stdout, o.Stderr
	if stdout == nil {
		stdout = &outBuf
	}
	if stderr == nil {
		stderr = &errBuf
	}
	if _, err := stdcopy.StdCopy(stdout, stderr, att.Reader); err != nil {
		if ctx.Err() != nil {
			err = ctx.Err()
		}
		return ExecResult{}, c.wrap(fmt.Errorf("exec %s in %s: %w", o.Cmd[0], id, err))
	}
	ins, err := c.api.ExecInspect(ctx, created.ID, client.ExecInspectOptions{})
	if err != nil {
		return ExecResult{}, c.wrap(fmt.Errorf("exec %s in %s: %w", o.Cmd[0], id, err))
	}
	return ExecResult{ExitCode: ins.ExitCode, Stdout: outBuf.Bytes(), Stderr: errBuf.Bytes()}, nil
}
