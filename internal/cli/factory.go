// Package cli holds the commands of portguard: one file per command, each
// with its options struct and a thin RunE that copies flags into the options
// and calls the command's run function.
package cli

import (
	"context"
	"io"
	"os"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/live"
)

// Build information, set by the linker (-ldflags "-X ...").
var (
	Version = "dev"
	Commit  = "none"
)

// IOStreams are the streams a command reads and writes; tests use buffers.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer
	// IsTerminal says stdout is a terminal (colours are allowed).
	IsTerminal bool
}

// Factory gives commands what they share.
type Factory struct {
	IO *IOStreams
	// Getenv reads the environment (NO_COLOR); tests replace it.
	Getenv func(string) string
	// NewEngine compiles the policies; tests may share one engine.
	NewEngine func(opts engine.Options) (*engine.Engine, error)
	// Live gathers what runs on the host (run, audit): the sockets and the
	// Docker engine's containers; root makes compose paths relative.
	Live func(ctx context.Context, root string) *input.Live
}

// NewFactory returns the factory of the real process.
func NewFactory() *Factory {
	return &Factory{
		IO:     &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, IsTerminal: isTerminal(os.Stdout)},
		Getenv: os.Getenv,
		NewEngine: func(opts engine.Options) (*engine.Engine, error) {
			return engine.New(contextBackground(), opts)
		},
		Live: live.GatherHost,
	}
}

func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// colorEnabled follows the convention of no-color.org.
func (f *Factory) colorEnabled() bool {
	return f.IO.IsTerminal && f.Getenv("NO_COLOR") == "" && f.Getenv("TERM") != "dumb"
}
