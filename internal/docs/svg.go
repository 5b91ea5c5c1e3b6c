package docs

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/portguard/portguard/internal/finding"
)

// Mark statuses, each with its colour on the map.
const (
	StatusOK        = "ok"
	StatusViolation = "violation"
	StatusConflict  = "conflict"
)

var statusColor = map[string]string{
	StatusOK:        "#2b6cb0",
	StatusViolation: "#dd6b20",
	StatusConflict:  "#c53030",
}

// conflictRules are the findings that make a port a conflict rather than
// a violation: two services on it, or one taking another's documented port.
var conflictRules = map[string]bool{"DBP401": true, "DBP402": true}

// Band is a sub-range of the protected range.
type Band struct {
	Name     string
	From, To int
}

// Mark is one used port on the map: the services that publish it, and the
// rules whose findings point at their mappings.
type Mark struct {
	Port     int
	Services []string
	Status   string
	Rules    []string
}

// Map is what the SVG shows.
type Map struct {
	Title    string
	From, To int
	Bands    []Band
	Marks    []Mark
	// Documented are ports the convention table assigns that no service
	// publishes: drawn hollow.
	Documented []int
}

// Marks joins the table rows by port and gives each port its status from
// the findings that point at one of its mappings (or name a mapping as a
// related location, as the .env findings do).
func Marks(rows []Row, findings []finding.Finding) []Mark {
	type loc struct {
		file string
		line int
	}
	rulesAt := map[loc][]string{}
	for _, f := range findings {
		rulesAt[loc{f.File, f.Line}] = append(rulesAt[loc{f.File, f.Line}], f.RuleID)
		for _, r := range f.Related {
			rulesAt[loc{r.File, r.Line}] = append(rulesAt[loc{r.File, r.Line}], f.RuleID)
		}
	}
	byPort := map[int]*Mark{}
	var order []int
	for _, r := range rows {
		m := byPort[r.Port]
		if m == nil {
			m = &Mark{Port: r.Port, Status: StatusOK}
			byPort[r.Port] = m
			order = append(order, r.Port)
		}
		if !slices.Contains(m.Services, r.Service) {
			m.Services = append(m.Services, r.Service)
		}
		for _, at := range r.At {
			for _, id := range rulesAt[loc{at.File, at.Line}] {
				if !slices.Contains(m.Rules, id) {
					m.Rules = append(m.Rules, id)
				}
			}
		}
	}
	out := make([]Mark, 0, len(order))
	for _, p := range order {
		m := byPort[p]
		slices.Sort(m.Rules)
		switch {
		case len(m.Services) > 1 || slices.ContainsFunc(m.Rules, func(id string) bool { return conflictRules[id] }):
			m.Status = StatusConflict
		case len(m.Rules) > 0:
			m.Status = StatusViolation
		}
		out = append(out, *m)
	}
	slices.SortFunc(out, func(a, b Mark) int { return cmp.Compare(a.Port, b.Port) })
	return out
}

var bandFill = map[string]string{
	"database": "#dbeafe",
	"ui":       "#dcfce7",
	"exporter": "#fef3c7",
	"reserved": "#e5e7eb",
}

var extraFills = []string{"#fae8ff", "#e0f2fe", "#ffe4e6"}

// Layout of the map, in pixels.
const (
	mapLeft = 40
	// A port of a narrow sub-range (database, ui, exporter) gets wideScale
	// pixels, one of a wide range (reserved) or of no range narrowScale:
	// the used ports sit in the narrow ones.
	wideScale   = 2.4
	narrowScale = 0.4
	bandTop     = 52
	bandHeight  = 44
	axisY       = bandTop + bandHeight
	laneTop     = axisY + 26
	laneHeight  = 16
	charWidth   = 6.7 // of the 11px monospace labels
	labelGap    = 8
)

// scale gives the x of a port's centre, the pixels of one port there, and
// the width of the whole axis.
func scale(m Map) (x func(int) float64, at func(int) float64, width float64) {
	at = func(port int) float64 {
		for _, b := range m.Bands {
			if port >= b.From && port <= b.To && b.To-b.From < 300 {
				return wideScale
			}
		}
		return narrowScale
	}
	// starts[i] is the x where port m.From+i begins.
	starts := make([]float64, m.To-m.From+2)
	starts[0] = mapLeft
	for i := 1; i < len(starts); i++ {
		starts[i] = starts[i-1] + at(m.From+i-1)
	}
	x = func(port int) float64 {
		i := min(max(port-m.From, 0), len(starts)-2)
		return starts[i] + at(port)/2
	}
	return x, at, starts[len(starts)-1] - mapLeft
}

