package mcp

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/report"
	"github.com/portguard/portguard/internal/suggest"
)

// CheckInput are the arguments of the check tool.
type CheckInput struct {
	Path           string   `json:"path,omitempty" jsonschema:"the repository root to check; relative paths start at the server's working directory (default: it)"`
	Files          []string `json:"files,omitempty" jsonschema:"compose files to check instead of discovering them under path, merged as docker compose -f merges them"`
	Profiles       []string `json:"profiles,omitempty" jsonschema:"compose profiles to enable, as docker compose --profile: their services and those without profiles are checked, and run together; default: every service, services in disjoint profiles being alternatives"`
	FailOn         string   `json:"fail_on,omitempty" jsonschema:"lowest severity that makes summary.exit_code 1: error, warning or never (default: fail_on of .portguard.yaml, else error)"`
	ShowSuppressed bool     `json:"show_suppressed,omitempty" jsonschema:"also list the findings that exceptions suppress"`
}

// SuggestInput are the arguments of the suggest_port tool.
type SuggestInput struct {
	Path     string   `json:"path,omitempty" jsonschema:"the repository root whose ports count as taken (default: the server's working directory)"`
	Category string   `json:"category,omitempty" jsonschema:"sub-range to pick from: database, ui or exporter (default database)"`
	Profiles []string `json:"profiles,omitempty" jsonschema:"compose profiles to enable, as docker compose --profile: their services and those without profiles are checked, and run together; default: every service, services in disjoint profiles being alternatives"`
	BackupOf string   `json:"backup_of,omitempty" jsonschema:"a service name: suggest ports for its backups, its port + 1 first"`
	Count    int      `json:"count,omitempty" jsonschema:"how many ports (default 1)"`
}

// Suggestion is the result of suggest_port: the answer of suggest, and the
// files that could not be read (their ports could not be counted).
type Suggestion struct {
	suggest.Result
	Errors []input.InputError `json:"errors"`
}

// ExplainInput are the arguments of the explain_rule tool.
type ExplainInput struct {
	ID string `json:"id" jsonschema:"a rule id, such as DBP101"`
}

// Explanation is the result of explain_rule: the rule's METADATA and, for
// a built-in rule, a stack that breaks it with what check reports on it.
type Explanation struct {
	Rule    finding.Rule `json:"rule"`
	Example *Example     `json:"example,omitempty"`
}

func (s *Server) addTools(srv *sdk.Server) {
	addTool(s, srv, &sdk.Tool{
		Name:        "check",
		Title:       "Check compose stacks against the port convention",
		Description: "Check the docker-compose files, the root .env and PORTS-CONVENTION.md under path against the database port convention, as `portguard check` does. Returns the JSON report: findings (rule_id, severity, message, suggestion, file, line, column, related places, machine fix), input errors, unset variables and a summary with the exit code.",
		Annotations: readOnly(),
	}, s.check)
	addTool(s, srv, &sdk.Tool{
		Name:        "explain_rule",
		Title:       "Explain a rule",
		Description: "Explain a rule of the catalog by id (DBP101, ...): its title, severity, description, remediation and documentation link, and for a built-in rule an example stack that breaks it with the findings check reports on it.",
		Annotations: readOnly(),
	}, s.explainRule)
	addTool(s, srv, &sdk.Tool{
		Name:        "suggest_port",
		Title:       "Suggest free ports",
		Description: "The lowest free host ports of a category's sub-range (database 7000-7099, ui 7100-7199, exporter 7200-7299), or with backup_of the ports for a service's backups (its port + 1 first), as `portguard suggest` gives them. Free means no compose file publishes it, no backup is due to take it and PORTS-CONVENTION.md does not assign it.",
		Annotations: readOnly(),
	}, s.suggestPort)
}

func (s *Server) check(ctx context.Context, _ *sdk.CallToolRequest, in CheckInput) (*sdk.CallToolResult, report.JSONReport, error) {
	if err := checkFailOn(in.FailOn); err != nil {
		return nil, report.JSONReport{}, err
	}
	path := pathOrDot(in.Path)
	ev, err := check.Evaluate(ctx, check.Options{Path: path, Files: in.Files, Profiles: in.Profiles, Engine: s.opts.Engine, NewEngine: s.opts.NewEngine, NeedFiles: true})
	if err != nil {
		return nil, report.JSONReport{}, err
	}
	r := ev.Report(path, check.ReportOptions{FailOn: in.FailOn, ShowSuppressed: in.ShowSuppressed})
	return nil, report.NewJSONReport(r), nil
}

func (s *Server) suggestPort(ctx context.Context, _ *sdk.CallToolRequest, in SuggestInput) (*sdk.CallToolResult, Suggestion, error) {
	if in.Count < 0 {
		return nil, Suggestion{}, fmt.Errorf("count %d: give 1 or more", in.Count)
	}
	if in.Category == "" {
		in.Category = "database"
	}
	if in.Count == 0 {
		in.Count = 1
	}
	doc, eng, err := check.Load(ctx, check.Options{Path: pathOrDot(in.Path), Profiles: in.Profiles, Engine: s.opts.Engine, NewEngine: s.opts.NewEngine})
	if err != nil {
		return nil, Suggestion{}, err
	}
	res, err := suggest.Ports(ctx, eng, doc, suggest.Request{Category: in.Category, BackupOf: in.BackupOf, Count: in.Count})
	if err != nil {
		return nil, Suggestion{}, err
	}
	if res.Error != "" {
		return nil, Suggestion{}, errors.New(res.Error)
	}
	return nil, Suggestion{Result: res, Errors: doc.Errors}, nil
}

func (s *Server) explainRule(ctx context.Context, _ *sdk.CallToolRequest, in ExplainInput) (*sdk.CallToolResult, Explanation, error) {
	r, ok := s.rule(in.ID)
	if !ok {
		ids := make([]string, len(s.rules))
		for i, r := range s.rules {
			ids[i] = r.ID
		}
		return nil, Explanation{}, fmt.Errorf("no rule %q; the rules are %s", in.ID, strings.Join(ids, ", "))
	}
	ex, err := example(ctx, r.ID)
	if err != nil {
		return nil, Explanation{}, err
	}
	return nil, Explanation{Rule: r, Example: ex}, nil
}

// rule finds a rule of the catalog by id, in any case.
func (s *Server) rule(id string) (finding.Rule, bool) {
	for _, r := range s.rules {
		if strings.EqualFold(r.ID, strings.TrimSpace(id)) {
			return r, true
		}
	}
	return finding.Rule{}, false
}

// checkFailOn refuses a fail level the reports do not know.
func checkFailOn(level string) error {
	if level != "" && !slices.Contains(input.FailLevels, level) {
		return fmt.Errorf("fail_on %q: use %s", level, strings.Join(input.FailLevels, ", "))
	}
	return nil
}

func pathOrDot(p string) string {
	if p == "" {
		return "."
	}
	return p
}
