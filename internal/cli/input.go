package cli

import (
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
)

// InputOptions are the inputs of `portguard input`.
type InputOptions struct {
	IO     *IOStreams
	Path   string
	Files  []string
	Config string
}

// NewCmdInput builds `portguard input [PATH]`.
func NewCmdInput(f *Factory, runF func(*InputOptions) error) *cobra.Command {
	opts := &InputOptions{IO: f.IO}
	cmd := &cobra.Command{
		Use:   "input [PATH]",
		Short: "Print the normalized input document that the policies see",
		Long: `Print the JSON input document built from the compose files, the root .env
and PORTS-CONVENTION.md under PATH: the exact input of the Rego policies.
Values of variables that are not port-like are redacted.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return inputRun(opts)
		},
	}
	addSourceFlags(cmd.Flags(), &opts.Files, &opts.Config)
	return cmd
}

func inputRun(opts *InputOptions) error {
	doc, err := input.Load(input.Options{Root: opts.Path, Files: opts.Files, ConfigPath: opts.Config})
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	enc := json.NewEncoder(opts.IO.Out)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(doc); err != nil {
		return err
	}
	if len(doc.Errors) > 0 {
		return &ExitError{Code: ExitInput}
	}
	return nil
}
