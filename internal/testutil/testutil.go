// Package testutil holds what the differential tests share: running a
// command (octopus or one of Ansible's tools) and capturing what it printed.
package testutil

import (
	"bytes"
	"errors"
	"os/exec"
	"testing"
)

// Run runs cmd, capturing its standard output and standard error, and
// returns them with the exit code. An error other than a non-zero exit (the
// program cannot be started, say) fails the test.
func Run(t testing.TB, cmd *exec.Cmd) (stdout, stderr string, code int) {
	t.Helper()
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return so.String(), se.String(), ee.ExitCode()
	}
	if err != nil {
		t.Fatalf("%s: %v", cmd.Path, err)
	}
	return so.String(), se.String(), 0
}
