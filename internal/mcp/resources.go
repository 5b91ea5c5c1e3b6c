package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	sdk "github.com/modelcontextprotocol/go-sdk/mcp"

	"github.com/portguard/portguard/internal/finding"
)

// catalogURI is the rule catalog as one JSON resource; each rule is also
// its own Markdown resource under it.
const catalogURI = "portguard://rules"

func (s *Server) addResources(srv *sdk.Server) {
	srv.AddResource(&sdk.Resource{
		URI: catalogURI, Name: "rules", Title: "portguard rule catalog", MIMEType: "application/json",
		Description: "Every rule: id, severity, title, description, remediation, help_uri, tags (what `portguard rules --format json` prints).",
	}, func(context.Context, *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
		b, err := json.MarshalIndent(s.rules, "", "  ")
		if err != nil {
			return nil, err
		}
		return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: catalogURI, MIMEType: "application/json", Text: string(b)}}}, nil
	})
	for _, r := range s.rules {
		uri := catalogURI + "/" + r.ID
		srv.AddResource(&sdk.Resource{
			URI: uri, Name: r.ID, Title: r.ID + ": " + r.Title, MIMEType: "text/markdown",
			Description: fmt.Sprintf("%s (%s): %s", r.ID, r.Severity, r.Title),
		}, func(context.Context, *sdk.ReadResourceRequest) (*sdk.ReadResourceResult, error) {
			return &sdk.ReadResourceResult{Contents: []*sdk.ResourceContents{{URI: uri, MIMEType: "text/markdown", Text: ruleMarkdown(r)}}}, nil
		})
	}
}

// ruleMarkdown is one rule's page: what `portguard rules --format markdown`
// says of it.
func ruleMarkdown(r finding.Rule) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# %s: %s\n\nSeverity: %s", r.ID, r.Title, r.Severity)
	if len(r.Tags) > 0 {
		fmt.Fprintf(&b, "; tags: %s", strings.Join(r.Tags, ", "))
	}
	fmt.Fprintf(&b, "\n\n%s\n\n**Fix:** %s\n", strings.TrimSpace(r.Description), r.Remediation)
	if r.HelpURI != "" {
		fmt.Fprintf(&b, "\nMore: %s\n", r.HelpURI)
	}
	return b.String()
}
