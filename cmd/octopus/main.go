// Command octopus is a drop-in replacement for ansible-playbook (and
// ansible-inventory, ansible-vault): run it as `octopus playbook ...`, or
// through a link named after the Ansible command it stands in for.
package main

import (
	"os"

	"octopus/engine/cli"
)

func main() {
	os.Exit(cli.Main(os.Args, cli.Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}))
}
