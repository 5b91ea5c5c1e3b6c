//go:build unix

package osfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

func TestRead(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small.yml")
	if err := os.WriteFile(small, []byte("0123456789"), 0o644); err != nil {
		t.Fatal(err)
	}
	if data, err := Read(small, 10); err != nil || string(data) != "0123456789" {
		t.Errorf("at the limit: %q, %v", data, err)
	}
	_, err := Read(small, 9)
	var se *SizeError
	if !errors.As(err, &se) || !strings.Contains(err.Error(), "over the limit of 9 bytes") || se.Size != 10 || se.Limit != 9 {
		t.Errorf("over the limit: %v", err)
	}
	if _, err := Read(dir, 100); !errors.Is(err, ErrIsDir) {
		t.Errorf("directory: %v", err)
	}
	fifo := filepath.Join(dir, "fifo.yml")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skipf("no FIFO here: %v", err)
	}
	done := make(chan error, 1)
	go func() { _, err := Read(fifo, 100); done <- err }()
	select {
	case err := <-done:
		if !errors.Is(err, ErrNotRegular) {
			t.Errorf("FIFO: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading a FIFO blocks")
	}
}

func TestSizeMessages(t *testing.T) {
	for _, c := range []struct {
		size, limit int64
		want        string
	}{
		{11 << 20, 10 << 20, "file is 11.0 MiB, over the limit of 10 MiB"},
		{1500, 1000, "file is 1.5 KiB, over the limit of 1000 bytes"},
		{3000, 2048, "file is 2.9 KiB, over the limit of 2 KiB"},
	} {
		got := (&SizeError{Size: c.size, Limit: c.limit}).Error()
		if got != c.want {
			t.Errorf("SizeError(%d, %d) = %q, want %q", c.size, c.limit, got, c.want)
		}
	}
}

// Reason drops the path an *fs.PathError repeats, wrapped or not, and
// leaves other errors alone.
func TestReason(t *testing.T) {
	_, err := os.Open(filepath.Join(t.TempDir(), "missing"))
	if got := Reason(err); !errors.Is(got, fs.ErrNotExist) || strings.Contains(got.Error(), "missing") {
		t.Errorf("Reason(%v) = %v", err, got)
	}
	if got := Reason(fmt.Errorf("writing: %w", err)); !errors.Is(got, fs.ErrNotExist) || strings.Contains(got.Error(), "missing") {
		t.Errorf("wrapped: %v", got)
	}
	other := errors.New("other")
	if got := Reason(other); got != other {
		t.Errorf("Reason(other) = %v", got)
	}
}
