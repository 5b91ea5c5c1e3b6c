// Package fix applies the machine fixes that the rules compute. A rule
// attaches a fix to its finding (policies/lib/fix.rego; the shape is
// finding.Fix): edits of compose scalars at their exact positions,
// variables of the root .env, rows of the convention table. This package
// decides nothing about ports: it merges the fixes of one check into a
// Plan (identical changes once; two different changes to one place, or two
// services on one new port, refuse the plan), resolves each change to a
// byte splice of its file (line and character column to byte offset,
// multi-byte characters and CRLF files included), and writes every changed
// file atomically. Comments, quoting style, key order and blank lines
// survive: every byte outside the splices stays as it was.
package fix

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/atomicfile"
	"github.com/portguard/portguard/internal/finding"
	"github.com/portguard/portguard/internal/osfile"
)

// Plan is every change that the fixes of one check make, merged and
// checked, ready to show or to write.
type Plan struct {
	// Files are the files that change, sorted by path.
	Files []*File
	// Fixed are the findings whose fixes the plan carries out.
	Fixed []finding.Finding
}

// File is one file the plan changes.
type File struct {
	// Path is relative to the checked root, with slashes.
	Path string
	Old  []byte
	New  []byte
	// Create is set when the file does not exist yet.
	Create bool
	// Steps describe the changes, in file order.
	Steps []Step
	abs   string
	// show is how --diff prints the file (see display.go).
	show display
}

// Step is one change of a file, described for --dry-run.
type Step struct {
	// Line is where the change lands in the file as it is now.
	Line  int
	Text  string
	Rules []string
}

// ConflictError is a plan that cannot be carried out: fixes that disagree
// on one place, or that would put two services on one port.
type ConflictError struct {
	Problems []string
}

func (e *ConflictError) Error() string {
	return "the fixes conflict, nothing was changed:\n  " + strings.Join(e.Problems, "\n  ") +
		"\nsettle these by hand (or with an exception), then run portguard fix again"
}

// Build merges the fixes of findings (suppressed findings must be left
// out by the caller) into a plan over the files under root. doc is the
// document the findings were computed from: fixes may only touch its
// compose files, its root .env and its convention table, and it tells
// which ports the other services keep. pol is asked whether the new ports
// collide.
func Build(ctx context.Context, root string, doc *input.Document, findings []finding.Finding, pol Policies) (*Plan, error) {
	ops, err := collect(doc, findings)
	if err != nil {
		return nil, err
	}
	if err := checkPorts(ctx, pol, doc, ops); err != nil {
		return nil, err
	}
	ws := newWorkspace(root)
	byFile, err := ops.resolve(ws)
	if err != nil {
		return nil, err
	}
	plan := &Plan{Fixed: ops.fixed}
	var problems []string
	for _, path := range slices.Sorted(maps.Keys(byFile)) {
		ss := byFile[path]
		f, _ := ws.file(path)
		data, err := applySplices(f.data, ss.splices)
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %v", path, err))
			continue
		}
		if len(ss.edits) > 0 {
			if err := checkEdits(path, data, ss.edits); err != nil {
				return nil, err
			}
		}
		if string(data) == string(f.data) {
			continue
		}
		file := &File{Path: path, Old: f.data, New: data, Create: !f.exists, abs: f.abs}
		file.show = displayOf(file, ss, ops, doc)
		for _, s := range sortedSplices(ss.splices) {
			line, _ := f.position(s.start)
			file.Steps = append(file.Steps, Step{Line: line, Text: s.desc, Rules: ops.rulesOf(s)})
		}
		plan.Files = append(plan.Files, file)
	}
	if len(problems) > 0 {
		return nil, &ConflictError{Problems: problems}
	}
	return plan, nil
}

// Apply writes every changed file atomically (a temporary file in the same
// directory, fsync, rename; permissions kept). Every change was computed
// and checked before the first write.
func (p *Plan) Apply() error {
	for _, f := range p.Files {
		if f.Create {
			if err := os.MkdirAll(filepath.Dir(f.abs), 0o755); err != nil {
				return fmt.Errorf("cannot create %s: %w", f.Path, osfile.Reason(err))
			}
		}
		if err := atomicfile.WriteFile(f.abs, f.New, 0o644); err != nil {
			return fmt.Errorf("cannot write %s: %w", f.Path, osfile.Reason(err))
		}
	}
	return nil
}

