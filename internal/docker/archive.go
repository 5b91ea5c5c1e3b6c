package docker

import (
	"context"
	"fmt"
	"io"
	"maps"
	"time"

	"github.com/moby/moby/api/types/container"
	"github.com/moby/moby/api/types/mount"
	"github.com/moby/moby/client"
)

// CreateOptions describe a container that is created and never started: a
// handle on volumes for the archive endpoint.
type CreateOptions struct {
	// Name, when set, names the container (prefix it with something unique).
	Name  string
	Image string
	// Cmd is recorded with the container (it never runs); an image
	// without a default command needs one.
	Cmd    []string
	Labels map[string]string
	Mounts []Mount // Type "volume" (Name) or "bind" (Source); Destination; RW
}

// CreateContainer creates a container without starting it, labelled
// CreatedLabel so that RemoveContainer may remove it later. It returns the
// container's id.
func (c *Client) CreateContainer(ctx context.Context, o CreateOptions) (string, error) {
	ctx, cancel := c.short(ctx)
	defer cancel()
	labels := maps.Clone(o.Labels)
	if labels == nil {
		labels = map[string]string{}
	}
	labels[CreatedLabel] = "true"
	var mounts []mount.Mount
	for _, m := range o.Mounts {
		src := m.Source
		if m.Type == string(mount.TypeVolume) && m.Name != "" {
			src = m.Name
		}
		mounts = append(mounts, mount.Mount{Type: mount.Type(m.Type), Source: src, Target: m.Destination, ReadOnly: !m.RW})
	}
	res, err := c.api.ContainerCreate(ctx, client.ContainerCreateOptions{
		Name:       o.Name,
		Config:     &container.Config{Image: o.Image, Cmd: o.Cmd, Labels: labels},
		HostConfig: &container.HostConfig{Mounts: mounts, NetworkMode: "none"},
	})
	if err != nil {
		return "", c.wrap(fmt.Errorf("create container from %s: %w", o.Image, err))
	}
	return res.ID, nil
}

// RemoveContainer removes a container that CreateContainer made (and its
// anonymous volumes, never a named one). Any other container is refused.
func (c *Client) RemoveContainer(ctx context.Context, id string) error {
	ct, err := c.Container(ctx, id)
	if err != nil {
		return err
	}
	if ct.Labels[CreatedLabel] != "true" {
		return fmt.Errorf("remove container %s: %w", ct.Name, errNotCreated)
	}
	ctx, cancel := c.short(ctx)
	defer cancel()
	if _, err := c.api.ContainerRemove(ctx, ct.ID, client.ContainerRemoveOptions{Force: true, RemoveVolumes: true}); err != nil {
		return c.wrap(fmt.Errorf("remove container %s: %w", ct.Name, err))
	}
	return nil
}

// PathStat describes a path inside a container.
type PathStat struct {
	Name  string
	Size  int64
	Mode  uint32
	Mtime time.Time
}

// CopyFrom streams a path of a container (running or not) as a tar archive
// through the archive endpoint. The caller reads and closes the archive
// within the client's StreamTimeout.
func (c *Client) CopyFrom(ctx context.Context, id, path string) (io.ReadCloser, PathStat, error) {
	ctx, cancel := c.stream(ctx, 0)
	res, err := c.api.CopyFromContainer(ctx, id, client.CopyFromContainerOptions{SourcePath: path})
	if err != nil {
		cancel()
		return nil, PathStat{}, c.wrap(fmt.Errorf("copy %s from %s: %w", path, id, err))
	}
	st := PathStat{Name: res.Stat.Name, Size: res.Stat.Size, Mode: uint32(res.Stat.Mode), Mtime: res.Stat.Mtime}
	return &cancelOnClose{ReadCloser: res.Content, cancel: cancel}, st, nil
}

// CopyTo extracts a tar archive into a directory of a container, keeping
// the owners its entries name (as docker cp -a does): restored data stays
// readable by the user its database runs as.
func (c *Client) CopyTo(ctx context.Context, id, dir string, archive io.Reader) error {
	ctx, cancel := c.stream(ctx, 0)
	defer cancel()
	if _, err := c.api.CopyToContainer(ctx, id, client.CopyToContainerOptions{DestinationPath: dir, Content: archive, CopyUIDGID: true}); err != nil {
		return c.wrap(fmt.Errorf("copy into %s of %s: %w", dir, id, err))
	}
	return nil
}

type cancelOnClose struct {
	io.ReadCloser
	cancel context.CancelFunc
}

func (r *cancelOnClose) Close() error {
	err := r.ReadCloser.Close()
	r.cancel()
	return err
}
