package report

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/finding"
)

var (
	sampleRE = regexp.MustCompile(`^([a-z_]+)(\{rule="DBP[0-9]{3}",severity="(error|warning|note)"\})? (-?[0-9]+(\.[0-9]+)?)$`)
	metaRE   = regexp.MustCompile(`^# (HELP|TYPE) ([a-z_]+) .+$`)
)

// The textfile holds one gauge per rule and severity (zero for the rules
// without findings), each metric announced by HELP and TYPE before its
// samples, as node_exporter's parser requires.
func TestPrometheusTextfile(t *testing.T) {
	r := Result{
		Time:     time.Date(2026, 3, 1, 3, 17, 0, 500_000_000, time.UTC),
		Rules:    []finding.Rule{{ID: "DBP801", Severity: "error"}, {ID: "DBP804", Severity: "warning"}, {ID: "DBP805", Severity: "warning"}},
		Findings: []finding.Finding{{RuleID: "DBP801", Severity: "error"}, {RuleID: "DBP801", Severity: "error"}, {RuleID: "DBP804", Severity: "error"}},
		Live:     &Live{Host: "h", Listeners: 4, Inspected: false, DockerError: "down"},
		ExitCode: 1,
	}
	var b bytes.Buffer
	if err := (Prometheus{}).Write(&b, r); err != nil {
		t.Fatal(err)
	}
	announced := map[string]bool{}
	samples := map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(b.String(), "\n"), "\n") {
		if m := metaRE.FindStringSubmatch(line); m != nil {
			announced[m[2]] = true
			continue
		}
		m := sampleRE.FindStringSubmatch(line)
		if m == nil {
			t.Fatalf("not the exposition format: %q", line)
		}
		if !announced[m[1]] {
			t.Errorf("%s has samples before its HELP and TYPE", m[1])
		}
		samples[m[1]+m[2]] = m[4]
	}
	want := map[string]string{
		`portguard_findings{rule="DBP801",severity="error"}`:   "2",
		`portguard_findings{rule="DBP804",severity="error"}`:   "1",
		`portguard_findings{rule="DBP805",severity="warning"}`: "0",
		"portguard_suppressed_findings":                        "0",
		"portguard_input_errors":                               "0",
		"portguard_containers_inspected":                       "0",
		"portguard_listeners":                                  "4",
		"portguard_exit_code":                                  "1",
		"portguard_audit_timestamp_seconds":                    "1772335020.5",
	}
	for k, v := range want {
		if samples[k] != v {
			t.Errorf("%s = %q, want %q", k, samples[k], v)
		}
	}
	if len(samples) != len(want) {
		t.Errorf("samples %v", samples)
	}
}
