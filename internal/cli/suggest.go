package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/suggest"
)

// SuggestOptions are the inputs of `portguard suggest`.
type SuggestOptions struct {
	IO      *IOStreams
	Factory *Factory

	StackOptions
	Category string
	BackupOf string
	Count    int
	Format   string
}

var suggestFormats = []string{"text", "json"}

// NewCmdSuggest builds `portguard suggest [PATH]`.
func NewCmdSuggest(f *Factory, runF func(*SuggestOptions) error) *cobra.Command {
	opts := &SuggestOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "suggest [PATH]",
		Short: "Print free ports of a sub-range, or the next ports for a backup",
		Long: `Print the lowest free ports of a category's sub-range for the stacks under
PATH: ports that no compose file publishes, that no backup is due to take,
and that PORTS-CONVENTION.md does not assign. With --backup-of SERVICE, the
free ports after the primary's port (primary + 1 first). The text format
prints one port per line, for scripts:

  TIMESCALEDB_PORT=$(portguard suggest --category database)`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, suggestRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Category, "category", "database", "sub-range: database, ui, exporter (or a category of .portguard.yaml)")
	fl.StringVar(&opts.BackupOf, "backup-of", "", "suggest ports for a backup of SERVICE: its primary's port + 1, + 2, ...")
	fl.IntVarP(&opts.Count, "count", "n", 1, "how many ports")
	fl.StringVar(&opts.Format, "format", "text", "output format: "+strings.Join(suggestFormats, ", "))
	opts.StackOptions.addFlags(fl)
	addExcludeFlag(fl, &opts.Exclude)
	addProfileFlag(fl, &opts.Profiles)
	return cmd
}

func suggestRun(ctx context.Context, opts *SuggestOptions) error {
	if opts.Count < 1 {
		return &ExitError{Code: ExitInput, Err: usage("--count %d: give 1 or more", opts.Count)}
	}
	if opts.Format != "text" && opts.Format != "json" {
		return &ExitError{Code: ExitInput, Err: usage("unknown format %q (use %s)", opts.Format, strings.Join(suggestFormats, ", "))}
	}
	doc, eng, err := check.Load(ctx, check.Options{Path: opts.Path, Files: opts.Files, Config: opts.Config, Profiles: opts.Profiles, ExcludePaths: opts.Exclude,
		Engine: engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data}, NewEngine: opts.Factory.NewEngine})
	if err != nil {
		return exitError(err)
	}
	s, err := suggest.Ports(ctx, eng, doc, suggest.Request{Category: opts.Category, BackupOf: opts.BackupOf, Count: opts.Count})
	if err != nil {
		return &ExitError{Code: ExitPolicy, Err: err}
	}
	if s.Error != "" {
		return &ExitError{Code: ExitInput, Err: errors.New(s.Error)}
	}
	if opts.Format == "json" {
		enc := json.NewEncoder(opts.IO.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(s); err != nil {
			return err
		}
	} else {
		for _, p := range s.Ports {
			fmt.Fprintln(opts.IO.Out, p)
		}
	}
	if len(doc.Errors) > 0 {
		// A file that could not be read may publish one of these ports.
		for _, e := range doc.Errors {
			fmt.Fprintf(opts.IO.ErrOut, "%s (its ports are not counted)\n", e.Error())
		}
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%d input %s: the suggestion ignores the ports of the files that could not be read", len(doc.Errors), plural(len(doc.Errors), "error", "errors"))}
	}
	if len(s.Ports) < opts.Count {
		msg := fmt.Sprintf("only %d of %d ports are free in %s %d-%d", len(s.Ports), opts.Count, s.Category, s.Range.From, s.Range.To)
		if s.Primary != nil {
			msg = fmt.Sprintf("only %d of %d ports are free after %s (%d) in %d-%d", len(s.Ports), opts.Count, s.Primary.Service, s.Primary.Port, s.Range.From, s.Range.To)
		}
		return &ExitError{Code: ExitFindings, Err: errors.New(msg)}
	}
	return nil
}
