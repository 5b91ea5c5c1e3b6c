package migrate

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// DefaultAnswerTimeout bounds the wait for a recreated service to answer
// on its port (a database replays its log when it starts).
const DefaultAnswerTimeout = 2 * time.Minute

// Execution says how a migration or a rollback reaches the running
// services, and where it reports its steps.
type Execution struct {
	// ConfigOnly rewrites the files without touching containers (no
	// engine needed).
	ConfigOnly bool
	// Engine and Compose reach the running stacks and recreate their
	// services (unless ConfigOnly).
	Engine  Engine
	Compose Compose
	// AnswerTimeout bounds the wait for each recreated service to answer
	// on its ports (0: DefaultAnswerTimeout).
	AnswerTimeout time.Duration
	// Version is portguard's, recorded in the backups taken.
	Version string
	// Progress, when set, receives a line per step.
	Progress io.Writer
}

// progress is where the steps are reported (nowhere when Progress is nil).
func (e Execution) progress() io.Writer {
	if e.Progress == nil {
		return io.Discard
	}
	return e.Progress
}

// answerTimeout is AnswerTimeout, or its default.
func (e Execution) answerTimeout() time.Duration {
	if e.AnswerTimeout <= 0 {
		return DefaultAnswerTimeout
	}
	return e.AnswerTimeout
}

// ApplyOptions say what to migrate and where the backup goes.
type ApplyOptions struct {
	// Root is the directory the stacks were loaded from; Files and
	// ConfigPath how (-f, --config), to load them again after the rewrite.
	Root       string
	Files      []string
	ConfigPath string
	Doc        *input.Document
	Plan       *Plan
	// Dir is the backups root.
	Dir string
	Execution
}

// ApplyResult is what a migration did.
type ApplyResult struct {
	// Backup is the ID of the verified backup taken before any change.
	Backup string `json:"backup"`
	// Files are the files rewritten.
	Files []string `json:"files"`
	// Moved are the services whose files moved them.
	Moved []Recreate `json:"moved"`
	// Recreated are the services recreated on their new ports ("project/
	// service"); NotRunning those that had no running container (their
	// new ports apply when they next start).
	Recreated  []string      `json:"recreated"`
	NotRunning []string      `json:"not_running"`
	Elapsed    time.Duration `json:"elapsed_ns"`
}

// ApplyError is a migration that failed after the backup: RolledBack says
// whether the automatic rollback returned everything to the backup.
type ApplyError struct {
	Step       string
	Err        error
	Backup     string
	RolledBack bool
	// RollbackErr is why the rollback itself failed.
	RollbackErr error
}

func (e *ApplyError) Error() string {
	msg := fmt.Sprintf("migration failed while %s: %v", e.Step, e.Err)
	switch {
	case e.RolledBack:
		msg += fmt.Sprintf("\nrolled back to backup %s: the files are as before, and so are the services", e.Backup)
	case e.RollbackErr != nil:
		msg += fmt.Sprintf("\nthe automatic rollback failed too: %v\nthe backup is %s: portguard rollback %s", e.RollbackErr, e.Backup, e.Backup)
	}
	return msg
}

func (e *ApplyError) Unwrap() error { return e.Err }

// RefusedError is a step refused before any change (the pre-flight of a
// migration, a restore into a volume in use or holding data).
type RefusedError struct {
	// What was refused ("" reads as "migration").
	What     string
	Problems []string
}

func (e *RefusedError) Error() string {
	what := e.What
	if what == "" {
		what = "migration"
	}
	return what + " refused, nothing was changed:\n  " + strings.Join(e.Problems, "\n  ")
}

// moving is a service that moves, as it runs before the migration.
type moving struct {
	r Recreate
	// running are its running containers; inv how compose started them.
	running []docker.Container
	inv     compose.Project
}

