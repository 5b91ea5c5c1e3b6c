package cli

import (
	"context"
	"errors"
	"time"

	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
)

// DefaultTimeout bounds a policy evaluation (see check.DefaultTimeout).
const DefaultTimeout = check.DefaultTimeout

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
	// Timeout bounds the evaluation (0: DefaultTimeout, negative: none).
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
		Baseline: o.Baseline, SkipBaseline: o.SkipBaseline,
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
