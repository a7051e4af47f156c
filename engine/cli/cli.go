// Package cli is octopus's command line: `octopus playbook|inventory|vault`,
// and the same commands when the binary is invoked through links named
// ansible-playbook, ansible-inventory or ansible-vault. It parses options as
// Ansible's argparse-based CLIs do and hands typed options to the engine.
package cli

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	ucli "github.com/urfave/cli/v2"
)

// Version is octopus's own version; AnsibleVersion is the ansible-core
// release whose behaviour it reproduces.
const (
	Version        = "0.1.0"
	AnsibleVersion = "2.14.18"
)

// exitError carries an exit code out of a command action.
type exitError struct {
	code int
	msg  string
}

func (e *exitError) Error() string { return e.msg }

// Streams are the standard streams a command writes to.
type Streams struct {
	In       io.Reader
	Out, Err io.Writer
}

// Main runs the command line argv (argv[0] included) and returns the exit code.
func Main(argv []string, s Streams) (code int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(s.Err, "ERROR! Unexpected Exception, this is probably a bug: %v\n", r)
			code = 250
		}
	}()
	prog := filepath.Base(argv[0])
	switch prog {
	case "ansible-playbook":
		return runSub(playbookCommand(prog), argv[1:], s)
	case "ansible-inventory":
		return runSub(inventoryCommand(prog), argv[1:], s)
	case "ansible-vault":
		return runVault(prog, argv[1:], s)
	}
	if len(argv) < 2 {
		fmt.Fprint(s.Err, topUsage)
		return 2
	}
	switch argv[1] {
	case "playbook":
		return runSub(playbookCommand("octopus playbook"), argv[2:], s)
	case "inventory":
		return runSub(inventoryCommand("octopus inventory"), argv[2:], s)
	case "vault":
		return runVault("octopus vault", argv[2:], s)
	case "version", "--version":
		fmt.Fprintf(s.Out, "octopus %s (ansible-core %s compatible)\n", Version, AnsibleVersion)
		return 0
	case "-h", "--help", "help":
		fmt.Fprint(s.Out, topUsage)
		return 0
	}
	fmt.Fprintf(s.Err, "octopus: unknown command %q\n%s", argv[1], topUsage)
	return 2
}

const topUsage = `usage: octopus <command> [options]

commands:
  playbook    run, check or list playbooks (as ansible-playbook)
  inventory   show inventory information (as ansible-inventory)
  vault       encrypt and decrypt vault files (as ansible-vault)
  version     print octopus's version

Invoked through a link named ansible-playbook, ansible-inventory or
ansible-vault, octopus behaves as that command.
`

// runSub parses args for cmd the argparse way and runs it.
func runSub(cmd *ucli.Command, args []string, s Streams) int {
	norm, err := normaliseArgs(args, specOf(cmd.Flags))
	if err != nil {
		fmt.Fprintf(s.Err, "usage: %s [options]\n%s: error: %s\n", cmd.Name, cmd.Name, err)
		return 2
	}
	app := &ucli.App{
		Name:                      cmd.Name,
		Usage:                     cmd.Usage,
		UsageText:                 cmd.UsageText,
		Description:               cmd.Description,
		Flags:                     cmd.Flags,
		Action:                    cmd.Action,
		Writer:                    s.Out,
		ErrWriter:                 s.Err,
		HideHelpCommand:           true,
		DisableSliceFlagSeparator: true,
		Metadata:                  map[string]any{"streams": s},
		ExitErrHandler:            func(*ucli.Context, error) {},
	}
	err = app.Run(append([]string{cmd.Name}, norm...))
	if err == nil {
		return 0
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.msg != "" {
			fmt.Fprintln(s.Err, ee.msg)
		}
		return ee.code
	}
	fmt.Fprintf(s.Err, "usage: %s [options]\n%s: error: %s\n", cmd.Name, cmd.Name, strings.TrimSpace(err.Error()))
	return 2
}

func streams(c *ucli.Context) Streams {
	if s, ok := c.App.Metadata["streams"].(Streams); ok {
		return s
	}
	return Streams{In: os.Stdin, Out: os.Stdout, Err: os.Stderr}
}

// usageError ends a command with argparse's exit code 2.
func usageError(prog, format string, args ...any) error {
	return &exitError{code: 2, msg: fmt.Sprintf("usage: %s [options]\n%s: error: %s", prog, prog, fmt.Sprintf(format, args...))}
}

// fatal ends a command with "ERROR! msg" and the given exit code.
func fatal(code int, format string, args ...any) error {
	return &exitError{code: code, msg: "ERROR! " + fmt.Sprintf(format, args...)}
}
