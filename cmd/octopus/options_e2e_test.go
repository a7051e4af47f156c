package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// execWithStdin is execIn with stdin fed from a string (a pipe, not a
// terminal).
func execWithStdin(t *testing.T, dir, stdin, bin string, args ...string) run {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG="+filepath.Join(dir, "ansible.cfg"))
	cmd.Stdin = strings.NewReader(stdin)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	code := 0
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		code = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("%s: %v", bin, err)
	}
	return run{so.String(), se.String(), code}
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
	}{
		{"list hosts templated", []string{"-i", "../groups", "templated.yml", "--list-hosts", "-e", "target=web"}, ""},
		{"list hosts templated both", []string{"-i", "../groups", "templated.yml", "--list-hosts", "-e", "target=web", "-e", "grp=web"}, ""},
		{"list tasks templated", []string{"-i", "../groups", "templated.yml", "--list-tasks", "-e", "target=db"}, ""},
		{"list tags templated", []string{"-i", "../groups", "templated.yml", "--list-tags", "-e", "target=web"}, ""},
		{"list hosts undefined", []string{"-i", "../groups", "templated.yml", "--list-hosts"}, ""},
		{"step", append([]string{"step.yml", "--step"}, local...), "y\nn\nc\n"},
		{"step all no", append([]string{"step.yml", "--step"}, local...), "n\nno\nN\nx\n"},
		{"step end of input", append([]string{"step.yml", "--step"}, local...), "y\n"},
		{"step no input", append([]string{"step.yml", "--step"}, local...), ""},
		{"step continue is per play", append([]string{"step2.yml", "--step"}, local...), "c\ny\n"},
		{"step two plays end of input", append([]string{"step2.yml", "--step"}, local...), "c\n"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want := execWithStdin(t, project, tc.stdin, ansible, tc.args...)
			if strings.Contains(want.stderr, "ERROR! the playbook:") {
				t.Fatalf("fixture missing: %s", want.stderr)
			}
			got := execWithStdin(t, project, tc.stdin, filepath.Join(bindir, "ansible-playbook"), tc.args...)
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d\nstderr: %s", got.code, want.code, got.stderr)
			}
			if normalise(got.stdout) != normalise(want.stdout) {
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
