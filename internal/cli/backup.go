package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"text/tabwriter"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/backup"
)

// defaultBackupDir is the backups root under the checked directory.
const defaultBackupDir = "backups"

// addBackupDirFlag registers --dir, the backups root.
func addBackupDirFlag(fl *pflag.FlagSet, dir *string) {
	fl.StringVar(dir, "dir", "", "backups directory (default PATH/"+defaultBackupDir+")")
}

// backupDir is the backups root: --dir, else PATH/backups.
func backupDir(path, dir string) string {
	if dir != "" {
		return dir
	}
	return filepath.Join(path, defaultBackupDir)
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
		NewCmdBackupCreate(f, nil), NewCmdBackupVerify(f, nil), NewCmdBackupList(f, nil),
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return backupCreateRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	addSourceFlags(fl, &opts.Files, &opts.Config)
	addBackupDirFlag(fl, &opts.Dir)
	fl.BoolVar(&opts.ConfigOnly, "config-only", false, "back up the configuration files alone (no Docker engine needed)")
	return cmd
}

func backupCreateRun(ctx context.Context, opts *BackupCreateOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	if !opts.ConfigOnly {
		return &ExitError{Code: ExitInput, Err: usage("backup create needs --config-only: dumping databases and archiving volumes through the Docker engine is not done by this version")}
	}
	doc, err := input.Load(input.Options{Root: opts.Path, Files: opts.Files, ConfigPath: opts.Config})
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	present, absent, err := backup.ConfigFiles(opts.Path, doc, opts.Config)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	m, dir, err := backup.Create(ctx, backup.Options{
		Dir: backupDir(opts.Path, opts.Dir), Root: opts.Path, Config: present, Absent: absent,
		Reason: "backup create", Version: Version,
	})
	if err != nil {
		return &ExitError{Code: ExitInput, Err: backupFailed(dir, err)}
	}
	return reportNewBackup(opts.IO.Out, m, dir)
}

// backupFailed says where an interrupted backup was left.
func backupFailed(dir string, err error) error {
	if dir == "" {
		return fmt.Errorf("backup failed: %w", err)
	}
	return fmt.Errorf("backup failed, %s is left incomplete (no manifest): %w", dir, err)
}

// reportNewBackup verifies a new backup and prints its summary.
func reportNewBackup(w io.Writer, m *backup.Manifest, dir string) error {
	cfg, dumps, vols, bytes := m.Counts()
	fmt.Fprintf(w, "backup %s: %s (%s) in %s\n", m.ID, describeCounts(cfg, dumps, vols), humanSize(bytes), dir)
	r, err := backup.Verify(dir)
	if err != nil {
		return &ExitError{Code: ExitFindings, Err: err}
	}
	return reportVerify(w, r)
}

func describeCounts(cfg, dumps, vols int) string {
	parts := []string{fmt.Sprintf("%d configuration %s", cfg, plural(cfg, "file", "files"))}
	if dumps > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", dumps, plural(dumps, "dump", "dumps")))
	}
	if vols > 0 {
		parts = append(parts, fmt.Sprintf("%d volume %s", vols, plural(vols, "archive", "archives")))
	}
	return strings.Join(parts, ", ")
}

func humanSize(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.ID, opts.Path = idAndPath(args)
			if runF != nil {
				return runF(opts)
			}
			return backupVerifyRun(opts)
		},
	}
	addBackupDirFlag(cmd.Flags(), &opts.Dir)
	return cmd
}

func backupVerifyRun(opts *BackupVerifyOptions) error {
	dir, err := backup.Resolve(backupDir(opts.Path, opts.Dir), opts.ID)
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return backupListRun(opts)
		},
	}
	addBackupDirFlag(cmd.Flags(), &opts.Dir)
	cmd.Flags().StringVar(&opts.Format, "format", "text", "output format: text, json")
	return cmd
}

func backupListRun(opts *BackupListOptions) error {
	if opts.Format != "text" && opts.Format != "json" {
		return &ExitError{Code: ExitInput, Err: usage("unknown format %q (use text, json)", opts.Format)}
	}
	list, err := backup.List(backupDir(opts.Path, opts.Dir))
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(map[string]any{"version": 1, "backups": list})
	}
	if len(list) == 0 {
		fmt.Fprintf(opts.IO.Out, "no backups in %s\n", backupDir(opts.Path, opts.Dir))
		return nil
	}
	tw := tabwriter.NewWriter(opts.IO.Out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tCREATED (UTC)\tCONTENT\tSIZE\tREASON")
	for _, s := range list {
		if !s.Complete {
			fmt.Fprintf(tw, "%s\t%s\tincomplete: no manifest\t-\t-\n", s.ID, created(s))
			continue
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", s.ID, created(s), describeCounts(s.ConfigFiles, s.Dumps, s.Volumes), humanSize(s.Bytes), s.Reason)
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
