package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/migrate"
)

// defaultBackupDir is where backups go under the repository root, as for
// `portguard backup create` and `migrate apply` without --dir.
const defaultBackupDir = "backups"

// PlanInput are the arguments of migration_plan.
type PlanInput struct {
	Path  string   `json:"path,omitempty" jsonschema:"the repository root (default: the server's working directory)"`
	Files []string `json:"files,omitempty" jsonschema:"compose files instead of discovering them under path"`
}

// ApplyInput are the arguments of migration_apply.
type ApplyInput struct {
	Path       string   `json:"path,omitempty" jsonschema:"the repository root (default: the server's working directory)"`
	Files      []string `json:"files,omitempty" jsonschema:"compose files instead of discovering them under path"`
	Dir        string   `json:"dir,omitempty" jsonschema:"backups directory (default: path/backups)"`
	ConfigOnly bool     `json:"config_only,omitempty" jsonschema:"rewrite the files alone and recreate no container (as migrate apply --config-only)"`
	Confirm    bool     `json:"confirm,omitempty" jsonschema:"true carries out the plan; only after the user approved it. Without it nothing changes and the plan is returned"`
}

// BackupInput are the arguments of backup_create.
type BackupInput struct {
	Path       string   `json:"path,omitempty" jsonschema:"the repository root (default: the server's working directory)"`
	Files      []string `json:"files,omitempty" jsonschema:"compose files instead of discovering them under path"`
	Dir        string   `json:"dir,omitempty" jsonschema:"backups directory (default: path/backups)"`
	ConfigOnly bool     `json:"config_only,omitempty" jsonschema:"back up the configuration files alone (as backup create --config-only)"`
	Confirm    bool     `json:"confirm,omitempty" jsonschema:"true takes the backup; without it nothing is written and the files it would take are returned"`
}

// MigrationPlan is the plan in the shape `migrate plan --format json`
// prints.
type MigrationPlan struct {
	Version    int                `json:"version"`
	Moves      []migrate.Move     `json:"moves"`
	Blocked    []migrate.Move     `json:"blocked"`
	Suppressed []migrate.Move     `json:"suppressed"`
	Recreate   []migrate.Recreate `json:"recreate"`
	Changes    []migrate.Change   `json:"changes"`
}

// MigrationApply is the result of migration_apply: the plan, and what was
// done (nothing without confirm).
type MigrationApply struct {
	Applied bool                 `json:"applied"`
	Message string               `json:"message"`
	Plan    MigrationPlan        `json:"plan"`
	Result  *migrate.ApplyResult `json:"result,omitempty"`
}

// BackupCreate is the result of backup_create: what the backup takes, and
// with confirm the backup taken and its verification.
type BackupCreate struct {
	Created bool   `json:"created"`
	Message string `json:"message"`
	// Dir is the backups directory (without confirm) or the new backup's.
	Dir          string         `json:"dir"`
	ID           string         `json:"id,omitempty"`
	ConfigFiles  []string       `json:"config_files"`
	Absent       []string       `json:"absent"`
	Files        []backup.File  `json:"files"`
	Verification *backup.Result `json:"verification,omitempty"`
}

func (s *Server) addChangeTools(srv *sdk.Server) {
	addTool(s, srv, &sdk.Tool{
		Name:        "migration_plan",
		Title:       "Plan the migration onto the convention ports",
		Description: "What `portguard migrate plan` shows: for every database, UI and exporter whose host port is not the one the convention gives it, the target port, the variable, the files and lines that change, the containers that must be recreated and the volumes they keep; moves that cannot be made or that an exception keeps are listed apart. Changes nothing.",
		Annotations: readOnly(),
	}, s.migrationPlan)
	addTool(s, srv, &sdk.Tool{
		Name:        "migration_apply",
		Title:       "Apply the migration (needs confirm: true)",
		Description: "Carry out the migration plan as `portguard migrate apply` does: a verified backup first, then the files rewritten atomically, then a check that the stacks publish the new ports; any failure restores the files from the backup. Without confirm: true nothing changes and the plan is returned: show it to the user and call again with confirm: true only after they approve it.",
		Annotations: &sdk.ToolAnnotations{DestructiveHint: new(true), OpenWorldHint: new(false)},
	}, s.migrationApply)
	addTool(s, srv, &sdk.Tool{
		Name:        "backup_create",
		Title:       "Back up the stacks (needs confirm: true)",
		Description: "Take a backup as `portguard backup create` does, into path/backups/<UTC timestamp>/ with a manifest (size and sha256 of every file), and verify it. Without confirm: true nothing is written and the files it would take are returned.",
		Annotations: &sdk.ToolAnnotations{DestructiveHint: new(false), OpenWorldHint: new(false)},
	}, s.backupCreate)
}

// plan checks the stacks and plans their migration, as migrate plan does.
func (s *Server) plan(ctx context.Context, path string, files []string) (*check.Evaluation, *migrate.Plan, error) {
	ev, err := check.Evaluate(ctx, check.Options{Path: path, Files: files, Engine: s.opts.Engine, NewEngine: s.opts.NewEngine})
	if err != nil {
		return nil, nil, err
	}
	p, err := migrate.Compute(ctx, ev.Engine, path, ev.Doc, ev.Findings, ev.Suppressed)
	if err != nil {
		return nil, nil, err
	}
	return ev, p, nil
}

