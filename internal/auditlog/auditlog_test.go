package auditlog

import (
	"bufio"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/portguard/portguard/internal/finding"
)

// Appends from many goroutines, each line larger than a pipe buffer, give
// one whole JSON line each.
func TestAppendConcurrent(t *testing.T) {
	path := filepath.Join(t.TempDir(), "audit.jsonl")
	const n = 16
	long := strings.Repeat("x", 8000)
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			rec := Record{Time: time.Now().UTC(), Host: "h", Command: "audit", ExitCode: 1, Counts: Counts{Error: i},
				Findings: []finding.Finding{{RuleID: "DBP801", Severity: "error", Message: long}}}
			if err := Append(path, rec); err != nil {
				t.Error(err)
			}
		}(i)
	}
	wg.Wait()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	seen := map[int]bool{}
	for sc.Scan() {
		var rec Record
		if err := json.Unmarshal(sc.Bytes(), &rec); err != nil {
			t.Fatalf("not a JSON line (%v): %.80s", err, sc.Text())
		}
		if len(rec.Findings) != 1 || rec.Findings[0].Message != long {
			t.Errorf("record %+v", rec.Counts)
		}
		seen[rec.Counts.Error] = true
	}
	if len(seen) != n {
		t.Errorf("%d distinct records of %d", len(seen), n)
	}
}

func TestAppendMissingDirectory(t *testing.T) {
	err := Append(filepath.Join(t.TempDir(), "no", "audit.jsonl"), Record{})
	if err == nil || !strings.Contains(err.Error(), "cannot open the log") {
		t.Errorf("err %v", err)
	}
}
