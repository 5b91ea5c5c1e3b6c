package cli

import (
	"errors"
	"fmt"
	"io"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/engine"
)

// Exit codes, in one place.
// Exit codes (internal/check holds them, with what each means).
const (
	ExitClean    = check.ExitClean
	ExitFindings = check.ExitFindings
	ExitInput    = check.ExitInput
	ExitPolicy   = check.ExitPolicy
)

// ExitError carries an exit code up to main. Err, when set, is printed;
// Silent errors have already been reported (a check with findings).
type ExitError struct {
	Code int
	Err  error
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// usageError marks a wrong flag or argument.
type usageError struct{ error }

// usage wraps a message as a usage error (exit 2).
func usage(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// policyExit maps an error of loading or compiling the policies to its exit
// code (check.CompileError).
func policyExit(err error) *ExitError {
	ce := check.CompileError(err)
	return &ExitError{Code: ce.Code, Err: ce.Err}
}

// ExitCode maps an error from a command to its exit code and prints it,
// once, to stderr. No Go stack trace ever reaches the user.
func ExitCode(err error, stderr io.Writer) int {
	if err == nil {
		return ExitClean
	}
	var exit *ExitError
	if errors.As(err, &exit) {
		if exit.Err != nil {
			fmt.Fprintf(stderr, "portguard: %v\n", exit.Err)
		}
		return exit.Code
	}
	fmt.Fprintf(stderr, "portguard: %v\n", err)
	var policy *engine.PolicyError
	var cfg *input.ConfigError
	var inErr input.InputError
	switch {
	case errors.As(err, &policy):
		return ExitPolicy
	case errors.As(err, &cfg), errors.As(err, &inErr):
		return ExitInput
	}
	// Usage errors (unknown flags, wrong arguments) and anything unexpected:
	// the invocation could not be carried out.
	return ExitInput
}
