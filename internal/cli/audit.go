package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/auditlog"
	"github.com/portguard/portguard/internal/live"
	"github.com/portguard/portguard/internal/report"
)

// AuditOptions are the inputs of `portguard audit [PATH]`.
type AuditOptions struct {
	CheckOptions
	// HasPath is true when PATH was given: its stacks are checked too.
	HasPath bool
	// Log is a file of JSON lines to append the run to.
	Log string
	// Schedule prints a daily schedule ("cron" or "systemd") instead of
	// auditing.
	Schedule string
}

// NewCmdAudit builds `portguard audit [PATH]`.
func NewCmdAudit(f *Factory, runF func(*AuditOptions) error) *cobra.Command {
	opts := &AuditOptions{CheckOptions: CheckOptions{IO: f.IO, Factory: f}}
	cmd := &cobra.Command{
		Use:   "audit [PATH]",
		Short: "Check what listens on this host against the port convention",
		Long: `Check the running host: every listening socket and every container of the
Docker engine. DBP801: a process or container that is not a database tool
listens in the protected range; DBP803: a database container publishes
outside its sub-range; and, for the compose stacks the containers were
started from (their compose labels name the files), DBP804 (a database's
data volume is missing or used by no container) and DBP805 (a running
container publishes other ports than its compose file now says). With
PATH, the stacks under PATH are the ones compared, and checked as check
does. Without a Docker engine the sockets are still checked and the report
says the containers were not inspected.

--log FILE appends one JSON line per run (UTC time, host, counts,
findings) under an exclusive lock. --format prometheus writes the
node_exporter textfile format for alerting. --schedule cron|systemd prints
a daily schedule of this very audit (its flags included) instead.

Exit codes: 0 clean; 1 findings at or above --fail-on; 2 usage, config or
input error; 3 policy error.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, auditRun, func(args []string) { opts.Path, opts.HasPath = pathArg(args), len(args) == 1 }),
	}
	fl := cmd.Flags()
	addReportFlags(fl, &opts.CheckOptions)
	fl.StringVar(&opts.Log, "log", "", "append one JSON line per run to this file (under an exclusive lock)")
	fl.StringVar(&opts.Schedule, "schedule", "", "print a daily schedule of this audit instead of running it: cron or systemd")
	return cmd
}

func auditRun(ctx context.Context, opts *AuditOptions) error {
	if opts.Schedule != "" {
		return printSchedule(opts)
	}
	var doc *input.Document
	if !opts.HasPath {
		if len(opts.Files) > 0 {
			return &ExitError{Code: ExitInput, Err: usage("-f names compose files of a PATH: give the PATH too")}
		}
		cfg, err := input.LoadConfig(opts.Config, opts.Config, opts.Config != "")
		if err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
		doc = input.EmptyDocument(cfg)
	}
	root := opts.Path
	if !opts.HasPath {
		root = "" // the stacks of the containers keep their absolute paths
	}
	l := opts.Factory.Live(ctx, root)
	r, err := liveCheck(ctx, &opts.CheckOptions, doc, l, live.HostRules, reportStream{w: opts.IO.Out, color: opts.Factory.colorEnabled()})
	if err != nil {
		return err
	}
	if opts.Log != "" {
		if err := auditlog.Append(opts.Log, logRecord(r, l, opts)); err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
	}
	if r.ExitCode != ExitClean {
		return &ExitError{Code: r.ExitCode}
	}
	return nil
}

func logRecord(r report.Result, l *input.Live, opts *AuditOptions) auditlog.Record {
	rec := auditlog.Record{
		Time: r.Time, Host: l.Host, Command: "audit", ExitCode: r.ExitCode, Findings: r.Findings,
		Docker: auditlog.Docker{Inspected: l.Docker.Inspected, Error: l.Docker.Error},
	}
	if opts.HasPath {
		rec.Root, _ = filepath.Abs(opts.Path)
	}
	s := r.Summary()
	rec.Counts = auditlog.Counts{Error: s.Errors, Warning: s.Warnings, Note: s.Notes, Suppressed: s.Suppressed, InputErrors: s.InputErrors}
	return rec
}

// errNoExecutable says the schedule cannot name portguard's binary.
var errNoExecutable = errors.New("cannot find portguard's own executable to schedule")

func printSchedule(opts *AuditOptions) error {
	exe, err := os.Executable()
	if err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%w: %v", errNoExecutable, err)}
	}
	if resolved, err := filepath.EvalSymlinks(exe); err == nil {
		exe = resolved
	}
	argv, err := scheduledArgs(exe, opts)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	switch opts.Schedule {
	case "cron":
		_, err = fmt.Fprint(opts.IO.Out, cronSchedule(argv))
	case "systemd":
		_, err = fmt.Fprint(opts.IO.Out, systemdSchedule(argv))
	default:
		return &ExitError{Code: ExitInput, Err: usage("--schedule %q: use cron or systemd", opts.Schedule)}
	}
	return err
}
