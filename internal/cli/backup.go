package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/migrate"
)

// addBackupDirFlag registers --dir, the backups root.
func addBackupDirFlag(fl *pflag.FlagSet, dir *string) {
	fl.StringVar(dir, "dir", "", "backups directory (default PATH/"+backup.DefaultRoot+")")
}

// idAndPath splits the arguments ID [PATH].
func idAndPath(args []string) (string, string) {
	if len(args) == 2 {
		return args[0], args[1]
	}
	return args[0], "."
}

// NewCmdBackup builds `portguard backup` and its subcommands.
func NewCmdBackup(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "backup",
		Short: "Take, verify and list backups of the stacks (configuration, dumps, volumes)",
		Long: `Backups of the stacks under PATH, in PATH/backups/<UTC timestamp>/ (--dir
moves the backups directory): the configuration files (the root .env, every
compose file, PORTS-CONVENTION.md, .portguard.yaml) copied byte for byte;
with a Docker engine, a compressed pg_dumpall of every running
Postgres-family service and a compressed archive of every database data
volume. A manifest.json, written last, records the path, kind, size, sha256
and time of every file, the size of every volume and the portguard version;
the backups log (backups.log) gets a line per backup.

Backups hold secrets (the .env, the dumps): directories are 0700, files
0600, and the backups directory has a .gitignore. portguard never deletes
or prunes a backup.`,
	}
	cmd.AddCommand(
		NewCmdBackupCreate(f, nil), NewCmdBackupVerify(f, nil), NewCmdBackupList(f, nil), NewCmdBackupRestore(f, nil),
	)
	return cmd
}

// BackupCreateOptions are the inputs of `portguard backup create`.
type BackupCreateOptions struct {
	IO      *IOStreams
	Factory *Factory

	Path       string
	Files      []string
	Config     string
	Dir        string
	ConfigOnly bool
}

