// Package backup takes, verifies, lists and restores portguard's backups.
// A backup is a directory <root>/<UTC timestamp> (root: backups/ under the
// checked directory unless told otherwise) holding copies of the
// configuration files (config/), compressed database dumps (dumps/) and
// compressed volume archives (volumes/), and a manifest.json written last
// and atomically: a directory without a manifest is an incomplete backup.
// Backups hold secrets (the .env, the dumps): directories are 0700, files
// 0600, and the manifest and the log name files and sizes, never a value.
// Nothing here deletes a backup or a volume.
package backup

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/portguard/portguard/input"
)

// Names inside the backups root and a backup directory.
const (
	ManifestName = "manifest.json"
	// LogName is the log in the backups root: one JSON line per backup.
	LogName = "backups.log"
	// MarkerName marks a backups root: discovery never searches it for
	// compose or .env files (the copies would be checked as part of the
	// stacks).
	MarkerName = input.BackupsMarker
	// ManifestVersion changes when a field changes meaning or disappears.
	ManifestVersion = 1
	// idLayout is the UTC timestamp that names a backup.
	idLayout = "20060102T150405Z"
)

// DefaultRoot is the backups root under the checked directory, when the
// caller names none (--dir, dir).
const DefaultRoot = "backups"

// Root is the backups root of the stacks under path: dir, else
// path/backups. The commands and the MCP tools both ask it.
func Root(path, dir string) string {
	if dir != "" {
		return dir
	}
	return filepath.Join(path, DefaultRoot)
}

// Kinds of stored files.
const (
	KindConfig = "config"
	KindDump   = "dump"
	KindVolume = "volume"
)

// Manifest describes a backup. It never holds a secret: paths, sizes,
// checksums, names of containers and volumes.
type Manifest struct {
	Version          int       `json:"version"`
	ID               string    `json:"id"`
	Created          time.Time `json:"created"`
	PortguardVersion string    `json:"portguard_version"`
	// Root is the absolute path of the directory whose files were backed
	// up; rollback restores there.
	Root string `json:"root"`
	// Reason says what took the backup ("backup create", "migrate apply",
	// "before rollback of ID").
	Reason     string `json:"reason"`
	ConfigOnly bool   `json:"config_only"`
	Files      []File `json:"files"`
	// Absent are configuration files that did not exist when the backup
	// was taken (relative to Root): a rollback makes them absent again.
	Absent   []string       `json:"absent"`
	Volumes  []Volume       `json:"volumes"`
	Services []ServiceState `json:"services"`
}

// File is one stored file.
type File struct {
	// Path is where the file is in the backup directory, with slashes.
	Path   string    `json:"path"`
	Kind   string    `json:"kind"`
	Size   int64     `json:"size"`
	SHA256 string    `json:"sha256"`
	Time   time.Time `json:"time"`
	// Source is, for a configuration file, its path relative to Root (with
	// slashes); for a dump, project/service; for a volume archive, the
	// volume's name.
	Source string `json:"source"`
	// Mode is the permission bits of a configuration file ("0644").
	Mode string `json:"mode,omitempty"`
	// Container and Tool say which container a dump came from and what
	// made it (pg_dumpall).
	Container string `json:"container,omitempty"`
	Tool      string `json:"tool,omitempty"`
}

// Volume is a volume the backup recorded, archived or not.
type Volume struct {
	Name string `json:"name"`
	// Size is the size of the volume's data as the engine reports it, in
	// bytes; -1 when the engine does not know it.
	Size int64 `json:"size"`
	// Archive is the path of its archive in the backup ("" when none).
	Archive string `json:"archive,omitempty"`
	// Project and Service use the volume, mounted at Target.
	Project string `json:"project"`
	Service string `json:"service"`
	Target  string `json:"target"`
	// Live is set when a running container used the volume while it was
	// archived: the archive is a file copy of a running database, and the
	// dump is the consistent copy.
	Live bool `json:"live"`
	// Image is the image the archive was read with (one that was present
	// on the engine): backup restore uses it again.
	Image string `json:"image,omitempty"`
}

