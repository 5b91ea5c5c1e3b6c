// Package mcp serves portguard's checks as Model Context Protocol tools
// (`portguard mcp`): the same code as the commands, structured results in
// the shapes of the JSON report, the rule catalog as resources and the
// /protect-databases workflow as a prompt.
package mcp

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"sync"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/agents"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/live"
)

// Options configure the server.
type Options struct {
	// Version is portguard's, reported to clients.
	Version string
	// Engine are the policies every tool runs (--policy, --data,
	// --no-builtin of `portguard mcp`).
	Engine engine.Options
	// NewEngine compiles the policies; nil means engine.New.
	NewEngine func(engine.Options) (*engine.Engine, error)
	// Live gathers what runs on the host (audit); nil means
	// live.GatherHost.
	Live func(ctx context.Context, root string) *input.Live
	// Log receives the server's own messages (stderr; never stdout, which
	// carries the protocol).
	Log io.Writer
}

// Server holds what the tools share.
type Server struct {
	opts  Options
	log   *slog.Logger
	rules []finding.Rule
	// busy counts the calls that change things (backup_create and
	// migration_apply with confirm): Serve returns once they end, and
	// starts no new one once closing.
	mu      sync.Mutex
	closing bool
	busy    sync.WaitGroup
}

// begin registers a call that changes things; false when the server is
// shutting down.
func (s *Server) begin() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closing {
		return false
	}
	s.busy.Add(1)
	return true
}

// drain waits for the calls that change things, and refuses new ones.
func (s *Server) drain() {
	s.mu.Lock()
	s.closing = true
	s.mu.Unlock()
	s.busy.Wait()
}

const instructions = `portguard checks docker-compose stacks against the database port convention:
host ports 7000-7099 for databases, 7100-7199 for their UIs, 7200-7299 for
exporters, 7300-7999 reserved. Call check first (path: the repository root),
audit for what listens on this host;
explain_rule for a rule id; suggest_port before proposing any port;
migration_plan before backup_create and migration_apply. Tools that
change things take confirm: true and, without it, only say what they would do.`

// New builds the server: it compiles the policies once to list the rule
// catalog, so a broken --policy fails before serving.
func New(ctx context.Context, o Options) (*sdk.Server, error) {
	_, srv, err := newServer(ctx, o)
	return srv, err
}

func newServer(ctx context.Context, o Options) (*Server, *sdk.Server, error) {
	if o.NewEngine == nil {
		o.NewEngine = func(eo engine.Options) (*engine.Engine, error) { return engine.New(ctx, eo) }
	}
	if o.Live == nil {
		o.Live = live.GatherHost
	}
	if o.Log == nil {
		o.Log = io.Discard
	}
	eng, err := o.NewEngine(o.Engine)
	if err != nil {
		return nil, nil, err
	}
	s := &Server{opts: o, log: newLogger(o.Log), rules: eng.Rules()}
	srv := sdk.NewServer(&sdk.Implementation{Name: "portguard", Title: "portguard", Version: o.Version},
		&sdk.ServerOptions{Instructions: instructions, Logger: s.log})
	s.addTools(srv)
	s.addChangeTools(srv)
	s.addAuditTool(srv)
	s.addResources(srv)
	srv.AddPrompt(&sdk.Prompt{
		Name:        "protect-databases",
		Title:       "Protect the databases",
		Description: "Show the databases' port status, back them up, show the migration onto the port convention and apply it only after confirmation.",
		Arguments:   []*sdk.PromptArgument{{Name: "path", Description: "the repository root (default: the server's working directory)"}},
	}, func(_ context.Context, req *sdk.GetPromptRequest) (*sdk.GetPromptResult, error) {
		return &sdk.GetPromptResult{
			Description: "The /protect-databases workflow",
			Messages:    []*sdk.PromptMessage{{Role: "user", Content: &sdk.TextContent{Text: agents.Workflow(req.Params.Arguments["path"])}}},
		}, nil
	})
	return s, srv, nil
}

// Serve runs the server on a stream pair (stdin and stdout) until the
// client closes it. A backup or a migration under way when the client goes
// away is carried to its end (a failed migration to its rollback) before
// Serve returns.
func Serve(ctx context.Context, o Options, in io.ReadCloser, out io.WriteCloser) error {
	s, srv, err := newServer(ctx, o)
	if err != nil {
		return err
	}
	err = srv.Run(ctx, &sdk.IOTransport{Reader: in, Writer: out})
	s.drain()
	return err
}

// addTool registers a tool whose handler cannot take the server down: a
// panic becomes a tool error, and its stack goes to the log.
func addTool[In, Out any](s *Server, srv *sdk.Server, t *sdk.Tool, h sdk.ToolHandlerFor[In, Out]) {
	sdk.AddTool(srv, t, func(ctx context.Context, req *sdk.CallToolRequest, in In) (res *sdk.CallToolResult, out Out, err error) {
		defer func() {
			if r := recover(); r != nil {
				s.log.Error("tool failed", "tool", t.Name, "panic", fmt.Sprint(r), "stack", string(debug.Stack()))
				var zero Out
				res, out, err = nil, zero, fmt.Errorf("%s failed: internal error: %v", t.Name, r)
			}
		}()
		return h(ctx, req, in)
	})
}

// newLogger logs warnings and errors as text lines.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelWarn}))
}

func readOnly() *sdk.ToolAnnotations {
	return &sdk.ToolAnnotations{ReadOnlyHint: true, OpenWorldHint: new(false)}
}
