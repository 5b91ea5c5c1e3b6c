package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/portguard/portguard/internal/engine"
)

// DefaultTimeout bounds a policy evaluation: a user policy that loops over a
// huge range must stop the check, not hang the CI job.
const DefaultTimeout = 30 * time.Second

// evalDeadline is the context engine.Eval runs under: timeout 0 means the
// default, a negative one no limit.
func evalDeadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	if timeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// timeoutError names the deadline, where OPA stopped when it knows, and the
// policies that were running.
func timeoutError(o Options, err error) error {
	timeout := o.Timeout
	if timeout == 0 {
		timeout = DefaultTimeout
	}
	// OPA says where it stopped only sometimes, and what it was doing
	// when a builtin such as numbers.range was cut short.
	where := ""
	var te *topdown.Error
	if errors.As(err, &te) {
		if te.Location != nil && te.Location.File != "" {
			where = fmt.Sprintf(" in %s:%d", te.Location.File, te.Location.Row)
		}
		if te.Message != "" && !strings.Contains(te.Message, context.DeadlineExceeded.Error()) {
			where += " (" + te.Message + ")"
		}
	}
	who := "the built-in policies"
	if dirs := o.Engine.PolicyDirs; len(dirs) > 0 {
		who = "the user policies of " + strings.Join(dirs, ", ")
		if !o.Engine.NoBuiltin {
			who += " (or the built-in ones)"
		}
	}
	return &engine.PolicyError{Msg: fmt.Sprintf("policy evaluation stopped at --timeout %s%s: a rule of %s runs too long (a huge numbers.range, or every pair of a large set compared?)", timeout, where, who),
		Err: fmt.Errorf("%w: %w", context.DeadlineExceeded, err)}
}
