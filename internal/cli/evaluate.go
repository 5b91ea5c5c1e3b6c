package cli

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
)

// StackOptions say which stacks a command reads (PATH, -f, --config, and
// --profile and --exclude for the commands that take them) and which
// policies judge them (--policy, --data), for the commands that evaluate
// the policies.
type StackOptions struct {
	Path     string
	Files    []string
	Profiles []string
	Exclude  []string
	Config   string
	Policies []string
	Data     []string
}

// addFlags registers -f, --config, --policy and --data; a command that
// takes --profile or --exclude adds addProfileFlag or addExcludeFlag.
func (o *StackOptions) addFlags(fl *pflag.FlagSet) {
	addSourceFlags(fl, &o.Files, &o.Config)
	addPolicyFlags(fl, &o.Policies, &o.Data)
}

// evalOptions are what evaluate loads and runs for these stacks.
func (o *StackOptions) evalOptions() evalOptions {
	return evalOptions{
		Path: o.Path, Files: o.Files, Config: o.Config, Profiles: o.Profiles, Exclude: o.Exclude,
		Engine: engine.Options{PolicyDirs: o.Policies, DataPaths: o.Data},
	}
}

// evaluateComplete evaluates the stack for a command that must not go on
// while the document has input errors (exit 2): a file that could not be
// read hides the ports it publishes. why says what would go wrong.
func evaluateComplete(ctx context.Context, f *Factory, s *StackOptions, why string) (*evaluation, error) {
	res, err := evaluate(ctx, f, s.evalOptions())
	if err != nil {
		return nil, err
	}
	if errs := res.Doc.Errors; len(errs) > 0 {
		lines := make([]string, len(errs))
		for i, e := range errs {
			lines[i] = "  " + e.Error()
		}
		return nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s:\n%s", why, strings.Join(lines, "\n"))}
	}
	return res, nil
}

// evalOptions say what to load and which policies to run.
type evalOptions struct {
	Path   string
	Files  []string
	Config string
	// Profiles are the --profile flags.
	Profiles []string
	// Exclude are the --exclude flags.
	Exclude []string
	Engine  engine.Options
	// Timeout bounds the evaluation (0: engine.DefaultTimeout, negative:
	// none).
	Timeout time.Duration
	// NeedFiles, Baseline: see check.Options.
	NeedFiles bool
	Baseline  string
	// SkipBaseline reads no baseline, not even the config's.
	SkipBaseline bool
}

// evaluation is the outcome shared by the commands that judge a stack.
type evaluation = check.Evaluation

// evaluate runs the data flow of check (internal/check) with the factory's
// engine and maps its failure to an exit code.
func evaluate(ctx context.Context, f *Factory, o evalOptions) (*evaluation, error) {
	ev, err := check.Evaluate(ctx, check.Options{
		Path: o.Path, Files: o.Files, Config: o.Config, Profiles: o.Profiles, ExcludePaths: o.Exclude,
		Engine: o.Engine, Timeout: o.Timeout, NewEngine: f.NewEngine, NeedFiles: o.NeedFiles,
		Baseline: o.Baseline, SkipBaseline: o.SkipBaseline, OneShot: true,
	})
	if err != nil {
		return nil, exitError(err)
	}
	return ev, nil
}

// exitError turns a *check.Error into the ExitError main prints.
func exitError(err error) error {
	var ce *check.Error
	if errors.As(err, &ce) {
		return &ExitError{Code: ce.Code, Err: ce.Err}
	}
	return err
}