// Apply carries out a plan. With an engine: a pre-flight (each data
// volume exists, is mounted by the service's container, its size is
// recorded and not zero when a previous backup says it held data, it is
// the volume the recreated container will mount; the target ports are
// free), a verified backup (configuration, dumps, volume archives; the
// services that move are stopped after their dump, so their archives are
// consistent), the rewrite of the files with fix's code (each file
// atomically), `docker compose up -d` of the services that move, and a
// check that each answers on its new port and mounts the same volumes.
// With ConfigOnly, the backup holds the configuration files and no
// container is touched. Any failure after the backup rolls back: the
// files are restored and the services recreated as they were.
func Apply(ctx context.Context, o ApplyOptions) (*ApplyResult, error) {
	start := time.Now()
	progress := o.progress()
	p := o.Plan
	res := &ApplyResult{Files: []string{}, Moved: []Recreate{}, Recreated: []string{}, NotRunning: []string{}}
	if p == nil || p.Fix == nil || len(p.Moves) == 0 {
		return res, nil
	}
	res.Moved = p.Recreate
	if !o.ConfigOnly && (o.Engine == nil || o.Compose == nil) {
		return nil, errors.New("migrate apply needs a Docker engine and docker compose (or --config-only)")
	}

	var movers []*moving
	var sizes map[string]int64
	if !o.ConfigOnly {
		var err error
		movers, sizes, err = preflight(ctx, o, progress)
		if err != nil {
			return nil, err
		}
	}
	m, dir, err := backupBeforeApply(ctx, o, movers, sizes, progress)
	if err != nil {
		return nil, err
	}
	res.Backup = m.ID

	fail := func(step string, err error) error {
		ae := &ApplyError{Step: step, Err: err, Backup: m.ID}
		fmt.Fprintf(progress, "%s failed: rolling back to backup %s\n", step, m.ID)
		if rerr := undo(ctx, o, dir, m, movers, progress); rerr != nil {
			ae.RollbackErr = rerr
		} else {
			ae.RolledBack = true
		}
		return ae
	}
	if err := p.Fix.Apply(); err != nil {
		return nil, fail("rewriting the files", err)
	}
	for _, f := range p.Fix.Files {
		res.Files = append(res.Files, f.Path)
	}
	fmt.Fprintf(progress, "rewrote %s\n", strings.Join(res.Files, ", "))
	if err := checkRewrite(o); err != nil {
		return nil, fail("checking the rewritten files", err)
	}
	if !o.ConfigOnly {
		if err := recreate(ctx, o, movers, res, progress); err != nil {
			return nil, fail("recreating the services", err)
		}
	}
	res.Elapsed = time.Since(start)
	return res, nil
}

// backupBeforeApply takes and verifies the backup of a migration,
// stopping the services that move once they are dumped. When it fails,
// nothing was rewritten: the services it stopped are started again, and
// the error says so.
func backupBeforeApply(ctx context.Context, o ApplyOptions, movers []*moving, sizes map[string]int64, progress io.Writer) (*backup.Manifest, string, error) {
	stopped := map[string]bool{}
	bo := BackupOptions{Root: o.Root, ConfigPath: o.ConfigPath, Doc: o.Doc, Services: o.Plan.Services, Dir: o.Dir, Reason: "migrate apply", Version: o.Version}
	if !o.ConfigOnly {
		bo.Engine, bo.Sizes = o.Engine, sizes
		bo.Stop = func(ctx context.Context, c docker.Container) error {
			for _, m := range movers {
				if slices.ContainsFunc(m.running, func(rc docker.Container) bool { return rc.ID == c.ID }) {
					stopped[invocationKey(m.inv)] = true
					_, err := o.Compose.Run(ctx, m.inv, "stop", m.r.Service)
					return err
				}
			}
			return nil
		}
	}
	m, dir, err := Backup(ctx, bo)
	if err != nil {
		err = fmt.Errorf("backup failed (%s is left without a manifest): %w", dir, err)
		if len(stopped) > 0 {
			// Nothing was rewritten: starting them again is all there is to undo.
			if rerr := restart(ctx, o, movers, stopped); rerr != nil {
				return nil, "", fmt.Errorf("%w; starting the stopped services again failed too: %v", err, rerr)
			}
			return nil, "", fmt.Errorf("%w; the stopped services run again, nothing was changed", err)
		}
		return nil, "", fmt.Errorf("%w; nothing was changed", err)
	}
	ver, err := backup.Verify(dir)
	if err == nil && !ver.OK() {
		err = &VerifyError{Result: ver}
	}
	if err != nil {
		if len(stopped) > 0 {
			if rerr := restart(ctx, o, movers, stopped); rerr != nil {
				return nil, "", fmt.Errorf("backup %s fails verification: %w; starting the stopped services again failed: %v", m.ID, err, rerr)
			}
		}
		return nil, "", err
	}
	cfg, dumps, vols, bytes := m.Counts()
	fmt.Fprintf(progress, "backup %s: %s (%s), %d %s verified\n", m.ID, backup.DescribeCounts(cfg, dumps, vols), backup.HumanSize(bytes), ver.Checked, plural(ver.Checked, "file", "files"))
	return m, dir, nil
}

