package live

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/compose"
	"github.com/portguard/portguard/internal/docker"
	"github.com/portguard/portguard/internal/dockertest"
)

// Real sockets on the loopback are listed with this process as their
// owner, by its executable's name.
func TestSocketsListsLoopbackListeners(t *testing.T) {
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer tcp.Close()
	udp, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	ls, err := Sockets(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	exe, _ := os.Executable()
	want := []input.Listener{
		{Protocol: "tcp", IP: "127.0.0.1", Port: tcp.Addr().(*net.TCPAddr).Port, PID: os.Getpid(), OwnerVisible: true},
		{Protocol: "udp", IP: "127.0.0.1", Port: udp.LocalAddr().(*net.UDPAddr).Port, PID: os.Getpid(), OwnerVisible: true},
	}
	for _, w := range want {
		found := false
		for _, l := range ls {
			if l.Protocol == w.Protocol && l.Port == w.Port && l.IP == w.IP {
				found = true
				name := l.Command
				l.Command = ""
				if l != w {
					t.Errorf("listener %+v, want %+v", l, w)
				}
				// The kernel keeps 15 characters of a process name.
				if base := filepath.Base(exe); name == "" || !strings.HasPrefix(base, name[:min(len(name), 15)]) {
					t.Errorf("command %q, want the test binary %q", name, base)
				}
			}
		}
		if !found {
			t.Errorf("%s %d not listed", w.Protocol, w.Port)
		}
	}
	// A connected socket is no listener.
	conn, err := net.Dial("tcp", tcp.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ls, _ = Sockets(context.Background())
	port := conn.LocalAddr().(*net.TCPAddr).Port
	for _, l := range ls {
		if l.Port == port && l.Protocol == "tcp" {
			t.Errorf("the client side of a connection is listed: %+v", l)
		}
	}
}

type fakeEngine struct {
	info       docker.Info
	err        error
	containers []docker.Container
	volumes    []docker.Volume
}

func (f *fakeEngine) Info(context.Context) (docker.Info, error) { return f.info, f.err }
func (f *fakeEngine) Containers(context.Context, docker.ListOptions) ([]docker.Container, error) {
	return f.containers, nil
}
func (f *fakeEngine) Volumes(context.Context) ([]docker.Volume, error) { return f.volumes, nil }

func noSockets(context.Context) ([]input.Listener, error) { return []input.Listener{}, nil }

// Without an engine the sockets are still listed, and the facts say why
// containers were not inspected.
func TestGatherWithoutEngine(t *testing.T) {
	l := Gather(context.Background(), Options{EngineError: errors.New("cannot reach unix:///nowhere"), Listeners: noSockets})
	if !l.Listing || l.Docker.Inspected || l.Docker.Error != "cannot reach unix:///nowhere" || len(l.Containers) != 0 {
		t.Errorf("%+v", l)
	}
	l = Gather(context.Background(), Options{Engine: &fakeEngine{err: errors.New("engine down")}, Listeners: func(context.Context) ([]input.Listener, error) {
		return nil, errors.New("no /proc")
	}})
	if l.Listing || l.ListError != "no /proc" || l.Docker.Error != "engine down" {
		t.Errorf("%+v", l)
	}
}

// Container facts: compose labels as fields, other labels redacted, ports
// published (not merely exposed), compose files relative to the root, the
// volumes with the containers that mount them.
func TestGatherContainerFacts(t *testing.T) {
	root := t.TempDir()
	e := &fakeEngine{
		info: docker.Info{Host: "unix:///var/run/docker.sock", APIVersion: "1.41"},
		containers: []docker.Container{{
			ID: "0123456789abcdef0123", Name: "shop-db-1", Image: "docker.io/library/postgres:16", State: "running",
			Labels: map[string]string{
				docker.LabelProject: "shop", docker.LabelService: "db",
				docker.LabelConfigFiles: filepath.Join(root, "compose.yml") + "," + filepath.Join(root, "compose.override.yml"),
				"portguard.category":    "database", "traefik.http.middlewares.auth.basicauth.users": "admin:$apr1$secret",
			},
			Ports: []docker.PortBinding{
				{HostIP: "0.0.0.0", HostPort: 7000, Target: 5432, Protocol: "tcp"},
				{HostIP: "0.0.0.0", HostPort: 7000, Target: 5432, Protocol: "tcp"},
				{Target: 5433, Protocol: "tcp"},
			},
			Mounts: []docker.Mount{{Type: "volume", Name: "shop_pgdata", Source: "/var/lib/docker/volumes/shop_pgdata/_data", Destination: "/var/lib/postgresql/data"}},
		}, {ID: "ff", Name: "stray", Image: "nginx", State: "exited", Labels: map[string]string{}}},
		volumes: []docker.Volume{
			{Name: "shop_pgdata", Driver: "local", Labels: map[string]string{docker.LabelProject: "shop", docker.LabelVolume: "pgdata"}},
			{Name: "orphan", Driver: "local", Labels: map[string]string{}},
		},
	}
	l := Gather(context.Background(), Options{Root: root, Engine: e, Listeners: noSockets})
	if !l.Docker.Inspected || l.Docker.APIVersion != "1.41" || len(l.Containers) != 2 {
		t.Fatalf("%+v", l)
	}
	want := input.LiveContainer{
		ID: "0123456789ab", Name: "shop-db-1", Image: "docker.io/library/postgres:16",
		ImageRepo: "postgres", ImageName: "postgres", ImageTokens: []string{"postgres"},
		State: "running", Running: true, Project: "shop", Service: "db", Tokens: []string{"db"},
		ConfigFiles: []string{"compose.yml", "compose.override.yml"},
		Labels: map[string]string{
			docker.LabelProject: input.Redacted, docker.LabelService: input.Redacted, docker.LabelConfigFiles: input.Redacted,
			"portguard.category": "database", "traefik.http.middlewares.auth.basicauth.users": input.Redacted,
		},
		Ports:  []input.LivePort{{HostIP: "0.0.0.0", Published: 7000, Target: 5432, Protocol: "tcp"}},
		Mounts: []input.LiveMount{{Type: "volume", Name: "shop_pgdata", Destination: "/var/lib/postgresql/data"}},
	}
	if !reflect.DeepEqual(l.Containers[0], want) {
		t.Errorf("container facts\n got %+v\nwant %+v", l.Containers[0], want)
	}
	if c := l.Containers[1]; c.Running || !reflect.DeepEqual(c.Tokens, []string{"stray"}) || c.Project != "" {
		t.Errorf("stray container %+v", c)
	}
	wantVols := []input.LiveVolume{
		{Name: "shop_pgdata", Driver: "local", Project: "shop", Key: "pgdata", Labels: map[string]string{docker.LabelProject: input.Redacted, docker.LabelVolume: input.Redacted}, UsedBy: []string{"shop-db-1"}},
		{Name: "orphan", Driver: "local", Labels: map[string]string{}, UsedBy: []string{}},
	}
	if !reflect.DeepEqual(l.Volumes, wantVols) {
		t.Errorf("volumes\n got %+v\nwant %+v", l.Volumes, wantVols)
	}
}

// Containers compose started on the real engine, with real labels.
func TestGatherFromEngine(t *testing.T) {
	c := dockertest.Engine(t)
	cli := dockertest.Compose(t)
	image := dockertest.ListenerImage(t)
	name := dockertest.Name(t, "gather")
	port := dockertest.FreePorts(t, 1, 0, 0)[0]
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "compose.yaml"), []byte(`name: `+name+`
services:
  cache:
    image: `+image+`
    command: ["6379"]
    labels: {portguard.category: database, owner.token: s3cret}
    ports: ["127.0.0.1:`+strconv.Itoa(port)+`:6379"]
    volumes: [data:/data]
volumes:
  data: {}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	dockertest.Up(t, cli, compose.Project{Dir: dir, Name: name})
	l := Gather(context.Background(), Options{Root: dir, Engine: c})
	if !l.Docker.Inspected {
		t.Fatalf("not inspected: %s", l.Docker.Error)
	}
	var got *input.LiveContainer
	for i := range l.Containers {
		if l.Containers[i].Project == name {
			got = &l.Containers[i]
		}
	}
	if got == nil {
		t.Fatalf("no container of project %s among %d", name, len(l.Containers))
	}
	if got.Service != "cache" || !got.Running || got.Labels["portguard.category"] != "database" || got.Labels["owner.token"] != input.Redacted ||
		!reflect.DeepEqual(got.ConfigFiles, []string{"compose.yaml"}) || got.Image != image {
		t.Errorf("container %+v", *got)
	}
	if !reflect.DeepEqual(got.Ports, []input.LivePort{{HostIP: "127.0.0.1", Published: port, Target: 6379, Protocol: "tcp"}}) {
		t.Errorf("ports %+v", got.Ports)
	}
	found := false
	for _, v := range l.Volumes {
		if v.Name == name+"_data" {
			found = v.Project == name && v.Key == "data" && reflect.DeepEqual(v.UsedBy, []string{got.Name})
		}
	}
	if !found {
		t.Errorf("volume %s_data not listed as used by %s", name, got.Name)
	}
	// docker-proxy holds the published port (as root; the owner may be
	// hidden otherwise), on the loopback address.
	held := false
	for _, s := range l.Listeners {
		held = held || (s.Port == port && s.Protocol == "tcp" && s.IP == "127.0.0.1")
	}
	if !held {
		t.Errorf("no listener on 127.0.0.1:%d for the published port", port)
	}
}
