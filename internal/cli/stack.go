package cli

import (
	"context"
	"fmt"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// connectStack reaches the Docker engine (DOCKER_HOST, else the local
// socket) and docker compose, for the commands that touch running stacks;
// what says what needs them, for the message when one does not answer.
func connectStack(ctx context.Context, what string) (*docker.Client, *compose.CLI, error) {
	eng, err := docker.New()
	if err != nil {
		return nil, nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s needs a Docker engine: %w (--config-only works without one)", what, err)}
	}
	if _, err := eng.Info(ctx); err != nil {
		eng.Close()
		return nil, nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s needs a Docker engine: %w (--config-only works without one)", what, err)}
	}
	cli, err := compose.Find(ctx)
	if err != nil {
		eng.Close()
		return nil, nil, &ExitError{Code: ExitInput, Err: fmt.Errorf("%s needs docker compose: %w", what, err)}
	}
	return eng, cli, nil
}
