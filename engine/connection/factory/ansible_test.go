package factory

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// needAnsible skips the test when ansible-playbook is not installed.
func needAnsible(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed")
	}
	if testing.Short() {
		t.Skip("differential test against ansible skipped in -short mode")
	}
}

// ansibleEnv is the process environment without ANSIBLE_* variables, plus
// extra.
func ansibleEnv(extra map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") {
			env = append(env, kv)
		}
	}
	for k, v := range extra {
		env = append(env, k+"="+v)
	}
	return env
}

// fakeTools writes the stand-ins ansible runs instead of ssh(1) and
// sshpass: "ssh" exits 255 (a connection error, so Ansible's retries show
// as repeated EXEC lines) and "sshpass" records the password Ansible
// writes to its pipe in $PWREC before running the rest.
func fakeTools(t *testing.T) (sshExe, pathDir string) {
	t.Helper()
	dir := t.TempDir()
	sshExe = filepath.Join(dir, "fake-ssh")
	if err := os.WriteFile(sshExe, []byte("#!/bin/sh\nexit 255\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	sshpass := "#!/bin/sh\n[ $# -gt 0 ] || exit 0\nfd=${1#-d}\nshift\nIFS= read -r pw < /dev/fd/$fd\nprintf '%s\\n' \"$pw\" >> \"$PWREC\"\nexec \"$@\"\n"
	if err := os.WriteFile(filepath.Join(dir, "sshpass"), []byte(sshpass), 0o755); err != nil {
		t.Fatal(err)
	}
	return sshExe, dir
}

// ansibleRun is what ansible-playbook -vvv showed for one host and task.
type ansibleRun struct {
	establish []string   // "<host> ESTABLISH ..." lines
	execs     [][]string // words of each "SSH: EXEC" command line
	passwords []string   // passwords sshpass received
	output    string
}

var (
	establishRE = regexp.MustCompile(`(?m)^(<[^>]*> ESTABLISH [^\n]*)$`)
	execRE      = regexp.MustCompile(`(?m)^<[^>]*> SSH: EXEC ([^\n]*)$`)
	ansibleSem  = make(chan struct{}, 3)
)

// runAnsibleCase runs ansible-playbook -vvv with a one-task play (raw
// "true") against c's host, with fake ssh tools, and collects the
// connection lines.
func runAnsibleCase(t *testing.T, c settingsCase, dir string, env map[string]string, sshExe, pathDir string) ansibleRun {
	t.Helper()
	host := c.host
	if host == "" {
		host = "h1"
	}
	hv := map[string]any{"ansible_ssh_executable": sshExe}
	for k, v := range c.vars {
		hv[k] = v
	}
	inv, _ := json.Marshal(map[string]any{"all": map[string]any{"hosts": map[string]any{host: hv}}})
	invFile := filepath.Join(dir, "inventory.json")
	if err := os.WriteFile(invFile, inv, 0o644); err != nil {
		t.Fatal(err)
	}
	play := fmt.Sprintf("- hosts: %s\n  gather_facts: false\n", host)
	if c.kw.RemoteUser != "" {
		play += "  remote_user: " + c.kw.RemoteUser + "\n"
	}
	if c.kw.Port != 0 {
		play += "  port: " + strconv.Itoa(c.kw.Port) + "\n"
	}
	if c.kw.Connection != "" {
		play += "  connection: " + c.kw.Connection + "\n"
	}
	play += "  tasks:\n  - raw: \"true\"\n"
	pb := filepath.Join(dir, "play.yml")
	if err := os.WriteFile(pb, []byte(play), 0o644); err != nil {
		t.Fatal(err)
	}
	args := []string{"-i", invFile, pb, "-vvv"}
	o := c.opts
	if o.CLIUser != "" {
		args = append(args, "-u", o.CLIUser)
	}
	if o.CLIPrivateKey != "" {
		args = append(args, "--private-key", o.CLIPrivateKey)
	}
	if o.CLIConnection != "" {
		args = append(args, "-c", o.CLIConnection)
	}
	if o.CLITimeout != 0 {
		args = append(args, "-T", strconv.Itoa(o.CLITimeout))
	}
	if o.CLISSHCommonArgs != "" {
		args = append(args, "--ssh-common-args", o.CLISSHCommonArgs)
	}
	if o.CLISSHExtraArgs != "" {
		args = append(args, "--ssh-extra-args", o.CLISSHExtraArgs)
	}
	if o.ConnPassword != "" {
		pf := filepath.Join(dir, "connpw")
		if err := os.WriteFile(pf, []byte(o.ConnPassword+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--connection-password-file", pf)
	}
	pwrec := filepath.Join(dir, "pwrec")
	extra := map[string]string{"PWREC": pwrec, "PATH": pathDir + ":" + os.Getenv("PATH"), "ANSIBLE_NOCOLOR": "1"}
	for k, v := range env {
		extra[k] = v
	}
	ansibleSem <- struct{}{}
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Dir = dir
	cmd.Env = ansibleEnv(extra)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	done := make(chan error, 1)
	if err := cmd.Start(); err != nil {
		<-ansibleSem
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(120 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Errorf("ansible-playbook timed out")
	}
	<-ansibleSem
	res := ansibleRun{output: out.String()}
	for _, m := range establishRE.FindAllStringSubmatch(res.output, -1) {
		res.establish = append(res.establish, m[1])
	}
	for _, m := range execRE.FindAllStringSubmatch(res.output, -1) {
		w, err := splitArgs(m[1])
		if err != nil {
			t.Fatalf("cannot split %q: %v", m[1], err)
		}
		res.execs = append(res.execs, w)
	}
	if data, err := os.ReadFile(pwrec); err == nil {
		res.passwords = strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	}
	return res
}

var quotedValueRE = regexp.MustCompile(`^(User|IdentityFile|ControlPath)="(.*)"$`)

// normalizeExec turns Ansible's ssh command words into sshArgv's form:
// without sshpass, the executable, -tt, the host and the command at the
// end, the ControlPath Ansible adds, and the quotes around User= and
// IdentityFile= values. It also returns the host.
func normalizeExec(w []string) ([]string, string) {
	if len(w) > 1 && w[0] == "sshpass" && strings.HasPrefix(w[1], "-d") {
		w = w[2:]
	}
	if len(w) < 3 {
		return nil, ""
	}
	host := w[len(w)-2]
	w = w[1 : len(w)-2]
	if len(w) > 0 && w[len(w)-1] == "-tt" {
		w = w[:len(w)-1]
	}
	var out []string
	for i := 0; i < len(w); i++ {
		if w[i] == "-o" && i+1 < len(w) && strings.HasPrefix(w[i+1], "ControlPath=") {
			i++
			continue
		}
		if m := quotedValueRE.FindStringSubmatch(w[i]); m != nil {
			out = append(out, m[1]+"="+m[2])
			continue
		}
		out = append(out, w[i])
	}
	return out, host
}

// TestSettingsAgainstAnsible runs every settings case through real
// ansible-playbook -vvv (with stand-ins for ssh and sshpass, so no host is
// needed) and checks that Ansible printed the same ESTABLISH line, built
// the same ssh options (user, port, key, timeout, host key checking, the
// argument strings, in the same order), tried retries+1 times, sent the
// same password, or failed with the same message.
func TestSettingsAgainstAnsible(t *testing.T) {
	needAnsible(t)
	sshExe, pathDir := fakeTools(t)
	var mu sync.Mutex
	agreed, ran := 0, 0
	t.Cleanup(func() { t.Logf("%d/%d cases agree with ansible-playbook", agreed, ran) })
	for _, c := range settingsCases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			mu.Lock()
			ran++
			mu.Unlock()
			dir := t.TempDir()
			cfg, env := loadCase(t, c, dir)
			delete(env, "HOME")
			r, err := c.settingsFor(cfg)
			run := runAnsibleCase(t, c, dir, env, sshExe, pathDir)
			if err != nil {
				if !strings.Contains(run.output, err.Error()) {
					t.Fatalf("octopus fails with %q; ansible did not:\n%s", err, run.output)
				}
				mu.Lock()
				agreed++
				mu.Unlock()
				return
			}
			if len(run.establish) == 0 {
				t.Fatalf("no ESTABLISH line from ansible:\n%s", run.output)
			}
			if want := "<" + r.LogHost + "> " + r.LogLine; run.establish[0] != want {
				t.Errorf("ESTABLISH line: ansible %q, octopus %q", run.establish[0], want)
			}
			if !r.isSSH() {
				if len(run.execs) != 0 {
					t.Errorf("ansible used ssh, octopus %s", r.Connection)
				}
			} else {
				if len(run.execs) == 0 {
					t.Fatalf("no SSH: EXEC line from ansible:\n%s", run.output)
				}
				got, addr := normalizeExec(run.execs[0])
				want, _ := r.sshArgv()
				if strings.Join(got, "\x00") != strings.Join(want, "\x00") {
					t.Errorf("ssh options:\nansible %q\noctopus %q", got, want)
				}
				if addr != r.Address {
					t.Errorf("address: ansible %q, octopus %q", addr, r.Address)
				}
				if len(run.execs) != r.Retries+1 {
					t.Errorf("attempts: ansible %d, octopus %d", len(run.execs), r.Retries+1)
				}
				var pw string
				if len(run.passwords) > 0 {
					pw = run.passwords[0]
				}
				if pw != r.Password {
					t.Errorf("password: ansible %q, octopus %q", pw, r.Password)
				}
			}
			if !t.Failed() {
				mu.Lock()
				agreed++
				mu.Unlock()
			}
		})
	}
}
