// Package migrate moves databases, their UIs and exporters onto the ports
// the convention gives them. The ports are decided once, by the Rego
// library (policies/lib/migrate.rego over suggest.target, the choice fix and
// suggest make); this package reads them, rewrites the files with fix's
// code, and (apply.go) recreates the services through the compose adapter
// with a verified backup taken first.
package migrate

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/engine"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/fix"
)

// Querier asks the Rego library a question (engine.Engine does).
type Querier interface {
	Query(ctx context.Context, doc any, expr string, out any) error
}

// Move is one port mapping that must publish another host port, as the
// library lists it (portguard.lib.migrate.moves).
type Move struct {
	Service       string `json:"service"`
	Project       string `json:"project"`
	ProjectFile   string `json:"project_file"`
	File          string `json:"file"`
	Line          int    `json:"line"`
	Column        int    `json:"column"`
	Raw           string `json:"raw"`
	Category      string `json:"category"`
	ContainerPort int    `json:"container_port"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"host_ip"`
	// From is the host port published now; nil when unknown.
	From *int `json:"from"`
	// To is the port the convention gives the mapping; nil when no port of
	// its sub-range is free (Problem says so).
	To       *int         `json:"to"`
	Variable string       `json:"variable"`
	Fix      *finding.Fix `json:"-"`
	// Problem says why the move cannot be carried out ("" when it can).
	Problem string `json:"problem,omitempty"`
	// Rules are the rules whose findings ask for the move.
	Rules []string `json:"rules"`
}

// Mount is a mount of a service that holds a data directory of its image.
type Mount struct {
	Type   string `json:"type"`
	Source string `json:"source"`
	Target string `json:"target"`
	// Volume is the name docker compose gives a named volume (its name:,
	// else <project>_<key>); empty for other mounts.
	Volume string `json:"volume,omitempty"`
	Line   int    `json:"line"`
	File   string `json:"file"`
}

// Service is a database, UI or exporter of the stacks, with what a
// backup of it takes (portguard.lib.migrate.services).
type Service struct {
	Service     string  `json:"service"`
	Project     string  `json:"project"`
	ProjectFile string  `json:"project_file"`
	Category    string  `json:"category"`
	Image       string  `json:"image"`
	Family      string  `json:"family"`
	Dump        string  `json:"dump"`
	DataMounts  []Mount `json:"data_mounts"`
	// LosesData is set for a database whose data directory no volume or
	// bind mount holds: recreating its container loses the data.
	LosesData bool `json:"loses_data"`
}

// Recreate is a service whose container must be recreated for its new
// ports, and the data it keeps.
type Recreate struct {
	Project     string  `json:"project"`
	ProjectFile string  `json:"project_file"`
	Service     string  `json:"service"`
	Category    string  `json:"category"`
	Family      string  `json:"family"`
	Dump        string  `json:"dump"`
	Keeps       []Mount `json:"keeps"`
	// LosesData is set for a database whose data directory no volume or
	// bind mount holds: recreating its container would lose the data
	// (DBP601), so apply refuses.
	LosesData bool `json:"loses_data"`
	// Ports are the moves of the service.
	Ports []Port `json:"ports"`
}

// Port is a host port a service publishes before and after the move.
type Port struct {
	From          *int   `json:"from"`
	To            int    `json:"to"`
	ContainerPort int    `json:"container_port"`
	Protocol      string `json:"protocol"`
	HostIP        string `json:"host_ip"`
}

// Change is one change of a file, as fix describes it.
type Change struct {
	File   string   `json:"file"`
	Line   int      `json:"line"`
	Create bool     `json:"create,omitempty"`
	Text   string   `json:"change"`
	Rules  []string `json:"rules"`
}

// Plan is what a migration does: the moves, the files and lines that
// change, the services recreated and the volumes they keep.
type Plan struct {
	Moves []Move `json:"moves"`
	// Blocked are moves that cannot be carried out (no free port, no safe
	// rewrite); they are left out of the changes.
	Blocked []Move `json:"blocked"`
	// Suppressed are moves whose findings an exception covers.
	Suppressed []Move     `json:"suppressed"`
	Recreate   []Recreate `json:"recreate"`
	Changes    []Change   `json:"changes"`
	// Services are every database tool of the stacks (what a backup takes).
	Services []Service `json:"-"`
	// Fix is the rewrite of the files, by fix's code.
	Fix *fix.Plan `json:"-"`
}

// library is the answer of portguard.lib.migrate.
type library struct {
	Moves []struct {
		Move
		Fix *finding.Fix `json:"fix"`
	} `json:"moves"`
	Services []Service `json:"services"`
}

