// Package osfile holds the two things every package that reads or writes
// the user's files needs alike: a bounded reader of regular files, and the
// reason of a failed file operation without the path it repeats. Each
// caller names its own limit (input: max_file_size of the configuration;
// fix: maxFileSize) and prints the file's name itself.
package osfile

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
)

// Reason is err without the path an *fs.PathError (an *os.PathError)
// repeats, for messages that name the file themselves.
func Reason(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// Errors of Read for what is not a regular file: a FIFO would block on
// open and a device such as /dev/zero never ends.
var (
	ErrIsDir      = errors.New("is a directory, not a file")
	ErrNotRegular = errors.New("is not a regular file (a FIFO, socket or device)")
)

// SizeError is a file over the limit Read was given.
type SizeError struct{ Size, Limit int64 }

func (e *SizeError) Error() string {
	return "file is " + humanBytes(e.Size) + ", over the limit of " + exactBytes(e.Limit)
}

// Read reads the regular file at p, refusing anything that is not a
// regular file (ErrIsDir, ErrNotRegular) and files over limit bytes
// (*SizeError).
func Read(p string, limit int64) ([]byte, error) {
	st, err := os.Stat(p)
	if err != nil {
		return nil, err
	}
	if st.IsDir() {
		return nil, ErrIsDir
	}
	if !st.Mode().IsRegular() {
		return nil, ErrNotRegular
	}
	if st.Size() > limit {
		return nil, &SizeError{Size: st.Size(), Limit: limit}
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// The file may grow between Stat and the read: read up to limit+1
	// bytes, into a buffer of the size Stat gave (and one byte to see the
	// end), grown only if the file did grow.
	data := make([]byte, 0, st.Size()+1)
	r := io.LimitReader(f, limit+1)
	for {
		n, err := r.Read(data[len(data):cap(data)])
		data = data[:len(data)+n]
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		if len(data) == cap(data) {
			data = append(data, 0)[:len(data)]
		}
	}
	if int64(len(data)) > limit {
		return nil, &SizeError{Size: int64(len(data)), Limit: limit}
	}
	return data, nil
}

func humanBytes(n int64) string {
	switch {
	case n < 1<<10:
		return fmt.Sprintf("%d bytes", n)
	case n < 1<<20:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
}

// exactBytes renders a limit as written in the config, without rounding.
func exactBytes(n int64) string {
	switch {
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
