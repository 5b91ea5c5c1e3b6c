package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/live"
)

// RunOptions are the inputs of `portguard run [PATH] -- CMD ARGS...`.
type RunOptions struct {
	CheckOptions
	// Command is CMD ARGS..., run only when the check passes.
	Command []string
}

// NewCmdRun builds `portguard run [PATH] -- CMD ARGS...`.
func NewCmdRun(f *Factory, runF func(*RunOptions) error) *cobra.Command {
	opts := &RunOptions{CheckOptions: CheckOptions{IO: f.IO, Factory: f}}
	cmd := &cobra.Command{
		Use:   "run [PATH] -- CMD [ARGS...]",
		Short: "Check the stacks and the host's ports, then run CMD only when clean",
		Long: `Check the compose stacks under PATH (default: the current directory) as
check does, plus the live pre-flight (DBP802): every host port the stacks
are about to publish must be free on this host, or held by that same
compose service already running. CMD runs only when nothing at or above
--fail-on was found, with the same standard streams; signals are forwarded
to it (those the terminal sends to both, Ctrl+C, are not sent twice) and
its exit code is portguard's.

  portguard run -- docker compose up -d

The report goes to stderr (stdout is CMD's), or to --output files.
Without a Docker engine the sockets are still checked and the report says
the containers were not inspected.

Exit codes: CMD's when it ran; else 1 findings at or above --fail-on; 2
usage, config or input error; 3 policy error; 127 CMD not found.`,
		Args: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			if dash < 0 || dash == len(args) {
				return usage("give the command to run after --: portguard run [PATH] -- CMD [ARGS...]")
			}
			if dash > 1 {
				return usage("one PATH before --, got %s", strings.Join(args[:dash], " "))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			dash := cmd.ArgsLenAtDash()
			opts.Path = pathArg(args[:dash])
			opts.Command = args[dash:]
			if runF != nil {
				return runF(opts)
			}
			return runRun(cmd.Context(), opts)
		},
	}
	addReportFlags(cmd.Flags(), &opts.CheckOptions)
	return cmd
}

func runRun(ctx context.Context, opts *RunOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	l := opts.Factory.Live(ctx, opts.Path)
	color := opts.IO.IsTerminal && opts.Factory.colorEnabled()
	r, err := liveCheck(ctx, &opts.CheckOptions, nil, l, live.PreflightRules, reportStream{w: opts.IO.ErrOut, color: color})
	if err != nil {
		return err
	}
	if r.ExitCode != ExitClean {
		return &ExitError{Code: r.ExitCode, Err: fmt.Errorf("not running %s: the check failed (exit %d)", opts.Command[0], r.ExitCode)}
	}
	return runCommand(opts)
}

// runCommand runs CMD with portguard's standard streams, forwards the
// signals portguard receives, and returns CMD's exit code.
func runCommand(opts *RunOptions) error {
	cmd := exec.Command(opts.Command[0], opts.Command[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = opts.IO.In, opts.IO.Out, opts.IO.ErrOut
	sigs := make(chan os.Signal, 8)
	signal.Notify(sigs, forwardedSignals...)
	defer signal.Stop(sigs)
	if err := cmd.Start(); err != nil {
		code := ExitInput
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, os.ErrNotExist) {
			code = 127
		}
		return &ExitError{Code: code, Err: fmt.Errorf("cannot run %s: %w", opts.Command[0], err)}
	}
	done := make(chan struct{})
	go func() {
		for {
			select {
			case s := <-sigs:
				if !deliveredByTerminal(s) {
					_ = cmd.Process.Signal(s)
				}
			case <-done:
				return
			}
		}
	}()
	err := cmd.Wait()
	close(done)
	if err == nil {
		return nil
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return &ExitError{Code: exitStatus(ee.ProcessState)}
	}
	return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %w", opts.Command[0], err)}
}
