// Package baseline reads and writes the baseline file: the findings a
// repository had when it adopted portguard, which check reports as
// suppressed (kind baseline) so that only new findings fail it. Whether an
// entry matches a finding is decided by the policies
// (policies/lib/suppressions.rego): same rule, file, service and
// fingerprint, never the line.
package baseline

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/osfile"
)

// DefaultFile is where `portguard baseline` writes, relative to PATH.
const DefaultFile = ".portguard-baseline.json"

// Version is the version of the file's shape.
const Version = 1

// File is the baseline file as JSON.
type File struct {
	Version  int     `json:"version"`
	Findings []Entry `json:"findings"`
}

// Entry is one recorded finding; the message is for the reader only.
type Entry struct {
	RuleID      string `json:"rule_id"`
	File        string `json:"file"`
	Service     string `json:"service"`
	Fingerprint string `json:"fingerprint"`
	Message     string `json:"message"`
}

// Read parses the baseline at path; display names it in messages and in
// the findings about its entries. Each entry keeps its line.
func Read(path, display string) (*engine.JudgeBaseline, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: cannot read the baseline: %w", display, osfile.Reason(err))
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("%s: not a portguard baseline: %v", display, err)
	}
	if f.Version != Version {
		return nil, fmt.Errorf("%s: baseline version %d; this portguard reads version %d", display, f.Version, Version)
	}
	// JSON is YAML: the node tree gives each entry's line.
	var doc yaml.Node
	lines := map[int]int{}
	if yaml.Unmarshal(data, &doc) == nil && len(doc.Content) == 1 {
		top := doc.Content[0]
		for i := 0; i+1 < len(top.Content); i += 2 {
			if top.Content[i].Value == "findings" {
				for j, item := range top.Content[i+1].Content {
					lines[j] = item.Line
				}
			}
		}
	}
	out := &engine.JudgeBaseline{File: display, Entries: []engine.BaselineEntry{}}
	for i, e := range f.Findings {
		if e.RuleID == "" || e.File == "" || e.Fingerprint == "" {
			return nil, fmt.Errorf("%s:%d: a baseline entry needs rule_id, file and fingerprint", display, lines[i])
		}
		out.Entries = append(out.Entries, engine.BaselineEntry{
			RuleID: e.RuleID, File: e.File, Service: e.Service, Fingerprint: e.Fingerprint, Message: e.Message, Line: lines[i],
		})
	}
	return out, nil
}

// Entries records findings (fingerprinted) as baseline entries, in the
// findings' order.
func Entries(fs []finding.Finding) []Entry {
	out := make([]Entry, 0, len(fs))
	for _, f := range fs {
		out = append(out, Entry{RuleID: f.RuleID, File: f.File, Service: f.Service, Fingerprint: f.Fingerprint, Message: f.Message})
	}
	return out
}

// Write writes the entries to path atomically, one entry per line so that
// a diff of the baseline shows what changed.
func Write(path string, entries []Entry) error {
	var b bytes.Buffer
	fmt.Fprintf(&b, "{\n  \"version\": %d,\n  \"findings\": [", Version)
	for i, e := range entries {
		var line bytes.Buffer
		enc := json.NewEncoder(&line)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(e); err != nil {
			return err
		}
		if i > 0 {
			b.WriteString(",")
		}
		b.WriteString("\n    ")
		b.Write(bytes.TrimSuffix(line.Bytes(), []byte("\n")))
	}
	if len(entries) > 0 {
		b.WriteString("\n  ")
	}
	b.WriteString("]\n}\n")
	return atomicfile.WriteFile(path, b.Bytes(), 0o644)
}
