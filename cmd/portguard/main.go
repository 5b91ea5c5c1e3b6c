// Command portguard checks docker-compose stacks against the database port
// convention. main only builds the root command, runs it and turns its error
// into the process exit code.
package main

import (
	"os"

	"github.com/portguard/portguard/internal/cli"
)

func main() {
	f := cli.NewFactory()
	err := cli.NewCmdRoot(f).Execute()
	os.Exit(cli.ExitCode(err, f.IO.ErrOut))
}
