package cli

import (
	"fmt"
	"runtime"

	"github.com/open-policy-agent/opa/v1/version"
	"github.com/spf13/cobra"
)

// VersionOptions are the inputs of `portguard version`.
type VersionOptions struct {
	IO *IOStreams
}

// NewCmdVersion builds `portguard version`.
func NewCmdVersion(f *Factory, runF func(*VersionOptions) error) *cobra.Command {
	opts := &VersionOptions{IO: f.IO}
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version, commit and OPA version",
		Args:  cobra.NoArgs,
		RunE:  runE(opts, runF, noContext(versionRun), nil),
	}
}

func versionRun(opts *VersionOptions) error {
	_, err := fmt.Fprintf(opts.IO.Out, "portguard %s\ncommit: %s\nopa: %s\ngo: %s\n", Version, Commit, version.Version, runtime.Version())
	return err
}