func planOf(p *migrate.Plan) MigrationPlan {
	return MigrationPlan{Version: 1, Moves: p.Moves, Blocked: p.Blocked, Suppressed: p.Suppressed, Recreate: p.Recreate, Changes: p.Changes}
}

func (s *Server) migrationPlan(ctx context.Context, _ *sdk.CallToolRequest, in PlanInput) (*sdk.CallToolResult, MigrationPlan, error) {
	_, p, err := s.plan(ctx, pathOrDot(in.Path), in.Files)
	if err != nil {
		return nil, MigrationPlan{}, err
	}
	return nil, planOf(p), nil
}

func (s *Server) migrationApply(ctx context.Context, _ *sdk.CallToolRequest, in ApplyInput) (*sdk.CallToolResult, MigrationApply, error) {
	path := pathOrDot(in.Path)
	ev, p, err := s.plan(ctx, path, in.Files)
	if err != nil {
		return nil, MigrationApply{}, err
	}
	var text bytes.Buffer
	if err := p.WriteText(&text); err != nil {
		return nil, MigrationApply{}, err
	}
	out := MigrationApply{Plan: planOf(p)}
	switch {
	case len(p.Moves) == 0:
		out.Message = "nothing to migrate: every database, UI and exporter is on its convention port"
		return textResult(out.Message + "\n\n" + text.String()), out, nil
	case !in.Confirm:
		out.Message = "not applied: migration_apply changes files and recreates containers, and confirm is not true. This is the plan it would carry out; show it to the user and call migration_apply again with confirm: true only after they approve it."
		return textResult(out.Message + "\n\n" + text.String()), out, nil
	case !in.ConfigOnly:
		return nil, MigrationApply{}, errors.New("migration_apply needs config_only: true: recreating the services through docker compose is not done by this version")
	}
	r, err := migrate.Apply(ctx, migrate.ApplyOptions{
		Root: path, Files: in.Files, Doc: ev.Doc, Plan: p,
		Dir: backupsDir(path, in.Dir), ConfigOnly: in.ConfigOnly, Version: s.opts.Version,
	})
	if err != nil {
		return nil, MigrationApply{}, err
	}
	out.Applied, out.Result = true, r
	out.Message = fmt.Sprintf("rewrote the files of %d services, recreated no container (config_only); to undo: portguard rollback %s --config-only", len(r.Moved), r.Backup)
	return nil, out, nil
}

func (s *Server) backupCreate(ctx context.Context, _ *sdk.CallToolRequest, in BackupInput) (*sdk.CallToolResult, BackupCreate, error) {
	path := pathOrDot(in.Path)
	doc, err := input.Load(input.Options{Root: path, Files: in.Files})
	if err != nil {
		return nil, BackupCreate{}, err
	}
	present, absent, err := backup.ConfigFiles(path, doc, "")
	if err != nil {
		return nil, BackupCreate{}, err
	}
	dir := backupsDir(path, in.Dir)
	out := BackupCreate{Dir: dir, ConfigFiles: present, Absent: absent, Files: []backup.File{}}
	switch {
	case !in.Confirm:
		out.Message = "not created: confirm is not true. These are the configuration files the backup would copy into " + dir + "; call backup_create again with confirm: true after the user agrees."
		return nil, out, nil
	case !in.ConfigOnly:
		return nil, BackupCreate{}, errors.New("backup_create needs config_only: true: dumping databases and archiving volumes through the Docker engine is not done by this version")
	}
	m, newDir, err := backup.Create(ctx, backup.Options{
		Dir: dir, Root: path, Config: present, Absent: absent, Reason: "backup create", Version: s.opts.Version,
	})
	if err != nil {
		if newDir != "" {
			return nil, BackupCreate{}, fmt.Errorf("backup failed, %s is left incomplete (no manifest): %w", newDir, err)
		}
		return nil, BackupCreate{}, fmt.Errorf("backup failed: %w", err)
	}
	v, err := backup.Verify(newDir)
	if err != nil {
		return nil, BackupCreate{}, err
	}
	out.Created, out.Dir, out.ID, out.Files, out.Verification = true, newDir, m.ID, m.Files, v
	out.Message = fmt.Sprintf("backup %s: %d files in %s", m.ID, len(m.Files), newDir)
	if !v.OK() {
		out.Message += fmt.Sprintf("; %d of %d files FAIL verification", len(v.Problems), v.Checked)
	} else {
		out.Message += ", verified"
	}
	return nil, out, nil
}

// backupsDir is the backups root: dir, else path/backups.
func backupsDir(path, dir string) string {
	if dir != "" {
		return dir
	}
	return filepath.Join(path, defaultBackupDir)
}

// textResult is a result whose content is text for the model; the
// structured content stays the tool's output.
func textResult(text string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}