// label is a mark's text placed in a lane below the axis.
type label struct {
	mark  Mark
	x     float64
	width float64
	lane  int
}

// WriteSVG draws the protected range: the sub-ranges as bands, each used
// port as a mark on the axis with its label below (a leader line joins
// them), violations and conflicts in contrasting colours, and a legend.
func WriteSVG(w io.Writer, m Map) error {
	x, scaleAt, axisWidth := scale(m)
	width := float64(mapLeft*2) + axisWidth
	labels := placeLabels(m.Marks, x)
	lanes := 0
	for _, l := range labels {
		lanes = max(lanes, l.lane+1)
		width = max(width, l.x+l.width+10)
	}
	legendY := laneTop + lanes*laneHeight + 24
	height := legendY + 40

	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%.0f" height="%d" viewBox="0 0 %.0f %d" font-family="DejaVu Sans Mono, Menlo, Consolas, monospace">`+"\n", width, height, width, height)
	fmt.Fprintf(&b, "<title>%s</title>\n", esc(m.Title))
	b.WriteString(`<rect x="0" y="0" width="100%" height="100%" fill="#ffffff"/>` + "\n")
	fmt.Fprintf(&b, `<text x="%d" y="22" font-size="15" font-weight="bold" fill="#111827">%s</text>`+"\n", mapLeft, esc(m.Title))
	writeAxis(&b, m, x, scaleAt, width)
	writePorts(&b, labels, x)
	writeLegend(&b, legendY)
	_, err := io.WriteString(w, b.String())
	return err
}

// writeAxis draws the sub-ranges as bands, the hundreds above them, the
// axis, and the documented ports that nothing publishes on it.
func writeAxis(b *strings.Builder, m Map, x, scaleAt func(int) float64, width float64) {
	b.WriteString(`<g id="bands">` + "\n")
	for i, band := range m.Bands {
		fill := bandFill[band.Name]
		if fill == "" {
			fill = extraFills[i%len(extraFills)]
		}
		x0, x1 := x(band.From)-scaleAt(band.From)/2, x(band.To)+scaleAt(band.To)/2
		fmt.Fprintf(b, `<rect x="%.1f" y="%d" width="%.1f" height="%d" fill="%s" stroke="#6b7280" stroke-width="0.5"><title>%s %d-%d</title></rect>`+"\n",
			x0, bandTop, x1-x0, bandHeight, fill, esc(band.Name), band.From, band.To)
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="11" font-weight="bold" fill="#374151">%s</text>`+"\n", x0+4, bandTop+16, esc(band.Name))
		fmt.Fprintf(b, `<text x="%.1f" y="%d" font-size="10" fill="#4b5563">%d-%d</text>`+"\n", x0+4, bandTop+30, band.From, band.To)
	}
	b.WriteString("</g>\n")
	b.WriteString(`<g id="scale" font-size="10" fill="#6b7280">` + "\n")
	for p := m.From; p <= m.To+1; p += 100 {
		px := x(p) - scaleAt(p)/2
		if p > m.To {
			px = x(m.To) + scaleAt(m.To)/2
		}
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="#9ca3af" stroke-width="0.5"/>`+"\n", px, bandTop-6, px, axisY)
		if p <= m.To {
			fmt.Fprintf(b, `<text x="%.1f" y="%d">%d</text>`+"\n", px+2, bandTop-8, p)
		}
	}
	b.WriteString("</g>\n")
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%.1f" y2="%d" stroke="#111827" stroke-width="1.5"/>`+"\n", mapLeft, axisY, width-mapLeft, axisY)
	b.WriteString(`<g id="documented">` + "\n")
	for _, p := range m.Documented {
		fmt.Fprintf(b, `<circle cx="%.1f" cy="%d" r="3" fill="#ffffff" stroke="#6b7280" stroke-width="1"><title>%d: in the table, not published</title></circle>`+"\n", x(p), axisY, p)
	}
	b.WriteString("</g>\n")
}

