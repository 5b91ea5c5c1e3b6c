package report

import (
	"encoding/xml"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// JUnit prints one testsuite per rule and one testcase per finding; a rule
// without findings has one passing testcase, so a CI dashboard shows what
// was checked. Findings at or above the fail level are failures, the others
// pass with their message in system-out. Input errors are errors of an
// "input" suite.
type JUnit struct{}

type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Name     string       `xml:"name,attr"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Errors   int          `xml:"errors,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Failure   *junitProblem `xml:"failure,omitempty"`
	Error     *junitProblem `xml:"error,omitempty"`
	Skipped   *junitSkipped `xml:"skipped,omitempty"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitProblem struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",chardata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

func (JUnit) Write(w io.Writer, r Result) error {
	threshold := finding.SeverityRank(r.FailOn)
	if r.FailOn == "never" {
		threshold = 99
	}
	byRule := map[string][]finding.Finding{}
	titles := map[string]string{}
	for _, rule := range r.Rules {
		byRule[rule.ID] = nil
		titles[rule.ID] = rule.Title
	}
	all := append(append([]finding.Finding{}, r.Findings...), r.Suppressed...)
	finding.Sort(all)
	for _, f := range all {
		byRule[f.RuleID] = append(byRule[f.RuleID], f)
	}
	ids := make([]string, 0, len(byRule))
	for id := range byRule {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := junitSuites{Name: "portguard"}
	for _, id := range ids {
		suite := junitSuite{Name: id}
		if t := titles[id]; t != "" {
			suite.Name = id + " " + t
		}
		if len(byRule[id]) == 0 {
			suite.Cases = append(suite.Cases, junitCase{Name: "no findings", Classname: id})
		}
		for _, f := range byRule[id] {
			c := junitCase{Name: strings.TrimSpace(fmt.Sprintf("%s:%d %s", f.File, f.Line, f.Service)), Classname: id, File: f.File, Line: f.Line}
			text := fmt.Sprintf("%s:%d:%d %s\n-> %s", f.File, f.Line, f.Column, f.Message, f.Suggestion)
			switch {
			case f.Suppressed:
				c.Skipped = &junitSkipped{Message: "suppressed: " + f.SuppressionReason}
				suite.Skipped++
			case finding.SeverityRank(f.Severity) >= threshold:
				c.Failure = &junitProblem{Message: f.Message, Type: f.Severity, Text: text}
				suite.Failures++
			default:
				c.SystemOut = f.Severity + ": " + text
			}
			suite.Cases = append(suite.Cases, c)
		}
		suite.Tests = len(suite.Cases)
		out.Suites = append(out.Suites, suite)
	}
	if len(r.Errors) > 0 {
		suite := junitSuite{Name: "input"}
		for _, e := range r.Errors {
			suite.Cases = append(suite.Cases, junitCase{Name: e.Where(), Classname: "input", File: e.File, Line: e.Line,
				Error: &junitProblem{Message: e.Message, Type: "input", Text: e.Error()}})
			suite.Errors++
		}
		suite.Tests = len(suite.Cases)
		out.Suites = append(out.Suites, suite)
	}
	for _, s := range out.Suites {
		out.Tests += s.Tests
		out.Failures += s.Failures
		out.Errors += s.Errors
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(out); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}
