// Package docker is portguard's one door to the Docker Engine API: the
// containers, volumes, exec and archive calls that the live checks, backups
// and migrations need, through github.com/moby/moby/client with API version
// negotiation (engine API 1.41 and up) and DOCKER_HOST honoured. Every call
// takes a context and runs under a timeout. It returns portguard's own types,
// raw as the engine gives them: redacting labels is the caller's business.
package docker

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	cerrdefs "github.com/containerd/errdefs"
	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/network"
	"github.com/moby/moby/client"
)

// DefaultTimeout bounds each call that returns at once (list, inspect,
// create, remove). Exec and archive transfers have their own, longer bounds.
const DefaultTimeout = 10 * time.Second

// DefaultStreamTimeout bounds an exec or an archive transfer, which can move
// a whole database.
const DefaultStreamTimeout = 30 * time.Minute

// CreatedLabel marks the containers portguard creates; RemoveContainer
// removes no other.
const CreatedLabel = "portguard.created"

// Client talks to one Docker engine. Its zero value is not usable: call New.
type Client struct {
	api *client.Client
	// Timeout bounds each short call; StreamTimeout each exec and archive
	// transfer (0: DefaultTimeout, DefaultStreamTimeout).
	Timeout       time.Duration
	StreamTimeout time.Duration
}

// New returns a client of the engine that DOCKER_HOST (and DOCKER_TLS_VERIFY,
// DOCKER_CERT_PATH, DOCKER_API_VERSION) name, else the local socket. The API
// version is negotiated on the first call. Nothing is contacted yet.
func New() (*Client, error) {
	api, err := client.New(client.FromEnv)
	if err != nil {
		return nil, fmt.Errorf("docker: %w", err)
	}
	return &Client{api: api}, nil
}

// Close releases the client's connections.
func (c *Client) Close() error { return c.api.Close() }

// Host is the address of the engine, as DOCKER_HOST or the default names it.
func (c *Client) Host() string { return c.api.DaemonHost() }

func (c *Client) short(ctx context.Context) (context.Context, context.CancelFunc) {
	return withTimeout(ctx, c.Timeout, DefaultTimeout)
}

func (c *Client) stream(ctx context.Context, d time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = c.StreamTimeout
	}
	return withTimeout(ctx, d, DefaultStreamTimeout)
}

func withTimeout(ctx context.Context, d, def time.Duration) (context.Context, context.CancelFunc) {
	if d <= 0 {
		d = def
	}
	return context.WithTimeout(ctx, d)
}

// Info is what the engine says about itself.
type Info struct {
	Host string `json:"host"`
	// APIVersion is the version both sides speak (negotiated).
	APIVersion    string `json:"api_version"`
	ServerVersion string `json:"server_version"`
	OS            string `json:"os"`
}

// Info pings the engine and negotiates the API version. An error says the
// engine does not answer (or answers with an API version below 1.40).
func (c *Client) Info(ctx context.Context) (Info, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	if _, err := c.api.Ping(ctx, client.PingOptions{NegotiateAPIVersion: true}); err != nil {
		return Info{}, c.wrap(err)
	}
	v, err := c.api.ServerVersion(ctx, client.ServerVersionOptions{})
	if err != nil {
		return Info{}, c.wrap(err)
	}
	return Info{Host: c.Host(), APIVersion: c.api.ClientVersion(), ServerVersion: v.Version, OS: v.Os}, nil
}

// wrap names the engine in an error, so a user sees which one did not answer.
func (c *Client) wrap(err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("docker engine %s: %w", c.Host(), err)
}

// IsNotFound reports whether err says the container, volume or path does not
// exist.
func IsNotFound(err error) bool { return cerrdefs.IsNotFound(err) }

// Container is a container as the engine lists or inspects it.
type Container struct {
	ID   string `json:"id"`
	Name string `json:"name"` // without the leading slash
	// Image is the image as the container was created with it
	// ("postgres:16"); ImageID its content address.
	Image   string            `json:"image"`
	ImageID string            `json:"image_id"`
	State   string            `json:"state"` // running, exited, created, ...
	Labels  map[string]string `json:"labels"`
	Ports   []PortBinding     `json:"ports"`
	Mounts  []Mount           `json:"mounts"`
	Created time.Time         `json:"created"`
}

