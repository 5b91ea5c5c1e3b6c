//go:build !linux

package main

import "testing"

// firstWrite needs inotify: elsewhere the kills land at random times only.
func firstWrite(t *testing.T, dir string) (fired <-chan struct{}, stop func()) {
	return nil, func() {}
}
