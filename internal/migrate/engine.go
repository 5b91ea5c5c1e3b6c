package migrate

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
)

// Engine is what backups and migrations ask the Docker engine
// (*docker.Client): every call runs under the adapter's timeouts.
type Engine interface {
	Containers(ctx context.Context, o docker.ListOptions) ([]docker.Container, error)
	Container(ctx context.Context, id string) (docker.Container, error)
	Volume(ctx context.Context, name string) (docker.Volume, error)
	VolumeSizes(ctx context.Context) (map[string]int64, error)
	Exec(ctx context.Context, id string, o docker.ExecOptions) (docker.ExecResult, error)
	CreateContainer(ctx context.Context, o docker.CreateOptions) (string, error)
	RemoveContainer(ctx context.Context, id string) error
	CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, docker.PathStat, error)
	CopyTo(ctx context.Context, id, dir string, archive io.Reader) error
}

// Compose is what migrations ask the compose command line (*compose.CLI).
type Compose interface {
	Run(ctx context.Context, p compose.Project, args ...string) (compose.Output, error)
	V2() bool
}

// LabelEnvFiles is the label Compose v2 puts on containers started with
// --env-file.
const LabelEnvFiles = "com.docker.compose.project.environment_file"

// volumeMount is where portguard's archive containers mount a volume: the
// archive's entries are under its base name.
const volumeMount = "/portguard-volume"

// stackContainers are the compose containers of the engine, listed once.
type stackContainers []docker.Container

func listStack(ctx context.Context, eng Engine) (stackContainers, error) {
	return eng.Containers(ctx, docker.ListOptions{All: true, Labels: []string{docker.LabelProject}})
}

// of finds the containers of a service of the files under root: the
// containers compose labelled with its project and service; renamed are
// containers of the service started from its compose file under another
// project name (the files were renamed since, or started with -p).
func (all stackContainers) of(root, project, projectFile, service string) (found, renamed []docker.Container) {
	file := realPath(filepath.Join(root, filepath.FromSlash(projectFile)))
	for _, c := range all {
		if c.Labels[docker.LabelService] != service || c.Labels[docker.LabelOneoff] == "True" {
			continue
		}
		if c.Labels[docker.LabelProject] == project {
			found = append(found, c)
			continue
		}
		for _, f := range configFiles(c) {
			if realPath(f) == file {
				renamed = append(renamed, c)
			}
		}
	}
	return found, renamed
}

func running(cs []docker.Container) []docker.Container {
	var out []docker.Container
	for _, c := range cs {
		if c.Running() {
			out = append(out, c)
		}
	}
	return out
}

