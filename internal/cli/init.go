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
	"github.com/portguard/portguard/internal/osfile"
	"github.com/portguard/portguard/internal/scaffold"
)

// InitOptions are the inputs of `portguard init`.
type InitOptions struct {
	IO    *IOStreams
	Path  string
	Force bool
	// NoPreCommit leaves .pre-commit-config.yaml alone.
	NoPreCommit bool
}

// NewCmdInit builds `portguard init [PATH]`.
func NewCmdInit(f *Factory, runF func(*InitOptions) error) *cobra.Command {
	opts := &InitOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write .portguard.yaml, an example custom rule with its test, and the CI that keeps them formatted and tested",
		Long: `Write into PATH, the repository root (default: the current directory):

  .portguard.yaml                          every key at its default, commented
  policy/image_tag_pinned.rego             an example custom rule (CUSTOM001)
  policy/image_tag_pinned_test.rego        its Rego unit tests
  .github/workflows/portguard-policy.yml   a workflow: portguard fmt --check policy
                                           and portguard verify --policy policy
  .pre-commit-config.yaml                  the same two as pre-commit hooks

Existing files are never overwritten unless --force is given; nothing is
written when one of them exists. .pre-commit-config.yaml is never
overwritten: the hooks (portguard-fmt, portguard-verify; language system,
so portguard must be on PATH) are added as the last item of its repos: list,
every other line unchanged; a file that already has one of them is left
alone, and one whose repos: cannot be edited safely stops init before it
writes anything (--no-pre-commit skips it). Then:

  portguard verify --policy policy         run the tests, built-in and yours
  portguard check --policy policy          check with your rule next to ours`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, noContext(initRun), intoPath(&opts.Path)),
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite files that already exist (never .pre-commit-config.yaml)")
	cmd.Flags().BoolVar(&opts.NoPreCommit, "no-pre-commit", false, "do not add the pre-commit hooks to .pre-commit-config.yaml")
	return cmd
}

func initRun(opts *InitOptions) error {
	st, err := os.Stat(opts.Path)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", opts.Path, osfile.Reason(err))}
	}
	if !st.IsDir() {
		return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: not a directory", opts.Path)}
	}
	files := scaffold.Files(Version)
	if !opts.Force {
		var exist []string
		for _, f := range files {
			p := filepath.Join(opts.Path, filepath.FromSlash(f.Path))
			if _, err := os.Lstat(p); err == nil {
				exist = append(exist, p)
			} else if !errors.Is(err, fs.ErrNotExist) {
				return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", p, osfile.Reason(err))}
			}
		}
		if len(exist) > 0 {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("not overwriting %s (use --force); nothing was written", strings.Join(exist, ", "))}
		}
	}
	// The pre-commit configuration is read and merged before anything is
	// written, so a file that cannot be merged stops init whole.
	preCommit := filepath.Join(opts.Path, scaffold.PreCommitConfig)
	var merged []byte
	outcome := ""
	if !opts.NoPreCommit {
		old, err := os.ReadFile(preCommit)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v", preCommit, osfile.Reason(err))}
		}
		if merged, outcome, err = scaffold.MergePreCommit(old); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("%s: %v; nothing was written. Add this item to its repos: list by hand and run init with --no-pre-commit:\n%s", preCommit, err, scaffold.PreCommitEntry())}
		}
	}
	for _, f := range files {
		p := filepath.Join(opts.Path, filepath.FromSlash(f.Path))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot create %s: %v", filepath.Dir(p), osfile.Reason(err))}
		}
		if err := atomicfile.WriteFile(p, f.Data, 0o644); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %v", p, osfile.Reason(err))}
		}
		fmt.Fprintf(opts.IO.Out, "wrote %s\n", p)
	}
	switch outcome {
	case scaffold.Wrote, scaffold.Added:
		if err := atomicfile.WriteFile(preCommit, merged, 0o644); err != nil {
			return &ExitError{Code: ExitInput, Err: fmt.Errorf("cannot write %s: %v", preCommit, osfile.Reason(err))}
		}
		if outcome == scaffold.Wrote {
			fmt.Fprintf(opts.IO.Out, "wrote %s\n", preCommit)
		} else {
			fmt.Fprintf(opts.IO.Out, "added the portguard hooks to %s\n", preCommit)
		}
	case scaffold.Unchanged:
		fmt.Fprintf(opts.IO.Out, "unchanged %s: it already has a portguard hook\n", preCommit)
	}
	policy := filepath.Join(opts.Path, scaffold.PolicyDir)
	fmt.Fprintf(opts.IO.Out, "\nnext:\n  portguard fmt --check %s\n  portguard verify --policy %s\n  portguard check %s --policy %s\n", policy, policy, opts.Path, policy)
	return nil
}