// NewCmdBackupCreate builds `portguard backup create [PATH]`.
func NewCmdBackupCreate(f *Factory, runF func(*BackupCreateOptions) error) *cobra.Command {
	opts := &BackupCreateOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "create [PATH]",
		Short: "Back up the configuration files, and with an engine the databases",
		Long: `Take a backup of the stacks under PATH and verify it: the configuration files
and, unless --config-only, a pg_dumpall of every running Postgres-family
service and an archive of every database data volume (through the Docker
engine). Prints the backup's ID; exit 1 when the new backup fails
verification.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, backupCreateRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	addSourceFlags(fl, &opts.Files, &opts.Config)
	addBackupDirFlag(fl, &opts.Dir)
	fl.BoolVar(&opts.ConfigOnly, "config-only", false, "back up the configuration files alone (no Docker engine needed)")
	return cmd
}

func backupCreateRun(ctx context.Context, opts *BackupCreateOptions) error {
	var eng *docker.Client
	if !opts.ConfigOnly {
		var err error
		eng, _, err = connectStack(ctx, "backup create")
		if err != nil {
			return err
		}
		defer eng.Close()
	}
	// The library lists the database tools and what their backup takes.
	pol, err := opts.Factory.NewEngine(engine.Options{})
	if err != nil {
		return policyExit(err)
	}
	bo, err := migrate.BackupOf(ctx, pol, opts.Path, opts.Files, opts.Config)
	if err != nil {
		return libraryExit(err)
	}
	bo.Dir, bo.Reason, bo.Version = backup.Root(opts.Path, opts.Dir), "backup create", Version
	if eng != nil {
		bo.Engine = eng
	}
	m, dir, err := migrate.Backup(ctx, bo)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: migrate.BackupFailed(dir, err)}
	}
	return reportNewBackup(opts.IO.Out, m, dir)
}

// reportNewBackup verifies a new backup and prints its summary.
func reportNewBackup(w io.Writer, m *backup.Manifest, dir string) error {
	cfg, dumps, vols, bytes := m.Counts()
	fmt.Fprintf(w, "backup %s: %s (%s) in %s\n", m.ID, backup.DescribeCounts(cfg, dumps, vols), backup.HumanSize(bytes), dir)
	for _, f := range m.Files {
		if f.Kind == backup.KindDump {
			fmt.Fprintf(w, "  %s: %s of %s (container %s), %s\n", f.Path, f.Tool, f.Source, f.Container, backup.HumanSize(f.Size))
		}
	}
	for _, v := range m.Volumes {
		if v.Archive == "" {
			continue
		}
		note := ""
		if v.Live {
			note = ", archived while " + v.Service + " ran (the dump is the consistent copy)"
		}
		fmt.Fprintf(w, "  %s: volume %s of %s, %s of data%s\n", v.Archive, v.Name, v.Service, backup.HumanSize(v.Size), note)
	}
	r, err := backup.Verify(dir)
	if err != nil {
		return &ExitError{Code: ExitFindings, Err: err}
	}
	return reportVerify(w, r)
}

// reportVerify prints the outcome of a verification: exit 1 naming each
// bad file.
func reportVerify(w io.Writer, r *backup.Result) error {
	if r.OK() {
		fmt.Fprintf(w, "verified %d %s of backup %s\n", r.Checked, plural(r.Checked, "file", "files"), r.ID)
		return nil
	}
	lines := make([]string, len(r.Problems))
	for i, p := range r.Problems {
		lines[i] = "  " + p.String()
	}
	return &ExitError{Code: ExitFindings, Err: fmt.Errorf("backup %s: %d of %d %s %s verification:\n%s",
		r.ID, len(r.Problems), r.Checked, plural(r.Checked, "file", "files"), plural(len(r.Problems), "fails", "fail"), strings.Join(lines, "\n"))}
}

// BackupVerifyOptions are the inputs of `portguard backup verify`.
type BackupVerifyOptions struct {
	IO      *IOStreams
	Factory *Factory

	ID   string
	Path string
	Dir  string
}

// NewCmdBackupVerify builds `portguard backup verify ID [PATH]`.
func NewCmdBackupVerify(f *Factory, runF func(*BackupVerifyOptions) error) *cobra.Command {
	opts := &BackupVerifyOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "verify ID [PATH]",
		Short: "Verify every file of a backup against its manifest",
		Long: `Verify every file of backup ID (a name of portguard backup list, or the path
of a backup directory): it exists, has the size and sha256 of the manifest,
a dump or an archive is not empty, gzip reads to its end, an archive is a
tar that reads to its end, and a pg_dumpall dump has its header and its
trailer. Exit 1 naming each bad file.`,
		Args: cobra.RangeArgs(1, 2),
		RunE: runE(opts, runF, noContext(backupVerifyRun), intoIDPath(&opts.ID, &opts.Path)),
	}
	addBackupDirFlag(cmd.Flags(), &opts.Dir)
	return cmd
}

func backupVerifyRun(opts *BackupVerifyOptions) error {
	dir, err := backup.Resolve(backup.Root(opts.Path, opts.Dir), opts.ID)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	r, err := backup.Verify(dir)
	if err != nil {
		return &ExitError{Code: ExitFindings, Err: err}
	}
	return reportVerify(opts.IO.Out, r)
}

// BackupListOptions are the inputs of `portguard backup list`.
type BackupListOptions struct {
	IO      *IOStreams
	Factory *Factory

	Path   string
	Dir    string
	Format string
}

// NewCmdBackupList builds `portguard backup list [PATH]`.
func NewCmdBackupList(f *Factory, runF func(*BackupListOptions) error) *cobra.Command {
	opts := &BackupListOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "list [PATH]",
		Short: "List the backups, oldest first",
		Args:  cobra.MaximumNArgs(1),
		RunE:  runE(opts, runF, noContext(backupListRun), intoPath(&opts.Path)),
	}
	addBackupDirFlag(cmd.Flags(), &opts.Dir)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json")
	return cmd
}

func backupListRun(opts *BackupListOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &ExitError{Code: ExitInput, Err: usage("unknown format %q (use text, json)", opts.Format)}
	}
	list, err := backup.List(backup.Root(opts.Path, opts.Dir))
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": 1, "backups": list})
	}
	if len(list) == 0 {
		fmt.Fprintf(opts.IO.Out, "no backups in %s\n", backup.Root(opts.Path, opts.Dir))
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED (UTC)\tCONTENT\tSIZE\tREASON")
	for _, s := range list {
		if !s.Complete {
			fmt.Fprintf(tw, "%s\t%s\tincomplete: no manifest\t-\t-\n", s.ID, created(s))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, created(s), backup.DescribeCounts(s.ConfigFiles, s.Dumps, s.Volumes), backup.HumanSize(s.Bytes), s.Reason)
	}
	return tw.Flush()
}

func created(s backup.Summary) string {
	if s.Created.IsZero() {
		return "-"
	}
	return s.Created.UTC().Format("2006-01-02 15:04:05")
}

// confirm asks a yes/no question on the command's streams; only "y" or
// "yes" is a yes, and no answer (end of input) is a no.
func confirm(io *IOStreams, question string) bool {
	fmt.Fprintf(io.Out, "%s [y/N] ", question)
	var answer string
	if _, err := fmt.Fscanln(io.In, &answer); err != nil && answer == "" {
		fmt.Fprintln(io.Out)
		return false
	}
	a := strings.ToLower(strings.TrimSpace(answer))
	return a == "y" || a == "yes"
}

var errNotConfirmed = errors.New("not confirmed: nothing was changed (--yes answers yes)")

// BackupRestoreOptions are the inputs of `portguard backup restore`.
type BackupRestoreOptions struct {
	IO      *IOStreams
	Factory *Factory

	ID     string
	Path   string
	Dir    string
	Volume string
	Into   string
	Yes    bool
}

// NewCmdBackupRestore builds `portguard backup restore ID [PATH] --volume NAME`.
func NewCmdBackupRestore(f *Factory, runF func(*BackupRestoreOptions) error) *cobra.Command {
	opts := &BackupRestoreOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "restore ID [PATH] --volume NAME",
		Short: "Restore the archive of a volume from a backup (asks for confirmation)",
		Long: `Extract the archive of volume NAME from backup ID into the volume (or into
the volume --into names), through a container created (never started)
from the image the archive was read with. The backup is verified first.
The volume must not be in use by a running container and must hold
nothing: portguard never overwrites or deletes data, so restore into a new
volume with --into and point the service at it. An absent volume is
created. File owners and modes are kept. Asks for confirmation unless
--yes.

A dump is restored by hand, into a running server:
  gunzip -c backups/ID/dumps/PROJECT_SERVICE.sql.gz | docker exec -i CONTAINER psql -U postgres`,
		Args: cobra.RangeArgs(1, 2),
		RunE: runE(opts, runF, backupRestoreRun, intoIDPath(&opts.ID, &opts.Path)),
	}
	fl := cmd.Flags()
	addBackupDirFlag(fl, &opts.Dir)
	fl.StringVar(&opts.Volume, "volume", "", "the volume whose archive to restore (required)")
	fl.StringVar(&opts.Into, "into", "", "restore into this volume instead (created when absent)")
	fl.BoolVarP(&opts.Yes, "yes", "y", false, "do not ask for confirmation")
	return cmd
}

func backupRestoreRun(ctx context.Context, opts *BackupRestoreOptions) error {
	if opts.Volume == "" {
		return &ExitError{Code: ExitInput, Err: usage("backup restore needs --volume NAME (the manifest.json of the backup lists its volumes)")}
	}
	dir, err := backup.Resolve(backup.Root(opts.Path, opts.Dir), opts.ID)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	into := opts.Into
	if into == "" {
		into = opts.Volume
	}
	eng, _, err := connectStack(ctx, "backup restore")
	if err != nil {
		return err
	}
	defer eng.Close()
	if !opts.Yes && !confirm(opts.IO, fmt.Sprintf("Restore the archive of volume %s from backup %s into volume %s?", opts.Volume, opts.ID, into)) {
		return &ExitError{Code: ExitInput, Err: errNotConfirmed}
	}
	r, err := migrate.RestoreVolume(ctx, migrate.RestoreVolumeOptions{Backup: dir, Volume: opts.Volume, Into: opts.Into, Engine: eng})
	if err != nil {
		return migrateExit(err)
	}
	fmt.Fprintf(opts.IO.Out, "restored %s of backup %s into volume %s: %d entries, %s\n", r.Archive, r.Backup, r.Volume, r.Entries, backup.HumanSize(r.Bytes))
	return nil
}
