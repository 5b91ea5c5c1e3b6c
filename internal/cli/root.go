package cli

import (
	"context"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/portguard/portguard/input"
)

func contextBackground() context.Context { return context.Background() }

// runE is the RunE of a command with options O: args copies the positional
// arguments into the options (nil for a command that takes none), then the
// tests' runF receives the options, or else run carries the command out
// with the command's context.
func runE[O any](opts *O, runF func(*O) error, run func(context.Context, *O) error, args func([]string)) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, a []string) error {
		if args != nil {
			args(a)
		}
		if runF != nil {
			return runF(opts)
		}
		ctx := cmd.Context()
		if ctx == nil {
			ctx = context.Background()
		}
		return run(ctx, opts)
	}
}

// noContext adapts the run function of a command that needs no context.
func noContext[O any](run func(*O) error) func(context.Context, *O) error {
	return func(_ context.Context, o *O) error { return run(o) }
}

// intoPath is the args of a command that takes [PATH].
func intoPath(path *string) func([]string) {
	return func(args []string) { *path = pathArg(args) }
}

// intoIDPath is the args of a command that takes ID [PATH].
func intoIDPath(id, path *string) func([]string) {
	return func(args []string) { *id, *path = idAndPath(args) }
}

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
	fl.StringArrayVarP(files, "file", "f", nil, "compose file (repeatable; merged as docker compose -f does; relative to the current directory, else to PATH); the first file's directory is the project directory, whose .env, PORTS-CONVENTION.md and "+input.ConfigFileName+" are read; default: discovery under PATH")
	fl.StringVar(config, "config", "", "configuration file (default: "+input.ConfigFileName+" of the project directory, PATH or the first -f file's, when present)")
}

// addProfileFlag registers --profile, as docker compose has it.
func addProfileFlag(fl *pflag.FlagSet, profiles *[]string) {
	fl.StringArrayVar(profiles, "profile", nil, "check the services of this compose profile and those without profiles, which then all run together (repeatable, as docker compose --profile); default: every service, and services in disjoint profiles are alternatives")
}

// addExcludeFlag registers --exclude, as KICS's --exclude-paths.
func addExcludeFlag(fl *pflag.FlagSet, exclude *[]string) {
	fl.StringArrayVar(exclude, "exclude", nil, "skip the paths matching this glob in discovery, relative to PATH (repeatable; added to exclude: of .portguard.yaml; ** spans directories, a name without / matches at any depth)")
}

// addPolicyFlags registers --policy and --data, for every command that
// evaluates the policies, so that a rule or an image added for check is
// seen by the others too.
func addPolicyFlags(fl *pflag.FlagSet, policies, data *[]string) {
	fl.StringArrayVar(policies, "policy", nil, "directory (or .rego file) of user Rego policies loaded next to the built-in ones (repeatable)")
	fl.StringArrayVar(data, "data", nil, "JSON or YAML data file or directory merged under data.portguard (repeatable)")
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
	cobra.AddTemplateFunc("flagUsages", flagUsages)
	tmpl := strings.ReplaceAll(cmd.UsageTemplate(), ".LocalFlags.FlagUsages", "flagUsages .LocalFlags")
	cmd.SetUsageTemplate(strings.ReplaceAll(tmpl, ".InheritedFlags.FlagUsages", "flagUsages .InheritedFlags"))
	cmd.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &ExitError{Code: ExitInput, Err: usage("%v (see %s --help)", err, c.CommandPath())}
	})
	cmd.AddCommand(
		NewCmdCheck(f, nil),
		NewCmdInput(f, nil),
		NewCmdRules(f, nil),
		NewCmdVersion(f, nil),
		NewCmdFix(f, nil), NewCmdSuggest(f, nil), NewCmdDocs(f, nil),
		NewCmdVerify(f, nil), NewCmdInit(f, nil), NewCmdFmt(f, nil), NewCmdEval(f, nil), NewCmdBaseline(f, nil),
		NewCmdRun(f, nil), NewCmdAudit(f, nil),
		NewCmdMCP(f, nil), NewCmdAgents(f, nil),
		NewCmdBackup(f), NewCmdMigrate(f), NewCmdRollback(f, nil),
	)
	return cmd
}

// flagUsages is pflag's flag list without the "[=true|false]" it writes
// after every boolean flag: --dry-run is written --dry-run.
func flagUsages(fs *pflag.FlagSet) string {
	const noise = "[=true|false]"
	lines := strings.Split(fs.FlagUsages(), "\n")
	// Each line is the flag (no double space inside), padding, the usage;
	// the usages start in one column, which moves left by the noise when
	// the longest flag carried it.
	specEnd := func(l string) int {
		trimmed := strings.TrimLeft(l, " ")
		if i := strings.Index(trimmed, "  "); i >= 0 {
			return len(l) - len(trimmed) + i
		}
		return len(l)
	}
	width := 0
	for _, l := range lines {
		if strings.HasPrefix(l, "  -") || strings.HasPrefix(l, "      --") {
			width = max(width, specEnd(strings.Replace(l, noise, "", 1)))
		}
	}
	var b strings.Builder
	for i, l := range lines {
		if i > 0 {
			b.WriteString("\n")
		}
		if !strings.HasPrefix(l, "  -") && !strings.HasPrefix(l, "      --") {
			// A continuation of a multi-line usage keeps its column.
			b.WriteString(l)
			continue
		}
		l = strings.Replace(l, noise, "", 1)
		end := specEnd(l)
		usage := strings.TrimLeft(l[end:], " ")
		b.WriteString(l[:end] + strings.Repeat(" ", width-end+3) + usage)
	}
	return b.String()
}
