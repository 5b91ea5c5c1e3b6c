package cli

import (
	"context"
	"errors"
	"fmt"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/migrate"
)

// connectStack reaches the Docker engine and docker compose for the
// commands that touch running stacks (migrate.Connect); what says what
// needs them, for the message when one does not answer.
func connectStack(ctx context.Context, what string) (*docker.Client, *compose.CLI, error) {
	eng, cli, err := migrate.Connect(ctx, what)
	if err != nil {
		if ue := (*migrate.UnreachableError)(nil); errors.As(err, &ue) && ue.Engine {
			err = fmt.Errorf("%w (--config-only works without one)", err)
		}
		return nil, nil, &ExitError{Code: ExitInput, Err: err}
	}
	return eng, cli, nil
}
