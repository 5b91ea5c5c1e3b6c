package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/internal/agents"
)

// AgentsInitOptions are the inputs of `portguard agents init`.
type AgentsInitOptions struct {
	IO    *IOStreams
	Path  string
	Force bool
}

// NewCmdAgents builds `portguard agents`, the parent of `agents init`.
func NewCmdAgents(f *Factory, runF func(*AgentsInitOptions) error) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "agents",
		Short: "Set up AI agents that use portguard's MCP server",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, args []string) error { return cmd.Help() },
	}
	cmd.AddCommand(newCmdAgentsInit(f, runF))
	return cmd
}

func newCmdAgentsInit(f *Factory, runF func(*AgentsInitOptions) error) *cobra.Command {
	opts := &AgentsInitOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "init [PATH]",
		Short: "Write the agent and command files that call portguard mcp, and its .mcp.json entry",
		Long: `Write into PATH (default: the current directory):

  .claude/agents/database-port-guardian.md   alerts on services that are not database tools in 7000-7999
  .claude/agents/docker-health-optimizer.md  checks the stacks, reports conflicts, suggests fixes
  .claude/commands/protect-databases.md      /protect-databases: status, backup, plan, confirmation, apply, verification
  .mcp.json                                  the portguard server entry ("portguard mcp")

A file that exists is kept (and named) unless --force is given. .mcp.json is
merged: portguard's entry is added next to the other servers, which are
kept; an existing portguard entry that differs is replaced only with
--force. Running it again changes nothing.`,
		Args: cobra.MaximumNArgs(1),
		RunE: runE(opts, runF, noContext(agentsInitRun), intoPath(&opts.Path)),
	}
	cmd.Flags().BoolVar(&opts.Force, "force", false, "overwrite agent and command files that differ, and replace a different portguard entry in .mcp.json")
	return cmd
}

func agentsInitRun(opts *AgentsInitOptions) error {
	steps, err := agents.Init(opts.Path, opts.Force)
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	for _, s := range steps {
		fmt.Fprintln(opts.IO.Out, s)
	}
	return nil
}
