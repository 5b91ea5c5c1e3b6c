package cli

import (
	"context"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/mcp"
)

// MCPOptions are the inputs of `portguard mcp`.
type MCPOptions struct {
	IO      *IOStreams
	Factory *Factory

	Policies  []string
	Data      []string
	NoBuiltin bool
}

// NewCmdMCP builds `portguard mcp`.
func NewCmdMCP(f *Factory, runF func(*MCPOptions) error) *cobra.Command {
	opts := &MCPOptions{IO: f.IO, Factory: f}
	cmd := &cobra.Command{
		Use:   "mcp",
		Short: "Serve the checks as Model Context Protocol tools on stdio",
		Long: `Serve portguard as a Model Context Protocol server on stdin and stdout, for
AI agents: the tools check, audit, explain_rule, suggest_port, migration_plan,
backup_create and migration_apply (the same code as the commands, results in
the shapes of their JSON output; the last two change nothing without
confirm: true), the rule catalog as resources (portguard://rules,
portguard://rules/<id>) and the protect-databases prompt. stdout carries the protocol alone; messages go to
stderr. portguard agents init writes the client configuration.

--policy, --data and --no-builtin apply to every tool.`,
		Args: cobra.NoArgs,
		RunE: runE(opts, runF, mcpRun, nil),
	}
	fl := cmd.Flags()
	addPolicyFlags(fl, &opts.Policies, &opts.Data)
	fl.BoolVar(&opts.NoBuiltin, "no-builtin", false, "do not load the built-in rules")
	return cmd
}

func mcpRun(ctx context.Context, opts *MCPOptions) error {
	out := opts.IO.Out
	if opts.IO.Out == os.Stdout {
		// Only the protocol may reach stdout: the server writes to a copy
		// of it, and anything else that writes to stdout lands on stderr.
		proto, err := reserveStdout()
		if err != nil {
			return err
		}
		defer proto.Close()
		out = proto
	}
	err := mcp.Serve(ctx, mcp.Options{
		Version:   Version,
		Engine:    engine.Options{PolicyDirs: opts.Policies, DataPaths: opts.Data, NoBuiltin: opts.NoBuiltin},
		NewEngine: opts.Factory.NewEngine,
		Live:      opts.Factory.Live,
		Log:       opts.IO.ErrOut,
	}, io.NopCloser(opts.IO.In), nopWriteCloser{out})
	if err != nil {
		return policyExit(err)
	}
	return nil
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }
