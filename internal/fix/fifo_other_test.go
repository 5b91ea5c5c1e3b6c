//go:build !unix

package fix

import "errors"

func mkfifo(string) error { return errors.New("no FIFOs on this system") }
