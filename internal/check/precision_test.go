package check

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/corpus"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
)

// databaseRules are the rules that judge a service because it is a
// database (or a database's UI or exporter): ranges, variables, container
// ports, sequences, data. An application or a job must get none of them.
var databaseRules = map[string]bool{
	"DBP101": true, "DBP103": true, "DBP104": true,
	"DBP201": true, "DBP202": true, "DBP203": true, "DBP204": true, "DBP205": true, "DBP206": true,
	"DBP301": true, "DBP302": true,
	"DBP601": true, "DBP602": true, "DBP603": true,
}

// dataRules are the rules about keeping a database's data.
var dataRules = map[string]bool{"DBP601": true, "DBP602": true, "DBP603": true}

// label is one line of a table of testdata/classification.
type label struct {
	repo, file, service, category, data string
	line                                int
}

func readLabels(t *testing.T, path string) []label {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []label
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		text := sc.Text()
		if strings.TrimSpace(text) == "" || strings.HasPrefix(text, "#") {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 5 {
			t.Fatalf("%s:%d: want repository, file, service, category, data", path, n)
		}
		l := label{repo: cols[0], file: cols[1], service: cols[2], category: cols[3], data: cols[4], line: n}
		switch l.category {
		case "database":
			if l.data != "keeps" && l.data != "none" {
				t.Fatalf("%s:%d: a database keeps its data or none", path, n)
			}
		case "ui", "exporter", "job", "application":
			if l.data != "-" {
				t.Fatalf("%s:%d: only a database keeps data", path, n)
			}
		default:
			t.Fatalf("%s:%d: category %q", path, n, l.category)
		}
		out = append(out, l)
	}
	return out
}

// TestPrecisionOnLabelledRepositories checks every service of the
// repositories of ../shared/corpus, and of the fixtures of
// testdata/classification, against the labels written by hand in
// testdata/classification: each is classified as labelled, no application
// or job gets a rule that judges databases, and no database that keeps no
// data gets a rule about its data.
func TestPrecisionOnLabelledRepositories(t *testing.T) {
	fixtures := "../../testdata/classification/fixtures"
	repos := map[string]string{}
	labels := readLabels(t, "../../testdata/classification/fixtures.tsv")
	for _, l := range labels {
		repos[l.repo] = filepath.Join(fixtures, l.repo)
	}
	if c := corpus.Dir(); c != "" {
		corpusLabels := readLabels(t, "../../testdata/classification/corpus.tsv")
		for _, l := range corpusLabels {
			if l.repo == "origin" || l.repo == "origin-head" {
				repos[l.repo] = filepath.Join(c, l.repo)
			} else {
				repos[l.repo] = filepath.Join(c, "real-world", l.repo)
			}
		}
		// Every repository of the corpus is labelled.
		for _, d := range corpus.Repositories(c) {
			if _, ok := repos[filepath.Base(d)]; !ok {
				t.Errorf("%s is not labelled in testdata/classification/corpus.tsv", d)
			}
		}
		labels = append(labels, corpusLabels...)
	} else {
		t.Log("../shared/corpus not found (set PORTGUARD_CORPUS): the fixtures alone are checked")
	}
	byRepo := map[string][]label{}
	for _, l := range labels {
		byRepo[l.repo] = append(byRepo[l.repo], l)
	}
	eng, err := engine.New(context.Background(), engine.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	newEngine := func(engine.Options) (*engine.Engine, error) { return eng, nil }
	names := make([]string, 0, len(repos))
	for n := range repos {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			mu.Lock()
			defer mu.Unlock()
			ev, err := Evaluate(context.Background(), Options{Path: repos[name], NewEngine: newEngine})
			if err != nil {
				t.Fatal(err)
			}
			checkLabels(t, byRepo[name], ev)
		})
	}
}

func checkLabels(t *testing.T, labels []label, ev *Evaluation) {
	t.Helper()
	type key struct{ file, service string }
	services := map[key]input.Service{}
	for _, s := range ev.Doc.Services {
		services[key{s.File, s.Name}] = s
	}
	labelled := map[key]bool{}
	// What every label of a service name says: a name may be a UI in one
	// file and a database in another.
	judgedAsDatabase := map[string]bool{}
	keepsData := map[string]bool{}
	for _, l := range labels {
		k := key{l.file, l.service}
		labelled[k] = true
		s, ok := services[k]
		if !ok {
			t.Errorf("line %d: no service %s in %s", l.line, l.service, l.file)
			continue
		}
		c := s.Classification
		want := l.category
		if want == "application" {
			want = "other"
		}
		if c.Category != want {
			t.Errorf("line %d: %s (%s) is classified %s by %s (%s), labelled %s", l.line, l.service, l.file, c.Category, c.DecidedBy, c.Basis, l.category)
		}
		if l.category == "database" && c.KeepsData != (l.data == "keeps") {
			t.Errorf("line %d: %s (%s) keeps data: %v, labelled %s", l.line, l.service, l.file, c.KeepsData, l.data)
		}
		if l.category == "database" || l.category == "ui" || l.category == "exporter" {
			judgedAsDatabase[l.service] = true
		}
		if l.data == "keeps" {
			keepsData[l.service] = true
		}
	}
	for k := range services {
		if !labelled[k] {
			t.Errorf("service %s of %s is not labelled", k.service, k.file)
		}
	}
	for _, f := range toFindings(ev) {
		if f.service == "" {
			continue
		}
		if databaseRules[f.rule] && !judgedAsDatabase[f.service] {
			t.Errorf("%s at %s:%d judges %s, labelled an application or a job: %s", f.rule, f.file, f.line, f.service, f.message)
		}
		if dataRules[f.rule] && !keepsData[f.service] {
			t.Errorf("%s at %s:%d judges the data of %s, which keeps none: %s", f.rule, f.file, f.line, f.service, f.message)
		}
	}
}

type engineFinding struct {
	rule, service, file, message string
	line                         int
}

// toFindings lists the active and the suppressed findings alike: an
// exception does not make a wrong finding right.
func toFindings(ev *Evaluation) []engineFinding {
	var out []engineFinding
	for _, f := range append(append([]finding.Finding{}, ev.Findings...), ev.Suppressed...) {
		out = append(out, engineFinding{rule: f.RuleID, service: f.Service, file: f.File, message: f.Message, line: f.Line})
	}
	return out
}