// Resolve fills in the Changes of every finding's fix: the text
// replacements it makes in the files under root as they are now, for the
// reports (SARIF fixes[]). A fix that cannot be resolved (a file changed
// since the check) keeps no changes; nothing is written.
func Resolve(root string, findings []finding.Finding) {
	ws := newWorkspace(root)
	for i := range findings {
		f := &findings[i]
		if f.Fix == nil {
			continue
		}
		o := &opSet{}
		o.add(*f)
		byFile, err := o.resolve(ws)
		if err != nil {
			continue
		}
		var changes []finding.Change
		for _, path := range slices.Sorted(maps.Keys(byFile)) {
			for _, s := range sortedSplices(byFile[path].splices) {
				changes = append(changes, s.change())
			}
		}
		f.Fix.Changes = changes
	}
}

// --- merging -----------------------------------------------------------------

type editOp struct {
	edit  finding.Edit
	rules []string
}

type envOp struct {
	set   finding.EnvSet
	rules []string
}

type rowOp struct {
	row   finding.Row
	rules []string
}

// opSet is the merged changes of several fixes, each once, in the order
// the findings ask for them.
type opSet struct {
	edits []*editOp
	env   []*envOp
	rows  []*rowOp
	fixed []finding.Finding
	seen  map[any]int // the index of the op kept for each place
}

// add keeps the changes of a finding's fix: a change that an earlier
// finding asks for too is kept once, naming both rules.
func (o *opSet) add(f finding.Finding) {
	if o.seen == nil {
		o.seen = map[any]int{}
	}
	for _, e := range f.Fix.Edits {
		if i, ok := o.keep([4]any{"edit", e.File, e.Line, e.Column}, len(o.edits)); ok {
			o.edits = append(o.edits, &editOp{e, []string{f.RuleID}})
		} else {
			o.edits[i].rules = appendRule(o.edits[i].rules, f.RuleID)
		}
	}
	for _, e := range f.Fix.Env {
		if i, ok := o.keep([3]any{"env", e.File, e.Name}, len(o.env)); ok {
			o.env = append(o.env, &envOp{e, []string{f.RuleID}})
		} else {
			o.env[i].rules = appendRule(o.env[i].rules, f.RuleID)
		}
	}
	for _, r := range f.Fix.Rows {
		key := [3]any{"row", r.File, r.Port}
		if r.Remove {
			key = [3]any{"row-remove", r.File, r.Line}
		}
		if i, ok := o.keep(key, len(o.rows)); ok {
			o.rows = append(o.rows, &rowOp{r, []string{f.RuleID}})
		} else {
			o.rows[i].rules = appendRule(o.rows[i].rules, f.RuleID)
		}
	}
	o.fixed = append(o.fixed, f)
}

// keep reports whether key is new (and records it at index next), else
// gives the index of the op kept for it.
func (o *opSet) keep(key any, next int) (int, bool) {
	if i, ok := o.seen[key]; ok {
		return i, false
	}
	o.seen[key] = next
	return next, true
}

// collect merges the fixes of findings: identical changes once, different
// changes of one place a conflict. Only the files of the document may
// change.
func collect(doc *input.Document, findings []finding.Finding) (*opSet, error) {
	compose := map[string]bool{}
	for _, f := range doc.Files {
		compose[f.Path] = true
	}
	envFiles := map[string]bool{doc.Config.EnvFile: true}
	if doc.Env.File != "" {
		envFiles[doc.Env.File] = true
	}
	tableFiles := map[string]bool{doc.Config.ConventionsFile: true}
	if doc.Conventions.File != "" {
		tableFiles[doc.Conventions.File] = true
	}

	var problems []string
	c := newConflicts()
	for _, f := range findings {
		if f.Fix == nil {
			continue
		}
		at := fmt.Sprintf("%s (%s:%d)", f.RuleID, f.File, f.Line)
		by := fmt.Sprintf("%s:%d", f.File, f.Line)
		if f.Service != "" {
			by = f.Service + ", " + by
		}
		for _, e := range f.Fix.Edits {
			if !compose[e.File] {
				problems = append(problems, fmt.Sprintf("%s: the fix edits %s, which is not a compose file of the check", at, e.File))
				continue
			}
			c.add(fmt.Sprintf("%s:%d:%d would read", e.File, e.Line, e.Column), strconv.Quote(e.Text), by, f.RuleID)
			if e.EndColumn != 0 {
				c.add(fmt.Sprintf("%s:%d:%d would end at", e.File, e.Line, e.Column), strconv.Itoa(e.EndColumn), by, f.RuleID)
			}
		}
		for _, e := range f.Fix.Env {
			if !envFiles[e.File] {
				problems = append(problems, fmt.Sprintf("%s: the fix sets %s in %s, which is not the root .env", at, e.Name, e.File))
				continue
			}
			c.add(fmt.Sprintf("%s: %s would be", e.File, e.Name), e.Value, by, f.RuleID)
		}
		for _, r := range f.Fix.Rows {
			if !tableFiles[r.File] {
				problems = append(problems, fmt.Sprintf("%s: the fix adds a row to %s, which is not the convention table", at, r.File))
				continue
			}
			if r.Remove {
				c.add(fmt.Sprintf("%s:%d: the row would", r.File, r.Line), "go", by, f.RuleID)
				continue
			}
			c.add(fmt.Sprintf("%s: the row of %d would name", r.File, r.Port), fmt.Sprintf("%s (%s, %s)", r.Service, r.EnvVar, r.Category), by, f.RuleID)
			if r.Line > 0 {
				c.add(fmt.Sprintf("%s:%d: the row would", r.File, r.Line), "move to "+strconv.Itoa(r.Port), by, f.RuleID)
			}
		}
	}
	problems = append(problems, c.problems()...)
	if len(problems) > 0 {
		return nil, &ConflictError{Problems: problems}
	}

	o := &opSet{}
	for _, f := range findings {
		if f.Fix == nil || len(f.Fix.Edits)+len(f.Fix.Env)+len(f.Fix.Rows) == 0 {
			continue
		}
		o.add(f)
	}
	return o, nil
}

