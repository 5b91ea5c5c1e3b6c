package main

// Policy safety (issue 7): a runaway user policy is stopped by check's
// --timeout (default 30s) with exit 3 and a message naming the timeout and
// the policy; the sandbox of builtins is TestSandboxedPolicy.

import (
	"strings"
	"testing"
	"time"
)

func TestRunawayPolicyTimesOut(t *testing.T) {
	policy := fixture("policy-runaway")
	start := time.Now()
	res := run(t, invocation{args: []string{"check", fixture("hardcoded-port"), "--policy", policy, "--timeout", "1s", "--format", "json"}})
	elapsed := time.Since(start)
	if res.code != 3 {
		t.Errorf("exit %d, want 3\nstderr:\n%s", res.code, res.stderr)
	}
	for _, want := range []string{"--timeout 1s", policy} {
		if !strings.Contains(res.stderr, want) {
			t.Errorf("stderr does not name %q:\n%s", want, res.stderr)
		}
	}
	// Compiling takes a moment; the bound only tells a stop from a hang.
	if elapsed > 20*time.Second {
		t.Errorf("check took %v with --timeout 1s", elapsed)
	}
	// The same policy compiles: only its evaluation is bounded.
	if rules := run(t, invocation{args: []string{"rules", "--policy", policy}}); rules.code != 0 || !strings.Contains(rules.stdout, "SLOW001") {
		t.Errorf("rules --policy: exit %d\n%s%s", rules.code, rules.stdout, rules.stderr)
	}
}

func TestTimeoutDefault(t *testing.T) {
	res := run(t, invocation{args: []string{"check", "--help"}})
	if !strings.Contains(res.stdout, "--timeout duration") || !strings.Contains(res.stdout, "(default 30s)") {
		t.Errorf("check --help does not show --timeout with its default of 30s:\n%s", res.stdout)
	}
	// The built-in policies finish well inside a short deadline.
	if r := run(t, invocation{args: []string{"check", example("violating"), "--timeout", "10s"}}); r.code != 1 {
		t.Errorf("examples/violating with --timeout 10s: exit %d\n%s", r.code, r.stderr)
	}
}
