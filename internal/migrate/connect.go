package migrate

import (
	"context"
	"fmt"

	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// UnreachableError is a Docker engine or a docker compose that does not
// answer: the work that needs it was not started, nothing was changed.
type UnreachableError struct {
	// What names the work ("backup create").
	What string
	// Engine is set when the Docker engine is what does not answer (else
	// docker compose is missing).
	Engine bool
	Err    error
}

func (e *UnreachableError) Error() string {
	need := "docker compose"
	if e.Engine {
		need = "a Docker engine"
	}
	return fmt.Sprintf("%s needs %s: %v", e.What, need, e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// Connect reaches the Docker engine (DOCKER_HOST, else the local socket)
// and docker compose, for the work on running stacks (backups with dumps
// and archives, migrations, rollbacks, restores); what names the work for
// the message when one does not answer (an *UnreachableError). The caller
// closes the client.
func Connect(ctx context.Context, what string) (*docker.Client, *compose.CLI, error) {
	eng, err := docker.New()
	if err != nil {
		return nil, nil, &UnreachableError{What: what, Engine: true, Err: err}
	}
	if _, err := eng.Info(ctx); err != nil {
		eng.Close()
		return nil, nil, &UnreachableError{What: what, Engine: true, Err: err}
	}
	cli, err := compose.Find(ctx)
	if err != nil {
		eng.Close()
		return nil, nil, &UnreachableError{What: what, Err: err}
	}
	return eng, cli, nil
}
