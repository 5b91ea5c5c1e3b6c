package cli

import (
	"context"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portguard/portguard/input"
)

func contextBackground() context.Context { return context.Background() }

// pathArg is the PATH argument of the commands that read a repository, "."
// when it is left out.
func pathArg(args []string) string {
	if len(args) == 1 {
		return args[0]
	}
	return "."
}

// addSourceFlags registers the flags that say what to read: -f FILE
// (repeatable, merged as docker compose -f merges) and --config.
func addSourceFlags(fl *pflag.FlagSet, files *[]string, config *string) {
	fl.StringArrayVarP(files, "file", "f", nil, "compose file (repeatable; merged as docker compose -f does); default: discovery under PATH")
	fl.StringVar(config, "config", "", "configuration file (default PATH/"+input.ConfigFileName+" when present)")
}

// NewCmdRoot builds the portguard command tree.
func NewCmdRoot(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "portguard",
		Short: "Keep docker-compose stacks on the database port convention",
		Long: `portguard checks that docker-compose stacks follow the port convention:
host ports 7000-7999 belong to databases (7000-7099), their UIs (7100-7199)
and exporters (7200-7299); mappings are written ${SERVICE_PORT:-7000}:5432
with the variable in the root .env. Go gathers the facts, Rego judges them.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	cmd.SetIn(f.IO.In)
	cmd.SetOut(f.IO.Out)
	cmd.SetErr(f.IO.ErrOut)
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitInput, Err: usage("%v (see %s --help)", err, c.CommandPath())}
	})
	cmd.AddCommand(
		NewCmdCheck(f, nil),
		NewCmdInput(f, nil),
		NewCmdRules(f, nil),
		NewCmdVersion(f, nil),
		NewCmdFix(f, nil), NewCmdSuggest(f, nil), NewCmdDocs(f, nil),
		NewCmdVerify(f, nil), NewCmdInit(f, nil),
	)
	return cmd
}
