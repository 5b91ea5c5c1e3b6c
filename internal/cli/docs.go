package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/diff"
	"github.com/portguard/portguard/internal/docs"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/osfile"
)

// DocsOptions are the inputs of `portguard docs`.
type DocsOptions struct {
	IO      *IOStreams
	Factory *Factory

	Path    string
	Files   []string
	Config  string
	Exclude []string
	Check   bool
	Map     string
	// Policies and Data are --policy and --data, as check takes them.
	Policies []string
	Data     []string
}

// NewCmdDocs builds `portguard docs [PATH]`.
func NewCmdDocs(f *Factory, runF func(*DocsOptions) error) *cobra.Command {
	opts := &DocsOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "docs [PATH]",
		Short: "Write the generated port table into PORTS-CONVENTION.md, and the port map",
		Long: `Write or refresh the generated table of PORTS-CONVENTION.md: every host port
of 7000-7999 that the compose files under PATH publish, with its service,
variable, category, container port and file, sorted by port. The table sits
between the lines

  ` + input.GeneratedBegin + `
  ` + input.GeneratedEnd + `

and everything outside them stays byte for byte; a file without the markers
gets them, with the table, at its end. The generated rows document their
ports (DBP501) but are never judged as hand-written rows are.

--check writes nothing and exits 1 when the table (or the --map file) is
stale, printing the difference. --map FILE.svg draws the range: the
sub-ranges as bands, each used port as a labelled mark, violations and
conflicts in contrasting colours.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return docsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 when the generated table or the map is stale")
	fl.StringVar(&opts.Map, "map", "", "also draw the 7000-7999 map as SVG into FILE")
	addSourceFlags(fl, &opts.Files, &opts.Config)
	addExcludeFlag(fl, &opts.Exclude)
	addPolicyFlags(fl, &opts.Policies, &opts.Data)
	return cmd
}

func docsRun(ctx context.Context, opts *DocsOptions) error {
	if ctx == nil {
		ctx = context.Background()
	}
	res, err := evaluate(ctx, opts.Factory, evalOptions{Path: opts.Path, Files: opts.Files, Config: opts.Config, Exclude: opts.Exclude,
		Engine: engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data}})
	if err != nil {
		return err
	}
	doc := res.Doc
	if len(doc.Errors) > 0 {
		lines := make([]string, len(doc.Errors))
		for i, e := range doc.Errors {
			lines[i] = "  " + e.Error()
		}
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("the table would miss the ports of files that cannot be read:\n%s", strings.Join(lines, "\n"))}
	}
	var rows []docs.Row
	if err := res.Engine.Query(ctx, doc, "data.portguard.lib.table.rows", &rows); err != nil {
		return &ExitError{Code: ExitPolicy, Err: err}
	}

	name := doc.Conventions.File
	if name == "" {
		name = filepath.ToSlash(doc.Config.ConventionsFile)
	}
	tablePath := filepath.Join(opts.Path, filepath.FromSlash(name))
	old, err := osfile.Read(tablePath, doc.Config.MaxFileSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot read %s: %w", name, osfile.Reason(err))}
	}
	created := err != nil
	updated, err := docs.Refresh(name, old, rows)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}

	var svg []byte
	if opts.Map != "" {
		var b bytes.Buffer
		if err := docs.WriteSVG(&b, portMap(opts.Path, doc, rows, res)); err != nil {
			return err
		}
		svg = b.Bytes()
	}

	out := opts.IO.Out
	if opts.Check {
		stale := false
		if d := diff.Unified(name, old, updated, created); d != "" {
			stale = true
			fmt.Fprintf(out, "%s: the generated table is stale; run portguard docs\n%s", name, d)
		}
		if opts.Map != "" {
			current, err := osfile.Read(opts.Map, doc.Config.MaxFileSize)
			if err != nil || !bytes.Equal(current, svg) {
				stale = true
				fmt.Fprintf(out, "%s: the map is stale; run portguard docs --map %s\n", opts.Map, opts.Map)
			}
		}
		if stale {
			return &ExitError{Code: ExitFindings}
		}
		fmt.Fprintf(out, "%s: the generated table is up to date (%d %s)\n", name, len(rows), plural(len(rows), "row", "rows"))
		return nil
	}

	if bytes.Equal(old, updated) && !created {
		fmt.Fprintf(out, "%s: the generated table is up to date (%d %s)\n", name, len(rows), plural(len(rows), "row", "rows"))
	} else {
		if created {
			if err := os.MkdirAll(filepath.Dir(tablePath), 0o755); err != nil {
				return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot create %s: %w", name, osfile.Reason(err))}
			}
		}
		if err := atomicfile.WriteFile(tablePath, updated, 0o644); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", name, osfile.Reason(err))}
		}
		fmt.Fprintf(out, "%s: wrote the generated table (%d %s)\n", name, len(rows), plural(len(rows), "row", "rows"))
	}
	if opts.Map != "" {
		if !bytes.Equal(old, updated) {
			// The new table documents ports: judge the stack again, so the
			// map shows what check now reports.
			if res, err = evaluate(ctx, opts.Factory, evalOptions{Path: opts.Path, Files: opts.Files, Config: opts.Config, Exclude: opts.Exclude,
				Engine: engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data}}); err != nil {
				return err
			}
			var b bytes.Buffer
			if err := docs.WriteSVG(&b, portMap(opts.Path, res.Doc, rows, res)); err != nil {
				return err
			}
			svg = b.Bytes()
		}
		if err := atomicfile.WriteFile(opts.Map, svg, 0o644); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", opts.Map, osfile.Reason(err))}
		}
		fmt.Fprintf(out, "%s: wrote the map of %d-%d\n", opts.Map, doc.Config.Ranges["protected"].From, doc.Config.Ranges["protected"].To)
	}
	return nil
}

// portMap gathers what the map shows: the sub-ranges of the configuration,
// the used ports with the status the findings give them, and the ports the
// hand-written table assigns that nothing publishes.
func portMap(root string, doc *input.Document, rows []docs.Row, res *evaluation) docs.Map {
	protected := doc.Config.Ranges["protected"]
	m := docs.Map{From: protected.From, To: protected.To}
	title := filepath.Base(root)
	if abs, err := filepath.Abs(root); err == nil {
		title = filepath.Base(abs)
	}
	m.Title = fmt.Sprintf("Host ports %d-%d of %s", protected.From, protected.To, title)
	for name, r := range doc.Config.Ranges {
		if name == "protected" {
			continue
		}
		if b := (docs.Band{Name: name, From: max(r.From, protected.From), To: min(r.To, protected.To)}); b.From <= b.To {
			m.Bands = append(m.Bands, b)
		}
	}
	slices.SortFunc(m.Bands, func(a, b docs.Band) int { return a.From - b.From })
	m.Marks = docs.Marks(rows, res.Findings)
	used := map[int]bool{}
	for _, mk := range m.Marks {
		used[mk.Port] = true
	}
	for _, r := range doc.Conventions.Rows {
		if r.Port != nil && !r.Generated && protected.Contains(*r.Port) && !used[*r.Port] && !slices.Contains(m.Documented, *r.Port) {
			m.Documented = append(m.Documented, *r.Port)
		}
	}
	slices.Sort(m.Documented)
	return m
}
