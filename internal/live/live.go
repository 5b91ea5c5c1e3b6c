// Package live gathers the facts of the running host that the DBP8xx rules
// judge: every listening socket with its owner (github.com/shirou/gopsutil:
// /proc on Linux, and macOS and Windows) and, when a Docker engine answers,
// its containers and volumes (through internal/docker). Facts only, into
// input.Live. Without an engine the sockets are still listed and the facts
// say why the containers were not inspected.
package live

import (
	"cmp"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	psnet "github.com/shirou/gopsutil/v4/net"
	"github.com/shirou/gopsutil/v4/process"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/docker"
)

// DefaultTimeout bounds the whole gathering.
const DefaultTimeout = 30 * time.Second

// Engine is what the live checks ask a Docker engine (*docker.Client).
type Engine interface {
	Info(ctx context.Context) (docker.Info, error)
	Containers(ctx context.Context, o docker.ListOptions) ([]docker.Container, error)
	Volumes(ctx context.Context) ([]docker.Volume, error)
}

// Options say where to look.
type Options struct {
	// Root makes the compose files of containers relative, when inside it;
	// "" keeps them absolute.
	Root string
	// Engine is asked for containers and volumes; nil when none could be
	// made, with EngineError saying why.
	Engine      Engine
	EngineError error
	// Listeners lists the sockets; nil: the host's (Sockets).
	Listeners func(ctx context.Context) ([]input.Listener, error)
	// Timeout bounds the gathering (0: DefaultTimeout).
	Timeout time.Duration
}

// Gather returns the live facts of the host. It never fails: what could
// not be looked at is said in the facts (Listing, Docker.Error).
func Gather(ctx context.Context, o Options) *input.Live {
	d := o.Timeout
	if d <= 0 {
		d = DefaultTimeout
	}
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	l := &input.Live{Listeners: []input.Listener{}, Containers: []input.LiveContainer{}, Volumes: []input.LiveVolume{}}
	l.Host, _ = os.Hostname()
	list := o.Listeners
	if list == nil {
		list = Sockets
	}
	if ls, err := list(ctx); err != nil {
		l.ListError = err.Error()
	} else {
		l.Listing = true
		l.Listeners = ls
	}
	gatherDocker(ctx, o, l)
	return l
}

func gatherDocker(ctx context.Context, o Options, l *input.Live) {
	if o.Engine == nil {
		l.Docker.Error = "no Docker engine client"
		if o.EngineError != nil {
			l.Docker.Error = o.EngineError.Error()
		}
		return
	}
	info, err := o.Engine.Info(ctx)
	if err != nil {
		l.Docker.Error = err.Error()
		return
	}
	l.Docker.Host, l.Docker.APIVersion = info.Host, info.APIVersion
	cs, err := o.Engine.Containers(ctx, docker.ListOptions{All: true})
	if err != nil {
		l.Docker.Error = err.Error()
		return
	}
	vs, err := o.Engine.Volumes(ctx)
	if err != nil {
		l.Docker.Error = err.Error()
		return
	}
	l.Docker.Inspected = true
	root := ""
	if o.Root != "" {
		root, _ = filepath.Abs(o.Root)
	}
	usedBy := map[string][]string{}
	for _, c := range cs {
		l.Containers = append(l.Containers, containerFacts(c, root))
		for _, m := range c.Mounts {
			if m.Type == "volume" && m.Name != "" {
				usedBy[m.Name] = append(usedBy[m.Name], c.Name)
			}
		}
	}
	for _, v := range vs {
		users := usedBy[v.Name]
		sort.Strings(users)
		if users == nil {
			users = []string{}
		}
		l.Volumes = append(l.Volumes, input.LiveVolume{
			Name: v.Name, Driver: v.Driver,
			Project: v.Labels[docker.LabelProject], Key: v.Labels[docker.LabelVolume],
			Labels: input.RedactLabels(v.Labels), UsedBy: users,
		})
	}
}