// preflight checks, before anything changes, that the migration can keep
// every service's data and find its ports free.
func preflight(ctx context.Context, o ApplyOptions, progress io.Writer) ([]*moving, map[string]int64, error) {
	all, err := listStack(ctx, o.Engine)
	if err != nil {
		return nil, nil, err
	}
	sizes, err := o.Engine.VolumeSizes(ctx)
	if err != nil {
		return nil, nil, err
	}
	pf := &preflightRun{o: o, all: all, sizes: sizes, configs: map[string]*resolved{}, progress: progress}
	var movers []*moving
	for _, r := range o.Plan.Recreate {
		m, err := pf.service(ctx, r)
		if err != nil {
			return nil, nil, err
		}
		if m != nil {
			movers = append(movers, m)
		}
	}
	if len(pf.problems) > 0 {
		return nil, nil, &RefusedError{Problems: pf.problems}
	}
	return movers, sizes, nil
}

// preflightRun is one pre-flight: what it asked the engine and compose,
// and the problems it found so far.
type preflightRun struct {
	o        ApplyOptions
	all      stackContainers
	sizes    map[string]int64
	configs  map[string]*resolved
	progress io.Writer
	problems []string
}

func (pf *preflightRun) problem(format string, args ...any) {
	pf.problems = append(pf.problems, fmt.Sprintf(format, args...))
}

// service checks one service that moves: it runs from these files, keeps
// its volumes and finds its new ports free. It returns the service when
// it runs (nil when it has no running container or cannot move).
func (pf *preflightRun) service(ctx context.Context, r Recreate) (*moving, error) {
	who := fmt.Sprintf("%s (project %s)", r.Service, r.Project)
	found, renamed := pf.all.of(pf.o.Root, r.Project, r.ProjectFile, r.Service)
	if len(found) == 0 && len(running(renamed)) > 0 {
		c := running(renamed)[0]
		pf.problem("%s: its container %s runs as project %s, but %s now names the project %s: recreating it would start a new project with new, empty volumes (write name: %s back, or move the stack to the new name by hand)",
			who, c.Name, c.Labels[docker.LabelProject], r.ProjectFile, r.Project, c.Labels[docker.LabelProject])
		return nil, nil
	}
	run := running(found)
	if len(run) == 0 {
		fmt.Fprintf(pf.progress, "pre-flight: %s has no running container: its files move, its new ports apply when it next starts\n", who)
		return nil, nil
	}
	if r.LosesData {
		pf.problem("%s: its data directory is on no volume (DBP601): recreating its container would lose the data", who)
		return nil, nil
	}
	m := &moving{r: r, running: run, inv: invocation(run[0])}
	for _, c := range run[1:] {
		if invocationKey(invocation(c)) != invocationKey(m.inv) {
			pf.problem("%s: its containers %s and %s were started from different files", who, run[0].Name, c.Name)
		}
	}
	if !slices.ContainsFunc(m.inv.Files, func(f string) bool { return realPath(f) == realPath(absFile(pf.o.Root, r.ProjectFile)) }) {
		pf.problem("%s: its container %s was started from %s, not from %s", who, run[0].Name, strings.Join(m.inv.Files, ", "), r.ProjectFile)
		return nil, nil
	}
	k := invocationKey(m.inv)
	cfg := pf.configs[k]
	if cfg == nil {
		var err error
		if cfg, err = resolve(ctx, pf.o.Compose, m.inv); err != nil {
			return nil, err
		}
		pf.configs[k] = cfg
	}
	kept := pf.volumes(ctx, who, r, run[0], cfg)
	var free []string
	for _, pt := range r.Ports {
		if !portFree(pt.HostIP, pt.To, pt.Protocol) {
			pf.problem("%s: port %d/%s is taken by %s", who, pt.To, pt.Protocol, holderOf(pf.all, pt.To, pt.Protocol))
			continue
		}
		free = append(free, fmt.Sprint(pt.To))
	}
	line := fmt.Sprintf("pre-flight: %s: container %s runs", who, run[0].Name)
	if len(kept) > 0 {
		line += ", mounts " + strings.Join(kept, ", ")
	}
	if len(free) > 0 {
		line += "; port " + strings.Join(free, ", ") + " free"
	}
	fmt.Fprintln(pf.progress, line)
	return m, nil
}

