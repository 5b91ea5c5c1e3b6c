package mcp

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/migrate"
)

// StackInput names the stacks a tool works on.
type StackInput struct {
	Path  string   `json:"path,omitempty" jsonschema:"the repository root (default: the server's working directory)"`
	Files []string `json:"files,omitempty" jsonschema:"compose files instead of discovering them under path"`
}

// PlanInput are the arguments of migration_plan.
type PlanInput struct {
	StackInput
}

// ApplyInput are the arguments of migration_apply.
type ApplyInput struct {
	StackInput
	Dir        string `json:"dir,omitempty" jsonschema:"backups directory (default: path/backups)"`
	ConfigOnly bool   `json:"config_only,omitempty" jsonschema:"rewrite the files alone and recreate no container (as migrate apply --config-only; no Docker engine needed)"`
	Confirm    bool   `json:"confirm,omitempty" jsonschema:"true carries out the plan; only after the user approved it. Without it nothing changes and the plan is returned"`
}

// BackupInput are the arguments of backup_create.
type BackupInput struct {
	StackInput
	Dir        string `json:"dir,omitempty" jsonschema:"backups directory (default: path/backups)"`
	ConfigOnly bool   `json:"config_only,omitempty" jsonschema:"back up the configuration files alone, with no dump and no volume archive (as backup create --config-only; no Docker engine needed)"`
	Confirm    bool   `json:"confirm,omitempty" jsonschema:"true takes the backup; without it nothing is written and what it would take is returned"`
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
	Applied bool   `json:"applied"`
	Message string `json:"message"`
	// ConfigOnly says the files alone are (or would be) rewritten, and no
	// container recreated.
	ConfigOnly bool                 `json:"config_only"`
	Plan       MigrationPlan        `json:"plan"`
	Result     *migrate.ApplyResult `json:"result,omitempty"`
	// Steps are the lines `migrate apply` prints as it goes: the
	// pre-flight, the backup, the rewrite, each service answering.
	Steps []string `json:"steps"`
}

// BackupCreate is the result of backup_create: what the backup takes, and
// with confirm the backup taken and its verification.
type BackupCreate struct {
	Created bool   `json:"created"`
	Message string `json:"message"`
	// Dir is the backups directory (without confirm) or the new backup's.
	Dir string `json:"dir"`
	ID  string `json:"id,omitempty"`
	// ConfigOnly says the backup holds the configuration files alone.
	ConfigOnly  bool     `json:"config_only"`
	ConfigFiles []string `json:"config_files"`
	Absent      []string `json:"absent"`
	// Dumps are the dumps of the running Postgres-family services, and
	// Volumes the database data volumes archived (with the path of each
	// archive once taken).
	Dumps   []Dump          `json:"dumps"`
	Volumes []backup.Volume `json:"volumes"`
	// Files are the files the backup holds, with their size and sha256.
	Files        []backup.File  `json:"files"`
	Verification *backup.Result `json:"verification,omitempty"`
}

