//go:build !unix && !windows

package auditlog

import "os"

// Systems without file locks (plan9, wasm) append without one: O_APPEND
// still writes each line at the end.
func lock(*os.File) error { return nil }

func unlock(*os.File) {}