// volumes checks that each data volume of a service is the one compose
// would mount in the recreated container (what compose resolves now, cfg),
// exists, and is not empty when a previous backup recorded data in it. It
// returns the volumes kept, as the pre-flight line shows them.
func (pf *preflightRun) volumes(ctx context.Context, who string, r Recreate, c docker.Container, cfg *resolved) []string {
	mounted := mountedVolumes(c)
	want := cfg.Services[r.Service].Volumes
	var kept []string
	for _, keep := range r.Keeps {
		if keep.Type != "volume" {
			continue
		}
		now, next := mounted[keep.Target], want[keep.Target]
		switch {
		case next == "":
			pf.problem("%s: compose mounts no volume at %s any more", who, keep.Target)
		case now == "":
			pf.problem("%s: its container %s mounts no volume at %s; the recreated one would mount %s", who, c.Name, keep.Target, next)
		case now != next:
			pf.problem("%s: its container %s mounts volume %s at %s, but compose would now mount %s there: the recreated container would start on another (empty) volume", who, c.Name, now, keep.Target, next)
		default:
			if _, err := pf.o.Engine.Volume(ctx, now); err != nil {
				pf.problem("%s: volume %s: %v", who, now, err)
				continue
			}
			size := pf.sizes[now]
			if prev, id, ok := backup.LastVolumeSize(pf.o.Dir, now); ok && prev > 0 && size == 0 {
				pf.problem("%s: volume %s is empty, but backup %s recorded %s in it", who, now, id, backup.HumanSize(prev))
			}
			kept = append(kept, fmt.Sprintf("volume %s (%s) at %s", now, backup.HumanSize(size), keep.Target))
		}
	}
	return kept
}

