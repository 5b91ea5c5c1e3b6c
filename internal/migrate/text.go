package migrate

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteText prints the plan for a person: each service that moves with
// its ports, the data it keeps, the files and lines that change, and what
// cannot move.
func (p *Plan) WriteText(w io.Writer) error {
	var b strings.Builder
	if len(p.Moves) == 0 {
		b.WriteString("nothing to migrate: every database, UI and exporter publishes the port the convention gives it\n")
	} else {
		n := len(p.Recreate)
		fmt.Fprintf(&b, "%d %s %s:\n\n", n, plural(n, "service", "services"), plural(n, "moves", "move"))
		tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "  SERVICE\tPROJECT\tCATEGORY\tPORT\tVARIABLE\tWHERE")
		for _, m := range p.Moves {
			fmt.Fprintf(tw, "  %s\t%s\t%s\t%s -> %d\t%s\t%s:%d\n", m.Service, m.Project, m.Category, port(m.From), *m.To, m.Variable, m.File, m.Line)
		}
		tw.Flush()
		b.WriteString("\ncontainers to recreate (docker compose up -d):\n")
		for _, r := range p.Recreate {
			fmt.Fprintf(&b, "  %s (project %s): %s\n", r.Service, r.Project, keeps(r))
		}
		b.WriteString("\nfiles that change:\n")
		tw = tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
		for _, c := range p.Changes {
			where := fmt.Sprintf("%s:%d", c.File, c.Line)
			if c.Create {
				where = c.File + " (new file)"
			}
			fmt.Fprintf(tw, "  %s\t%s\n", where, c.Text)
		}
		tw.Flush()
	}
	if len(p.Blocked) > 0 {
		b.WriteString("\ncannot move:\n")
		for _, m := range p.Blocked {
			fmt.Fprintf(&b, "  %s (%s:%d) on %s: %s\n", m.Service, m.File, m.Line, port(m.From), m.Problem)
		}
	}
	if len(p.Suppressed) > 0 {
		b.WriteString("\nstaying by exception:\n")
		for _, m := range p.Suppressed {
			fmt.Fprintf(&b, "  %s (%s:%d) on %s\n", m.Service, m.File, m.Line, port(m.From))
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// keeps says what data a recreated service keeps.
func keeps(r Recreate) string {
	if r.LosesData {
		return "its data directory is on no volume: recreating it would lose the data (DBP601), so apply refuses"
	}
	if len(r.Keeps) == 0 {
		return "no data volume"
	}
	var parts []string
	for _, m := range r.Keeps {
		switch m.Type {
		case "volume":
			parts = append(parts, fmt.Sprintf("volume %s at %s", m.Volume, m.Target))
		case "bind":
			parts = append(parts, fmt.Sprintf("bind mount %s at %s", m.Source, m.Target))
		default:
			parts = append(parts, fmt.Sprintf("%s volume at %s", m.Type, m.Target))
		}
	}
	return "keeps " + strings.Join(parts, ", ")
}

func port(p *int) string {
	if p == nil {
		return "an unknown port"
	}
	return fmt.Sprint(*p)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
