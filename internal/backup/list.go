package backup

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Summary is one backup of a backups root, for backup list.
type Summary struct {
	ID      string    `json:"id"`
	Dir     string    `json:"dir"`
	Created time.Time `json:"created"`
	Reason  string    `json:"reason"`
	// Complete is false for a directory without a readable manifest (an
	// interrupted backup); Error says why.
	Complete    bool   `json:"complete"`
	Error       string `json:"error,omitempty"`
	ConfigOnly  bool   `json:"config_only"`
	ConfigFiles int    `json:"config_files"`
	Dumps       int    `json:"dumps"`
	Volumes     int    `json:"volumes"`
	Bytes       int64  `json:"bytes"`
}

// List lists the backups of root, oldest first; a root that does not
// exist holds none.
func List(root string) ([]Summary, error) {
	entries, err := os.ReadDir(root)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return []Summary{}, nil
		}
		return nil, err
	}
	out := []Summary{}
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		dir := filepath.Join(root, e.Name())
		s := Summary{ID: e.Name(), Dir: dir}
		m, err := ReadManifest(dir)
		if err != nil {
			if t, perr := time.Parse(idLayout, strings.SplitN(e.Name(), "-", 2)[0]); perr == nil {
				s.Created = t
			}
			s.Error = err.Error()
			out = append(out, s)
			continue
		}
		s.Complete, s.Created, s.Reason, s.ConfigOnly = true, m.Created, m.Reason, m.ConfigOnly
		s.ConfigFiles, s.Dumps, s.Volumes, s.Bytes = m.Counts()
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Summary) int {
		if c := a.Created.Compare(b.Created); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// LastVolumeSize is the size of volume name in the newest complete backup
// of root that recorded it, and that backup's ID; found is false when no
// backup did.
func LastVolumeSize(root, name string) (size int64, id string, found bool) {
	list, err := List(root)
	if err != nil {
		return 0, "", false
	}
	for i := len(list) - 1; i >= 0; i-- {
		if !list[i].Complete {
			continue
		}
		m, err := ReadManifest(list[i].Dir)
		if err != nil {
			continue
		}
		for _, v := range m.Volumes {
			if v.Name == name && v.Size >= 0 {
				return v.Size, m.ID, true
			}
		}
	}
	return 0, "", false
}