// Dump is a dump of a running service in a backup.
type Dump struct {
	// Path is its place in the backup ("dumps/shop_postgres.sql.gz").
	Path string `json:"path"`
	// Source is project/service; Container the container it is read from.
	Source    string `json:"source"`
	Container string `json:"container"`
	Tool      string `json:"tool"`
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
		Description: "Carry out the migration plan as `portguard migrate apply --yes` does, through the Docker engine and docker compose: a pre-flight (each service that moves runs from these files, each data volume is the one the recreated container will mount, the new ports are free), a verified backup (configuration files, a pg_dumpall of each running Postgres-family service, an archive of each data volume), the files rewritten atomically, docker compose up -d of the services that move and a check that each answers on its new port with the same volumes. Any failure after the backup rolls back by itself (files restored, services recreated on their old ports) and the error says so with the backup's id. config_only: true rewrites the files alone and recreates no container (no engine needed). Without confirm: true nothing changes and the plan is returned: show it to the user and call again with confirm: true only after they approve it.",
		Annotations: &sdk.ToolAnnotations{DestructiveHint: new(true), OpenWorldHint: new(false)},
	}, s.migrationApply)
	addTool(s, srv, &sdk.Tool{
		Name:        "backup_create",
		Title:       "Back up the stacks (needs confirm: true)",
		Description: "Take a backup as `portguard backup create` does, into path/backups/<UTC timestamp>/: the configuration files and, through the Docker engine, a pg_dumpall of every running Postgres-family service and an archive of every database data volume (config_only: true: the configuration files alone, no engine needed), with a manifest (size and sha256 of every file), then verify it. Without confirm: true nothing is written and what it would take is returned.",
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
	out := MigrationApply{Plan: planOf(p), ConfigOnly: in.ConfigOnly, Steps: []string{}}
	if len(p.Moves) == 0 {
		out.Message = "nothing to migrate: every database, UI and exporter is on its convention port"
		return textResult(out.Message + "\n\n" + text.String()), out, nil
	}
	// As migrate apply: the engine and docker compose must answer before
	// the question is asked.
	var steps bytes.Buffer
	ao := migrate.ApplyOptions{
		Root: path, Files: in.Files, Doc: ev.Doc, Plan: p,
		Dir:       backup.Root(path, in.Dir),
		Execution: migrate.Execution{ConfigOnly: in.ConfigOnly, Version: s.opts.Version, Progress: &steps},
	}
	if !in.ConfigOnly {
		eng, cli, err := connect(ctx, "migration_apply")
		if err != nil {
			return nil, MigrationApply{}, fmt.Errorf("%w\n\nThe plan it would carry out:\n\n%s", err, text.String())
		}
		defer eng.Close()
		ao.Engine, ao.Compose = eng, cli
	}
	if !in.Confirm {
		what := "checks the volumes and the new ports, takes a verified backup (configuration files, dumps, volume archives), rewrites the files and recreates the services that move"
		if in.ConfigOnly {
			what = "takes a verified backup of the configuration files and rewrites them (config_only: no container is recreated)"
		}
		out.Message = "not applied: migration_apply " + what + ", and confirm is not true. This is the plan it would carry out; show it to the user and call migration_apply again with confirm: true only after they approve it."
		return textResult(out.Message + "\n\n" + text.String()), out, nil
	}
	// A migration that started runs to its end or to its rollback, even if
	// the client cancels the call or goes away (Serve waits for it).
	if !s.begin() {
		return nil, MigrationApply{}, errShuttingDown
	}
	defer s.busy.Done()
	r, err := migrate.Apply(context.WithoutCancel(ctx), ao)
	if err != nil {
		// The steps say what was done; the error what failed, and whether
		// the files and services were put back (with the backup's id).
		return nil, MigrationApply{}, fmt.Errorf("%s%w", steps.String(), err)
	}
	out.Applied, out.Result, out.Steps = true, r, lines(steps.String())
	n := len(r.Moved)
	if in.ConfigOnly {
		out.Message = fmt.Sprintf("rewrote the files of %d %s, recreated no container (config_only); to undo: portguard rollback %s --config-only", n, plural(n, "service", "services"), r.Backup)
		return nil, out, nil
	}
	var notRunning string
	for _, svc := range r.NotRunning {
		notRunning += "; " + svc + " was not running: its new ports apply when it next starts"
	}
	out.Message = fmt.Sprintf("migrated %d %s in %s%s; backup %s was taken first, to undo: portguard rollback %s",
		n, plural(n, "service", "services"), r.Elapsed.Round(100*time.Millisecond), notRunning, r.Backup, r.Backup)
	return nil, out, nil
}

func (s *Server) backupCreate(ctx context.Context, _ *sdk.CallToolRequest, in BackupInput) (*sdk.CallToolResult, BackupCreate, error) {
	path := pathOrDot(in.Path)
	var eng *docker.Client
	if !in.ConfigOnly {
		var err error
		if eng, _, err = connect(ctx, "backup_create"); err != nil {
			return nil, BackupCreate{}, err
		}
		defer eng.Close()
	}
	pol, err := s.opts.NewEngine(s.opts.Engine)
	if err != nil {
		return nil, BackupCreate{}, err
	}
	bo, err := migrate.BackupOf(ctx, pol, path, in.Files, "")
	if err != nil {
		return nil, BackupCreate{}, err
	}
	bo.Dir, bo.Reason, bo.Version = backup.Root(path, in.Dir), "backup create", s.opts.Version
	if eng != nil {
		bo.Engine = eng
	}
	if !in.Confirm {
		// What the backup would take; the engine is only asked.
		prep, err := migrate.PrepareBackup(ctx, bo)
		if err != nil {
			return nil, BackupCreate{}, err
		}
		out := BackupCreate{
			Dir: bo.Dir, ConfigOnly: eng == nil, ConfigFiles: prep.Config, Absent: nonNil(prep.Absent),
			Dumps: []Dump{}, Volumes: nonNil(prep.Volumes), Files: []backup.File{},
		}
		for _, st := range prep.Streams {
			if st.Kind == backup.KindDump {
				out.Dumps = append(out.Dumps, Dump{Path: st.Path, Source: st.Source, Container: st.Container, Tool: st.Tool})
			}
		}
		out.Message = "not created: confirm is not true. A backup in " + bo.Dir + " would hold " + backupContent(out) +
			". Call backup_create again with confirm: true after the user agrees."
		return nil, out, nil
	}
	if !s.begin() {
		return nil, BackupCreate{}, errShuttingDown
	}
	defer s.busy.Done()
	m, newDir, err := migrate.Backup(ctx, bo)
	if err != nil {
		return nil, BackupCreate{}, migrate.BackupFailed(newDir, err)
	}
	v, err := backup.Verify(newDir)
	if err != nil {
		return nil, BackupCreate{}, err
	}
	out := BackupCreate{
		Created: true, Dir: newDir, ID: m.ID, ConfigOnly: m.ConfigOnly, ConfigFiles: []string{}, Absent: m.Absent,
		Dumps: []Dump{}, Volumes: m.Volumes, Files: m.Files, Verification: v,
	}
	for _, f := range m.Files {
		switch f.Kind {
		case backup.KindConfig:
			out.ConfigFiles = append(out.ConfigFiles, f.Source)
		case backup.KindDump:
			out.Dumps = append(out.Dumps, Dump{Path: f.Path, Source: f.Source, Container: f.Container, Tool: f.Tool})
		}
	}
	cfg, dumps, vols, size := m.Counts()
	out.Message = fmt.Sprintf("backup %s: %s (%s) in %s", m.ID, backup.DescribeCounts(cfg, dumps, vols), backup.HumanSize(size), newDir)
	if !v.OK() {
		out.Message += fmt.Sprintf("; %d of %d files FAIL verification", len(v.Problems), v.Checked)
	} else {
		out.Message += fmt.Sprintf(", %d files verified", v.Checked)
	}
	return nil, out, nil
}

var errShuttingDown = errors.New("the server is shutting down: nothing was changed")

// backupContent says what a backup takes, in words.
func backupContent(b BackupCreate) string {
	parts := []string{fmt.Sprintf("%d configuration %s (%s)", len(b.ConfigFiles), plural(len(b.ConfigFiles), "file", "files"), strings.Join(b.ConfigFiles, ", "))}
	for _, d := range b.Dumps {
		parts = append(parts, fmt.Sprintf("a %s dump of %s (container %s)", d.Tool, d.Source, d.Container))
	}
	for _, v := range b.Volumes {
		size := "size unknown"
		if v.Size >= 0 {
			size = backup.HumanSize(v.Size)
		}
		note := ""
		if v.Live {
			note = "; read while " + v.Service + " runs, the dump is the consistent copy"
		}
		parts = append(parts, fmt.Sprintf("an archive of volume %s of %s (%s%s)", v.Name, v.Service, size, note))
	}
	switch {
	case b.ConfigOnly:
		parts = append(parts, "no dump and no volume archive (config_only)")
	case len(b.Dumps) == 0 && len(b.Volumes) == 0:
		parts = append(parts, "no dump (no Postgres-family service runs) and no volume archive (no database data volume exists)")
	case len(b.Dumps) == 0:
		parts = append(parts, "no dump (no Postgres-family service runs)")
	}
	return strings.Join(parts, "; ")
}

// connect reaches the Docker engine and docker compose as the commands do
// (migrate.Connect), for a tool that works on the running stacks.
func connect(ctx context.Context, tool string) (*docker.Client, *compose.CLI, error) {
	eng, cli, err := migrate.Connect(ctx, tool)
	if ue := (*migrate.UnreachableError)(nil); errors.As(err, &ue) && ue.Engine {
		err = fmt.Errorf("%w (config_only: true works without one)", err)
	}
	return eng, cli, err
}

func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// textResult is a result whose content is text for the model; the
// structured content stays the tool's output.
func textResult(text string) *sdk.CallToolResult {
	return &sdk.CallToolResult{Content: []sdk.Content{&sdk.TextContent{Text: text}}}
}
