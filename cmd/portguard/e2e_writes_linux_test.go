//go:build linux

package main

import (
	"os"
	"syscall"
	"testing"
)

// firstWrite fires when a file is renamed into dir (inotify), that is when
// the first atomic write of fix there is done, so a kill lands among its
// writes.
func firstWrite(t *testing.T, dir string) (fired <-chan struct{}, stop func()) {
	t.Helper()
	fd, err := syscall.InotifyInit1(syscall.IN_NONBLOCK | syscall.IN_CLOEXEC)
	if err != nil {
		return nil, func() {}
	}
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_MOVED_TO); err != nil {
		syscall.Close(fd)
		return nil, func() {}
	}
	f := os.NewFile(uintptr(fd), "inotify")
	ch := make(chan struct{})
	go func() {
		buf := make([]byte, 4096)
		if n, err := f.Read(buf); err == nil && n > 0 {
			close(ch)
		}
	}()
	return ch, func() { f.Close() }
}
