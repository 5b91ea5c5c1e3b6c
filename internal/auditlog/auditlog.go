// Package auditlog appends the record of a run to a log of JSON lines
// under an exclusive lock of the file (flock on Unix, LockFileEx on
// Windows), so runs from cron that overlap never interleave their lines.
package auditlog

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"time"

	"github.com/portguard/portguard/internal/finding"
)

// Record is one line of the log: a run of portguard audit (or run).
type Record struct {
	Time     time.Time         `json:"time"` // UTC
	Host     string            `json:"host"`
	Command  string            `json:"command"`
	Root     string            `json:"root,omitempty"`
	ExitCode int               `json:"exit_code"`
	Counts   Counts            `json:"counts"`
	Docker   Docker            `json:"docker"`
	Findings []finding.Finding `json:"findings"`
}

// Counts are the findings by severity, and the input errors.
type Counts struct {
	Error       int `json:"error"`
	Warning     int `json:"warning"`
	Note        int `json:"note"`
	Suppressed  int `json:"suppressed"`
	InputErrors int `json:"input_errors"`
}

// Docker says whether the containers were inspected.
type Docker struct {
	Inspected bool   `json:"inspected"`
	Error     string `json:"error,omitempty"`
}

// Append writes rec as one line at the end of the file at path (created
// 0644 when missing), holding an exclusive lock on the file meanwhile.
func Append(path string, rec Record) error {
	if rec.Findings == nil {
		rec.Findings = []finding.Finding{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(rec); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return fmt.Errorf("cannot open the log: %w", err)
	}
	defer f.Close()
	if err := lock(f); err != nil {
		return fmt.Errorf("cannot lock the log %s: %w", path, err)
	}
	defer unlock(f)
	// One write of the whole line: with the lock held, no other run's line
	// can land inside it.
	if _, err := f.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("cannot append to the log %s: %w", path, err)
	}
	return f.Sync()
}
