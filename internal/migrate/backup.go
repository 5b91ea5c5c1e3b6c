package migrate

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"path/filepath"
	"strings"
	"sync"

	"github.com/portguard/portguard/input"
	"github.com/portguard/portguard/internal/backup"
	"github.com/portguard/portguard/internal/docker"
)

// BackupOptions say what a backup of the stacks takes.
type BackupOptions struct {
	// Root is the directory the stacks were loaded from (Doc), with the
	// config file given by ConfigPath ("" for the default).
	Root       string
	ConfigPath string
	Doc        *input.Document
	// Services are the database tools of the stacks (Plan.Services).
	Services []Service
	// Dir is the backups root.
	Dir string
	// Engine, when set, adds a dump of every running service whose family
	// has a dump tool, and an archive of every database data volume; nil
	// takes the configuration files alone.
	Engine Engine
	// Sizes are the volume sizes when the caller already asked the engine
	// (docker system df takes seconds on a busy host); nil asks.
	Sizes   map[string]int64
	Reason  string
	Version string
	// Stop, when set, is called for a running container after its dump and
	// before its volumes are archived: migrate apply stops the services it
	// is about to recreate, so that their archives are consistent.
	Stop func(ctx context.Context, c docker.Container) error
}

// dumpScript runs pg_dumpall as the superuser the image was set up with
// (POSTGRES_USER, else postgres), with the password of the container's
// environment when local connections ask for one; the values never leave
// the container.
const dumpScript = `export PGPASSWORD="${PGPASSWORD:-${POSTGRES_PASSWORD:-}}"; exec pg_dumpall -U "${PGUSER:-${POSTGRES_USER:-postgres}}"`

// BackupOf loads the stacks under root as `backup create` reads them
// (files: -f, configPath: --config) and asks the library for their
// database tools: the options of a backup of them, to which the caller
// adds where it goes, the engine, the reason and the version. A file that
// cannot be read at all is an *InputError; the query's failure is the
// policies'.
func BackupOf(ctx context.Context, q Querier, root string, files []string, configPath string) (BackupOptions, error) {
	doc, err := input.Load(input.Options{Root: root, Files: files, ConfigPath: configPath})
	if err != nil {
		return BackupOptions{}, &InputError{Err: err}
	}
	services, err := Services(ctx, q, doc)
	if err != nil {
		return BackupOptions{}, err
	}
	return BackupOptions{Root: root, ConfigPath: configPath, Doc: doc, Services: services}, nil
}

// Backup takes a backup of the stacks: the configuration files and, with
// an engine, the dumps and volume archives; the caller verifies it. On
// error, the directory is the backup left without a manifest ("" when
// none was made).
func Backup(ctx context.Context, o BackupOptions) (*backup.Manifest, string, error) {
	opts, err := PrepareBackup(ctx, o)
	if err != nil {
		return nil, "", err
	}
	return backup.Create(ctx, opts)
}

// PrepareBackup is what Backup takes, without taking it: the
// configuration files and, with an engine, the running services, a dump
// stream of each running service whose family has a dump tool and an
// archive stream of each database data volume. It only reads: the engine
// is asked for its containers and volumes, and nothing runs until the
// streams are written.
func PrepareBackup(ctx context.Context, o BackupOptions) (backup.Options, error) {
	present, absent, err := backup.ConfigFiles(o.Root, o.Doc, o.ConfigPath)
	if err != nil {
		return backup.Options{}, err
	}
	opts := backup.Options{Dir: o.Dir, Root: o.Root, Config: present, Absent: absent, Reason: o.Reason, Version: o.Version}
	if o.Engine != nil {
		if err := engineParts(ctx, o, &opts); err != nil {
			return backup.Options{}, err
		}
	}
	return opts, nil
}

// BackupFailed says where a backup that failed was left: dir is what
// Backup returned with its error.
func BackupFailed(dir string, err error) error {
	if dir == "" {
		return fmt.Errorf("backup failed: %w", err)
	}
	return fmt.Errorf("backup failed, %s is left incomplete (no manifest): %w", dir, err)
}

// engineParts adds the running services, the dumps and the volume
// archives of the stacks to a backup.
func engineParts(ctx context.Context, o BackupOptions, opts *backup.Options) error {
	eng := o.Engine
	all, err := listStack(ctx, eng)
	if err != nil {
		return err
	}
	sizes := o.Sizes
	if sizes == nil {
		if sizes, err = eng.VolumeSizes(ctx); err != nil {
			return err
		}
	}
	ar := &archiver{o: o, sizes: sizes, stopped: map[string]*sync.Once{}, archived: map[string]bool{}}
	var dumps []backup.Stream
	for _, s := range o.Services {
		found, _ := all.of(o.Root, s.Project, s.ProjectFile, s.Service)
		run := running(found)
		for _, c := range run {
			opts.Services = append(opts.Services, serviceState(c, s.Family))
		}
		if s.Dump == "pg_dumpall" && len(run) > 0 {
			dumps = append(dumps, dumpStream(eng, s, run[0]))
		}
		if s.Category != "database" {
			continue
		}
		// The container that holds the volumes: a running one, else any.
		var holder *docker.Container
		if len(run) > 0 {
			holder = &run[0]
		} else if len(found) > 0 {
			holder = &found[0]
		}
		if err := ar.service(ctx, s, holder); err != nil {
			return err
		}
	}
	opts.Volumes = append(opts.Volumes, ar.volumes...)
	opts.Streams = append(dumps, ar.streams...)
	return nil
}