// conflicts gathers, for each place a fix changes, the values the fixes
// give it and who asks for each, to name every disagreement once.
type conflicts struct {
	places []string
	values map[string][]string // place -> values, in order
	askers map[[2]string]*asker
}

type asker struct {
	by    []string // "service, file:line" of the findings
	rules []string
}

func newConflicts() *conflicts {
	return &conflicts{values: map[string][]string{}, askers: map[[2]string]*asker{}}
}

func (c *conflicts) add(place, value, by, rule string) {
	if _, ok := c.values[place]; !ok {
		c.places = append(c.places, place)
	}
	k := [2]string{place, value}
	a := c.askers[k]
	if a == nil {
		a = &asker{}
		c.askers[k] = a
		c.values[place] = append(c.values[place], value)
	}
	if !slices.Contains(a.by, by) {
		a.by = append(a.by, by)
	}
	a.rules = appendRule(a.rules, rule)
}

// problems renders each place that gets more than one value:
// `.env: RAG_REDIS_PORT would be 7029 (rag-redis, a.yml:149: DBP101, DBP203) or 7031 (rag-redis, b.yml:233: DBP101)`.
func (c *conflicts) problems() []string {
	var out []string
	for _, place := range c.places {
		values := c.values[place]
		if len(values) < 2 {
			continue
		}
		parts := make([]string, len(values))
		for i, v := range values {
			a := c.askers[[2]string{place, v}]
			parts[i] = fmt.Sprintf("%s (%s: %s)", v, strings.Join(a.by, "; "), strings.Join(a.rules, ", "))
		}
		out = append(out, place+" "+strings.Join(parts, " or "))
	}
	return out
}

func appendRule(rules []string, id string) []string {
	if slices.Contains(rules, id) {
		return rules
	}
	return append(rules, id)
}

// --- resolving ---------------------------------------------------------------

// fileSplices are the splices of one file; edits are those of compose
// scalars, checked again after they are applied.
type fileSplices struct {
	splices []splice
	edits   []scalarEdit
}

