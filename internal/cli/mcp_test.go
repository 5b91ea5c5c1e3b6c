package cli

import "testing"

func TestNewCmdMCPFlags(t *testing.T) {
	testFlags(t, NewCmdMCP, []flagCase[MCPOptions]{
		{name: "defaults", want: MCPOptions{}},
		{name: "policies", args: []string{"--policy", "p1", "--policy", "p2", "--data", "d.json", "--no-builtin"}, want: MCPOptions{Policies: []string{"p1", "p2"}, Data: []string{"d.json"}, NoBuiltin: true}},
		{name: "an argument", args: []string{"somewhere"}, wantErr: true},
		{name: "unknown flag", args: []string{"--format", "json"}, wantErr: true},
	}, func(want *MCPOptions, f *Factory) { want.IO, want.Factory = f.IO, f })
}

func TestNewCmdAgentsInitFlags(t *testing.T) {
	testFlags(t, NewCmdAgents, []flagCase[AgentsInitOptions]{
		{name: "defaults", args: []string{"init"}, want: AgentsInitOptions{Path: "."}},
		{name: "path and force", args: []string{"init", "repo", "--force"}, want: AgentsInitOptions{Path: "repo", Force: true}},
		{name: "two paths", args: []string{"init", "a", "b"}, wantErr: true},
		{name: "unknown flag", args: []string{"init", "--overwrite"}, wantErr: true},
	}, func(want *AgentsInitOptions, f *Factory) { want.IO = f.IO })
}
