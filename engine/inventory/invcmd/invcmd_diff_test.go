package invcmd

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pmezard/go-difflib/difflib"

	"octopus/engine/inventory/internal/difftest"
)

// diffCase is one ansible-inventory invocation compared with octopus.
type diffCase struct {
	name string
	args []string // ansible-inventory arguments
	opts Options  // the same invocation for Run
	cwd  string   // relative to testdata; default testdata itself
}

func srcs(s ...string) []string { return s }

// corpusCases builds --list, --graph, --graph --vars and --list -y cases
// for every inventory of the corpus, plus special invocations.
func corpusCases() []diffCase {
	inventories := [][]string{
		{"ini_all.ini"}, {"hyphen.ini"}, {"octopus.ini"}, {"priority.ini"},
		{"yaml_inv.yml"}, {"yaml_partial.yml"}, {"json_inv.json"}, {"dir1"},
		{"dir1/10-hosts"}, {"yaml_noext"}, {"localhost.ini"},
		{"bad_partial.ini"}, {"bad_section.ini"}, {"bad_vars_undefined.ini"},
		{"bad_children_undefined.ini"}, {"bad_quote.ini"}, {"bad_section_type.ini"},
		{"bad_section_space.ini"}, {"bad_hostvars.yml"}, {"plugin_conf.yml"}, {"empty.yml"},
		{"nonexistent"}, {"a,b:22,c[1:2], ,10.0.0.1"}, {","},
		{"ini_all.ini", "hyphen.ini"}, {"bad_partial.ini", "priority.ini"},
		{"dir1", "octopus.ini"}, {"hard.ini"}, {"hard.yml"}, {"vault.yml"}, {"script_inv.sh"}, {"script_nometa.sh"}, {"script_fail.sh"}, {"exec.ini"}, {"yaml_err_children.yml"}, {"yaml_err_hosts.yml"}, {"yaml_err_prio.yml"}, {"yaml_err_list.yaml"}, {"yaml_err_vars.yml"}, {"json_port.json"}, {"yaml_ungrouped.yml"}, {"prec"}, {"odd.ini"},
	}
	var cases []diffCase
	for _, inv := range inventories {
		base := []string{}
		for _, s := range inv {
			base = append(base, "-i", s)
		}
		name := strings.Join(inv, "+")
		add := func(suffix string, extra []string, o Options) {
			o.Sources = inv
			cases = append(cases, diffCase{name: name + suffix, args: append(append([]string{}, base...), extra...), opts: o})
		}
		add("/list", []string{"--list"}, Options{List: true})
		add("/graph", []string{"--graph"}, Options{Graph: true})
		add("/graph-vars", []string{"--graph", "--vars"}, Options{Graph: true, Vars: true})
		add("/list-yaml", []string{"--list", "-y"}, Options{List: true, YAML: true})
		add("/list-export", []string{"--list", "--export"}, Options{List: true, Export: true})
		add("/list-yaml-export", []string{"--list", "-y", "--export"}, Options{List: true, YAML: true, Export: true})
	}
	more := []diffCase{
		{name: "host/typed", args: []string{"-i", "ini_all.ini", "--host", "typed"}, opts: Options{Sources: srcs("ini_all.ini"), Host: "typed"}},
		{name: "host/web02-yaml", args: []string{"-i", "ini_all.ini", "--host", "web02.example.com", "-y"}, opts: Options{Sources: srcs("ini_all.ini"), Host: "web02.example.com", YAML: true}},
		{name: "host/pattern-many", args: []string{"-i", "ini_all.ini", "--host", "web*"}, opts: Options{Sources: srcs("ini_all.ini"), Host: "web*"}},
		{name: "host/unknown", args: []string{"-i", "ini_all.ini", "--host", "nosuch"}, opts: Options{Sources: srcs("ini_all.ini"), Host: "nosuch"}},
		{name: "host/implicit-localhost", args: []string{"-i", "hyphen.ini", "--host", "localhost"}, opts: Options{Sources: srcs("hyphen.ini"), Host: "localhost"}},
		{name: "host/w1", args: []string{"-i", "dir1", "--host", "w1"}, opts: Options{Sources: srcs("dir1"), Host: "w1"}},
		{name: "host/w1-export", args: []string{"-i", "dir1", "--host", "w1", "--export"}, opts: Options{Sources: srcs("dir1"), Host: "w1", Export: true}},
		{name: "graph/group", args: []string{"-i", "ini_all.ini", "--graph", "prod"}, opts: Options{Sources: srcs("ini_all.ini"), Graph: true, GraphGroup: "prod"}},
		{name: "graph/nogroup", args: []string{"-i", "ini_all.ini", "--graph", "nosuch"}, opts: Options{Sources: srcs("ini_all.ini"), Graph: true, GraphGroup: "nosuch"}},
		{name: "play/cwd-list", args: []string{"-i", "../dir1", "--list"}, opts: Options{Sources: srcs("../dir1"), List: true}, cwd: "play"},
		{name: "play/playbook-dir-graph", args: []string{"-i", "dir1", "--graph", "--vars", "--playbook-dir", "play"}, opts: Options{Sources: srcs("dir1"), Graph: true, Vars: true, PlaybookDir: "play"}},
		{name: "play/playbook-dir-export", args: []string{"-i", "dir1", "--list", "--export", "--playbook-dir", "play"}, opts: Options{Sources: srcs("dir1"), List: true, Export: true, PlaybookDir: "play"}},
		{name: "noaction", args: []string{"-i", "ini_all.ini"}, opts: Options{Sources: srcs("ini_all.ini")}},
		{name: "conflict", args: []string{"-i", "ini_all.ini", "--list", "--graph"}, opts: Options{Sources: srcs("ini_all.ini"), List: true, Graph: true}},
	}
	return append(cases, more...)
}

