package cli

import (
	"context"
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
}

// evaluation is the outcome shared by the commands that judge a stack.
type evaluation struct {
	Doc        *input.Document
	Findings   []finding.Finding
	Suppressed []finding.Finding
	Rules      []finding.Rule
}

// evaluate runs the data flow of check: load the document, compile the
// policies, evaluate, apply the configuration.
func evaluate(ctx context.Context, f *Factory, o evalOptions) (*evaluation, error) {
	doc, err := input.Load(input.Options{Root: o.Path, Files: o.Files, ConfigPath: o.Config})
	if err != nil {
		return nil, &ExitError{Code: ExitInput, Err: err}
	}
	eng, err := f.NewEngine(o.Engine)
	if err != nil {
		return nil, &ExitError{Code: ExitPolicy, Err: err}
	}
	fs, err := eng.Eval(ctx, doc)
	if err != nil {
		return nil, &ExitError{Code: ExitPolicy, Err: err}
	}
	active, suppressed := engine.ApplyExceptions(engine.ApplyConfig(fs, doc.Config), doc, time.Now().UTC())
	return &evaluation{Doc: doc, Findings: active, Suppressed: suppressed, Rules: eng.Rules()}, nil
}
