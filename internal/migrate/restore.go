package migrate

import (
	"archive/tar"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"

	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/docker"
)

// RestoreVolumeOptions say which archive goes into which volume.
type RestoreVolumeOptions struct {
	// Backup is the directory of the backup.
	Backup string
	// Volume names the volume whose archive is restored; Into the volume
	// it is restored into ("" for Volume itself).
	Volume string
	Into   string
	Engine Engine
}

// RestoredVolume is what a volume restore did.
type RestoredVolume struct {
	Backup  string `json:"backup"`
	Archive string `json:"archive"`
	Volume  string `json:"volume"`
	Entries int    `json:"entries"`
	Bytes   int64  `json:"bytes"`
}

// RestoreVolume extracts a volume archive of a verified backup into a
// volume that no running container uses and that holds nothing: portguard
// never overwrites or deletes data, so a volume that holds data is
// refused (restore into a new one with Into). An absent volume is
// created. Owners and modes of the files are kept.
func RestoreVolume(ctx context.Context, o RestoreVolumeOptions) (*RestoredVolume, error) {
	ver, err := backup.Verify(o.Backup)
	if err != nil {
		return nil, &VerifyError{Err: err}
	}
	if !ver.OK() {
		return nil, &VerifyError{Result: ver}
	}
	m := ver.Manifest
	var v *backup.Volume
	for i := range m.Volumes {
		if m.Volumes[i].Name == o.Volume && m.Volumes[i].Archive != "" {
			v = &m.Volumes[i]
		}
	}
	if v == nil {
		var names []string
		for _, x := range m.Volumes {
			if x.Archive != "" {
				names = append(names, x.Name)
			}
		}
		return nil, &InputError{Err: fmt.Errorf("backup %s holds no archive of volume %s (it holds: %v)", m.ID, o.Volume, names)}
	}
	into := o.Into
	if into == "" {
		into = o.Volume
	}
	cs, err := o.Engine.Containers(ctx, docker.ListOptions{})
	if err != nil {
		return nil, err
	}
	for _, c := range running(cs) {
		if mountsVolume(c, into) {
			return nil, &RefusedError{What: "restore", Problems: []string{fmt.Sprintf("volume %s is in use by the running container %s: stop it first", into, c.Name)}}
		}
	}
	res := &RestoredVolume{Backup: m.ID, Archive: v.Archive, Volume: into}
	err = withVolume(ctx, o.Engine, into, v.Image, true, func(id string) error {
		if err := emptyVolume(ctx, o.Engine, id, into); err != nil {
			return err
		}
		f, err := os.Open(filepath.Join(o.Backup, filepath.FromSlash(v.Archive)))
		if err != nil {
			return err
		}
		defer f.Close()
		zr, err := gzip.NewReader(f)
		if err != nil {
			return err
		}
		pr, pw := io.Pipe()
		go func() {
			pw.CloseWithError(countTar(zr, pw, res))
		}()
		// The archive's entries are under the base name of the mount point
		// it was read from: extracted at /, they land in the volume.
		err = o.Engine.CopyTo(ctx, id, "/", pr)
		pr.CloseWithError(err)
		return err
	})
	if err != nil {
		var r *RefusedError
		if errors.As(err, &r) {
			return nil, err
		}
		return nil, fmt.Errorf("restore of %s into volume %s: %w", v.Archive, into, err)
	}
	return res, nil
}

func mountsVolume(c docker.Container, name string) bool {
	for _, mt := range c.Mounts {
		if mt.Type == "volume" && mt.Name == name {
			return true
		}
	}
	return false
}

// emptyVolume refuses a volume that holds any file.
func emptyVolume(ctx context.Context, eng Engine, id, name string) error {
	rc, _, err := eng.CopyFrom(ctx, id, volumeMount)
	if err != nil {
		return err
	}
	defer rc.Close()
	tr := tar.NewReader(rc)
	root := path.Base(volumeMount)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return err
		}
		if path.Clean(h.Name) != root {
			return &RefusedError{What: "restore", Problems: []string{fmt.Sprintf("volume %s holds data (%s): portguard never overwrites or deletes data; restore into a new volume with --into NAME", name, h.Name)}}
		}
	}
}

// countTar copies a tar stream, counting its entries and the bytes of
// their content.
func countTar(r io.Reader, w io.Writer, res *RestoredVolume) error {
	tr := tar.NewReader(r)
	tw := tar.NewWriter(w)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return tw.Close()
		}
		if err != nil {
			return err
		}
		if err := tw.WriteHeader(h); err != nil {
			return err
		}
		n, err := io.Copy(tw, tr)
		if err != nil {
			return err
		}
		res.Entries++
		res.Bytes += n
	}
}