// ServiceState is a running service when the backup was taken: how it
// was started, the ports it published and what it mounted. Rollback
// recreates it and checks the ports answer again.
type ServiceState struct {
	Project   string `json:"project"`
	Service   string `json:"service"`
	Container string `json:"container"`
	// Family is the database family of its image ("postgres"): how a
	// check knows it answers.
	Family      string          `json:"family,omitempty"`
	WorkingDir  string          `json:"working_dir"`
	ConfigFiles []string        `json:"config_files"`
	EnvFiles    []string        `json:"env_files,omitempty"`
	Ports       []PublishedPort `json:"ports"`
	Mounts      []Mount         `json:"mounts"`
}

// PublishedPort is a host port a container published.
type PublishedPort struct {
	HostIP        string `json:"host_ip"`
	HostPort      int    `json:"host_port"`
	ContainerPort int    `json:"container_port"`
	Protocol      string `json:"protocol"`
}

// Mount is a volume or bind mount of a container.
type Mount struct {
	Type        string `json:"type"`
	Name        string `json:"name,omitempty"`
	Source      string `json:"source,omitempty"`
	Destination string `json:"destination"`
}

// Counts summarises the stored files of a manifest.
func (m *Manifest) Counts() (config, dumps, volumes int, bytes int64) {
	for _, f := range m.Files {
		switch f.Kind {
		case KindConfig:
			config++
		case KindDump:
			dumps++
		case KindVolume:
			volumes++
		}
		bytes += f.Size
	}
	return
}

// DescribeCounts says what a backup holds: "3 configuration files, 1
// dump, 1 volume archive".
func DescribeCounts(config, dumps, volumes int) string {
	parts := []string{fmt.Sprintf("%d configuration %s", config, plural(config, "file", "files"))}
	if dumps > 0 {
		parts = append(parts, fmt.Sprintf("%d %s", dumps, plural(dumps, "dump", "dumps")))
	}
	if volumes > 0 {
		parts = append(parts, fmt.Sprintf("%d volume %s", volumes, plural(volumes, "archive", "archives")))
	}
	return strings.Join(parts, ", ")
}

// HumanSize renders a number of bytes: 577 B, 4.4 MiB.
func HumanSize(n int64) string {
	switch {
	case n < 0:
		return "an unknown size"
	case n < 1<<10:
		return fmt.Sprintf("%d B", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	case n < 1<<30:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	}
	return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Dir is the directory of a backup.
func Dir(root, id string) string { return filepath.Join(root, id) }

// Resolve finds the directory of backup id: a name under the backups
// root, or the path of a backup directory.
func Resolve(root, id string) (string, error) {
	if id == "" {
		return "", errors.New("no backup ID given (portguard backup list shows them)")
	}
	dir := id
	if !strings.ContainsAny(id, `/\`) && id != "." && id != ".." {
		dir = filepath.Join(root, id)
	}
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("no backup %s in %s (portguard backup list shows them)", id, root)
		}
		return "", err
	}
	if !st.IsDir() {
		return "", fmt.Errorf("%s is not a backup directory", dir)
	}
	return dir, nil
}

// ReadManifest reads the manifest of the backup in dir.
func ReadManifest(dir string) (*Manifest, error) {
	data, err := os.ReadFile(filepath.Join(dir, ManifestName))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s has no %s: the backup is incomplete (it was interrupted before its manifest was written)", dir, ManifestName)
		}
		return nil, err
	}
	var m Manifest
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("%s: %v", filepath.Join(dir, ManifestName), err)
	}
	if m.Version != ManifestVersion {
		return nil, fmt.Errorf("%s: manifest version %d, this portguard reads version %d", filepath.Join(dir, ManifestName), m.Version, ManifestVersion)
	}
	return &m, nil
}
