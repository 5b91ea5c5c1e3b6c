package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
)

// EvalOptions are the inputs of `portguard eval`.
type EvalOptions struct {
	IO      *IOStreams
	Factory *Factory
	StackOptions

	Query     string
	NoBuiltin bool
	Format    string
	Timeout   time.Duration
}

// evalFormats are the output formats of eval.
var evalFormats = []string{"json", "pretty"}

// NewCmdEval builds `portguard eval QUERY [PATH]`.
func NewCmdEval(f *Factory, runF func(*EvalOptions) error) *cobra.Command {
	opts := &EvalOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "eval QUERY [PATH]",
		Short: "Evaluate a Rego query against the input document of PATH, with the policies' library",
		Long: `Evaluate a Rego query, as opa eval does, against the input document of PATH
(default: the current directory; what portguard input prints), with the
built-in library and data (data.portguard.lib.*, data.portguard.images) and
the --policy and --data of a check: see the facts and the library's values
before writing a rule. The query is compiled against the input schema, like
a policy.

Output: a query that is one expression without variables
(data.portguard.lib.ports.mappings, count(input.services)) prints its value;
any other query prints the list of its results: for each, the values of the
variables it names (some s in input.services; name := s.name), or the value
of its expression when it names none (input.services[_].name). --format
pretty prints a table for a list of objects (one column per key, nested
values as compact JSON), a list of values one per line, and text as is.

Exit codes: 0 the query has a value (a list, possibly empty); 1 a query of
one value is undefined; 2 usage or input error (the document has errors: its
value is printed first); 3 the query or a policy does not compile or fails.`,
		Example: `  portguard eval 'data.portguard.lib.ports.mappings' examples/violating
  portguard eval 'input.services[_].name' examples/violating
  portguard eval --format pretty '[{"service": p.service, "port": p.effective, "category": p.category} | some p in data.portguard.lib.ports.mappings]' examples/violating
  portguard eval --format pretty 'some i, category in data.portguard.lib.services.category; service := input.services[i].name' examples/violating
  portguard eval 'data.portguard.lib.suggest.free.database' --policy policy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return &ExitError{Code: ExitInput, Err: usage("eval: give a query and at most one PATH (see portguard eval --help)")}
			}
			return nil
		},
		RunE: runE(opts, runF, evalRun, func(args []string) { opts.Query, opts.Path = args[0], pathArg(args[1:]) }),
	}
	fl := cmd.Flags()
	opts.addFlags(fl)
	fl.BoolVar(&opts.NoBuiltin, "no-builtin", false, "do not load the built-in rules (their library and data stay)")
	fl.StringVar(&opts.Format, "format", "json", "output format: "+strings.Join(evalFormats, ", "))
	fl.DurationVar(&opts.Timeout, "timeout", engine.DefaultTimeout, "stop the evaluation after this long, with exit 3 (0: no limit)")
	return cmd
}

func evalRun(ctx context.Context, opts *EvalOptions) error {
	if !slices.Contains(evalFormats, opts.Format) {
		return &ExitError{Code: ExitInput, Err: usage("--format %q: use %s", opts.Format, strings.Join(evalFormats, " or "))}
	}
	if strings.TrimSpace(opts.Query) == "" {
		return &ExitError{Code: ExitInput, Err: usage("eval: the query is empty")}
	}
	doc, err := input.Load(input.Options{Root: opts.Path, Files: opts.Files, ConfigPath: opts.Config})
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	eng, err := opts.Factory.NewEngine(engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data, NoBuiltin: opts.NoBuiltin})
	if err != nil {
		return policyExit(err)
	}
	evalCtx, cancel := context.WithCancel(ctx)
	if opts.Timeout > 0 {
		evalCtx, cancel = context.WithTimeout(ctx, opts.Timeout)
	}
	defer cancel()
	res, err := eng.EvalQuery(evalCtx, doc, opts.Query)
	if err != nil {
		if errors.Is(evalCtx.Err(), context.DeadlineExceeded) {
			err = fmt.Errorf("the query stopped at --timeout %s: %w", opts.Timeout, err)
		}
		return &ExitError{Code: ExitPolicy, Err: err}
	}
	if res.Value && len(res.Rows) == 0 {
		return &ExitError{Code: ExitFindings, Err: engine.ErrUndefined}
	}
	var value any
	if res.Value {
		value = res.Rows[0].Values[0]
	} else {
		rows := make([]any, 0, len(res.Rows))
		for _, r := range res.Rows {
			rows = append(rows, queryRow(res.Vars, r))
		}
		value = rows
	}
	if opts.Format == "pretty" {
		err = writePretty(opts.IO.Out, value, res.Vars)
	} else {
		err = writeJSON(opts.IO.Out, value)
	}
	if err != nil {
		return err
	}
	if n := len(doc.Errors); n > 0 {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("the document of %s has %d input %s (portguard input lists them)", opts.Path, n, plural(n, "error", "errors"))}
	}
	return nil
}

// queryRow is what one result of a query prints as: the values of the
// variables it names, or the value of its expression (of each, when it has
// several).
func queryRow(vars []string, r engine.QueryRow) any {
	switch {
	case len(vars) > 0:
		return r.Bindings
	case len(r.Values) == 1:
		return r.Values[0]
	}
	return r.Values
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writePretty prints a list of objects as a table (columns: the query's
// variables in their order, else every key in sorted order), an object of
// scalars as a KEY VALUE table, an object of objects as a table keyed by
// its keys, a list of scalars one per line, a scalar as is, anything else
// as indented JSON.
func writePretty(w io.Writer, v any, vars []string) error {
	v = normalize(v)
	switch x := v.(type) {
	case []any:
		if len(x) == 0 {
			_, err := io.WriteString(w, "(no results)\n")
			return err
		}
		if rows, ok := objects(x); ok {
			return writeTable(w, rows, columns(rows, vars))
		}
		if scalars(x) {
			var b strings.Builder
			for _, e := range x {
				b.WriteString(cellText(e, false) + "\n")
			}
			_, err := io.WriteString(w, b.String())
			return err
		}
	case map[string]any:
		if len(x) > 0 && scalars(mapValues(x)) {
			rows := make([]map[string]any, 0, len(x))
			for _, k := range sortedKeys(x) {
				rows = append(rows, map[string]any{"key": k, "value": x[k]})
			}
			return writeTable(w, rows, []string{"key", "value"})
		}
		// An object of objects (an index by name) is a table with its key
		// first.
		if len(x) > 0 {
			rows := make([]map[string]any, 0, len(x))
			ok := true
			for _, k := range sortedKeys(x) {
				obj, isObj := x[k].(map[string]any)
				if !isObj || obj["key"] != nil {
					ok = false
					break
				}
				row := map[string]any{"key": k}
				for ck, cv := range obj {
					row[ck] = cv
				}
				rows = append(rows, row)
			}
			if ok {
				return writeTable(w, rows, append([]string{"key"}, slices.DeleteFunc(columns(rows, nil), func(c string) bool { return c == "key" })...))
			}
		}
	case string:
		_, err := io.WriteString(w, x+"\n")
		return err
	case nil, bool, json.Number, float64:
		_, err := io.WriteString(w, cellText(x, false)+"\n")
		return err
	}
	return writeJSON(w, v)
}

// normalize turns the values of a query into plain JSON values (maps,
// slices, json.Number), whatever OPA decoded them to.
func normalize(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		return v
	}
	dec := json.NewDecoder(strings.NewReader(string(b)))
	dec.UseNumber()
	var out any
	if dec.Decode(&out) != nil {
		return v
	}
	return out
}

func objects(xs []any) ([]map[string]any, bool) {
	rows := make([]map[string]any, 0, len(xs))
	for _, x := range xs {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, false
		}
		rows = append(rows, m)
	}
	return rows, true
}

func scalars(xs []any) bool {
	for _, x := range xs {
		switch x.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

// columns are the query's variables, or the keys of the rows sorted.
func columns(rows []map[string]any, vars []string) []string {
	if len(vars) > 0 {
		return vars
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range rows {
		for k := range r {
			if !seen[k] {
				seen[k] = true
				out = append(out, k)
			}
		}
	}
	slices.Sort(out)
	return out
}

func writeTable(w io.Writer, rows []map[string]any, cols []string) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.ToUpper(strings.Join(cols, "\t")))
	for _, r := range rows {
		cells := make([]string, len(cols))
		for i, c := range cols {
			v, ok := r[c]
			if !ok {
				continue
			}
			cells[i] = cellText(v, true)
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	return tw.Flush()
}

// maxCell keeps a table readable: a longer nested value is cut (the JSON
// format prints it whole).
const maxCell = 60

// cellText renders a value for a table cell or a line: text as is, other
// scalars and nested values as compact JSON.
func cellText(v any, cut bool) string {
	var s string
	switch x := v.(type) {
	case string:
		s = x
	case nil:
		s = "null"
	default:
		b, _ := json.Marshal(x)
		s = string(b)
	}
	s = strings.NewReplacer("\t", " ", "\n", " ").Replace(s)
	if r := []rune(s); cut && len(r) > maxCell {
		s = string(r[:maxCell-3]) + "..."
	}
	return s
}

func mapValues(m map[string]any) []any {
	out := make([]any, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// sortedKeys sorts the keys of an object, numerically when they are all
// numbers (an index by service number).
func sortedKeys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	numeric := true
	for k := range m {
		out = append(out, k)
		if _, err := strconv.Atoi(k); err != nil {
			numeric = false
		}
	}
	slices.SortFunc(out, func(a, b string) int {
		if numeric {
			x, _ := strconv.Atoi(a)
			y, _ := strconv.Atoi(b)
			return x - y
		}
		return strings.Compare(a, b)
	})
	return out
}
