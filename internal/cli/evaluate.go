package cli

import (
	"context"
	"errors"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
)

// evalOptions say what to load and which policies to run.
type evalOptions struct {
	Path   string
	Files  []string
	Config string
	Engine engine.Options
	// Timeout bounds the evaluation (0: DefaultTimeout, negative: none).
	Timeout time.Duration
}

// evaluation is the outcome shared by the commands that judge a stack.
type evaluation struct {
	Doc        *input.Document
	Findings   []finding.Finding
	Suppressed []finding.Finding
	Rules      []finding.Rule
	// Engine is the compiled policies, for further queries (suggest, docs).
	Engine *engine.Engine
}

// evaluate runs the data flow of check: load the document, compile the
// policies, evaluate, apply the configuration. Loading and compiling do not
// depend on each other, so they run at the same time.
func evaluate(ctx context.Context, f *Factory, o evalOptions) (*evaluation, error) {
	type compiled struct {
		eng *engine.Engine
		err error
	}
	done := make(chan compiled, 1)
	go func() {
		eng, err := f.NewEngine(o.Engine)
		done <- compiled{eng, err}
	}()
	doc, err := input.Load(input.Options{Root: o.Path, Files: o.Files, ConfigPath: o.Config})
	c := <-done
	if err != nil {
		return nil, &ExitError{Code: ExitInput, Err: err}
	}
	eng, err := c.eng, c.err
	if err != nil {
		return nil, policyExit(err)
	}
	evalCtx, cancel := evalDeadline(ctx, o.Timeout)
	defer cancel()
	fs, err := eng.Eval(evalCtx, doc)
	if err != nil {
		if errors.Is(evalCtx.Err(), context.DeadlineExceeded) {
			err = timeoutError(o, err)
		}
		return nil, &ExitError{Code: ExitPolicy, Err: err}
	}
	active, suppressed := engine.ApplyExceptions(engine.ApplyConfig(fs, doc.Config), doc, time.Now().UTC())
	return &evaluation{Doc: doc, Findings: active, Suppressed: suppressed, Rules: eng.Rules(), Engine: eng}, nil
}
