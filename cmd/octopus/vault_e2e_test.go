package main

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestVaultAgainstAnsible runs playbooks that use files encrypted by
// ansible-vault 2.14 (1.1 envelopes from --vault-password-file, 1.2 ones
// from --vault-id lab@file) as vars_files, include_vars, -e @file,
// group_vars, inventory, copy/template sources and inline !vault values,
// through ansible-playbook and octopus, with the right, a wrong and no
// password, and compares stdout, stderr and the exit code.
func TestVaultAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed: differential vault tests skipped")
	}
	bindir := buildOctopus(t)
	project, _ := filepath.Abs("testdata/vault")
	both := []string{"--vault-password-file", "pw1", "--vault-id", "lab@pw2"}
	cases := []struct {
		name string
		dir  string // under testdata/vault
		args []string
	}{
		{"everything", "", append([]string{"-i", "hosts_enc", "all.yml", "-e", "@ev.yml"}, both...)},
		{"vault ids only", "", []string{"-i", "hosts_enc", "all.yml", "-e", "@ev.yml", "--vault-id", "pw1", "--vault-id", "lab@pw2"}},
		{"secrets in other order", "", []string{"-i", "hosts_enc", "all.yml", "-e", "@ev.yml", "--vault-id", "lab@pw2", "--vault-password-file", "pw1"}},
		{"vars_files no secret", "", []string{"-i", "hosts", "vars_files.yml"}},
		{"vars_files wrong secret", "", []string{"-i", "hosts", "vars_files.yml", "--vault-password-file", "pw2"}},
		{"include_vars no secret", "", []string{"-i", "hosts", "include_vars.yml"}},
		{"include_vars wrong secret", "", []string{"-i", "hosts", "include_vars.yml", "--vault-password-file", "pw1"}},
		{"include_vars unlabelled secret", "", []string{"-i", "hosts", "include_vars.yml", "--vault-password-file", "pw2"}},
		{"extra vars file", "", []string{"-i", "hosts", "extra.yml", "-e", "@ev.yml", "--vault-id", "pw1"}},
		{"extra vars no secret", "", []string{"-i", "hosts", "extra.yml", "-e", "@ev.yml"}},
		{"extra vars wrong secret", "", []string{"-i", "hosts", "extra.yml", "-e", "@ev.yml", "--vault-password-file", "pw2"}},
		{"extra vars host list", "", []string{"-i", "localhost,", "-c", "local", "extra.yml", "-e", "@ev.yml"}},
		{"extra vars missing file", "", []string{"-i", "localhost,", "-c", "local", "extra.yml", "-e", "@missing.yml"}},
		{"inline no secret", "", []string{"-i", "hosts", "inline.yml"}},
		{"inline wrong secret", "", []string{"-i", "hosts", "inline.yml", "--vault-password-file", "pw2"}},
		{"copy and template", "", append([]string{"-i", "hosts", "copy.yml"}, both...)},
		{"copy and template -c local", "", append([]string{"-i", "localhost,", "-c", "local", "copy.yml"}, both...)},
		{"copy no secret", "", []string{"-i", "hosts", "copy.yml"}},
		{"copy wrong secret", "", []string{"-i", "hosts", "copy.yml", "--vault-password-file", "pw2"}},
		{"template wrong secret", "", []string{"-i", "hosts", "copy.yml", "--vault-password-file", "pw1"}},
		{"inventory no secret", "", []string{"-i", "hosts_enc", "extra.yml", "-e", "ev_var=1"}},
		{"inventory wrong secret", "", []string{"-i", "hosts_enc", "extra.yml", "-e", "ev_var=1", "--vault-password-file", "pw2"}},
		{"group_vars", "gv", []string{"-i", "../hosts", "site.yml", "--vault-id", "lab@../pw2"}},
		{"group_vars no secret", "gv", []string{"-i", "../hosts", "site.yml"}},
		{"group_vars wrong secret", "gv", []string{"-i", "../hosts", "site.yml", "--vault-password-file", "../pw1"}},
		{"missing password file", "", []string{"-i", "hosts", "vars_files.yml", "--vault-password-file", "nope"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(project, tc.dir)
			// Each run writes its copy/template results to its own directory
			// (the path never shows in the output).
			aargs := append(append([]string{}, tc.args...), "-e", "out="+t.TempDir())
			oargs := append(append([]string{}, tc.args...), "-e", "out="+t.TempDir())
			want := execIn(t, dir, ansible, aargs...)
			if strings.Contains(want.stderr, "ERROR! the playbook:") {
				t.Fatalf("fixture missing: %s", want.stderr)
			}
			got := execIn(t, dir, filepath.Join(bindir, "ansible-playbook"), oargs...)
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d\nstderr: %s", got.code, want.code, got.stderr)
			}
			if got.stdout != want.stdout {
				t.Errorf("stdout differs\n--- octopus\n%s\n--- ansible\n%s", got.stdout, want.stdout)
			}
			if got.stderr != want.stderr {
				t.Errorf("stderr differs\n--- octopus\n%s\n--- ansible\n%s", got.stderr, want.stderr)
			}
		})
	}
}

// TestInventoryVaultAgainstAnsible runs ansible-inventory on a vault
// encrypted inventory file with and without its password.
func TestInventoryVaultAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-inventory")
	if err != nil {
		t.Skip("ansible-inventory not installed: differential vault tests skipped")
	}
	bindir := buildOctopus(t)
	project, _ := filepath.Abs("testdata/vault")
	for _, args := range [][]string{
		{"-i", "hosts_enc", "--list", "--vault-password-file", "pw1"},
		{"-i", "hosts_enc", "--list", "--vault-id", "pw2", "--vault-id", "pw1"},
		{"-i", "hosts_enc", "--list"},
		{"-i", "hosts_enc", "--host", "localhost", "--vault-password-file", "pw2"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			want := execIn(t, project, ansible, args...)
			got := execIn(t, project, filepath.Join(bindir, "ansible-inventory"), args...)
			if got.code != want.code || got.stdout != want.stdout || got.stderr != want.stderr {
				t.Errorf("differs: exit %d/%d\n--- octopus\n%s%s\n--- ansible\n%s%s", got.code, want.code, got.stdout, got.stderr, want.stdout, want.stderr)
			}
		})
	}
}
