// Package atomicfile writes files so that a reader, or a crash, never sees
// them half-written: a temporary file in the same directory, fsync, rename.
package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/portguard/portguard/internal/osfile"
)

// TempPattern is the name of the temporary file written next to path
// (os.CreateTemp pattern). A process killed before its rename leaves it
// behind; the file at path is then still the old one.
const TempPattern = ".%s.portguard-*"

// WriteFile replaces path with data atomically: a reader, or a process
// killed at any point, sees the old content or the new one, never a mix.
// An existing file keeps its permissions; a new one gets perm. A symbolic
// link is followed: the file it points to is replaced (in its own
// directory, so the rename stays atomic) and the link stays a link, as a
// shell redirection would write through it. On error no temporary file is
// left behind.
func WriteFile(path string, data []byte, perm fs.FileMode) (err error) {
	if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&fs.ModeSymlink != 0 {
		target, lerr := filepath.EvalSymlinks(path)
		if lerr != nil {
			return &fs.PathError{Op: "write", Path: path, Err: fmt.Errorf("symbolic link does not resolve: %w", osfile.Reason(lerr))}
		}
		path = target
	}
	if st, statErr := os.Stat(path); statErr == nil {
		if st.IsDir() {
			return &fs.PathError{Op: "write", Path: path, Err: errors.New("is a directory")}
		}
		perm = st.Mode().Perm()
	}
	dir := filepath.Dir(path)
	tmp, err := os.CreateTemp(dir, fmt.Sprintf(TempPattern, filepath.Base(path)))
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if _, err = tmp.Write(data); err != nil {
		return err
	}
	if err = tmp.Chmod(perm); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return err
	}
	if err = tmp.Close(); err != nil {
		return err
	}
	if err = os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	// Make the rename itself durable.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}
