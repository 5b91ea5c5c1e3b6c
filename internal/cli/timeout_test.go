package cli

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/engine"
)

func TestCheckTimeoutFlag(t *testing.T) {
	for _, c := range []struct {
		args []string
		want time.Duration
	}{
		{nil, 30 * time.Second},
		{[]string{"--timeout", "2s"}, 2 * time.Second},
		{[]string{"--timeout", "0"}, 0},
	} {
		f, _, _ := factoryWithBuffers()
		var got *CheckOptions
		cmd := NewCmdCheck(f, func(o *CheckOptions) error { got = o; return nil })
		cmd.SetArgs(c.args)
		if err := cmd.Execute(); err != nil {
			t.Fatal(err)
		}
		if got.Timeout != c.want {
			t.Errorf("%v: Timeout = %v, want %v", c.args, got.Timeout, c.want)
		}
	}
}

// TestRunawayPolicyStops: the deadline reaches engine.Eval, and the error
// (exit 3) names the timeout and the user policies.
func TestRunawayPolicyStops(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "e2e", "policy-runaway")
	f, _, _ := factoryWithBuffers()
	start := time.Now()
	_, err := evaluate(context.Background(), f, evalOptions{
		Path:    filepath.Join("..", "..", "testdata", "e2e", "hardcoded-port"),
		Engine:  engine.Options{PolicyDirs: []string{dir}},
		Timeout: 500 * time.Millisecond,
	})
	if elapsed := time.Since(start); elapsed > 20*time.Second {
		t.Errorf("the evaluation took %v", elapsed)
	}
	var exit *ExitError
	var pe *engine.PolicyError
	if !errors.As(err, &exit) || exit.Code != ExitPolicy || !errors.As(err, &pe) {
		t.Fatalf("err = %v, want exit %d with a policy error", err, ExitPolicy)
	}
	for _, want := range []string{"--timeout 500ms", dir} {
		if !strings.Contains(pe.Msg, want) {
			t.Errorf("%q does not name %q", pe.Msg, want)
		}
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("%v does not wrap the deadline", err)
	}
}
