package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"octopus/internal/testutil"
)

// buildOctopus compiles the binary once per test run and returns a path
// to an "ansible-playbook" link to it.
func buildOctopus(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	bin := filepath.Join(dir, "octopus")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, name := range []string{"ansible-playbook", "ansible-inventory"} {
		if err := os.Symlink("octopus", filepath.Join(dir, name)); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

type run struct {
	stdout, stderr string
	code           int
}

// command is bin with args, run in dir with colour off and dir's
// ansible.cfg as the configuration.
func command(dir, bin string, args ...string) *exec.Cmd {
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"))
	return cmd
}

// execIn runs bin with args in dir (see command), stdin empty.
func execIn(t *testing.T, dir, bin string, args ...string) run {
	t.Helper()
	so, se, code := testutil.Run(t, command(dir, bin, args...))
	return run{so, se, code}
}

// sortHostBlocks sorts the host lines under "hosts (N):" and the tags in
// play lines: ansible prints both from Python sets, in varying order.
var (
	reHostBlock = regexp.MustCompile(`(?m)^    hosts \(\d+\):\n((?:      .*\n?)*)`)
	rePlayTags  = regexp.MustCompile(`(?m)(\tTAGS: \[)([^\]]*)\]`)
)

func normalise(s string) string {
	s = reHostBlock.ReplaceAllStringFunc(s, func(m string) string {
		lines := strings.Split(strings.TrimRight(m, "\n"), "\n")
		hosts := lines[1:]
		sort.Strings(hosts)
		return lines[0] + "\n" + strings.Join(hosts, "\n") + "\n"
	})
	return rePlayTags.ReplaceAllStringFunc(s, func(m string) string {
		sm := rePlayTags.FindStringSubmatch(m)
		parts := strings.Split(sm[2], ", ")
		sort.Strings(parts)
		return sm[1] + strings.Join(parts, ", ") + "]"
	})
}

// TestCLIAgainstAnsible runs the same command lines through ansible-playbook
// and through the octopus binary invoked as ansible-playbook, and compares
// stdout, stderr and the exit code.
func TestCLIAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed: differential CLI tests skipped")
	}
	bindir := buildOctopus(t)
	project, _ := filepath.Abs("testdata/project")
	cases := []struct {
		name string
		args []string
		// legacy runs octopus on legacy.yml (play-level include) and
		// ansible on site.yml, the import_playbook rewrite.
		legacy bool
	}{
		{"syntax", []string{"--syntax-check", "site.yml"}, false},
		{"list all", []string{"site.yml", "--list-hosts", "--list-tasks", "--list-tags"}, false},
		{"legacy include", []string{"--list-tasks", "--list-hosts", "LEGACY"}, true},
		{"tags", []string{"-t", "web,hello", "--list-tasks", "site.yml"}, false},
		{"skip tags", []string{"--skip-tags", "masters", "--list-tasks", "site.yml"}, false},
		{"limit", []string{"-l", "w0*", "--list-hosts", "site.yml"}, false},
		{"limit no match", []string{"-l", "nomatch", "--list-hosts", "site.yml"}, false},
		{"inline inventory", []string{"-i", "a,b,", "--list-hosts", "site.yml"}, false},
		{"extra vars", []string{"-e", "x=1", "-e", `{"y": 2}`, "--syntax-check", "site.yml"}, false},
		{"broken", []string{"--syntax-check", "broken.yml"}, false},
		{"missing playbook", []string{"--syntax-check", "nope.yml"}, false},
		{"bad forks", []string{"-f", "x", "site.yml"}, false},
		{"no playbook", []string{"--list-tasks"}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			oargs := append([]string{}, tc.args...)
			aargs := append([]string{}, tc.args...)
			for i := range oargs {
				if oargs[i] == "LEGACY" {
					oargs[i], aargs[i] = "legacy.yml", "site.yml"
				}
			}
			want := execIn(t, project, ansible, aargs...)
			got := execIn(t, project, filepath.Join(bindir, "ansible-playbook"), oargs...)
			if tc.legacy {
				got.stdout = strings.ReplaceAll(got.stdout, "legacy.yml", "site.yml")
			}
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d\nstderr: %s", got.code, want.code, got.stderr)
			}
			if normalise(got.stdout) != normalise(want.stdout) {
				t.Errorf("stdout differs\n--- octopus\n%s\n--- ansible\n%s", got.stdout, want.stdout)
			}
			// Usage errors: ansible prints its whole help text; compare
			// only the error line there.
			gerr, werr := got.stderr, want.stderr
			if want.code == 2 {
				gerr, werr = errorLine(gerr), errorLine(werr)
			}
			if gerr != werr {
				t.Errorf("stderr differs\n--- octopus\n%s\n--- ansible\n%s", gerr, werr)
			}
		})
	}
}

func errorLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if i := strings.Index(l, ": error: "); i >= 0 {
			return l[i:]
		}
	}
	return s
}
