package cli

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/diff"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/osfile"
)

// FmtOptions are the inputs of `portguard fmt`.
type FmtOptions struct {
	IO *IOStreams
	// Paths are .rego files and directories (walked for *.rego); "-" is
	// standard input, formatted to standard output.
	Paths []string
	// Check writes nothing and fails when a file is not formatted.
	Check bool
	// Diff writes nothing and prints what formatting would change.
	Diff bool
}

// NewCmdFmt builds `portguard fmt PATH...`.
func NewCmdFmt(f *Factory, runF func(*FmtOptions) error) *cobra.Command {
	opts := &FmtOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "fmt [--check] [--diff] PATH...",
		Short: "Format Rego policies as opa fmt does",
		Long: `Format the .rego files under each PATH (a file, or a directory walked for
*.rego files; .git, node_modules and vendor are skipped) with OPA's formatter
for Rego v1, exactly as opa fmt writes them, and rewrite the files that
change, atomically. "-" formats standard input to standard output.

--check writes nothing: it lists the files that are not formatted and exits
1, for CI. --diff writes nothing and prints the changes as a unified diff
(with --check it also exits 1 when there are any).

Exit codes: 0 every file is formatted (or was rewritten); 1 with --check, a
file is not formatted; 2 usage error or a path that cannot be read or
written; 3 a file is not valid Rego (file:line:col).`,
		Example: `  portguard fmt policy
  portguard fmt --check policy
  portguard fmt --diff policy/image_tag_pinned.rego
  cat rule.rego | portguard fmt -`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return &ExitError{Code: ExitInput, Err: usage("fmt: give the .rego files or directories to format, or - for standard input")}
			}
			return nil
		},
		RunE: runE(opts, runF, noContext(fmtRun), func(args []string) { opts.Paths = args }),
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Check, "check", false, "write nothing; list the files that are not formatted and exit 1")
	fl.BoolVar(&opts.Diff, "diff", false, "write nothing; print the changes as a unified diff")
	return cmd
}

func fmtRun(opts *FmtOptions) error {
	files, err := regoFiles(opts.Paths)
	if err != nil {
		return err
	}
	var unformatted, broken []string
	out := opts.IO.Out
	for _, name := range files {
		src, err := readRego(opts.IO.In, name)
		if err != nil {
			return &ExitError{Code: ExitInput, Err: err}
		}
		display := name
		if name == "-" {
			display = "stdin"
		}
		formatted, err := engine.Format(display, src)
		if err != nil {
			broken = append(broken, err.Error())
			continue
		}
		changed := string(formatted) != string(src)
		switch {
		case name == "-" && !opts.Check && !opts.Diff:
			if _, err := out.Write(formatted); err != nil {
				return err
			}
			continue
		case !changed:
			continue
		}
		unformatted = append(unformatted, display)
		switch {
		case opts.Diff:
			_, err = io.WriteString(out, diff.Unified(filepath.ToSlash(display), src, formatted, false))
		case opts.Check:
			_, err = fmt.Fprintln(out, display)
		default:
			if err := atomicfile.WriteFile(name, formatted, 0o644); err != nil {
				return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %v", name, osfile.Reason(err))}
			}
			_, err = fmt.Fprintf(out, "formatted %s\n", name)
		}
		if err != nil {
			return err
		}
	}
	switch {
	case len(broken) > 0:
		return &ExitError{Code: ExitPolicy, Err: fmt.Errorf("policy does not parse:\n%s", strings.Join(broken, "\n"))}
	case opts.Check && len(unformatted) > 0:
		return &ExitError{Code: ExitFindings, Err: fmt.Errorf("%d %s not formatted: run portguard fmt on %s",
			len(unformatted), plural(len(unformatted), "file is", "files are"), plural(len(unformatted), "it", "them"))}
	}
	return nil
}

// regoFiles lists the files of paths: a file as named, a directory's
// *.rego files in lexical order; each once.
func regoFiles(paths []string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	add := func(p string) {
		if key := filepath.Clean(p); !seen[key] {
			seen[key] = true
			out = append(out, p)
		}
	}
	for _, p := range paths {
		if p == "-" {
			add(p)
			continue
		}
		st, err := os.Stat(p)
		if err != nil {
			return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", p, osfile.Reason(err))}
		}
		if !st.IsDir() {
			if filepath.Ext(p) != ".rego" {
				return nil, &ExitError{Code: ExitInput, Err: usage("%s: not a .rego file", p)}
			}
			add(p)
			continue
		}
		var found []string
		err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() {
				switch d.Name() {
				case ".git", "node_modules", "vendor":
					if path != p {
						return filepath.SkipDir
					}
				}
				return nil
			}
			// A symbolic link is formatted through: atomicfile writes the
			// file it points to.
			if filepath.Ext(path) == ".rego" && (d.Type().IsRegular() || d.Type()&fs.ModeSymlink != 0) {
				found = append(found, path)
			}
			return nil
		})
		if err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", pe.Path, pe.Err)}
			}
			return nil, &ExitError{Code: ExitInput, Err: err}
		}
		sort.Strings(found)
		for _, f := range found {
			add(f)
		}
	}
	return out, nil
}

func readRego(stdin io.Reader, name string) ([]byte, error) {
	if name == "-" {
		return io.ReadAll(stdin)
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", name, osfile.Reason(err))
	}
	return b, nil
}
