package executor

import (
	"path/filepath"
	"strings"
	"testing"
)

// TestRunCases runs every testdata case through the executor alone (no
// oracle needed) and checks it completes with a recap; run with -race.
func TestRunCases(t *testing.T) {
	inv, _ := filepath.Abs("testdata/inventory.ini")
	cases, _ := filepath.Glob("testdata/*/site.yml")
	for _, c := range cases {
		out, errs, code := runOctopus(t, c, inv, nil)
		// a run-time error ends the run without a recap (exit 1, or 4
		// for parser errors Ansible only finds while running)
		fatal := (code == ExitError || code == ExitUnreachable) && strings.Contains(out+errs, "ERROR! ")
		if !strings.Contains(out, "PLAY RECAP") && !fatal {
			t.Errorf("%s: no recap (code %d)\n%s\n%s", c, code, out, errs)
		}
	}
}