// Running reports whether the container runs (a paused or restarting one
// still holds its ports).
func (c Container) Running() bool {
	return c.State == "running" || c.State == "paused" || c.State == "restarting"
}

// Compose labels that docker compose puts on the containers and volumes it
// creates.
const (
	LabelProject     = "com.docker.compose.project"
	LabelService     = "com.docker.compose.service"
	LabelConfigFiles = "com.docker.compose.project.config_files"
	LabelWorkingDir  = "com.docker.compose.project.working_dir"
	LabelVolume      = "com.docker.compose.volume"
	LabelOneoff      = "com.docker.compose.oneoff"
)

// PortBinding is a container port and, when published, the host side.
type PortBinding struct {
	HostIP   string `json:"host_ip"`
	HostPort int    `json:"host_port"` // 0: exposed, not published
	Target   int    `json:"target"`
	Protocol string `json:"protocol"`
}

// Mount is a volume, bind mount or tmpfs of a container.
type Mount struct {
	Type        string `json:"type"` // volume, bind, tmpfs, npipe, ...
	Name        string `json:"name"` // the volume's name, for a volume
	Source      string `json:"source"`
	Destination string `json:"destination"`
	RW          bool   `json:"rw"`
}

// ListOptions filter a list of containers.
type ListOptions struct {
	// All lists stopped containers too.
	All bool
	// Labels keeps the containers that carry every one of these labels,
	// "key" or "key=value".
	Labels []string
}

