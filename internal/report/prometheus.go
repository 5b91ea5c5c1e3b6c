package report

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Prometheus prints the node_exporter textfile format, for alerting on an
// audit run from cron: portguard_findings{rule,severity} for every rule of
// the catalog (0 when it found nothing, so an alert rule never sees a
// series vanish), the input errors, whether containers were inspected, the
// exit code, and portguard_audit_timestamp_seconds, the time of the run
// (an alert on its age catches an audit that stopped running). Written to
// a file, it is replaced atomically, as node_exporter requires.
type Prometheus struct{}

func (Prometheus) Write(w io.Writer, r Result) error {
	var b strings.Builder
	counts := map[[2]string]int{}
	for _, f := range r.Findings {
		counts[[2]string{f.RuleID, f.Severity}]++
	}
	for _, rule := range r.Rules {
		if !hasRule(counts, rule.ID) {
			counts[[2]string{rule.ID, rule.Severity}] = 0
		}
	}
	keys := make([][2]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i][0] != keys[j][0] {
			return keys[i][0] < keys[j][0]
		}
		return keys[i][1] < keys[j][1]
	})
	b.WriteString("# HELP portguard_findings Findings of the last portguard run by rule and severity (suppressed ones excluded).\n")
	b.WriteString("# TYPE portguard_findings gauge\n")
	for _, k := range keys {
		fmt.Fprintf(&b, "portguard_findings{rule=%s,severity=%s} %d\n", label(k[0]), label(k[1]), counts[k])
	}
	gauge(&b, "portguard_suppressed_findings", "Findings suppressed by exceptions in the last run.", float64(len(r.Suppressed)))
	gauge(&b, "portguard_input_errors", "Input errors of the last run (files that could not be checked).", float64(len(r.Errors)))
	if r.Live != nil {
		inspected := 0.0
		if r.Live.Inspected {
			inspected = 1
		}
		gauge(&b, "portguard_containers_inspected", "1 when a Docker engine answered and its containers were judged.", inspected)
		gauge(&b, "portguard_listeners", "Listening sockets seen on the host.", float64(r.Live.Listeners))
	}
	gauge(&b, "portguard_exit_code", "Exit code of the last run (0 clean, 1 findings, 2 input error, 3 policy error).", float64(r.ExitCode))
	gauge(&b, "portguard_audit_timestamp_seconds", "When the last run ended, in seconds since the Unix epoch.", float64(r.Time.UnixMilli())/1000)
	_, err := io.WriteString(w, b.String())
	return err
}

func hasRule(counts map[[2]string]int, id string) bool {
	for k := range counts {
		if k[0] == id {
			return true
		}
	}
	return false
}

func gauge(b *strings.Builder, name, help string, v float64) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s gauge\n%s %s\n", name, help, name, name, strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.3f", v), "0"), "."))
}

// label quotes a label value as the exposition format escapes it.
func label(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`).Replace(s) + `"`
}
