//go:build unix

package main

import (
	"os"
	"syscall"
)

// maxRSS is the peak resident memory of a finished process, as getrusage
// reports it (KiB on Linux).
func maxRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss
	}
	return 0
}