// Containers lists the containers with their labels, published ports and
// mounts, sorted by name.
func (c *Client) Containers(ctx context.Context, o ListOptions) ([]Container, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	f := client.Filters{}
	if len(o.Labels) > 0 {
		f.Add("label", o.Labels...)
	}
	res, err := c.api.ContainerList(ctx, client.ContainerListOptions{All: o.All, Filters: f})
	if err != nil {
		return nil, c.wrap(err)
	}
	out := make([]Container, 0, len(res.Items))
	for _, s := range res.Items {
		out = append(out, fromSummary(s))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

func fromSummary(s container.Summary) Container {
	name := ""
	if len(s.Names) > 0 {
		name = strings.TrimPrefix(s.Names[0], "/")
	}
	ct := Container{
		ID: s.ID, Name: name, Image: s.Image, ImageID: s.ImageID,
		State: string(s.State), Labels: nonNil(s.Labels),
		Created: time.Unix(s.Created, 0).UTC(),
		Ports:   []PortBinding{}, Mounts: []Mount{},
	}
	for _, p := range s.Ports {
		ct.Ports = append(ct.Ports, PortBinding{HostIP: addr(p.IP), HostPort: int(p.PublicPort), Target: int(p.PrivatePort), Protocol: p.Type})
	}
	sortPorts(ct.Ports)
	for _, m := range s.Mounts {
		ct.Mounts = append(ct.Mounts, fromMountPoint(m))
	}
	return ct
}

func fromMountPoint(m container.MountPoint) Mount {
	return Mount{Type: string(m.Type), Name: m.Name, Source: m.Source, Destination: m.Destination, RW: m.RW}
}

func addr(a netip.Addr) string {
	if !a.IsValid() {
		return ""
	}
	return a.String()
}

func nonNil(m map[string]string) map[string]string {
	if m == nil {
		return map[string]string{}
	}
	return m
}

func sortPorts(ps []PortBinding) {
	slices.SortStableFunc(ps, func(a, b PortBinding) int {
		return cmp.Or(cmp.Compare(a.Target, b.Target), cmp.Compare(a.Protocol, b.Protocol),
			cmp.Compare(a.HostPort, b.HostPort), cmp.Compare(a.HostIP, b.HostIP))
	})
}

// Container inspects one container by id or name. A running container's
// ports are those it publishes; a stopped one's, those it was created to
// publish.
func (c *Client) Container(ctx context.Context, id string) (Container, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	res, err := c.api.ContainerInspect(ctx, id, client.ContainerInspectOptions{})
	if err != nil {
		return Container{}, c.wrap(err)
	}
	in := res.Container
	ct := Container{ID: in.ID, Name: strings.TrimPrefix(in.Name, "/"), ImageID: in.Image, Ports: []PortBinding{}, Mounts: []Mount{}, Labels: map[string]string{}}
	if in.Config != nil {
		ct.Image = in.Config.Image
		ct.Labels = nonNil(in.Config.Labels)
	}
	if in.State != nil {
		ct.State = string(in.State.Status)
	}
	if t, err := time.Parse(time.RFC3339Nano, in.Created); err == nil {
		ct.Created = t.UTC()
	}
	var ports map[string][]PortBinding
	if in.NetworkSettings != nil && len(in.NetworkSettings.Ports) > 0 {
		ports = map[string][]PortBinding{}
		for p, bs := range in.NetworkSettings.Ports {
			ports[p.String()] = bindings(int(p.Num()), string(p.Proto()), bs)
		}
	} else if in.HostConfig != nil {
		ports = map[string][]PortBinding{}
		for p, bs := range in.HostConfig.PortBindings {
			ports[p.String()] = bindings(int(p.Num()), string(p.Proto()), bs)
		}
	}
	for _, bs := range ports {
		ct.Ports = append(ct.Ports, bs...)
	}
	sortPorts(ct.Ports)
	for _, m := range in.Mounts {
		ct.Mounts = append(ct.Mounts, fromMountPoint(m))
	}
	return ct, nil
}

func bindings(target int, proto string, bs []network.PortBinding) []PortBinding {
	if len(bs) == 0 {
		return []PortBinding{{Target: target, Protocol: proto}}
	}
	out := make([]PortBinding, 0, len(bs))
	for _, b := range bs {
		n, _ := strconv.Atoi(b.HostPort)
		out = append(out, PortBinding{HostIP: addr(b.HostIP), HostPort: n, Target: target, Protocol: proto})
	}
	return out
}

// Volume is a volume of the engine.
type Volume struct {
	Name       string            `json:"name"`
	Driver     string            `json:"driver"`
	Labels     map[string]string `json:"labels"`
	Mountpoint string            `json:"mountpoint"`
	CreatedAt  string            `json:"created_at"`
}

// Volumes lists the volumes, sorted by name.
func (c *Client) Volumes(ctx context.Context) ([]Volume, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	res, err := c.api.VolumeList(ctx, client.VolumeListOptions{})
	if err != nil {
		return nil, c.wrap(err)
	}
	out := make([]Volume, 0, len(res.Items))
	for _, v := range res.Items {
		out = append(out, Volume{Name: v.Name, Driver: v.Driver, Labels: nonNil(v.Labels), Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Volume inspects one volume; IsNotFound(err) when it does not exist.
func (c *Client) Volume(ctx context.Context, name string) (Volume, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	res, err := c.api.VolumeInspect(ctx, name, client.VolumeInspectOptions{})
	if err != nil {
		return Volume{}, c.wrap(err)
	}
	v := res.Volume
	return Volume{Name: v.Name, Driver: v.Driver, Labels: nonNil(v.Labels), Mountpoint: v.Mountpoint, CreatedAt: v.CreatedAt}, nil
}

// VolumeSizes gives the size of every volume's data as the engine
// computes it (docker system df -v), by name; -1 when the engine does not
// know it (a volume driver that does not say). Computing it walks the
// volumes, so it runs under the stream timeout.
func (c *Client) VolumeSizes(ctx context.Context) (map[string]int64, error) {
	ctx, cancel := c.stream(ctx, 0)
	defer cancel()
	var res client.DiskUsageResult
	for {
		var err error
		res, err = c.api.DiskUsage(ctx, client.DiskUsageOptions{Volumes: true, Verbose: true})
		if err == nil {
			break
		}
		// The engine computes one disk usage at a time and refuses a second
		// one meanwhile (another portguard, a docker system df): wait for it.
		if !cerrdefs.IsConflict(err) && !strings.Contains(err.Error(), "disk usage operation is already running") {
			return nil, c.wrap(err)
		}
		select {
		case <-ctx.Done():
			return nil, c.wrap(fmt.Errorf("%w (waiting for another disk usage operation of the engine)", ctx.Err()))
		case <-time.After(500 * time.Millisecond):
		}
	}
	out := map[string]int64{}
	for _, v := range res.Volumes.Items {
		out[v.Name] = -1
		if v.UsageData != nil {
			out[v.Name] = v.UsageData.Size
		}
	}
	return out, nil
}

// errNotCreated refuses to remove a container portguard did not create.
var errNotCreated = errors.New("portguard did not create it (no " + CreatedLabel + " label); it is left alone")