// resolve turns the changes into splices, file by file. Each op's index
// in its list is offset so that splices can name their op: edits first,
// then env, then rows.
func (o *opSet) resolve(ws *workspace) (map[string]*fileSplices, error) {
	out := map[string]*fileSplices{}
	get := func(path string) *fileSplices {
		if out[path] == nil {
			out[path] = &fileSplices{}
		}
		return out[path]
	}
	for i, op := range o.edits {
		f, err := ws.file(op.edit.File)
		if err != nil {
			return nil, err
		}
		se, err := resolveEdit(f, op.edit)
		if err != nil {
			return nil, err
		}
		if se.text == string(f.data[se.start:se.end]) {
			continue
		}
		se.ops = []int{i}
		se.seq = i
		se.what = fmt.Sprintf("%s %s:%d:%d", strings.Join(op.rules, ", "), op.edit.File, op.edit.Line, op.edit.Column)
		se.desc = fmt.Sprintf("%s -> %s", f.data[se.start:se.end], se.text)
		fs := get(op.edit.File)
		fs.splices = append(fs.splices, se.splice)
		fs.edits = append(fs.edits, se)
	}
	base := len(o.edits)
	envByFile := map[string][]int{}
	for i, op := range o.env {
		envByFile[op.set.File] = append(envByFile[op.set.File], i)
	}
	for _, path := range slices.Sorted(maps.Keys(envByFile)) {
		f, err := ws.file(path)
		if err != nil {
			return nil, err
		}
		idx := envByFile[path]
		sets := make([]finding.EnvSet, len(idx))
		for k, i := range idx {
			sets[k] = o.env[i].set
		}
		ss, err := envSplices(f, sets, func(s finding.EnvSet) string { return s.File + ": " + s.Name })
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			s.ops = remap(s.ops, idx, base)
			get(path).splices = append(get(path).splices, s)
		}
	}
	base += len(o.env)
	rowsByFile := map[string][]int{}
	for i, op := range o.rows {
		rowsByFile[op.row.File] = append(rowsByFile[op.row.File], i)
	}
	for _, path := range slices.Sorted(maps.Keys(rowsByFile)) {
		f, err := ws.file(path)
		if err != nil {
			return nil, err
		}
		idx := rowsByFile[path]
		rows := make([]finding.Row, len(idx))
		for k, i := range idx {
			rows[k] = o.rows[i].row
		}
		ss, err := rowSplices(f, rows, func(r finding.Row) string { return fmt.Sprintf("%s: the row of %d", r.File, r.Port) })
		if err != nil {
			return nil, err
		}
		for _, s := range ss {
			s.ops = remap(s.ops, idx, base)
			get(path).splices = append(get(path).splices, s)
		}
	}
	return out, nil
}

// remap turns indexes into a file's list back into op indexes.
func remap(ops, idx []int, base int) []int {
	out := make([]int, len(ops))
	for k, i := range ops {
		out[k] = base + idx[i]
	}
	return out
}

// rulesOf lists the rules whose findings ask for a splice.
func (o *opSet) rulesOf(s splice) []string {
	var rules []string
	for _, i := range s.ops {
		var rs []string
		switch {
		case i < len(o.edits):
			rs = o.edits[i].rules
		case i < len(o.edits)+len(o.env):
			rs = o.env[i-len(o.edits)].rules
		default:
			rs = o.rows[i-len(o.edits)-len(o.env)].rules
		}
		for _, r := range rs {
			rules = appendRule(rules, r)
		}
	}
	slices.Sort(rules)
	return rules
}

func sortedSplices(ss []splice) []splice {
	out := append([]splice(nil), ss...)
	sort.SliceStable(out, func(i, j int) bool {
		return cmp.Or(cmp.Compare(out[i].start, out[j].start), cmp.Compare(out[i].seq, out[j].seq)) < 0
	})
	return out
}

// --- ports -------------------------------------------------------------------

// Policies answers fix's question to the Rego library: whether the host
// ports of a plan collide (data.portguard.lib.conflicts.after_fix), so
// that whether two mappings conflict is decided in one place. An
// *engine.Engine is one.
type Policies interface {
	Query(ctx context.Context, doc any, expr string, out any) error
}

// checkPorts asks the policies whether, after the fixes, two services
// that run together publish one host port and protocol on overlapping
// host IPs where a fix is involved, or a mapping's new default and .env
// value disagree. The rules allocate distinct free ports; this is the
// second lock.
func checkPorts(ctx context.Context, pol Policies, doc *input.Document, o *opSet) error {
	type edit struct {
		File   string `json:"file"`
		Line   int    `json:"line"`
		Column int    `json:"column"`
		Port   int    `json:"port"`
	}
	plan := struct {
		Edits []edit            `json:"edits"`
		Env   map[string]string `json:"env"`
	}{Edits: []edit{}, Env: map[string]string{}}
	for _, op := range o.edits {
		plan.Edits = append(plan.Edits, edit{op.edit.File, op.edit.Line, op.edit.Column, op.edit.Port})
	}
	for _, op := range o.env {
		if op.set.File == doc.Env.File || doc.Env.File == "" {
			plan.Env[op.set.Name] = op.set.Value
		}
	}
	arg, err := json.Marshal(plan)
	if err != nil {
		return err
	}
	var problems []string
	if err := pol.Query(ctx, doc, "data.portguard.lib.conflicts.after_fix("+string(arg)+")", &problems); err != nil {
		return fmt.Errorf("cannot check the ports of the fixes: %w", err)
	}
	if len(problems) > 0 {
		return &ConflictError{Problems: problems}
	}
	return nil
}

// IsConflict reports whether err is a plan that fixes could not agree on.
func IsConflict(err error) bool {
	var c *ConflictError
	return errors.As(err, &c)
}
