package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

var (
	// reLoadingCallback: Ansible names the Python file of the plugin,
	// octopus its own binary.
	reLoadingCallback = regexp.MustCompile(`(?m)^(Loading callback plugin \S+ of type stdout, v2\.0 from ).*$`)
)

// bannerPart returns stdout (up to the first PLAY banner unless full),
// with the lines that name Python internals normalised: the version
// block keeps its first two lines (program and config file), the
// callback plugin's file name is dropped.
func bannerPart(s string, full bool) string {
	if i := strings.Index(s, "\nPLAY ["); i >= 0 && !full {
		s = s[:i+1]
	}
	var out []string
	inVersion := false
	for _, l := range strings.Split(s, "\n") {
		switch {
		case strings.HasPrefix(l, "ansible-playbook [core "):
			inVersion = true
			out = append(out, l)
			continue
		case inVersion && strings.HasPrefix(l, "  config file = "):
			out = append(out, l)
			continue
		case inVersion && strings.HasPrefix(l, "  "):
			continue
		}
		inVersion = false
		out = append(out, l)
	}
	return reLoadingCallback.ReplaceAllString(strings.Join(out, "\n"), "${1}FILE")
}

// TestVerboseBannerAgainstAnsible compares what ansible-playbook and octopus
// print (before the first play from -vvv on) at -v to -vvvv: the version block, the
// config file line, inventory parsing, callback loading, the PLAYBOOK
// banner, the -vvvv argument list and "N plays in FILE".
func TestVerboseBannerAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed: differential banner tests skipped")
	}
	bindir := buildOctopus(t)
	project, _ := filepath.Abs("testdata/banner")
	local := []string{"-i", "localhost,", "-c", "local"}
	cases := []struct {
		name string
		dir  string
		args []string
	}{
		{"config -v", "", []string{"site.yml", "-v"}},
		{"config -vv", "", []string{"site.yml", "-vv"}},
		{"config -vvv", "", []string{"site.yml", "-vvv"}},
		{"config -vvvv", "", []string{"site.yml", "-vvvv"}},
		{"no config -v", "nocfg", append([]string{"site.yml", "-v"}, local...)},
		{"no config -vv", "nocfg", append([]string{"site.yml", "-vv"}, local...)},
		{"no config -vvv", "nocfg", append([]string{"site.yml", "-vvv"}, local...)},
		{"no config -vvvv", "nocfg", append([]string{"site.yml", "-vvvv"}, local...)},
		{"two playbooks -vv", "", []string{"site.yml", "site.yml", "-vv"}},
		{"list tasks -vvv", "", []string{"--list-tasks", "site.yml", "-vvv"}},
		{"syntax check -vv", "", []string{"--syntax-check", "site.yml", "-vv"}},
		{"options -vvvv", "nocfg", append([]string{"site.yml", "-vvvv", "-t", "x", "--skip-tags", "y", "-e", "a=1", "-e", "b=2",
			"-C", "-D", "-f", "3", "-l", "localhost", "-u", "nobody", "--vault-password-file", "pw", "--vault-id", "lab@pw",
			"--become-method", "su", "-T", "20", "--ssh-common-args", "-o X", "--flush-cache", "--force-handlers"}, local...)},
		{"inventory file -vvvv", "nocfg", []string{"site.yml", "-vvvv", "-i", "../hosts"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(project, tc.dir)
			want := execIn(t, dir, ansible, tc.args...)
			if strings.Contains(want.stderr, "ERROR! the playbook:") {
				t.Fatalf("fixture missing: %s", want.stderr)
			}
			got := execIn(t, dir, filepath.Join(bindir, "ansible-playbook"), tc.args...)
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d\nstderr: %s", got.code, want.code, got.stderr)
			}
			// Up to -vv the whole output is compared; from -vvv on the
			// task output holds connection details of each implementation.
			full := !strings.Contains(strings.Join(tc.args, " "), "-vvv")
			if g, w := bannerPart(got.stdout, full), bannerPart(want.stdout, full); g != w {
				t.Errorf("stdout before the play differs\n--- octopus\n%s\n--- ansible\n%s", g, w)
			}
		})
	}
}
