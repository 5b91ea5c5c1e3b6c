package mcp

import (
	"context"
	"fmt"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/check"
	"github.com/portguard/portguard/internal/live"
	"github.com/portguard/portguard/internal/report"
)

// AuditInput are the arguments of the audit tool.
type AuditInput struct {
	Path           string   `json:"path,omitempty" jsonschema:"a repository root whose stacks are checked too, with DBP804 (data volume missing or unused) and DBP805 (a container publishes other ports than its compose file); without it the host alone is audited"`
	Files          []string `json:"files,omitempty" jsonschema:"compose files of path instead of discovering them"`
	Profiles       []string `json:"profiles,omitempty" jsonschema:"compose profiles to enable, as docker compose --profile: their services and those without profiles are checked, and run together; default: every service, services in disjoint profiles being alternatives"`
	FailOn         string   `json:"fail_on,omitempty" jsonschema:"lowest severity that makes summary.exit_code 1: error, warning or never"`
	ShowSuppressed bool     `json:"show_suppressed,omitempty" jsonschema:"also list the findings that exceptions suppress"`
}

func (s *Server) addAuditTool(srv *sdk.Server) {
	addTool(s, srv, &sdk.Tool{
		Name:        "audit",
		Title:       "Audit what listens on this host",
		Description: "What `portguard audit` reports: every listening socket and every container of the Docker engine against the port convention. DBP801: a process or container that is not a database tool listens in 7000-7999 (the holder named: pid and command, or container and compose project/service); DBP803: a database container publishes outside its sub-range. With path, its stacks are checked too, with DBP804 and DBP805. Returns the JSON report; live says what was looked at (listeners, containers, whether Docker answered).",
		Annotations: readOnly(),
	}, s.audit)
}

func (s *Server) audit(ctx context.Context, _ *sdk.CallToolRequest, in AuditInput) (*sdk.CallToolResult, report.JSONReport, error) {
	if err := checkFailOn(in.FailOn); err != nil {
		return nil, report.JSONReport{}, err
	}
	var doc *input.Document
	if in.Path == "" {
		if len(in.Files) > 0 {
			return nil, report.JSONReport{}, fmt.Errorf("files names compose files of a path: give the path too")
		}
		cfg, err := input.LoadConfig("", "", false)
		if err != nil {
			return nil, report.JSONReport{}, err
		}
		doc = input.EmptyDocument(cfg) // the host alone
	}
	path := pathOrDot(in.Path)
	// Without a path the live facts are gathered from "", as portguard
	// audit does: the stacks of the containers are found through their
	// compose labels, at their files' absolute paths.
	ev, err := check.Evaluate(ctx, check.Options{
		Path: path, Files: in.Files, Profiles: in.Profiles, Engine: s.opts.Engine, NewEngine: s.opts.NewEngine,
		NeedFiles: doc == nil, Doc: doc, Live: s.opts.Live(ctx, in.Path), OmitRules: live.Omitted(live.HostRules),
	})
	if err != nil {
		return nil, report.JSONReport{}, err
	}
	r := ev.Report(path, check.ReportOptions{FailOn: in.FailOn, ShowSuppressed: in.ShowSuppressed})
	return nil, report.NewJSONReport(r), nil
}