func testdataDir(t *testing.T) string {
	dir, err := filepath.Abs("../testdata")
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// usageStripped drops argparse's usage/help text that ansible prints on
// stdout for option errors (the CLI layer, not Run, prints it).
func usageStripped(s string) string {
	if strings.HasPrefix(s, "usage: ansible-inventory") {
		return ""
	}
	return s
}

func TestDiffAnsibleInventory(t *testing.T) {
	bin := difftest.Require(t, "ansible-inventory", true)
	td := testdataDir(t)
	pass := 0
	cases := corpusCases()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cwd := td
			if c.cwd != "" {
				cwd = filepath.Join(td, c.cwd)
			}
			cmd := exec.Command(bin, c.args...)
			cmd.Dir = cwd
			cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG=/nonexistent/ansible.cfg")
			var aout, aerr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &aout, &aerr
			_ = cmd.Run()
			acode := cmd.ProcessState.ExitCode()

			t.Chdir(cwd)
			var oout, oerr bytes.Buffer
			ocode := Run(c.opts, &oout, &oerr)

			if ocode != acode {
				t.Errorf("exit code: octopus %d, ansible %d", ocode, acode)
			}
			if got, want := oout.String(), usageStripped(aout.String()); got != want {
				t.Errorf("stdout differs:\n%s", udiff(want, got))
			}
			if got, want := oerr.String(), aerr.String(); got != want {
				t.Errorf("stderr differs:\n%s", udiff(want, got))
			}
			if !t.Failed() {
				pass++
			}
		})
	}
	t.Logf("%d/%d ansible-inventory cases identical", pass, len(cases))
}

func udiff(want, got string) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{
		A: difflib.SplitLines(want), B: difflib.SplitLines(got),
		FromFile: "ansible", ToFile: "octopus", Context: 2,
	})
	return d
}

// extractDeepops unpacks deepops/config.example of the OpenI-Octopus mirror (commit
// b8d3334) into a temp dir, skipping when the mirror is absent.
func extractDeepops(t *testing.T) string {
	repo := os.Getenv("OCTOPUS_DEEPOPS_REPO")
	if repo == "" {
		repo = "/work/.mirror/open-intelligence+OpenI-Octopus/repo"
	}
	if _, err := os.Stat(repo); err != nil {
		t.Skipf("OpenI-Octopus mirror not found at %s; skipping", repo)
	}
	dir := t.TempDir()
	cmd := exec.Command("sh", "-c", "git -C \"$0\" archive b8d3334 deepops/config.example | tar -x -C \"$1\"", repo, dir)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("cannot extract deepops: %v: %s", err, out)
	}
	return filepath.Join(dir, "deepops")
}

func TestDiffDeepopsInventory(t *testing.T) {
	bin := difftest.Require(t, "ansible-inventory", false)
	root := extractDeepops(t)
	inv := "config.example/inventory"
	cases := []diffCase{
		{name: "list", args: []string{"-i", inv, "--list"}, opts: Options{Sources: srcs(inv), List: true}},
		{name: "list-yaml", args: []string{"-i", inv, "--list", "-y"}, opts: Options{Sources: srcs(inv), List: true, YAML: true}},
		{name: "list-export", args: []string{"-i", inv, "--list", "--export"}, opts: Options{Sources: srcs(inv), List: true, Export: true}},
		{name: "graph", args: []string{"-i", inv, "--graph"}, opts: Options{Sources: srcs(inv), Graph: true}},
		{name: "graph-vars", args: []string{"-i", inv, "--graph", "--vars"}, opts: Options{Sources: srcs(inv), Graph: true, Vars: true}},
		{name: "host", args: []string{"-i", inv, "--host", "p100-2"}, opts: Options{Sources: srcs(inv), Host: "p100-2"}},
		{name: "dir-list", args: []string{"-i", "config.example", "--list"}, opts: Options{Sources: srcs("config.example"), List: true}},
	}
	pass := 0
	t.Chdir(root)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			cmd := exec.Command(bin, c.args...)
			cmd.Env = append(os.Environ(), "ANSIBLE_NOCOLOR=1", "ANSIBLE_CONFIG=/nonexistent/ansible.cfg")
			var aout, aerr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &aout, &aerr
			_ = cmd.Run()
			var oout, oerr bytes.Buffer
			ocode := Run(c.opts, &oout, &oerr)
			if ocode != cmd.ProcessState.ExitCode() {
				t.Errorf("exit code: octopus %d, ansible %d", ocode, cmd.ProcessState.ExitCode())
			}
			if oout.String() != aout.String() {
				t.Errorf("stdout differs:\n%s", udiff(aout.String(), oout.String()))
			}
			if oerr.String() != aerr.String() {
				t.Errorf("stderr differs:\n%s", udiff(aerr.String(), oerr.String()))
			}
			if !t.Failed() {
				pass++
			}
		})
	}
	t.Logf("%d/%d deepops cases identical", pass, len(cases))
}