func containerFacts(c docker.Container, root string) input.LiveContainer {
	repo, name, words := input.ImageFacts(c.Image)
	svc := c.Labels[docker.LabelService]
	tokens := input.Words(svc)
	if svc == "" {
		tokens = input.Words(c.Name)
	}
	id := c.ID
	if len(id) > 12 {
		id = id[:12]
	}
	f := input.LiveContainer{
		ID: id, Name: c.Name, Image: c.Image, ImageRepo: repo, ImageName: name, ImageTokens: words,
		State: c.State, Running: c.Running(),
		Project: c.Labels[docker.LabelProject], Service: svc, Tokens: tokens,
		ConfigFiles: configFiles(c.Labels[docker.LabelConfigFiles], root),
		Labels:      input.RedactLabels(c.Labels),
		Ports:       []input.LivePort{}, Mounts: []input.LiveMount{},
	}
	seen := map[input.LivePort]bool{}
	for _, p := range c.Ports {
		lp := input.LivePort{HostIP: p.HostIP, Published: p.HostPort, Target: p.Target, Protocol: p.Protocol}
		if p.HostPort == 0 || seen[lp] {
			continue // exposed, not published
		}
		seen[lp] = true
		f.Ports = append(f.Ports, lp)
	}
	for _, m := range c.Mounts {
		f.Mounts = append(f.Mounts, input.LiveMount{Type: m.Type, Name: m.Name, Destination: m.Destination})
	}
	return f
}

// configFiles splits the compose label (absolute paths, comma-separated)
// and makes the paths inside root relative to it, with slashes.
func configFiles(label, root string) []string {
	out := []string{}
	for _, f := range strings.Split(label, ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if rel, err := filepath.Rel(root, f); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && root != "" {
			f = rel
		}
		out = append(out, filepath.ToSlash(f))
	}
	return out
}

// Sockets lists the host's TCP sockets in LISTEN and bound UDP sockets, with
// the owning process where this user may see it. A process is named by its
// executable alone: its arguments may hold a password.
func Sockets(ctx context.Context) ([]input.Listener, error) {
	conns, err := psnet.ConnectionsWithContext(ctx, "inet")
	if err != nil {
		return nil, err
	}
	type key struct {
		proto, ip string
		port      uint32
	}
	best := map[key]psnet.ConnectionStat{}
	for _, c := range conns {
		proto := ""
		switch {
		case c.Type == typeStream && c.Status == "LISTEN":
			proto = "tcp"
		case c.Type == typeDgram && c.Raddr.Port == 0 && c.Laddr.Port != 0:
			proto = "udp"
		default:
			continue
		}
		k := key{proto, c.Laddr.IP, c.Laddr.Port}
		// Processes that share a socket (a server's workers): keep the
		// lowest visible pid, usually the parent.
		if prev, ok := best[k]; !ok || prev.Pid == 0 || (c.Pid != 0 && c.Pid < prev.Pid) {
			best[k] = c
		}
	}
	names := map[int32]string{}
	out := make([]input.Listener, 0, len(best))
	for k, c := range best {
		l := input.Listener{Protocol: k.proto, IP: k.ip, Port: int(k.port), PID: int(c.Pid), OwnerVisible: c.Pid > 0}
		if c.Pid > 0 {
			name, ok := names[c.Pid]
			if !ok {
				name = processName(ctx, c.Pid)
				names[c.Pid] = name
			}
			l.Command = name
			l.OwnerVisible = name != ""
		}
		out = append(out, l)
	}
	SortListeners(out)
	return out, nil
}

// Socket types as gopsutil reports them (SOCK_STREAM, SOCK_DGRAM).
const (
	typeStream = 1
	typeDgram  = 2
)

func processName(ctx context.Context, pid int32) string {
	p, err := process.NewProcessWithContext(ctx, pid)
	if err != nil {
		return ""
	}
	name, err := p.NameWithContext(ctx)
	if err != nil {
		return ""
	}
	return name
}

// SortListeners orders listeners by port, protocol and address.
func SortListeners(ls []input.Listener) {
	slices.SortStableFunc(ls, func(a, b input.Listener) int {
		return cmp.Or(cmp.Compare(a.Port, b.Port), cmp.Compare(a.Protocol, b.Protocol), cmp.Compare(a.IP, b.IP))
	})
}
