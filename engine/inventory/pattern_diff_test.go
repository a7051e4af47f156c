package inventory

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/inventory/internal/difftest"
)

// adhocListHosts emulates `ansible PATTERN -i SRC --list-hosts [-l LIMIT]`
// on top of this package (what the CLI layer will do).
func adhocListHosts(srcs []string, pattern, limit string) (string, string, int) {
	var out, errb strings.Builder
	inv, err := Load(srcs)
	flush := func() {
		for _, w := range inv.Warnings.Take() {
			errb.WriteString(FormatWarning(w))
		}
	}
	if err != nil {
		return "", "ERROR! " + err.Error() + "\n", 1
	}
	hosts, err := inv.HostList(limit, pattern)
	if err != nil {
		if limit != "" {
			flush()
			errb.WriteString("ERROR! " + err.Error() + "\n")
			return "", errb.String(), 1
		}
		hosts = nil
		inv.Warnings.Add("No hosts matched, nothing to do")
	}
	flush()
	fmt.Fprintf(&out, "  hosts (%d):\n", len(hosts))
	for _, h := range hosts {
		fmt.Fprintf(&out, "    %s\n", h.Name)
	}
	return out.String(), errb.String(), 0
}

func TestDiffPatterns(t *testing.T) {
	bin := difftest.Require(t, "ansible", true)
	td, _ := filepath.Abs("testdata")
	type pc struct {
		src            []string
		pattern, limit string
	}
	var cases []pc
	ini := []string{"ini_all.ini"}
	for _, p := range []string{
		"all", "*", "webservers", "prod", "plain1", "web*", "~web0[12].*", "webservers[0]",
		"webservers[1:2]", "webservers[-1]", "webservers[1:]", "webservers[0-1]", "webservers[9]",
		"prod:!dbservers", "prod:&webservers", "webservers,dbservers", "dbservers:webservers",
		"nosuch", "nosuch,webservers", "localhost", "127.0.0.1", "ungrouped", "all:!ungrouped",
		"!webservers", "&webservers", "db-*", "*.example.com", "step?", "step[14]", "10.0.0.5",
		"hostport.example.com", "all[0:2]", "prod[-1]", "~(db|web)", "l*", "&prod:webservers",
		"webservers:!web02.example.com:&prod", " webservers , dbservers ", "later:&nosuch",
	} {
		cases = append(cases, pc{ini, p, ""})
	}
	for _, l := range []string{"webservers", "@limit.txt", "dbservers:web01*", "!plain1", "@missing.txt", "nosuch", "all[1]", "localhost"} {
		cases = append(cases, pc{ini, "all", l}, pc{ini, "prod", l})
	}
	for _, p := range []string{"all", "k8s-cluster", "kube-*", "kube-node[0]", "localhost", "1starts_with_digit", "dot.group"} {
		cases = append(cases, pc{[]string{"hyphen.ini"}, p, ""})
	}
	for _, p := range []string{"all", "localhost", "nosuch"} {
		cases = append(cases, pc{[]string{"nonexistent"}, p, ""}, pc{[]string{","}, p, ""})
	}
	for _, p := range []string{"all", "kube-master-node", "all:!kube-init-master", "gpu*"} {
		cases = append(cases, pc{[]string{"octopus.ini"}, p, ""})
	}
	for _, p := range []string{"all", "localhost", "127.0.0.1", "g", "::1"} {
		cases = append(cases, pc{[]string{"localhost.ini"}, p, ""})
	}
	for _, p := range []string{"all", "app", "app[1:]", "db:app"} {
		cases = append(cases, pc{[]string{"yaml_inv.yml"}, p, ""}, pc{[]string{"dir1", "yaml_inv.yml"}, p, "all:!w1"})
	}
	t.Chdir(td)
	pass := 0
	for _, c := range cases {
		name := strings.Join(c.src, "+") + "/" + c.pattern + "/" + c.limit
		t.Run(name, func(t *testing.T) {
			args := []string{c.pattern, "--list-hosts"}
			for _, s := range c.src {
				args = append(args, "-i", s)
			}
			if c.limit != "" {
				args = append(args, "-l", c.limit)
			}
			cmd := exec.Command(bin, args...)
			cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG=/nonexistent/ansible.cfg")
			var aout, aerr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &aout, &aerr
			_ = cmd.Run()
			acode := cmd.ProcessState.ExitCode()
			oout, oerr, ocode := adhocListHosts(c.src, c.pattern, c.limit)
			if oout != aout.String() || oerr != aerr.String() || ocode != acode {
				t.Errorf("ansible (rc %d):\n%s%s\noctopus (rc %d):\n%s%s", acode, aout.String(), aerr.String(), ocode, oout, oerr)
				return
			}
			pass++
		})
	}
	t.Logf("%d/%d host pattern cases identical to ansible --list-hosts", pass, len(cases))
}

// TestDiffRandomPatterns compares generated host patterns and limits with
// `ansible PATTERN --list-hosts` (fixed seed; OCTOPUS_RANDOM_PAT_N and
// OCTOPUS_RANDOM_PAT_SEED override the count and seed).
func TestDiffRandomPatterns(t *testing.T) {
	bin := difftest.Require(t, "ansible", true)
	r, n := difftest.Rand("OCTOPUS_RANDOM_PAT_SEED", 42, "OCTOPUS_RANDOM_PAT_N", 20)
	atoms := []string{"all", "*", "webservers", "dbservers", "prod", "later", "ungrouped", "plain1", "typed", "web*",
		"*.com", "~^db", "~step[0-9]+", "db-?", "nosuch", "localhost", "step1", "nested*", "prod[0]", "prod[1:3]",
		"webservers[-1]", "all[2:]", "[0-9]*", "10.0.0.5", "empty", "web0[12]*"}
	gen := func() string {
		var parts []string
		for i := r.Intn(3) + 1; i > 0; i-- {
			p := atoms[r.Intn(len(atoms))]
			switch r.Intn(4) {
			case 0:
				p = "!" + p
			case 1:
				p = "&" + p
			}
			parts = append(parts, p)
		}
		sep := ":"
		if r.Intn(2) == 0 {
			sep = ","
		}
		return strings.Join(parts, sep)
	}
	td, _ := filepath.Abs("testdata")
	t.Chdir(td)
	pass := 0
	for i := 0; i < n; i++ {
		pattern, limit := gen(), ""
		if r.Intn(3) == 0 {
			limit = gen()
		}
		args := []string{pattern, "--list-hosts", "-i", "ini_all.ini"}
		if limit != "" {
			args = append(args, "-l", limit)
		}
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG=/nonexistent/ansible.cfg")
		var aout, aerr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &aout, &aerr
		_ = cmd.Run()
		oout, oerr, ocode := adhocListHosts([]string{"ini_all.ini"}, pattern, limit)
		if oout != aout.String() || oerr != aerr.String() || ocode != cmd.ProcessState.ExitCode() {
			t.Errorf("pattern %q limit %q:\nansible (rc %d):\n%s%s\noctopus (rc %d):\n%s%s", pattern, limit,
				cmd.ProcessState.ExitCode(), aout.String(), aerr.String(), ocode, oout, oerr)
			continue
		}
		pass++
	}
	t.Logf("%d/%d generated pattern cases identical", pass, n)
}
