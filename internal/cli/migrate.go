package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/migrate"
)

// NewCmdMigrate builds `portguard migrate` and its subcommands.
func NewCmdMigrate(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "migrate",
		Short: "Move databases, UIs and exporters onto their convention ports, with verified backups",
		Long: `Move every database, UI and exporter that publishes another port than the
convention gives it: plan shows the moves, apply carries them out with a
verified backup first and rolls back by itself when anything fails.`,
	}
	cmd.AddCommand(NewCmdMigratePlan(f, nil), NewCmdMigrateApply(f, nil))
	return cmd
}

// MigratePlanOptions are the inputs of `portguard migrate plan`.
type MigratePlanOptions struct {
	IO      *IOStreams
	Factory *Factory
	StackOptions

	Format string
}

// NewCmdMigratePlan builds `portguard migrate plan [PATH]`.
func NewCmdMigratePlan(f *Factory, runF func(*MigratePlanOptions) error) *cobra.Command {
	opts := &MigratePlanOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "plan [PATH]",
		Short: "Show what a migration would move, change and recreate",
		Long: `For every database, UI and exporter under PATH whose host port is not the one
the convention gives it: the target port (the port fix and suggest choose),
the variable, the files and lines that change, the containers that must be
recreated and the volumes they keep. Moves that cannot be made (no free
port, a mapping that cannot be rewritten safely) and moves that an
exception keeps are listed apart. Writes nothing.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, migratePlanRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	opts.addFlags(fl)
	fl.StringVar(&opts.Format, "format", "text", "output format: text, json")
	return cmd
}

func migratePlanRun(ctx context.Context, opts *MigratePlanOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &ExitError{Code: ExitInput, Err: usage("unknown format %q (use text, json)", opts.Format)}
	}
	_, plan, err := computePlan(ctx, opts.Factory, opts.evalOptions())
	if err != nil {
		return err
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(plan)
	}
	return plan.WriteText(opts.IO.Out)
}

// computePlan checks the stacks and plans their migration.
func computePlan(ctx context.Context, f *Factory, o evalOptions) (*evaluation, *migrate.Plan, error) {
	res, err := evaluate(ctx, f, o)
	if err != nil {
		return nil, nil, err
	}
	plan, err := migrate.Compute(ctx, res.Engine, o.Path, res.Doc, res.Findings, res.Suppressed)
	if err != nil {
		return nil, nil, libraryExit(err)
	}
	return res, plan, nil
}

// MigrateApplyOptions are the inputs of `portguard migrate apply`.
type MigrateApplyOptions struct {
	IO      *IOStreams
	Factory *Factory
	StackOptions

	Dir        string
	ConfigOnly bool
	Yes        bool
}

// NewCmdMigrateApply builds `portguard migrate apply [PATH]`.
func NewCmdMigrateApply(f *Factory, runF func(*MigrateApplyOptions) error) *cobra.Command {
	opts := &MigrateApplyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "apply [PATH]",
		Short: "Carry out the migration plan, with a verified backup first",
		Long: `Show the plan of portguard migrate plan and, once confirmed (or with --yes),
carry it out through the Docker engine and docker compose:

  1. pre-flight: each service that moves runs from these files; each data
     volume exists, is mounted by its container, is the volume the
     recreated container will mount (a renamed project or volume would
     start on an empty one), and is not empty when a previous backup
     recorded data in it; the new ports are free;
  2. a backup (configuration files, a pg_dumpall of every running
     Postgres-family service, an archive of every database data volume;
     the services that move are stopped after their dump, so that their
     archives are consistent), verified;
  3. the files rewritten with fix's code, each atomically;
  4. docker compose up -d of the services that move, and a check that
     each answers on its new ports and mounts the same volumes.

Any failure after the backup rolls back by itself (the files restored,
the services recreated on their old ports and checked) and says what
happened. No volume is ever removed. --config-only does steps 2 (the
configuration files alone) and 3, without an engine.

Exit codes: 0 migrated (or nothing to migrate); 1 the migration failed and
was rolled back, or the backup fails verification; 2 usage or input error,
a refused pre-flight or not confirmed (nothing was changed).`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, migrateApplyRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	opts.addFlags(fl)
	addBackupDirFlag(fl, &opts.Dir)
	fl.BoolVar(&opts.ConfigOnly, "config-only", false, "rewrite the files alone, recreate no container (no Docker engine needed)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func migrateApplyRun(ctx context.Context, opts *MigrateApplyOptions) error {
	res, plan, err := computePlan(ctx, opts.Factory, opts.evalOptions())
	if err != nil {
		return err
	}
	out := opts.IO.Out
	if err := plan.WriteText(out); err != nil {
		return err
	}
	if len(plan.Moves) == 0 {
		return nil
	}
	fmt.Fprintln(out)
	ao := migrate.ApplyOptions{
		Root: opts.Path, Files: opts.Files, ConfigPath: opts.Config, Doc: res.Doc, Plan: plan,
		Dir:       backup.Root(opts.Path, opts.Dir),
		Execution: migrate.Execution{ConfigOnly: opts.ConfigOnly, Version: Version, Progress: out},
	}
	if !opts.ConfigOnly {
		eng, cli, err := connectStack(ctx, "migrate apply")
		if err != nil {
			return err
		}
		defer eng.Close()
		ao.Engine, ao.Compose = eng, cli
	}
	if !opts.Yes && !confirm(opts.IO, "Apply this migration?") {
		return &ExitError{Code: ExitInput, Err: errNotConfirmed}
	}
	r, err := migrate.Apply(ctx, ao)
	if err != nil {
		var ae *migrate.ApplyError
		if errors.As(err, &ae) {
			return &ExitError{Code: ExitFindings, Err: err}
		}
		return migrateExit(err)
	}
	n := len(r.Moved)
	if opts.ConfigOnly {
		fmt.Fprintf(out, "rewrote the files of %d %s, recreated no container (--config-only); to undo: portguard rollback %s --config-only\n", n, plural(n, "service", "services"), r.Backup)
		return nil
	}
	for _, s := range r.NotRunning {
		fmt.Fprintf(out, "%s was not running: its new ports apply when it next starts\n", s)
	}
	fmt.Fprintf(out, "migrated %d %s in %s; to undo: portguard rollback %s\n", n, plural(n, "service", "services"), r.Elapsed.Round(100*time.Millisecond), r.Backup)
	return nil
}