// writePorts draws each used port: its mark on the axis, a leader line
// and its label in its lane.
func writePorts(b *strings.Builder, labels []label, x func(int) float64) {
	b.WriteString(`<g id="ports" font-size="11">` + "\n")
	for _, l := range labels {
		color := statusColor[l.mark.Status]
		px := x(l.mark.Port)
		ly := laneTop + l.lane*laneHeight
		tip := fmt.Sprintf("%d: %s (%s)", l.mark.Port, strings.Join(l.mark.Services, ", "), l.mark.Status)
		if len(l.mark.Rules) > 0 {
			tip += " " + strings.Join(l.mark.Rules, ", ")
		}
		fmt.Fprintf(b, `<g class="port %s"><title>%s</title>`, l.mark.Status, esc(tip))
		fmt.Fprintf(b, `<line x1="%.1f" y1="%d" x2="%.1f" y2="%d" stroke="%s" stroke-width="0.8"/>`, px, axisY, px, ly-4, color)
		fmt.Fprintf(b, `%s`, markShape(l.mark.Status, px, axisY, color))
		weight := ""
		if l.mark.Status != StatusOK {
			weight = ` font-weight="bold"`
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%d" fill="%s"%s>%s</text></g>`+"\n", px+3, ly, color, weight, esc(labelText(l.mark)))
	}
	b.WriteString("</g>\n")
}

// writeLegend draws the legend of the mark shapes at legendY.
func writeLegend(b *strings.Builder, legendY int) {
	b.WriteString(`<g id="legend" font-size="11" fill="#374151">` + "\n")
	lx := float64(mapLeft)
	for _, item := range []struct{ status, text string }{
		{StatusOK, "follows the convention"},
		{StatusViolation, "a rule reports the mapping"},
		{StatusConflict, "conflict: shared or taken port"},
	} {
		b.WriteString(markShape(item.status, lx+4, legendY, statusColor[item.status]))
		fmt.Fprintf(b, `<text x="%.1f" y="%d">%s</text>`+"\n", lx+12, legendY+4, item.text)
		lx += 12 + float64(len(item.text))*charWidth + 28
	}
	fmt.Fprintf(b, `<circle cx="%.1f" cy="%d" r="3" fill="#ffffff" stroke="#6b7280" stroke-width="1"/>`+"\n", lx+4, legendY)
	fmt.Fprintf(b, `<text x="%.1f" y="%d">in the table, not published</text>`+"\n", lx+12, legendY+4)
	b.WriteString("</g>\n</svg>\n")
}

// markShape is a circle for a port that follows the convention, a
// diamond for a violation and a triangle for a conflict, so the status
// reads without colour too.
func markShape(status string, x float64, y int, color string) string {
	switch status {
	case StatusViolation:
		return fmt.Sprintf(`<path d="M%.1f %d l5 5 l-5 5 l-5 -5 z" fill="%s"/>`, x, y-5, color)
	case StatusConflict:
		return fmt.Sprintf(`<path d="M%.1f %d l6 10 h-12 z" fill="%s"/>`, x, y-6, color)
	}
	return fmt.Sprintf(`<circle cx="%.1f" cy="%d" r="4" fill="%s"/>`, x, y, color)
}

// labelText is "7000 timescaledb", with every service of a shared port.
func labelText(m Mark) string {
	return fmt.Sprintf("%d %s", m.Port, strings.Join(m.Services, ", "))
}

// placeLabels puts each label in the highest lane where it fits. Labels go
// right of their mark's leader line and are placed from the highest port
// down, so a leader never crosses a label placed above it: a lane is free
// for a label when no label there overlaps it, no label above covers its
// leader, and no leader of a label placed lower crosses it.
func placeLabels(marks []Mark, x func(int) float64) []label {
	sorted := slices.Clone(marks)
	slices.SortFunc(sorted, func(a, b Mark) int { return cmp.Compare(b.Port, a.Port) })
	var placed []label
	for _, m := range sorted {
		l := label{mark: m, x: x(m.Port), width: float64(len([]rune(labelText(m))))*charWidth + 3 + labelGap}
		for lane := 0; ; lane++ {
			ok := true
			for _, p := range placed {
				switch {
				case p.lane == lane && l.x < p.x+p.width && p.x < l.x+l.width:
				case p.lane < lane && l.x >= p.x && l.x < p.x+p.width:
				case p.lane > lane && p.x >= l.x && p.x < l.x+l.width:
				default:
					continue
				}
				ok = false
				break
			}
			if ok {
				l.lane = lane
				break
			}
		}
		placed = append(placed, l)
	}
	slices.SortFunc(placed, func(a, b label) int { return cmp.Compare(a.mark.Port, b.mark.Port) })
	return placed
}

// esc escapes text for XML character data and attribute values.
func esc(s string) string {
	return strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&apos;").Replace(s)
}
