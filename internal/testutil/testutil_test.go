package testutil

import (
	"os/exec"
	"testing"
)

func TestRun(t *testing.T) {
	cases := []struct {
		script         string
		stdout, stderr string
		code           int
	}{
		{"echo out; echo err >&2", "out\n", "err\n", 0},
		{"printf x; exit 3", "x", "", 3},
	}
	for _, c := range cases {
		so, se, code := Run(t, exec.Command("sh", "-c", c.script))
		if so != c.stdout || se != c.stderr || code != c.code {
			t.Errorf("Run(%q) = %q, %q, %d; want %q, %q, %d", c.script, so, se, code, c.stdout, c.stderr, c.code)
		}
	}
}
