// Package suggest asks the Rego library (policies/lib/suggest.rego) for free
// ports: the lowest of a category's sub-range, or the ones after a
// primary's port for its backup. `portguard suggest` and the MCP
// suggest_port tool both ask through it.
package suggest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
)

// Request is what to suggest: Count ports of Category, or, when BackupOf
// names a service, Count ports for backups of it.
type Request struct {
	Category string `json:"category"`
	BackupOf string `json:"backup_of"`
	Count    int    `json:"count"`
}

// Range is a sub-range of host ports.
type Range struct {
	From int `json:"from" jsonschema:"first port of the sub-range"`
	To   int `json:"to" jsonschema:"last port of the sub-range"`
}

// Primary is the service a backup follows, on the port it has under the
// convention.
type Primary struct {
	Service string `json:"service"`
	Port    int    `json:"port"`
}

// Result is the library's answer and the JSON output of suggest. Error,
// when set, says why there is no answer (an unknown category or service).
type Result struct {
	Category string   `json:"category"`
	Range    *Range   `json:"range"`
	Primary  *Primary `json:"primary"`
	Ports    []int    `json:"ports"`
	Error    string   `json:"error,omitempty"`
}

// Ports evaluates the request against the document. An error return is a
// failure of the evaluation; a request the library cannot answer comes back
// in Result.Error. Ports is never nil.
func Ports(ctx context.Context, eng *engine.Engine, doc *input.Document, req Request) (Result, error) {
	b, err := json.Marshal(req)
	if err != nil {
		return Result{}, err
	}
	var s Result
	if err := eng.Query(ctx, doc, "data.portguard.lib.suggest.result("+string(b)+")", &s); err != nil {
		if errors.Is(err, engine.ErrUndefined) {
			err = fmt.Errorf("no suggestion for %s", b)
		}
		return Result{}, err
	}
	if s.Ports == nil {
		s.Ports = []int{}
	}
	return s, nil
}