// archiver gathers the volume archives of a backup, each volume once.
type archiver struct {
	o     BackupOptions
	sizes map[string]int64
	// stopped stops each container once, however many volumes it mounts.
	stopped  map[string]*sync.Once
	archived map[string]bool
	volumes  []backup.Volume
	streams  []backup.Stream
}

// service adds an archive of each data volume of a database service;
// holder is its container (nil when it has none).
func (ar *archiver) service(ctx context.Context, s Service, holder *docker.Container) error {
	image := s.Image
	if holder != nil {
		image = holder.ImageID
	}
	for _, m := range s.DataMounts {
		name := ""
		if holder != nil {
			name = mountedVolumes(*holder)[m.Target]
		}
		if name == "" {
			name = VolumeName(ar.o.Doc, s.Project, s.ProjectFile, m)
		}
		if name == "" || ar.archived[name] {
			continue
		}
		if _, err := ar.o.Engine.Volume(ctx, name); err != nil {
			if docker.IsNotFound(err) {
				continue // nothing to archive: DBP804 reports a missing data volume
			}
			return err
		}
		ar.archived[name] = true
		size, ok := ar.sizes[name]
		if !ok {
			size = -1
		}
		v := backup.Volume{Name: name, Size: size, Project: s.Project, Service: s.Service, Target: m.Target, Image: image}
		var stop func(context.Context) error
		if holder != nil && holder.Running() {
			v.Live = ar.o.Stop == nil
			if ar.o.Stop != nil {
				stop = ar.stopOnce(*holder)
			}
		}
		ar.volumes = append(ar.volumes, v)
		ar.streams = append(ar.streams, archiveStream(ar.o.Engine, name, image, stop))
	}
	return nil
}

// stopOnce is the Stop of the backup options for a container, called at
// most once.
func (ar *archiver) stopOnce(c docker.Container) func(context.Context) error {
	once := ar.stopped[c.ID]
	if once == nil {
		once = &sync.Once{}
		ar.stopped[c.ID] = once
	}
	return func(ctx context.Context) error {
		var err error
		once.Do(func() { err = ar.o.Stop(ctx, c) })
		return err
	}
}

func dumpStream(eng Engine, s Service, c docker.Container) backup.Stream {
	return backup.Stream{
		Path: "dumps/" + s.Project + "_" + s.Service + ".sql.gz", Kind: backup.KindDump,
		Source: s.Project + "/" + s.Service, Container: c.Name, Tool: "pg_dumpall",
		Write: func(ctx context.Context, w io.Writer) error {
			user, err := dumpUser(ctx, eng, c)
			if err != nil {
				return err
			}
			var stderr bytes.Buffer
			res, err := eng.Exec(ctx, c.ID, docker.ExecOptions{Cmd: []string{"sh", "-c", dumpScript}, User: user, Stdout: w, Stderr: &stderr})
			if err != nil {
				return err
			}
			if res.ExitCode != 0 {
				return fmt.Errorf("pg_dumpall in %s exited %d: %s", c.Name, res.ExitCode, lastLine(stderr.String()))
			}
			return nil
		},
	}
}

// dumpUser is the user pg_dumpall runs as: postgres, whose local
// connections the images trust, else the container's own user.
func dumpUser(ctx context.Context, eng Engine, c docker.Container) (string, error) {
	var last string
	for _, user := range []string{"postgres", ""} {
		res, err := eng.Exec(ctx, c.ID, docker.ExecOptions{Cmd: []string{"sh", "-c", "command -v pg_dumpall"}, User: user})
		if err != nil {
			return "", err
		}
		if res.ExitCode == 0 {
			return user, nil
		}
		last = lastLine(string(res.Stdout) + string(res.Stderr))
	}
	return "", fmt.Errorf("no pg_dumpall to run in %s: %s", c.Name, last)
}

// archiveStream reads a volume through the archive endpoint, on a
// container created (never started) from an image already present that
// mounts the volume read-only, and removed afterwards.
func archiveStream(eng Engine, name, image string, before func(context.Context) error) backup.Stream {
	return backup.Stream{
		Path: "volumes/" + name + ".tar.gz", Kind: backup.KindVolume, Source: name,
		Write: func(ctx context.Context, w io.Writer) error {
			if before != nil {
				if err := before(ctx); err != nil {
					return err
				}
			}
			return withVolume(ctx, eng, name, image, false, func(id string) error {
				rc, _, err := eng.CopyFrom(ctx, id, volumeMount)
				if err != nil {
					return err
				}
				defer rc.Close()
				_, err = io.Copy(w, rc)
				return err
			})
		},
	}
}

// withVolume runs f on a container created from image (never started)
// that mounts the volume at volumeMount, and removes the container after.
func withVolume(ctx context.Context, eng Engine, volume, image string, rw bool, f func(id string) error) error {
	if image == "" {
		return fmt.Errorf("volume %s: no image to mount it with (no container of its service exists)", volume)
	}
	id, err := eng.CreateContainer(ctx, docker.CreateOptions{
		Name: uniqueName("volume"), Image: image, Cmd: []string{"true"},
		Labels: map[string]string{"portguard.volume": volume},
		Mounts: []docker.Mount{{Type: "volume", Name: volume, Destination: volumeMount, RW: rw}},
	})
	if err != nil {
		return err
	}
	ferr := f(id)
	if err := eng.RemoveContainer(context.WithoutCancel(ctx), id); err != nil && ferr == nil {
		ferr = err
	}
	return ferr
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(lines[len(lines)-1])
}

// absFile is path p of the document, absolute.
func absFile(root, p string) string {
	return filepath.Join(root, filepath.FromSlash(p))
}
