package live

import (
	"context"
	"slices"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/docker"
)

// The live rules: run asks for the pre-flight (a port the stack is about
// to publish is taken), audit for the state of the host. `portguard audit`
// and the MCP audit tool ask for the same ones.
var (
	PreflightRules = []string{"DBP802"}
	HostRules      = []string{"DBP801", "DBP803", "DBP804", "DBP805"}
)

// Omitted lists the live rules that are not in want (check.Options.OmitRules):
// an evaluation keeps the static rules and the live ones it asks for.
func Omitted(want []string) []string {
	var out []string
	for _, id := range append(slices.Clone(PreflightRules), HostRules...) {
		if !slices.Contains(want, id) {
			out = append(out, id)
		}
	}
	return out
}

// GatherHost lists the host's sockets and, when an engine answers, its
// containers and volumes; root makes the containers' compose files
// relative.
func GatherHost(ctx context.Context, root string) *input.Live {
	c, err := docker.New()
	o := Options{Root: root, EngineError: err}
	if err == nil {
		defer c.Close()
		o.Engine = c
	}
	return Gather(ctx, o)
}
