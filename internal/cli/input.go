package cli

import (
	"context"
	"encoding/json"

	"github.com/spf13/cobra"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
)

// InputOptions are the inputs of `portguard input`.
type InputOptions struct {
	IO       *IOStreams
	Path     string
	Files    []string
	Config   string
	Profiles []string
	Exclude  []string
	// Data is --data: its images classify the services.
	Data []string
	// Schema prints the document's JSON Schema instead of a document.
	Schema bool
	// Live adds what runs on the host (input.live), as run and audit see it.
	Live   bool
	gather func(ctx context.Context, root string) *input.Live
}

// NewCmdInput builds `portguard input [PATH]`.
func NewCmdInput(f *Factory, runF func(*InputOptions) error) *cobra.Command {
	opts := &InputOptions{IO: f.IO, gather: f.Live}
	cmd := &cobra.Command{
		Use:   "input [PATH]",
		Short: "Print the normalized input document that the policies see",
		Long: `Print the JSON input document built from the compose files, the root .env
and PORTS-CONVENTION.md under PATH: the exact input of the Rego policies.
Values of variables that are not port-like are redacted.

--schema prints the JSON Schema of the document (input/schema.json, every
field described), for editors and other tools; the policies are compiled
against it, so a misspelt field is a policy error.

--live adds what runs on this host under live (the sockets and the Docker
engine's containers and volumes), as run and audit give it to the
policies: for writing and testing rules about the running host.`,
		Example: `  portguard input examples/violating
  portguard input --schema > portguard-input.schema.json
  portguard input --live | jq .live.listeners`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.Schema && (len(args) > 0 || len(opts.Files) > 0 || opts.Config != "") {
				return &ExitError{Code: ExitInput, Err: usage("--schema prints the schema of every document: it takes no PATH, -f or --config")}
			}
			opts.Path = pathArg(args)
			if runF != nil {
				return runF(opts)
			}
			return inputRun(opts)
		},
	}
	addSourceFlags(cmd.Flags(), &opts.Files, &opts.Config)
	cmd.Flags().BoolVar(&opts.Schema, "schema", false, "print the JSON Schema of the document instead")
	cmd.Flags().BoolVar(&opts.Live, "live", false, "add what runs on this host (sockets, containers, volumes) under live")
	addProfileFlag(cmd.Flags(), &opts.Profiles)
	addExcludeFlag(cmd.Flags(), &opts.Exclude)
	cmd.Flags().StringArrayVar(&opts.Data, "data", nil, "JSON or YAML data file or directory merged under data.portguard, as check takes it: its images classify the services (repeatable)")
	return cmd
}

func inputRun(opts *InputOptions) error {
	if opts.Schema {
		_, err := opts.IO.Out.Write(input.Schema)
		return err
	}
	// --data reaches the classification: an image added there is
	// classified here as check classifies it.
	kb, err := engine.KnowledgeBase(opts.Data)
	if err != nil {
		return policyExit(err)
	}
	doc, err := input.Load(input.Options{Root: opts.Path, Files: opts.Files, ConfigPath: opts.Config, Profiles: opts.Profiles, Exclude: opts.Exclude, Knowledge: kb})
	if err != nil {
		return &ExitError{Code: ExitInput, Err: err}
	}
	if opts.Live && opts.gather != nil {
		if err := doc.JoinLive(opts.gather(context.Background(), opts.Path), nil); err != nil {
			return &ExitError{Code: ExitPolicy, Err: err}
		}
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
