package mcp

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"golang.org/x/tools/txtar"

	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/finding"
)

// The examples of the built-in rules: one small stack per rule id, each a
// txtar archive whose comment says what it shows.
//
//go:embed examples/*.txtar
var examples embed.FS

// Example is a stack that breaks a rule, and what check reports on it for
// that rule.
type Example struct {
	Description string            `json:"description"`
	Files       []ExampleFile     `json:"files"`
	Findings    []finding.Finding `json:"findings"`
}

// ExampleFile is one file of an example stack.
type ExampleFile struct {
	Path    string `json:"path"`
	Content string `json:"content"`
}

// example checks the example stack of a rule, written to a temporary
// directory, so its findings are those of the rules as they are now. A
// rule without an example (a user policy) has none.
func example(ctx context.Context, id string) (*Example, error) {
	b, err := examples.ReadFile("examples/" + id + ".txtar")
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ar := txtar.Parse(b)
	dir, err := os.MkdirTemp("", "portguard-example-")
	if err != nil {
		return nil, fmt.Errorf("example of %s: %w", id, err)
	}
	defer os.RemoveAll(dir)
	ex := &Example{Description: string(ar.Comment), Files: []ExampleFile{}, Findings: []finding.Finding{}}
	for _, f := range ar.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return nil, fmt.Errorf("example of %s: %w", id, err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			return nil, fmt.Errorf("example of %s: %w", id, err)
		}
		ex.Files = append(ex.Files, ExampleFile{Path: f.Name, Content: string(f.Data)})
	}
	ev, err := check.Evaluate(ctx, check.Options{Path: dir})
	if err != nil {
		return nil, fmt.Errorf("example of %s: %w", id, err)
	}
	r := ev.Report(dir, check.ReportOptions{})
	for _, f := range r.Findings {
		if f.RuleID == id {
			ex.Findings = append(ex.Findings, f)
		}
	}
	return ex, nil
}
