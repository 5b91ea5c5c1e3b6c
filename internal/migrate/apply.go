package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/backup"
)

// ApplyOptions say what to migrate and where the backup goes.
type ApplyOptions struct {
	// Root is the directory the stacks were loaded from; Files and
	// ConfigPath how (-f, --config), to load them again after the rewrite.
	Root       string
	Files      []string
	ConfigPath string
	Doc        *input.Document
	Plan       *Plan
	// Dir is the backups root.
	Dir string
	// ConfigOnly rewrites the files without touching containers (no
	// engine needed).
	ConfigOnly bool
	Version    string
	// Progress, when set, receives a line per step.
	Progress io.Writer
}

// ApplyResult is what a migration did.
type ApplyResult struct {
	// Backup is the ID of the verified backup taken before any change.
	Backup string `json:"backup"`
	// Files are the files rewritten.
	Files []string `json:"files"`
	// Moved are the services on their new ports.
	Moved []Recreate `json:"moved"`
}

// ApplyError is a migration that failed after the backup: RolledBack says
// whether the automatic rollback returned everything to the backup.
type ApplyError struct {
	Step       string
	Err        error
	Backup     string
	RolledBack bool
	// RollbackErr is why the rollback itself failed.
	RollbackErr error
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("migration failed while %s: %v", e.Step, e.Err)
	switch {
	case e.RolledBack:
		msg += fmt.Sprintf("\nrolled back to backup %s: the files are as before", e.Backup)
	case e.RollbackErr != nil:
		msg += fmt.Sprintf("\nthe automatic rollback failed too: %v\nrun: portguard rollback %s", e.RollbackErr, e.Backup)
	}
	return msg
}

func (e *ApplyError) Unwrap() error { return e.Err }

// Apply carries out a plan: a verified backup first, then the rewrite of
// the files with fix's code (each file atomically), then a check that the
// stacks, loaded again, publish the new ports. Any failure after the
// backup restores the files from it.
func Apply(ctx context.Context, o ApplyOptions) (*ApplyResult, error) {
	progress := o.Progress
	if progress == nil {
		progress = io.Discard
	}
	p := o.Plan
	if p == nil || p.Fix == nil || len(p.Moves) == 0 {
		return &ApplyResult{Files: []string{}, Moved: []Recreate{}}, nil
	}
	present, absent, err := backup.ConfigFiles(o.Root, o.Doc, o.ConfigPath)
	if err != nil {
		return nil, err
	}
	m, dir, err := backup.Create(ctx, backup.Options{
		Dir: o.Dir, Root: o.Root, Config: present, Absent: absent,
		Reason: "migrate apply", Version: o.Version,
	})
	if err != nil {
		return nil, fmt.Errorf("backup failed, nothing was changed: %w", err)
	}
	ver, err := backup.Verify(dir)
	if err != nil {
		return nil, fmt.Errorf("backup %s cannot be verified, nothing was changed: %w", m.ID, err)
	}
	if !ver.OK() {
		return nil, &VerifyError{Result: ver}
	}
	fmt.Fprintf(progress, "backup %s: %d %s verified\n", m.ID, ver.Checked, plural(ver.Checked, "file", "files"))

	res := &ApplyResult{Backup: m.ID, Files: []string{}, Moved: p.Recreate}
	fail := func(step string, err error) error {
		ae := &ApplyError{Step: step, Err: err, Backup: m.ID}
		if _, rerr := backup.RestoreConfig(dir, m, o.Root); rerr != nil {
			ae.RollbackErr = rerr
		} else {
			ae.RolledBack = true
		}
		return ae
	}
	if err := p.Fix.Apply(); err != nil {
		return nil, fail("rewriting the files", err)
	}
	for _, f := range p.Fix.Files {
		res.Files = append(res.Files, f.Path)
	}
	fmt.Fprintf(progress, "rewrote %s\n", strings.Join(res.Files, ", "))
	if err := checkRewrite(o); err != nil {
		return nil, fail("checking the rewritten files", err)
	}
	return res, nil
}

// checkRewrite loads the stacks again and checks that every moved mapping
// now publishes its target.
func checkRewrite(o ApplyOptions) error {
	doc, err := input.Load(input.Options{Root: o.Root, Files: o.Files, ConfigPath: o.ConfigPath})
	if err != nil {
		return err
	}
	if len(doc.Errors) > 0 {
		return fmt.Errorf("the rewritten files do not load: %s", doc.Errors[0].Error())
	}
	var problems []string
	for _, m := range o.Plan.Moves {
		if got := publishes(doc, m); !slices.Contains(got, *m.To) {
			problems = append(problems, fmt.Sprintf("%s (%s:%d) publishes %v for container port %d, not %d", m.Service, m.File, m.Line, got, m.ContainerPort, *m.To))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// publishes lists the host ports a service of the document publishes for
// the container port of a move.
func publishes(doc *input.Document, m Move) []int {
	var out []int
	for _, s := range doc.Services {
		if s.Name != m.Service || s.ProjectFile != m.ProjectFile {
			continue
		}
		for _, p := range s.Ports {
			if p.Target == m.ContainerPort && p.Protocol == m.Protocol && p.Effective != nil {
				out = append(out, *p.Effective)
			}
		}
	}
	return out
}
