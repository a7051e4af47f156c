package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"octopus/internal/testutil"
)

// execWithStdin is execIn with stdin fed from a string (a pipe, not a
// terminal).
func execWithStdin(t *testing.T, dir, stdin, bin string, args ...string) run {
	t.Helper()
	return execWithEnv(t, dir, nil, stdin, bin, args...)
}

// reVersionDetails matches the lines of the -vv version block that differ
// by design (Python and module locations against octopus's own).
var reVersionDetails = regexp.MustCompile(`(?m)^  (configured module search path|ansible python module location|ansible collection location|executable location|python version|jinja version|libyaml|octopus version) = .*\n`)

// dropVersionDetails removes those lines.
func dropVersionDetails(s string) string { return reVersionDetails.ReplaceAllString(s, "") }

// execWithEnv is execWithStdin with extra environment variables.
func execWithEnv(t *testing.T, dir string, env []string, stdin, bin string, args ...string) run {
	t.Helper()
	cmd := command(dir, bin, args...)
	cmd.Env = append(cmd.Env, env...)
	cmd.Stdin = strings.NewReader(stdin)
	so, se, code := testutil.Run(t, cmd)
	return run{so, se, code}
}

// TestPlaybookOptionsAgainstAnsible compares listings of plays whose hosts
// and names are templated from -e variables, --step answered through a
// pipe, and --flush-cache with a jsonfile fact cache.
func TestPlaybookOptionsAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed: differential option tests skipped")
	}
	bindir := buildOctopus(t)
	project, _ := filepath.Abs("testdata/banner/nocfg")
	local := []string{"-i", "localhost,", "-c", "local"}
	cases := []struct {
		name  string
		args  []string
		stdin string
		env   []string
	}{
		{"list hosts templated", []string{"-i", "../groups", "templated.yml", "--list-hosts", "-e", "target=web"}, "", nil},
		{"list hosts templated both", []string{"-i", "../groups", "templated.yml", "--list-hosts", "-e", "target=web", "-e", "grp=web"}, "", nil},
		{"list tasks templated", []string{"-i", "../groups", "templated.yml", "--list-tasks", "-e", "target=db"}, "", nil},
		{"list tags templated", []string{"-i", "../groups", "templated.yml", "--list-tags", "-e", "target=web"}, "", nil},
		{"list hosts undefined", []string{"-i", "../groups", "templated.yml", "--list-hosts"}, "", nil},
		{"step", append([]string{"step.yml", "--step"}, local...), "y\nn\nc\n", nil},
		{"step all no", append([]string{"step.yml", "--step"}, local...), "n\nno\nN\nx\n", nil},
		{"step end of input", append([]string{"step.yml", "--step"}, local...), "y\n", nil},
		{"step no input", append([]string{"step.yml", "--step"}, local...), "", nil},
		{"step continue is per play", append([]string{"step2.yml", "--step"}, local...), "c\ny\n", nil},
		{"step two plays end of input", append([]string{"step2.yml", "--step"}, local...), "c\n", nil},
		{"verbosity from the environment", append([]string{"templated.yml", "-e", "target=localhost"}, local...), "", []string{"ANSIBLE_VERBOSITY=1"}},
		{"verbosity from the environment adds to -v", append([]string{"templated.yml", "-v", "-e", "target=localhost"}, local...), "", []string{"ANSIBLE_VERBOSITY=2"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := execWithEnv(t, project, tc.env, tc.stdin, ansible, tc.args...)
			if strings.Contains(want.stderr, "ERROR! the playbook:") {
				t.Fatalf("fixture missing: %s", want.stderr)
			}
			got := execWithEnv(t, project, tc.env, tc.stdin, filepath.Join(bindir, "ansible-playbook"), tc.args...)
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d\nstderr: %s", got.code, want.code, got.stderr)
			}
			if normalise(dropVersionDetails(got.stdout)) != normalise(dropVersionDetails(want.stdout)) {
				t.Errorf("stdout differs\n--- octopus\n%s\n--- ansible\n%s", got.stdout, want.stdout)
			}
			if got.stderr != want.stderr {
				t.Errorf("stderr differs\n--- octopus\n%s\n--- ansible\n%s", got.stderr, want.stderr)
			}
		})
	}

	// --flush-cache removes the jsonfile cache entries of inventory hosts
	// before the run; without it they stay.
	for _, flush := range []bool{false, true} {
		for _, bin := range []string{ansible, filepath.Join(bindir, "ansible-playbook")} {
			dir := t.TempDir()
			cache := filepath.Join(dir, "cache")
			os.MkdirAll(cache, 0o755)
			cfg := "[defaults]\nfact_caching = jsonfile\nfact_caching_connection = " + cache + "\n"
			os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(cfg), 0o644)
			os.WriteFile(filepath.Join(dir, "site.yml"), []byte("- hosts: all\n  gather_facts: false\n  tasks: []\n"), 0o644)
			for _, h := range []string{"localhost", "other"} {
				os.WriteFile(filepath.Join(cache, h), []byte(`{"marker": 1}`), 0o644)
			}
			args := []string{"site.yml", "-i", "localhost,", "-c", "local"}
			if flush {
				args = append(args, "--flush-cache")
			}
			r := execWithStdin(t, dir, "", bin, args...)
			if r.code != 0 {
				t.Fatalf("%s: exit %d\n%s", bin, r.code, r.stderr)
			}
			_, errLocal := os.Stat(filepath.Join(cache, "localhost"))
			_, errOther := os.Stat(filepath.Join(cache, "other"))
			if gone := errLocal != nil; gone != flush {
				t.Errorf("%s flush=%v: localhost cache removed = %v", filepath.Base(filepath.Dir(bin)), flush, gone)
			}
			if errOther != nil {
				t.Errorf("%s flush=%v: cache of a host outside the inventory was removed", bin, flush)
			}
		}
	}
}