// recreate runs docker compose up -d for the services that move, project
// by project, and checks each answers on its new ports with the same
// volumes.
func recreate(ctx context.Context, o ApplyOptions, movers []*moving, res *ApplyResult, progress io.Writer) error {
	for _, r := range o.Plan.Recreate {
		if !slices.ContainsFunc(movers, func(m *moving) bool { return m.r.Service == r.Service && m.r.ProjectFile == r.ProjectFile }) {
			res.NotRunning = append(res.NotRunning, r.Project+"/"+r.Service)
		}
	}
	byInv, order := groupMovers(movers)
	for _, k := range order {
		group := byInv[k]
		inv := group[0].inv
		cfg, err := resolve(ctx, o.Compose, inv)
		if err != nil {
			return err
		}
		var services []string
		for _, m := range group {
			for _, pt := range m.r.Ports {
				key := fmt.Sprintf("%d/%s", pt.ContainerPort, pt.Protocol)
				if !slices.Contains(cfg.Services[m.r.Service].Ports[key], pt.To) {
					return fmt.Errorf("%s: docker compose, as the project was started (%s), would publish %v for %s, not %d: it does not read the rewritten files the way portguard does",
						m.r.Service, describeInvocation(inv), cfg.Services[m.r.Service].Ports[key], key, pt.To)
				}
			}
			services = append(services, m.r.Service)
		}
		if _, err := o.Compose.Run(ctx, inv, append([]string{"up", "-d", "--no-deps"}, services...)...); err != nil {
			return err
		}
		fmt.Fprintf(progress, "recreated %s (project %s) with docker compose up -d\n", strings.Join(services, ", "), inv.Name)
	}
	timeout := o.answerTimeout()
	for _, m := range movers {
		c, err := checkService(ctx, o.Engine, m.inv.Name, m.r.Service, m.r.Family, portsTo(m.r), mountedVolumes(m.running[0]), timeout)
		if err != nil {
			return fmt.Errorf("%s: %w", m.r.Service, err)
		}
		fmt.Fprintf(progress, "%s answers on %s%s\n", m.r.Service, portList(portsTo(m.r)), mountsText(c))
		res.Recreated = append(res.Recreated, m.inv.Name+"/"+m.r.Service)
	}
	return nil
}

func groupMovers(movers []*moving) (map[string][]*moving, []string) {
	by := map[string][]*moving{}
	var order []string
	for _, m := range movers {
		k := invocationKey(m.inv)
		if by[k] == nil {
			order = append(order, k)
		}
		by[k] = append(by[k], m)
	}
	return by, order
}

func portsTo(r Recreate) []backup.PublishedPort {
	var out []backup.PublishedPort
	for _, p := range r.Ports {
		out = append(out, backup.PublishedPort{HostIP: p.HostIP, HostPort: p.To, ContainerPort: p.ContainerPort, Protocol: p.Protocol})
	}
	return out
}

