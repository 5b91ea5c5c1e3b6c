//go:build unix

package cli

import (
	"os"

	"golang.org/x/sys/unix"
)

// reserveStdout returns a duplicate of stdout for the caller alone and
// points file descriptor 1 (and os.Stdout) at stderr.
func reserveStdout() (*os.File, error) {
	fd, err := unix.Dup(int(os.Stdout.Fd()))
	if err != nil {
		return nil, err
	}
	if err := unix.Dup2(int(os.Stderr.Fd()), int(os.Stdout.Fd())); err != nil {
		unix.Close(fd)
		return nil, err
	}
	proto := os.NewFile(uintptr(fd), "stdout")
	os.Stdout = os.Stderr
	return proto, nil
}
