package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/diff"
	"github.com/portguard/portguard/internal/docs"
	"github.com/portguard/portguard/internal/osfile"
)

// DocsOptions are the inputs of `portguard docs`.
type DocsOptions struct {
	IO      *IOStreams
	Factory *Factory

	// StackOptions are check's, but for --profile: the table documents
	// every profile.
	StackOptions
	Check bool
	Map   string
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
		RunE: runE(opts, runF, docsRun, intoPath(&opts.Path)),
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Check, "check", false, "write nothing; exit 1 when the generated table or the map is stale")
	fl.StringVar(&opts.Map, "map", "", "also draw the 7000-7999 map as SVG into FILE")
	opts.StackOptions.addFlags(fl)
	addExcludeFlag(fl, &opts.Exclude)
	return cmd
}

// docsRun refreshes the generated table (and draws the map), or with
// --check says whether they are stale.
func docsRun(ctx context.Context, opts *DocsOptions) error {
	res, err := evaluateComplete(ctx, opts.Factory, &opts.StackOptions, "the table would miss the ports of files that cannot be read")
	if err != nil {
		return err
	}
	var rows []docs.Row
	if err := res.Engine.Query(ctx, res.Doc, "data.portguard.lib.table.rows", &rows); err != nil {
		return &ExitError{Code: ExitPolicy, Err: err}
	}
	t, err := refreshTable(opts.Path, res.Doc, rows)
	if err != nil {
		return err
	}
	if opts.Check {
		return docsCheck(opts, t, res)
	}
	if err := t.write(opts.IO.Out); err != nil {
		return err
	}
	if opts.Map == "" {
		return nil
	}
	if t.changed() {
		// The new table documents ports: judge the stack again, so the
		// map shows what check now reports.
		if res, err = evaluate(ctx, opts.Factory, opts.evalOptions()); err != nil {
			return err
		}
	}
	svg, err := drawMap(opts.Path, res, t.rows)
	if err != nil {
		return err
	}
	if err := atomicfile.WriteFile(opts.Map, svg, 0o644); err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", opts.Map, osfile.Reason(err))}
	}
	protected := res.Doc.Config.Ranges["protected"]
	fmt.Fprintf(opts.IO.Out, "%s: wrote the map of %d-%d\n", opts.Map, protected.From, protected.To)
	return nil
}

// table is the convention table as it is and as docs leaves it.
type table struct {
	// name is the table's path in messages, path where it is read and
	// written.
	name, path   string
	old, updated []byte
	// created: the file does not exist yet.
	created bool
	rows    []docs.Row
}

// refreshTable reads the convention table of doc under root and puts rows
// in its generated part.
func refreshTable(root string, doc *input.Document, rows []docs.Row) (*table, error) {
	name := doc.Conventions.File
	if name == "" {
		name = filepath.ToSlash(doc.Config.ConventionsFile)
	}
	t := &table{name: name, path: filepath.Join(root, filepath.FromSlash(name)), rows: rows}
	var err error
	t.old, err = osfile.Read(t.path, doc.Config.MaxFileSize)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot read %s: %w", name, osfile.Reason(err))}
	}
	t.created = err != nil
	if t.updated, err = docs.Refresh(name, t.old, rows); err != nil {
		return nil, &ExitError{Code: ExitInput, Err: err}
	}
	return t, nil
}

func (t *table) changed() bool { return t.created || !bytes.Equal(t.old, t.updated) }

func (t *table) upToDate(w io.Writer) {
	fmt.Fprintf(w, "%s: the generated table is up to date (%d %s)\n", t.name, len(t.rows), plural(len(t.rows), "row", "rows"))
}

// write writes the refreshed table, when it changes, and says what it did.
func (t *table) write(w io.Writer) error {
	if !t.changed() {
		t.upToDate(w)
		return nil
	}
	if t.created {
		if err := os.MkdirAll(filepath.Dir(t.path), 0o755); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot create %s: %w", t.name, osfile.Reason(err))}
		}
	}
	if err := atomicfile.WriteFile(t.path, t.updated, 0o644); err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %w", t.name, osfile.Reason(err))}
	}
	fmt.Fprintf(w, "%s: wrote the generated table (%d %s)\n", t.name, len(t.rows), plural(len(t.rows), "row", "rows"))
	return nil
}

// docsCheck is docs --check: exit 1, with the difference, when the table
// or the map is stale.
func docsCheck(opts *DocsOptions, t *table, res *evaluation) error {
	out := opts.IO.Out
	stale := false
	if d := diff.Unified(t.name, t.old, t.updated, t.created); d != "" {
		stale = true
		fmt.Fprintf(out, "%s: the generated table is stale; run portguard docs\n%s", t.name, d)
	}
	if opts.Map != "" {
		svg, err := drawMap(opts.Path, res, t.rows)
		if err != nil {
			return err
		}
		current, err := osfile.Read(opts.Map, res.Doc.Config.MaxFileSize)
		if err != nil || !bytes.Equal(current, svg) {
			stale = true
			fmt.Fprintf(out, "%s: the map is stale; run portguard docs --map %s\n", opts.Map, opts.Map)
		}
	}
	if stale {
		return &ExitError{Code: ExitFindings}
	}
	t.upToDate(out)
	return nil
}

// drawMap renders the SVG map of the stack as res judges it.
func drawMap(root string, res *evaluation, rows []docs.Row) ([]byte, error) {
	var b bytes.Buffer
	if err := docs.WriteSVG(&b, portMap(root, res.Doc, rows, res)); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
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