// checkService waits until a running container of the service publishes
// every port and answers on its TCP ports, and checks it mounts the same
// named volume at each destination as before.
func checkService(ctx context.Context, eng Engine, project, service, family string, ports []backup.PublishedPort, volumes map[string]string, timeout time.Duration) (docker.Container, error) {
	deadline := time.Now().Add(timeout)
	var c docker.Container
	for {
		cs, err := eng.Containers(ctx, docker.ListOptions{Labels: []string{docker.LabelProject + "=" + project, docker.LabelService + "=" + service}})
		if err != nil {
			return c, err
		}
		cs = running(cs)
		missing := ""
		if len(cs) == 0 {
			missing = "no running container"
		} else {
			c = cs[0]
			for _, p := range ports {
				if !publishes(c, p) {
					missing = fmt.Sprintf("container %s does not publish %d/%s", c.Name, p.HostPort, p.Protocol)
				}
			}
		}
		if missing == "" {
			break
		}
		if time.Now().After(deadline) {
			return c, errors.New(missing)
		}
		select {
		case <-ctx.Done():
			return c, ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
	checked := map[string]bool{}
	for _, p := range ports {
		addr := dialHost(p.HostIP) + ":" + fmt.Sprint(p.HostPort)
		if p.Protocol != "tcp" || checked[addr] {
			continue
		}
		checked[addr] = true
		if err := waitAnswer(ctx, p.HostIP, p.HostPort, family == "postgres", time.Until(deadline)); err != nil {
			return c, err
		}
	}
	now := mountedVolumes(c)
	for dest, name := range volumes {
		if now[dest] != name {
			return c, fmt.Errorf("container %s mounts %q at %s, not volume %s as before", c.Name, now[dest], dest, name)
		}
	}
	return c, nil
}

func publishes(c docker.Container, p backup.PublishedPort) bool {
	for _, b := range c.Ports {
		if b.HostPort == p.HostPort && b.Target == p.ContainerPort && b.Protocol == p.Protocol {
			return true
		}
	}
	return false
}

// undo returns to the backup after a failed migration: the files are
// restored, and the services that moved are recreated from them (which
// also starts those stopped for the backup) and checked on their old
// ports.
func undo(ctx context.Context, o ApplyOptions, dir string, m *backup.Manifest, movers []*moving, progress io.Writer) error {
	if _, err := backup.RestoreConfig(dir, m, o.Root); err != nil {
		return err
	}
	fmt.Fprintln(progress, "restored the files")
	if o.ConfigOnly || len(movers) == 0 {
		return nil
	}
	all := map[string]bool{}
	for _, mv := range movers {
		all[invocationKey(mv.inv)] = true
	}
	if err := restart(ctx, o, movers, all); err != nil {
		return err
	}
	timeout := o.answerTimeout()
	for _, mv := range movers {
		st := serviceState(mv.running[0], mv.r.Family)
		if _, err := checkService(ctx, o.Engine, mv.inv.Name, mv.r.Service, mv.r.Family, st.Ports, mountedVolumes(mv.running[0]), timeout); err != nil {
			return fmt.Errorf("%s: %w", mv.r.Service, err)
		}
		fmt.Fprintf(progress, "%s answers on %s again\n", mv.r.Service, portList(st.Ports))
	}
	return nil
}

// restart runs docker compose up -d for the services that move, in the
// projects named by keys: it starts those stopped for the backup and
// recreates those whose files changed.
func restart(ctx context.Context, o ApplyOptions, movers []*moving, keys map[string]bool) error {
	byInv, order := groupMovers(movers)
	for _, k := range order {
		if !keys[k] {
			continue
		}
		var services []string
		for _, m := range byInv[k] {
			services = append(services, m.r.Service)
		}
		if _, err := o.Compose.Run(ctx, byInv[k][0].inv, append([]string{"up", "-d", "--no-deps"}, services...)...); err != nil {
			return err
		}
	}
	return nil
}

// checkRewrite loads the stacks again and checks that every moved mapping
// now publishes its target.
func checkRewrite(o ApplyOptions) error {
	doc, err := input.Load(input.Options{Root: o.Root, Files: o.Files, ConfigPath: o.ConfigPath})
	if err != nil {
		return err
	}
	if len(doc.Errors) > 0 {
		return fmt.Errorf("the rewritten files do not load: %s", doc.Errors[0].Error())
	}
	var problems []string
	for _, m := range o.Plan.Moves {
		if got := publishedBy(doc, m); !slices.Contains(got, *m.To) {
			problems = append(problems, fmt.Sprintf("%s (%s:%d) publishes %v for container port %d, not %d", m.Service, m.File, m.Line, got, m.ContainerPort, *m.To))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// publishedBy lists the host ports a service of the document publishes
// for the container port of a move.
func publishedBy(doc *input.Document, m Move) []int {
	var out []int
	for _, s := range doc.Services {
		if s.Name != m.Service || s.ProjectFile != m.ProjectFile {
			continue
		}
		for _, p := range s.Ports {
			if p.Target == m.ContainerPort && p.Protocol == m.Protocol && p.Effective != nil {
				out = append(out, *p.Effective)
			}
		}
	}
	return out
}

func describeInvocation(p compose.Project) string {
	parts := []string{"-p " + p.Name}
	for _, f := range p.Files {
		parts = append(parts, "-f "+f)
	}
	for _, f := range p.EnvFiles {
		parts = append(parts, "--env-file "+f)
	}
	return strings.Join(parts, " ")
}

func portList(ps []backup.PublishedPort) string {
	var parts []string
	for _, p := range ps {
		s := fmt.Sprint(p.HostPort)
		if p.Protocol != "tcp" {
			s += "/" + p.Protocol
		}
		// A port published on 0.0.0.0 and :: is one port.
		if !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	switch len(parts) {
	case 0:
		return "no published port"
	case 1:
		return "port " + parts[0]
	}
	return "ports " + strings.Join(parts, ", ")
}

func mountsText(c docker.Container) string {
	var parts []string
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Name != "" {
			parts = append(parts, fmt.Sprintf("volume %s at %s", m.Name, m.Destination))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return " and mounts " + strings.Join(parts, ", ") + " as before"
}
