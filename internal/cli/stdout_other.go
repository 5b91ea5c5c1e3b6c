//go:build !unix

package cli

import "os"

// reserveStdout returns stdout for the caller alone and points os.Stdout at
// stderr.
func reserveStdout() (*os.File, error) {
	proto := os.Stdout
	os.Stdout = os.Stderr
	return proto, nil
}
