package cli

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/scaffold"
)

// InitOptions are the inputs of `portguard init`.
type InitOptions struct {
	IO    *IOStreams
	Path  string
	Force bool
}

// NewCmdInit builds `portguard init [PATH]`.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write .portguard.yaml and an example custom rule with its test",
		Long: `Write into PATH (default: the current directory):

  .portguard.yaml                          every key at its default, commented
  policy/image_tag_pinned.rego             an example custom rule (CUSTOM001)
  policy/image_tag_pinned_test.rego        its Rego unit tests

Existing files are never overwritten unless --force is given; nothing is
written when one of them exists. Then:

  portguard verify --policy policy         run the tests, built-in and yours
  portguard check --policy policy          check with your rule next to ours`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return initRun(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite files that already exist")
	return cmd
}

func initRun(opts *InitOptions) error {
	st, err := os.Stat(opts.Path)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", opts.Path, unwrapPath(err))}
	}
	if !st.IsDir() {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: not a directory", opts.Path)}
	}
	files := scaffold.Files()
	if !opts.Force {
		var exist []string
		for _, f := range files {
			p := filepath.Join(opts.Path, filepath.FromSlash(f.Path))
			if _, err := os.Lstat(p); err == nil {
				exist = append(exist, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", p, unwrapPath(err))}
			}
		}
		if len(exist) > 0 {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("not overwriting %s (use --force); nothing was written", strings.Join(exist, ", "))}
		}
	}
	for _, f := range files {
		p := filepath.Join(opts.Path, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot create %s: %v", filepath.Dir(p), unwrapPath(err))}
		}
		if err := atomicfile.WriteFile(p, f.Data, 0o644); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %v", p, unwrapPath(err))}
		}
		fmt.Fprintf(opts.IO.Out, "wrote %s\n", p)
	}
	policy := filepath.Join(opts.Path, scaffold.PolicyDir)
	fmt.Fprintf(opts.IO.Out, "\nnext:\n  portguard verify --policy %s\n  portguard check %s --policy %s\n", policy, opts.Path, policy)
	return nil
}
