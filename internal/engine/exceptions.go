package engine

import (
	"path"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/finding"
)

// exception is one way to suppress findings, from .portguard.yaml or from
// a service's x-portguard.
type exception struct {
	rule, reason string
	// service and files limit the exception; empty means any.
	service string
	files   map[string]bool
	glob    string
	expires time.Time
}

func (e exception) covers(f finding.Finding) bool {
	if e.rule != f.RuleID || (e.service != "" && e.service != f.Service) {
		return false
	}
	if e.glob != "" {
		if ok, _ := path.Match(e.glob, f.File); !ok && e.glob != f.File {
			return false
		}
	}
	return e.files == nil || e.files[f.File]
}

// DateLayout is the format of an exception's expires date.
const DateLayout = "2006-01-02"

// ApplyExceptions splits findings into the active ones and the suppressed
// ones. Exceptions apply per finding, never per file: an exception names a
// rule and a service (and optionally a file). One without a reason, or with
// an expires date that does not parse, does not apply (DBP001 reports it);
// one whose date is before today has expired and stops applying.
func ApplyExceptions(fs []finding.Finding, doc *input.Document, today time.Time) (active, suppressed []finding.Finding) {
	excs := exceptions(doc, today)
	active, suppressed = []finding.Finding{}, []finding.Finding{}
	for _, f := range fs {
		if e, ok := firstCovering(excs, f); ok {
			f.Suppressed, f.SuppressionReason = true, e.reason
			suppressed = append(suppressed, f)
			continue
		}
		active = append(active, f)
	}
	return active, suppressed
}

func firstCovering(excs []exception, f finding.Finding) (exception, bool) {
	for _, e := range excs {
		if e.covers(f) {
			return e, true
		}
	}
	return exception{}, false
}

// exceptions collects the valid, unexpired exceptions of a document.
func exceptions(doc *input.Document, today time.Time) []exception {
	var out []exception
	valid := func(reason, expires string) (time.Time, bool) {
		if reason == "" {
			return time.Time{}, false
		}
		if expires == "" {
			return time.Time{}, true
		}
		t, err := time.Parse(DateLayout, expires)
		if err != nil || t.Before(today.Truncate(24*time.Hour)) {
			return t, false
		}
		return t, true
	}
	for _, c := range doc.Config.Exceptions {
		if t, ok := valid(c.Reason, c.Expires); ok {
			out = append(out, exception{rule: c.Rule, reason: c.Reason, service: c.Service, glob: c.File, expires: t})
		}
	}
	// x-portguard on a service covers its findings in the files of its
	// project, and at the .env line and table row (files outside compose).
	compose := map[string]bool{}
	projectFiles := map[string]map[string]bool{}
	for _, f := range doc.Files {
		compose[f.Path] = true
	}
	for _, s := range doc.Services {
		if projectFiles[s.ProjectFile] == nil {
			projectFiles[s.ProjectFile] = map[string]bool{}
		}
		for _, p := range s.Ports {
			projectFiles[s.ProjectFile][p.File] = true
		}
		projectFiles[s.ProjectFile][s.File] = true
	}
	for _, s := range doc.Services {
		ignore, _ := s.XPortguard["ignore"].([]any)
		reason, _ := s.XPortguard["reason"].(string)
		expires, _ := s.XPortguard["expires"].(string)
		t, ok := valid(reason, expires)
		if !ok {
			continue
		}
		files := map[string]bool{}
		for f := range projectFiles[s.ProjectFile] {
			files[f] = true
		}
		for _, f := range []string{doc.Env.File, doc.Conventions.File} {
			if f != "" && !compose[f] {
				files[f] = true
			}
		}
		for _, r := range ignore {
			if rule, ok := r.(string); ok {
				out = append(out, exception{rule: rule, reason: reason, service: s.Name, files: files, expires: t})
			}
		}
	}
	return out
}