// Compute asks the library for the moves of doc and plans them with fix's
// code: findings and suppressed are the outcome of the check of doc (a
// move whose findings are all suppressed by exceptions stays where it is).
// root is the directory doc was loaded from.
func Compute(ctx context.Context, q Querier, root string, doc *input.Document, findings, suppressed []finding.Finding) (*Plan, error) {
	if len(doc.Errors) > 0 {
		lines := make([]string, len(doc.Errors))
		for i, e := range doc.Errors {
			lines[i] = "  " + e.Error()
		}
		// A file that cannot be read hides the ports it publishes.
		return nil, &InputError{Err: fmt.Errorf("cannot plan a migration while the input has errors; fix them first:\n%s", strings.Join(lines, "\n"))}
	}
	var lib library
	err := q.Query(ctx, doc, `{"moves": data.portguard.lib.migrate.moves, "services": data.portguard.lib.migrate.services}`, &lib)
	if err != nil {
		if errors.Is(err, engine.ErrUndefined) {
			err = errors.New("the policies define no data.portguard.lib.migrate")
		}
		return nil, err
	}
	p := &Plan{Moves: []Move{}, Blocked: []Move{}, Suppressed: []Move{}, Recreate: []Recreate{}, Changes: []Change{}, Services: lib.Services}
	var carriers []finding.Finding
	for _, lm := range lib.Moves {
		m := lm.Move
		m.Fix = lm.Fix
		m.Rules = []string{}
		if m.Problem != "" || m.Fix == nil || m.To == nil {
			p.Blocked = append(p.Blocked, m)
			continue
		}
		active := carrying(findings, m.Fix)
		if len(active) == 0 && len(carrying(suppressed, m.Fix)) > 0 {
			p.Suppressed = append(p.Suppressed, m)
			continue
		}
		for _, f := range active {
			if !slices.Contains(m.Rules, f.RuleID) {
				m.Rules = append(m.Rules, f.RuleID)
			}
		}
		slices.Sort(m.Rules)
		f := finding.Finding{RuleID: "migrate", File: m.File, Line: m.Line, Service: m.Service, Fix: m.Fix}
		if len(active) > 0 {
			f = active[0]
		}
		carriers = append(carriers, f)
		p.Moves = append(p.Moves, m)
	}
	if len(carriers) > 0 {
		fp, err := fix.Build(ctx, root, doc, carriers, q)
		if err != nil {
			return nil, &InputError{Err: err}
		}
		p.Fix = fp
		for _, f := range fp.Files {
			for _, s := range f.Steps {
				p.Changes = append(p.Changes, Change{File: f.Path, Line: s.Line, Create: f.Create, Text: s.Text, Rules: s.Rules})
			}
		}
	}
	for _, ms := range [][]Move{p.Moves, p.Blocked, p.Suppressed} {
		slices.SortStableFunc(ms, func(a, b Move) int {
			return cmp.Or(cmp.Compare(a.File, b.File), cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
		})
	}
	p.Recreate = recreations(doc, p.Moves, lib.Services)
	return p, nil
}

// Services asks the library for the database tools of doc and what a
// backup of each takes. Unlike a plan it needs no clean input: a backup
// is taken also of stacks whose files do not all load.
func Services(ctx context.Context, q Querier, doc *input.Document) ([]Service, error) {
	var out []Service
	if err := q.Query(ctx, doc, "data.portguard.lib.migrate.services", &out); err != nil {
		if errors.Is(err, engine.ErrUndefined) {
			err = errors.New("the policies define no data.portguard.lib.migrate.services")
		}
		return nil, err
	}
	return out, nil
}

// carrying are the findings whose fix is fx: every finding about one
// mapping carries the same fix (policies/lib/fix.rego).
func carrying(fs []finding.Finding, fx *finding.Fix) []finding.Finding {
	var out []finding.Finding
	for _, f := range fs {
		if f.Fix != nil && sameFix(f.Fix, fx) {
			out = append(out, f)
		}
	}
	return out
}

func sameFix(a, b *finding.Fix) bool {
	return reflect.DeepEqual(nonNil(a.Edits), nonNil(b.Edits)) &&
		reflect.DeepEqual(nonNil(a.Env), nonNil(b.Env)) &&
		reflect.DeepEqual(nonNil(a.Rows), nonNil(b.Rows))
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// recreations groups the moves by service: each such service is
// recreated once, and keeps the data mounts the library lists for it.
func recreations(doc *input.Document, moves []Move, services []Service) []Recreate {
	byKey := map[[2]string]*Recreate{}
	var order [][2]string
	for _, m := range moves {
		k := [2]string{m.ProjectFile, m.Service}
		r := byKey[k]
		if r == nil {
			r = &Recreate{Project: m.Project, ProjectFile: m.ProjectFile, Service: m.Service, Category: m.Category, Keeps: []Mount{}}
			for _, s := range services {
				if s.ProjectFile == m.ProjectFile && s.Service == m.Service {
					r.Family, r.Dump, r.LosesData = s.Family, s.Dump, s.LosesData
					for _, mt := range s.DataMounts {
						mt.Volume = VolumeName(doc, m.Project, m.ProjectFile, mt)
						r.Keeps = append(r.Keeps, mt)
					}
				}
			}
			byKey[k] = r
			order = append(order, k)
		}
		r.Ports = append(r.Ports, Port{From: m.From, To: *m.To, ContainerPort: m.ContainerPort, Protocol: m.Protocol, HostIP: m.HostIP})
	}
	out := make([]Recreate, 0, len(order))
	for _, k := range order {
		out = append(out, *byKey[k])
	}
	slices.SortStableFunc(out, func(a, b Recreate) int {
		return cmp.Or(cmp.Compare(a.Project, b.Project), cmp.Compare(a.Service, b.Service))
	})
	return out
}

// VolumeName is the name docker compose gives the named volume a mount
// refers to: the top-level volume's name: when it has one (or it is
// external), else <project>_<key>. Empty for a mount that is no named
// volume.
func VolumeName(doc *input.Document, project, projectFile string, m Mount) string {
	if m.Type != "volume" {
		return ""
	}
	for _, v := range doc.Volumes {
		if v.ProjectFile == projectFile && v.Key == m.Source {
			if v.Name != "" {
				return v.Name
			}
			return project + "_" + v.Key
		}
	}
	return project + "_" + m.Source
}

// InputError is a plan that cannot be made from the input (input errors,
// fixes that conflict): exit 2.
type InputError struct{ Err error }

func (e *InputError) Error() string { return e.Err.Error() }
func (e *InputError) Unwrap() error { return e.Err }

// MarshalJSON keeps the output stable: the plan's version first.
func (p *Plan) MarshalJSON() ([]byte, error) {
	type plain Plan
	return json.Marshal(struct {
		Version int `json:"version"`
		*plain
	}{1, (*plain)(p)})
}
