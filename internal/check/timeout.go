package check

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/portguard/portguard/internal/engine"
)

// evalTimeout is how long an evaluation may run: timeout 0 means
// engine.DefaultTimeout, a negative one no limit.
func evalTimeout(timeout time.Duration) time.Duration {
	if timeout == 0 {
		return engine.DefaultTimeout
	}
	return timeout
}

// evalDeadline is the context engine.Eval runs under (see evalTimeout).
func evalDeadline(ctx context.Context, timeout time.Duration) (context.Context, context.CancelFunc) {
	timeout = evalTimeout(timeout)
	if timeout < 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, timeout)
}

// timeoutError names the deadline, where the evaluator stopped when it knows
// (engine.TimeoutError), and the policies that were running.
func timeoutError(o Options, err error) error {
	timeout := evalTimeout(o.Timeout)
	// The evaluator says where it stopped only sometimes, and what it was
	// doing when a builtin such as numbers.range was cut short.
	where := ""
	var te *engine.TimeoutError
	if errors.As(err, &te) {
		if te.At != nil {
			where = fmt.Sprintf(" in %s:%d", te.At.File, te.At.Line)
		}
		if te.Detail != "" {
			where += " (" + te.Detail + ")"
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
