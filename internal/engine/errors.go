package engine

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/portguard/portguard/internal/osfile"
)

// PolicyError is a policy that fails to load, compile or evaluate; it maps
// to exit code 3.
type PolicyError struct {
	Msg string
	// Err is OPA's error behind an evaluation failure, when there is one.
	Err error
}

func (e *PolicyError) Error() string { return e.Msg }

// PathError is a --policy or --data path that cannot be read: a usage
// error (exit 2), not a broken policy.
type PathError struct {
	Flag, Path string
	Err        error
}

func (e *PathError) Error() string {
	return fmt.Sprintf("%s %s: %s", e.Flag, e.Path, osfile.Reason(e.Err))
}

func (e *PathError) Unwrap() error { return e.Err }

// Unwrap gives OPA's error, when there is one (a deadline, a location).
func (e *PolicyError) Unwrap() error { return e.Err }

// TimeoutError is an evaluation that its context's deadline stopped. It
// says where the evaluator stopped when the evaluator knows: topdown does
// sometimes, the plan does not.
type TimeoutError struct {
	// At is the policy location the evaluator stopped at, nil when unknown.
	At *Location
	// Detail is what the evaluator was doing, when it says more than that
	// the deadline passed (a built-in such as numbers.range cut short).
	Detail string
	// Err is the evaluator's error.
	Err error
}

// Location is a place in a policy file.
type Location struct {
	File string
	Line int
}

func (e *TimeoutError) Error() string {
	msg := "policy evaluation stopped: " + context.DeadlineExceeded.Error()
	if e.At != nil {
		msg += fmt.Sprintf(" in %s:%d", e.At.File, e.At.Line)
	}
	if e.Detail != "" {
		msg += " (" + e.Detail + ")"
	}
	return msg
}

// Unwrap gives the deadline and the evaluator's error.
func (e *TimeoutError) Unwrap() []error { return []error{context.DeadlineExceeded, e.Err} }

// evalFailed is the *PolicyError of an evaluation that failed with err,
// its message prefixed with what failed; it wraps a *TimeoutError when the
// deadline of ctx stopped the evaluation.
func evalFailed(ctx context.Context, what string, err error) *PolicyError {
	pe := &PolicyError{Msg: what + ": " + err.Error(), Err: err}
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		pe.Err = timeoutOf(err)
	}
	return pe
}

// timeoutOf reads where OPA's evaluator stopped, when its error says.
func timeoutOf(err error) *TimeoutError {
	te := &TimeoutError{Err: err}
	var oe *topdown.Error
	if !errors.As(err, &oe) {
		return te
	}
	if oe.Location != nil && oe.Location.File != "" {
		te.At = &Location{File: oe.Location.File, Line: oe.Location.Row}
	}
	if !strings.Contains(oe.Message, context.DeadlineExceeded.Error()) {
		te.Detail = oe.Message
	}
	return te
}

func formatAstErrors(errs ast.Errors) string {
	lines := make([]string, 0, len(errs))
	for _, e := range errs {
		lines = append(lines, "  "+formatAstError(e))
	}
	return strings.Join(lines, "\n")
}

func formatAstError(e *ast.Error) string {
	msg := e.Message
	if strings.HasPrefix(msg, "undefined function ") {
		name := strings.TrimPrefix(msg, "undefined function ")
		if Forbidden(name) {
			msg = fmt.Sprintf("builtin %s is not available: policies run without network, environment, clock or randomness", name)
		}
	}
	details := e.Details
	if d, ok := details.(*ast.RefErrInvalidDetail); ok {
		// A variable the compiler generated (for `some p in s.prots`) is
		// shown as _, so the message reads like the policy and does not
		// change with the policies compiled around it.
		cp := *d
		cp.Ref = wildcardGenerated(d.Ref)
		details = &cp
		if strings.HasPrefix(msg, "undefined ref: ") {
			msg = "undefined ref: " + cp.Ref.String()
		}
	}
	if e.Location != nil {
		msg = fmt.Sprintf("%s:%d:%d: %s", e.Location.File, e.Location.Row, e.Location.Col, msg)
	}
	// OPA's details say what a type error saw and expected (have: "prots",
	// want (one of): [...]) under the expression they point into.
	if details != nil {
		for _, line := range details.Lines() {
			msg += "\n      " + line
		}
	}
	return msg
}

var generatedVarRE = regexp.MustCompile(`^__local[0-9]+__$`)

func wildcardGenerated(ref ast.Ref) ast.Ref {
	out := make(ast.Ref, len(ref))
	for i, t := range ref {
		if v, ok := t.Value.(ast.Var); ok && generatedVarRE.MatchString(string(v)) {
			t = ast.VarTerm("_")
		}
		out[i] = t
	}
	return out
}

func formatParseError(err error) string {
	var errs ast.Errors
	if errors.As(err, &errs) {
		return formatAstErrors(errs)
	}
	return "  " + err.Error()
}
