package executor

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// TestDifferential runs every testdata/<case>/site.yml with ansible-playbook
// and with the executor and compares stdout (normalised) and exit codes.
// A case may have an "args" file with extra command-line arguments.
func TestDifferential(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: differential tests need the oracle")
	}
	inv, _ := filepath.Abs("testdata/inventory.ini")
	cases, _ := filepath.Glob("testdata/*/site.yml")
	only := os.Getenv("OCTOPUS_CASE")
	for _, c := range cases {
		dir := filepath.Dir(c)
		name := filepath.Base(dir)
		if only != "" && only != name {
			continue
		}
		t.Run(name, func(t *testing.T) {
			var args []string
			if b, err := os.ReadFile(filepath.Join(dir, "args")); err == nil {
				args = strings.Fields(string(b))
			}
			absDir, _ := filepath.Abs(dir)
			inv := inv
			if _, err := os.Stat(filepath.Join(dir, "inventory.ini")); err == nil {
				inv = filepath.Join(absDir, "inventory.ini")
			}
			want, wantErr, wantCode := runAnsible(t, c, inv, args)
			got, gotErr, gotCode := runOctopus(t, c, inv, args)
			nw, ng := normOut(want, absDir), normOut(got, absDir)
			if _, err := os.Stat(filepath.Join(dir, "nodiff")); err == nil {
				// output order is not deterministic (free strategy): compare the recap
				nw, ng = recap(nw), recap(ng)
			}
			if nw != ng {
				diff, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(nw), B: difflib.SplitLines(ng), FromFile: "ansible", ToFile: "octopus", Context: 3})
				t.Errorf("stdout differs:\n%s\nansible stderr:\n%s\noctopus stderr:\n%s", diff, wantErr, gotErr)
			}
			if wantCode != gotCode {
				t.Errorf("exit code: ansible %d, octopus %d", wantCode, gotCode)
			}
		})
	}
}

func recap(s string) string {
	if i := strings.Index(s, "PLAY RECAP"); i >= 0 {
		return s[i:]
	}
	return s
}
