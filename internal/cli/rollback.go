package cli

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/migrate"
)

// RollbackOptions are the inputs of `portguard rollback`.
type RollbackOptions struct {
	IO      *IOStreams
	Factory *Factory

	ID         string
	Path       string
	Dir        string
	ConfigOnly bool
	Yes        bool
}

// NewCmdRollback builds `portguard rollback ID [PATH]`.
func NewCmdRollback(f *Factory, runF func(*RollbackOptions) error) *cobra.Command {
	opts := &RollbackOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "rollback ID [PATH]",
		Short: "Return the stacks to a backup: restore the files, recreate the services",
		Long: `Return the stacks under PATH to backup ID (a name of portguard backup list,
or the path of a backup directory): verify the backup, save the current
configuration files as a new backup, restore the backed-up files byte for
byte (a file the backup did not have is removed, after it was saved),
recreate the services the backup recorded as running (docker compose up -d,
as they were started), check that each answers on its old ports with the
same volumes, and print the elapsed time against the five-minute budget.
--config-only restores the files alone, without an engine. Asks for
confirmation unless --yes.

Restoring a dump or a volume archive is a separate step
(portguard backup restore ID --volume NAME).

Exit codes: 0 rolled back; 1 the backup fails verification, or the files
or the services could not be put back (the message says how far it got);
2 usage or input error, or not confirmed.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: runE(opts, runF, rollbackRun, intoIDPath(&opts.ID, &opts.Path)),
	}
	fl := cmd.Flags()
	addBackupDirFlag(fl, &opts.Dir)
	fl.BoolVar(&opts.ConfigOnly, "config-only", false, "restore the configuration files alone (no Docker engine needed)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func rollbackRun(ctx context.Context, opts *RollbackOptions) error {
	root := backup.Root(opts.Path, opts.Dir)
	dir, err := backup.Resolve(root, opts.ID)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	m, err := backup.ReadManifest(dir)
	if err != nil {
		return &ExitError{Code: ExitFindings, Err: err}
	}
	out := opts.IO.Out
	cfg, _, _, _ := m.Counts()
	fmt.Fprintf(out, "rollback to backup %s (taken %s UTC, %s): %d configuration %s\n",
		m.ID, m.Created.UTC().Format("2006-01-02 15:04:05"), m.Reason, cfg, plural(cfg, "file", "files"))
	ro := migrate.RollbackOptions{Dir: root, Backup: dir, Root: opts.Path, Execution: migrate.Execution{ConfigOnly: opts.ConfigOnly, Version: Version, Progress: out}}
	question := "Restore the files of backup " + m.ID + "?"
	// A backup that recorded no running service needs no engine.
	if !opts.ConfigOnly && len(m.Services) > 0 {
		eng, cli, err := connectStack(ctx, "rollback")
		if err != nil {
			return err
		}
		defer eng.Close()
		ro.Engine, ro.Compose = eng, cli
		n := len(m.Services)
		question = fmt.Sprintf("Restore the files of backup %s and recreate %d %s?", m.ID, n, plural(n, "service", "services"))
	}
	if !opts.Yes && !confirm(opts.IO, question) {
		return &ExitError{Code: ExitInput, Err: errNotConfirmed}
	}
	res, err := migrate.Rollback(ctx, ro)
	if err != nil {
		return migrateExit(err)
	}
	fmt.Fprintln(out, elapsedLine("rollback", res.Elapsed, res.Budget))
	return nil
}

// migrateExit maps an error of a migration or a rollback to its exit
// code: bad input and a refused pre-flight (nothing changed) are 2; a
// backup that fails verification, and a step that failed after changes
// began, are 1.
func migrateExit(err error) error {
	var ve *migrate.VerifyError
	if errors.As(err, &ve) {
		return &ExitError{Code: ExitFindings, Err: err}
	}
	var in *migrate.InputError
	var refused *migrate.RefusedError
	if errors.As(err, &in) || errors.As(err, &refused) {
		return &ExitError{Code: ExitInput, Err: err}
	}
	// The files or the services could not be put back: the message says
	// what was done and where the backup is.
	return &ExitError{Code: ExitFindings, Err: err}
}

// libraryExit maps an error of asking the library about the stacks
// (migrate.Compute, migrate.BackupOf) to its exit code: stacks that cannot
// be read (*migrate.InputError) are 2, the policies' failure 3.
func libraryExit(err error) error {
	if in := (*migrate.InputError)(nil); errors.As(err, &in) {
		return &ExitError{Code: ExitInput, Err: err}
	}
	return &ExitError{Code: ExitPolicy, Err: err}
}

// elapsedLine reports how long a step took against its budget.
func elapsedLine(what string, d, budget time.Duration) string {
	round := time.Millisecond
	if d >= 10*time.Second {
		round = 100 * time.Millisecond
	}
	if d > budget {
		return fmt.Sprintf("%s took %s, over the %s budget", what, d.Round(round), budget)
	}
	return fmt.Sprintf("%s done in %s, within the %s budget", what, d.Round(round), budget)
}
