//go:build !unix

package cli

import "os"

// forwardedSignals: on Windows the console delivers Ctrl+C to the command
// too; portguard only keeps from dying first.
var forwardedSignals = []os.Signal{os.Interrupt}

// exitStatus is the command's exit code.
func exitStatus(ps *os.ProcessState) int { return ps.ExitCode() }

// deliveredByTerminal: the console delivers Ctrl+C to every process of
// the console already.
func deliveredByTerminal(os.Signal) bool { return true }