func configFiles(c docker.Container) []string {
	var out []string
	for _, f := range strings.Split(c.Labels[docker.LabelConfigFiles], ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func realPath(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		p = abs
	}
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// invocation is how compose started a container, from its labels: the
// project name, its directory, its files and env files. Recreating with
// it keeps the project and its volumes.
func invocation(c docker.Container) compose.Project {
	l := c.Labels
	p := compose.Project{Name: l[docker.LabelProject], Dir: l[docker.LabelWorkingDir], Files: configFiles(c)}
	for _, f := range strings.Split(l[LabelEnvFiles], ",") {
		if f = strings.TrimSpace(f); f == "" {
			continue
		}
		if !filepath.IsAbs(f) && p.Dir != "" {
			f = filepath.Join(p.Dir, f)
		}
		p.EnvFiles = append(p.EnvFiles, f)
	}
	return p
}

func invocationKey(p compose.Project) string {
	return strings.Join(append(append([]string{p.Name, p.Dir}, p.Files...), p.EnvFiles...), "\x00")
}

// resolved is a project as compose resolves it (`compose config`): for
// each service, the host ports it publishes by container port and the
// volume mounted at each target. compose's output carries environment
// values: only these facts are kept.
type resolved struct {
	Name     string
	Services map[string]resolvedService
}

type resolvedService struct {
	// Ports maps "5432/tcp" to the host ports published for it.
	Ports map[string][]int
	// Volumes maps a mount target to the name of the named volume there.
	Volumes map[string]string
}

// resolve runs `compose config` (JSON on Compose v2, YAML on
// docker-compose 1.x: both read as YAML).
func resolve(ctx context.Context, cli Compose, p compose.Project) (*resolved, error) {
	args := []string{"config"}
	if cli.V2() {
		args = append(args, "--format", "json")
	}
	out, err := cli.Run(ctx, p, args...)
	if err != nil {
		return nil, err
	}
	var raw struct {
		Name     string `yaml:"name"`
		Services map[string]struct {
			Ports []struct {
				Target    int    `yaml:"target"`
				Published string `yaml:"published"`
				Protocol  string `yaml:"protocol"`
			} `yaml:"ports"`
			Volumes []struct {
				Type   string `yaml:"type"`
				Source string `yaml:"source"`
				Target string `yaml:"target"`
			} `yaml:"volumes"`
		} `yaml:"services"`
		Volumes map[string]struct {
			Name string `yaml:"name"`
		} `yaml:"volumes"`
	}
	if err := yaml.Unmarshal(out.Stdout, &raw); err != nil {
		return nil, fmt.Errorf("cannot read the output of %s config: %v", strings.Join(p.Files, ", "), err)
	}
	r := &resolved{Name: raw.Name, Services: map[string]resolvedService{}}
	if r.Name == "" {
		r.Name = p.Name
	}
	for name, s := range raw.Services {
		rs := resolvedService{Ports: map[string][]int{}, Volumes: map[string]string{}}
		for _, pt := range s.Ports {
			proto := pt.Protocol
			if proto == "" {
				proto = "tcp"
			}
			if n, err := strconv.Atoi(pt.Published); err == nil {
				k := fmt.Sprintf("%d/%s", pt.Target, proto)
				rs.Ports[k] = append(rs.Ports[k], n)
			}
		}
		for _, v := range s.Volumes {
			if v.Type != "volume" || v.Source == "" {
				continue
			}
			vname := r.Name + "_" + v.Source
			if tv, ok := raw.Volumes[v.Source]; ok && tv.Name != "" {
				vname = tv.Name
			}
			rs.Volumes[v.Target] = vname
		}
		r.Services[name] = rs
	}
	return r, nil
}

// answers reports whether something serves on host:port: a connection is
// accepted and not closed at once (docker's proxy accepts while the
// container does not listen yet, then closes). A Postgres server must
// also answer an SSLRequest.
func answers(host string, port int, postgres bool) error {
	addr := net.JoinHostPort(dialHost(host), strconv.Itoa(port))
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err != nil {
		return err
	}
	defer conn.Close()
	if postgres {
		// SSLRequest: length 8, code 80877103; the server answers S or N.
		req := make([]byte, 8)
		binary.BigEndian.PutUint32(req[0:4], 8)
		binary.BigEndian.PutUint32(req[4:8], 80877103)
		_ = conn.SetDeadline(time.Now().Add(3 * time.Second))
		if _, err := conn.Write(req); err != nil {
			return err
		}
		b := make([]byte, 1)
		if _, err := io.ReadFull(conn, b); err != nil {
			return fmt.Errorf("no PostgreSQL answer on %s: %w", addr, err)
		}
		if b[0] != 'S' && b[0] != 'N' {
			return fmt.Errorf("no PostgreSQL answer on %s (got %q)", addr, b)
		}
		return nil
	}
	_ = conn.SetReadDeadline(time.Now().Add(500 * time.Millisecond))
	b := make([]byte, 1)
	_, err = conn.Read(b)
	var ne net.Error
	if err == nil || (errors.As(err, &ne) && ne.Timeout()) {
		return nil
	}
	return fmt.Errorf("%s closes the connection at once: %w", addr, err)
}

// dialHost is the address to reach a port published on host.
func dialHost(host string) string {
	switch strings.Trim(host, "[]") {
	case "", "0.0.0.0", "::":
		return "127.0.0.1"
	}
	return strings.Trim(host, "[]")
}

// waitAnswer polls answers until it succeeds or the timeout passes.
func waitAnswer(ctx context.Context, host string, port int, postgres bool, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		err := answers(host, port, postgres)
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("nothing answers on port %d after %s: %v", port, timeout, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}

// portFree reports whether a host port can be published: nothing listens
// on it on any address.
func portFree(host string, port int, proto string) bool {
	addr := net.JoinHostPort(strings.Trim(host, "[]"), strconv.Itoa(port))
	if proto == "udp" {
		c, err := net.ListenPacket("udp", addr)
		if err != nil {
			return false
		}
		c.Close()
		return true
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return false
	}
	l.Close()
	return true
}

// holderOf names the container that publishes a host port, if any.
func holderOf(all stackContainers, port int, proto string) string {
	for _, c := range all {
		if !c.Running() {
			continue
		}
		for _, p := range c.Ports {
			if p.HostPort == port && p.Protocol == proto {
				return "container " + c.Name
			}
		}
	}
	return "a process of this host"
}

// mountedVolumes maps each destination of a container to the named
// volume mounted there.
func mountedVolumes(c docker.Container) map[string]string {
	out := map[string]string{}
	for _, m := range c.Mounts {
		if m.Type == "volume" && m.Name != "" {
			out[m.Destination] = m.Name
		}
	}
	return out
}

// serviceState records a running container for a backup.
func serviceState(c docker.Container, family string) backup.ServiceState {
	inv := invocation(c)
	s := backup.ServiceState{
		Project: inv.Name, Service: c.Labels[docker.LabelService], Container: c.Name, Family: family,
		WorkingDir: inv.Dir, ConfigFiles: inv.Files, EnvFiles: inv.EnvFiles,
		Ports: []backup.PublishedPort{}, Mounts: []backup.Mount{},
	}
	for _, p := range c.Ports {
		if p.HostPort != 0 {
			s.Ports = append(s.Ports, backup.PublishedPort{HostIP: p.HostIP, HostPort: p.HostPort, ContainerPort: p.Target, Protocol: p.Protocol})
		}
	}
	for _, m := range c.Mounts {
		bm := backup.Mount{Type: m.Type, Name: m.Name, Destination: m.Destination}
		if m.Type == "bind" {
			bm.Source = m.Source
		}
		s.Mounts = append(s.Mounts, bm)
	}
	return s
}

// uniqueName is a name for a container portguard creates.
func uniqueName(what string) string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return "portguard-" + what + "-" + hex.EncodeToString(b)
}
