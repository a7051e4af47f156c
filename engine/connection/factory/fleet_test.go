package factory

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"octopus/engine/config"
	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/engine/connection/ssh"
	"octopus/test/fleet"
)

// hostVars are the inventory variables of a fleet host: its address, the
// fleet key, no host key checking and no known_hosts writes.
func hostVars(h fleet.Host, extra map[string]any) map[string]any {
	v := map[string]any{
		"ansible_host":                 h.Addr,
		"ansible_user":                 h.User,
		"ansible_ssh_private_key_file": h.KeyFile,
		"ansible_host_key_checking":    false,
		"ansible_ssh_common_args":      "-o UserKnownHostsFile=/dev/null",
	}
	for k, x := range extra {
		if x == nil {
			delete(v, k)
		} else {
			v[k] = x
		}
	}
	return v
}

func execOut(t *testing.T, c connection.Conn, cmd string, b *connection.Become) string {
	t.Helper()
	res, err := c.Exec(context.Background(), cmd, connection.ExecOptions{Become: b})
	if err != nil {
		t.Fatalf("exec %q: %v", cmd, err)
	}
	if res.RC != 0 {
		t.Fatalf("exec %q: rc %d: %s", cmd, res.RC, res.Stderr)
	}
	return strings.TrimSpace(string(res.Stdout))
}

func TestPoolFleet(t *testing.T) {
	f := fleet.Start(t, 2, fleet.Options{})
	hs := f.Hosts()
	h1, h2 := hs[0], hs[1]
	ctx := context.Background()
	var logMu sync.Mutex
	var logs []string
	p := NewPool(Options{Verbosity: 3, Log: func(host, line string) {
		logMu.Lock()
		logs = append(logs, "<"+host+"> "+line)
		logMu.Unlock()
	}})
	t.Cleanup(p.CloseAll)

	t.Run("key", func(t *testing.T) {
		c, err := p.Get(ctx, "hs1", hostVars(h1, nil))
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := c.(*ssh.Conn); !ok {
			t.Fatalf("got %T, want *ssh.Conn", c)
		}
		if got := execOut(t, c, "id -un; hostname", nil); got != "root\nhs1" {
			t.Errorf("got %q", got)
		}
		logMu.Lock()
		defer logMu.Unlock()
		if len(logs) == 0 || logs[len(logs)-1] != "<"+h1.Addr+"> ESTABLISH SSH CONNECTION FOR USER: root" {
			t.Errorf("log lines: %q", logs)
		}
	})

	t.Run("password", func(t *testing.T) {
		v := hostVars(h1, map[string]any{"ansible_user": fleet.NoPwUser, "ansible_password": fleet.NoPwPassword,
			"ansible_ssh_private_key_file": nil, "ansible_ssh_extra_args": "-o PubkeyAuthentication=no"})
		c, err := p.Get(ctx, "hs1", v)
		if err != nil {
			t.Fatal(err)
		}
		if got := execOut(t, c, "id -un", nil); got != fleet.NoPwUser {
			t.Errorf("got %q", got)
		}
		// the -k password is used when no variable gives one
		p2 := NewPool(Options{ConnPassword: fleet.NoPwPassword})
		defer p2.CloseAll()
		delete(v, "ansible_password")
		c, err = p2.Get(ctx, "hs1", v)
		if err != nil {
			t.Fatal(err)
		}
		if got := execOut(t, c, "id -un", nil); got != fleet.NoPwUser {
			t.Errorf("-k: got %q", got)
		}
		v["ansible_password"] = "wrong"
		v["ansible_ssh_common_args"] = "-o UserKnownHostsFile=/dev/null -o Port=22" // another target: no reuse
		_, err = p2.Get(ctx, "hs1", v)
		var u *connection.UnreachableError
		if !errors.As(err, &u) {
			t.Errorf("wrong password: got %v, want *connection.UnreachableError", err)
		}
	})

	t.Run("reuse", func(t *testing.T) {
		a, err := p.Get(ctx, "hs1", hostVars(h1, nil))
		if err != nil {
			t.Fatal(err)
		}
		b, err := p.Get(ctx, "hs1", hostVars(h1, map[string]any{"ansible_port": "22"}))
		if err != nil {
			t.Fatal(err)
		}
		if a != b {
			t.Error("same host, same target: a second connection was opened")
		}
		alias, err := p.Get(ctx, "hs1-alias", hostVars(h1, nil))
		if err != nil {
			t.Fatal(err)
		}
		if alias != a {
			t.Error("another inventory name for the same target: not shared")
		}
		other, err := p.Get(ctx, "hs1", hostVars(h1, map[string]any{"ansible_user": fleet.NoPwUser}))
		if err != nil {
			t.Fatal(err)
		}
		if other == a {
			t.Error("another user shares the root connection")
		}
		// concurrent first Gets of a new target dial once
		p3 := NewPool(Options{})
		defer p3.CloseAll()
		var wg sync.WaitGroup
		got := make([]connection.Conn, 8)
		errs := make([]error, 8)
		for i := range got {
			wg.Add(1)
			go func(i int) {
				defer wg.Done()
				got[i], errs[i] = p3.Get(ctx, "hs2", hostVars(h2, nil))
			}(i)
		}
		wg.Wait()
		for i := range got {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			if got[i] != got[0] {
				t.Fatalf("concurrent Get %d returned another connection", i)
			}
		}
		if out := execOut(t, got[0], "hostname", nil); out != "hs2" {
			t.Errorf("hs2: got %q", out)
		}
	})

	t.Run("reset", func(t *testing.T) {
		a, err := p.Get(ctx, "hs2", hostVars(h2, nil))
		if err != nil {
			t.Fatal(err)
		}
		execOut(t, a, "true", nil)
		p.Reset("hs2")
		if _, err := a.Exec(ctx, "true", connection.ExecOptions{}); err == nil {
			t.Error("the connection still works after Reset")
		}
		b, err := p.Get(ctx, "hs2", hostVars(h2, nil))
		if err != nil {
			t.Fatal(err)
		}
		if b == a {
			t.Error("Reset: the old connection came back")
		}
		if out := execOut(t, b, "hostname", nil); out != "hs2" {
			t.Errorf("after reset: %q", out)
		}
	})

	t.Run("dead host", func(t *testing.T) {
		ip := net.ParseIP(h1.Addr).To4()
		dead := net.IPv4(ip[0], ip[1], ip[2], 250).String() // on the fleet's bridge, no host
		h := h1
		h.Addr = dead
		start := time.Now()
		for i := 0; i < 2; i++ { // a failure is not cached: the second Get dials again
			_, err := p.Get(ctx, "ghost", hostVars(h, map[string]any{"ansible_timeout": "2"}))
			var u *connection.UnreachableError
			if !errors.As(err, &u) {
				t.Fatalf("got %v, want *connection.UnreachableError", err)
			}
			if !strings.Contains(err.Error(), dead) {
				t.Errorf("error does not name the address: %v", err)
			}
		}
		if el := time.Since(start); el > 15*time.Second {
			t.Errorf("ansible_timeout=2 not honoured: %v", el)
		}
	})

	t.Run("host key checking by default", func(t *testing.T) {
		home := t.TempDir()
		t.Setenv("HOME", home) // ~/.ssh/known_hosts
		v := hostVars(h2, map[string]any{"ansible_host_key_checking": nil, "ansible_ssh_common_args": nil})
		_, err := p.Get(ctx, "hs2", v)
		var u *connection.UnreachableError
		if !errors.As(err, &u) || !strings.Contains(err.Error(), "Host key verification failed.") {
			t.Fatalf("unknown host key: got %v, want an unreachable host key failure", err)
		}
		pub, err := f.Exec("hs2", "cat /etc/ssh/ssh_host_ed25519_key.pub")
		if err != nil {
			t.Fatal(err)
		}
		fs := strings.Fields(pub)
		os.MkdirAll(filepath.Join(home, ".ssh"), 0o700)
		if err := os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(h2.Addr+" "+fs[0]+" "+fs[1]+"\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		c, err := p.Get(ctx, "hs2", v)
		if err != nil {
			t.Fatalf("known host key: %v", err)
		}
		if got := execOut(t, c, "hostname", nil); got != "hs2" {
			t.Errorf("got %q", got)
		}
	})

	t.Run("ansible_ssh_pass", func(t *testing.T) {
		for i, k := range []string{"ansible_ssh_pass", "ansible_ssh_password"} {
			v := hostVars(h2, map[string]any{"ansible_user": fleet.NoPwUser, k: fleet.NoPwPassword,
				"ansible_ssh_private_key_file": nil, "ansible_ssh_extra_args": fmt.Sprintf("-o PubkeyAuthentication=no -o ServerAliveCountMax=%d", 3+i)}) // a new connection each
			c, err := p.Get(ctx, "hs2", v)
			if err != nil {
				t.Fatalf("%s: %v", k, err)
			}
			if got := execOut(t, c, "id -un", nil); got != fleet.NoPwUser {
				t.Errorf("%s: got %q", k, got)
			}
		}
	})

	t.Run("become", func(t *testing.T) {
		c, err := p.Get(ctx, "hs1", hostVars(h1, map[string]any{"ansible_user": fleet.PwUser}))
		if err != nil {
			t.Fatal(err)
		}
		b := BecomeFor(map[string]any{"ansible_become": "yes", "ansible_become_password": "wrong", "ansible_become_pass": fleet.PwUserPassword}, BecomeDefaults{})
		if got := execOut(t, c, "id -un", b); got != "root" {
			t.Errorf("got %q", got)
		}
	})
}

func TestPoolLocal(t *testing.T) {
	var lines []string
	p := NewPool(Options{Verbosity: 3, Log: func(h, l string) { lines = append(lines, "<"+h+"> "+l) }})
	defer p.CloseAll()
	c, err := p.Get(context.Background(), "localhost", map[string]any{"ansible_connection": "local", "ansible_host": "127.0.0.1"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*local.Conn); !ok {
		t.Fatalf("got %T, want *local.Conn", c)
	}
	if got := execOut(t, c, "echo hi", nil); got != "hi" {
		t.Errorf("got %q", got)
	}
	if len(lines) != 1 || lines[0] != "<127.0.0.1> ESTABLISH LOCAL CONNECTION FOR USER: "+localUser() {
		t.Errorf("log: %q", lines)
	}
	// quiet below -vvv
	q := NewPool(Options{Verbosity: 2, Log: func(h, l string) { t.Errorf("logged at -vv: %s", l) }})
	if _, err := q.Get(context.Background(), "x", map[string]any{"ansible_connection": "local"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ conn, err string }{
		{"winrm", "the winrm connection is not supported by octopus"},
		{"nosuch", "the connection plugin 'nosuch' was not found"},
		{"community.docker.docker", "the connection plugin 'community.docker.docker' is not supported by octopus"},
	} {
		_, err := p.Get(context.Background(), "x", map[string]any{"ansible_connection": c.conn})
		if err == nil || !strings.Contains(err.Error(), c.err) || connection.IsUnreachable(err) {
			t.Errorf("%s: got %v, want a task error %q", c.conn, err, c.err)
		}
	}
	if _, err := p.Get(context.Background(), "x", map[string]any{"ansible_port": "abc"}); err == nil || connection.IsUnreachable(err) {
		t.Errorf("bad port: got %v, want a task error", err)
	}
}

// fleetCase is one precedence rule checked by logging in to a real test
// host with both ansible and the pool.
type fleetCase struct {
	name string
	vars map[string]any // changes to hostVars (nil deletes)
	opts Options        // command line: CLIUser, CLIPrivateKey
	bd   BecomeDefaults // command line: -b, --become-user, --become-method, --become-password-file
	env  map[string]string
	want string // "ok:<id -un output>", "unreachable" or "failed"
}

// ansibleOutcome runs `ansible -m raw -a "id -un"` for c against h.
func ansibleOutcome(t *testing.T, h fleet.Host, c fleetCase) string {
	t.Helper()
	dir := t.TempDir()
	v := hostVars(h, c.vars)
	v["ansible_ssh_args"] = "-o ControlMaster=no"
	inv, _ := json.Marshal(map[string]any{"all": map[string]any{"hosts": map[string]any{"target": v}}})
	invFile := filepath.Join(dir, "inv.json")
	os.WriteFile(invFile, inv, 0o644)
	args := []string{"-i", invFile, "target", "-m", "raw", "-a", "id -un"}
	if c.opts.CLIUser != "" {
		args = append(args, "-u", c.opts.CLIUser)
	}
	if c.opts.CLIPrivateKey != "" {
		args = append(args, "--private-key", c.opts.CLIPrivateKey)
	}
	if c.bd.Become {
		args = append(args, "-b")
	}
	if c.bd.User != "" {
		args = append(args, "--become-user", c.bd.User)
	}
	if c.bd.Method != "" {
		args = append(args, "--become-method", c.bd.Method)
	}
	if c.bd.Password != "" {
		pf := filepath.Join(dir, "becomepw")
		os.WriteFile(pf, []byte(c.bd.Password+"\n"), 0o600)
		args = append(args, "--become-password-file", pf)
	}
	cmd := exec.Command("ansible", args...)
	cmd.Dir = dir
	cmd.Env = ansibleEnv(c.env)
	out, _ := cmd.CombinedOutput()
	s := string(out)
	switch {
	case strings.Contains(s, "| UNREACHABLE!"):
		return "unreachable"
	case strings.Contains(s, "| CHANGED | rc=0 >>"):
		for _, l := range strings.Split(s[strings.Index(s, ">>")+2:], "\n") {
			l = strings.TrimSpace(l)
			if l != "" && !strings.HasPrefix(l, "Warning:") && !strings.HasPrefix(l, "Connection to") && !strings.HasPrefix(l, "Shared connection") {
				return "ok:" + l
			}
		}
		return "ok:"
	}
	return "failed"
}

// poolOutcome does the same with a Pool and BecomeFor.
func poolOutcome(t *testing.T, h fleet.Host, c fleetCase) string {
	t.Helper()
	env := map[string]string{"HOME": os.Getenv("HOME"), "ANSIBLE_CONFIG": filepath.Join(t.TempDir(), "none.cfg")}
	for k, v := range c.env {
		env[k] = v
	}
	cfg, _, err := config.Load(env, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	opts := c.opts
	opts.Config = cfg
	p := NewPool(opts)
	defer p.CloseAll()
	v := hostVars(h, c.vars)
	v["ansible_ssh_args"] = "-o ControlMaster=no"
	classify := func(err error) string {
		if connection.IsUnreachable(err) {
			return "unreachable"
		}
		return "failed"
	}
	conn, err := p.Get(context.Background(), "target", v)
	if err != nil {
		return classify(err)
	}
	bd := c.bd
	bd.Config, bd.Env = cfg, c.env
	b, err := ResolveBecome(v, bd)
	if err != nil {
		return "failed"
	}
	res, err := conn.Exec(context.Background(), "id -un", connection.ExecOptions{Become: b})
	if err != nil {
		return classify(err)
	}
	if res.RC != 0 {
		return "failed"
	}
	return "ok:" + strings.TrimSpace(string(res.Stdout))
}

// TestFleetAgainstAnsible logs in to a real host with ansible and with the
// pool under the same variables, command line and environment, and checks
// both end up as the same user (or fail the same way).
func TestFleetAgainstAnsible(t *testing.T) {
	if _, err := exec.LookPath("ansible"); err != nil {
		t.Skip("ansible not installed")
	}
	if testing.Short() {
		t.Skip("differential test against ansible skipped in -short mode")
	}
	f := fleet.Start(t, 1, fleet.Options{})
	h := f.Hosts()[0]
	key := h.KeyFile
	const missing = "/nonexistent/key"
	cases := []fleetCase{
		{name: "ansible_user beats -u", vars: map[string]any{"ansible_user": fleet.NoPwUser}, opts: Options{CLIUser: fleet.PwUser}, want: "ok:" + fleet.NoPwUser},
		{name: "-u", vars: map[string]any{"ansible_user": nil}, opts: Options{CLIUser: fleet.PwUser}, want: "ok:" + fleet.PwUser},
		{name: "ANSIBLE_REMOTE_USER", vars: map[string]any{"ansible_user": nil}, env: map[string]string{"ANSIBLE_REMOTE_USER": fleet.NoPwUser}, want: "ok:" + fleet.NoPwUser},
		{name: "ansible_ssh_user beats ansible_user", vars: map[string]any{"ansible_user": fleet.PwUser, "ansible_ssh_user": fleet.NoPwUser}, want: "ok:" + fleet.NoPwUser},
		{name: "ansible_ssh_port beats ansible_port", vars: map[string]any{"ansible_port": 2, "ansible_ssh_port": "22"}, want: "ok:root"},
		{name: "ansible_ssh_port wrong", vars: map[string]any{"ansible_port": 22, "ansible_ssh_port": 2}, want: "unreachable"},
		{name: "ANSIBLE_REMOTE_PORT loses to ansible_port", vars: map[string]any{"ansible_port": 22}, env: map[string]string{"ANSIBLE_REMOTE_PORT": "2"}, want: "ok:root"},
		{name: "key var beats --private-key", opts: Options{CLIPrivateKey: missing}, want: "ok:root"},
		{name: "--private-key", vars: map[string]any{"ansible_ssh_private_key_file": nil}, opts: Options{CLIPrivateKey: key}, want: "ok:root"},
		{name: "ANSIBLE_PRIVATE_KEY_FILE", vars: map[string]any{"ansible_ssh_private_key_file": nil}, env: map[string]string{"ANSIBLE_PRIVATE_KEY_FILE": key}, want: "ok:root"},
		{name: "ansible_ssh_private_key_file beats ansible_private_key_file", vars: map[string]any{"ansible_private_key_file": key, "ansible_ssh_private_key_file": missing}, want: "unreachable"},
		{name: "become needs a password", vars: map[string]any{"ansible_user": fleet.PwUser}, bd: BecomeDefaults{Become: true}, want: "failed"},
		{name: "ansible_become_pass beats ansible_become_password", vars: map[string]any{"ansible_user": fleet.PwUser, "ansible_become_password": "wrong", "ansible_become_pass": fleet.PwUserPassword}, bd: BecomeDefaults{Become: true}, want: "ok:root"},
		{name: "ansible_become_pass wrong", vars: map[string]any{"ansible_user": fleet.PwUser, "ansible_become_password": fleet.PwUserPassword, "ansible_become_pass": "wrong"}, bd: BecomeDefaults{Become: true}, want: "failed"},
		{name: "--become-password-file", vars: map[string]any{"ansible_user": fleet.PwUser}, bd: BecomeDefaults{Become: true, Password: fleet.PwUserPassword}, want: "ok:root"},
		{name: "password var beats --become-password-file", vars: map[string]any{"ansible_user": fleet.PwUser, "ansible_become_password": "wrong"}, bd: BecomeDefaults{Become: true, Password: fleet.PwUserPassword}, want: "failed"},
		{name: "ansible_sudo_pass beats ansible_become_pass", vars: map[string]any{"ansible_user": fleet.PwUser, "ansible_become_pass": "wrong", "ansible_sudo_pass": fleet.PwUserPassword}, bd: BecomeDefaults{Become: true}, want: "ok:root"},
		{name: "ANSIBLE_BECOME_PASS", vars: map[string]any{"ansible_user": fleet.PwUser}, env: map[string]string{"ANSIBLE_BECOME_PASS": fleet.PwUserPassword}, bd: BecomeDefaults{Become: true}, want: "ok:root"},
		{name: "ansible_become false beats -b", vars: map[string]any{"ansible_user": fleet.NoPwUser, "ansible_become": "false"}, bd: BecomeDefaults{Become: true}, want: "ok:" + fleet.NoPwUser},
		{name: "ansible_become true without -b", vars: map[string]any{"ansible_user": fleet.NoPwUser, "ansible_become": "True"}, want: "ok:root"},
		{name: "ansible_become_user beats --become-user", vars: map[string]any{"ansible_become_user": fleet.NoPwUser}, bd: BecomeDefaults{Become: true, User: fleet.PwUser}, want: "ok:" + fleet.NoPwUser},
		{name: "ansible_sudo_user beats ansible_become_user", vars: map[string]any{"ansible_become_user": fleet.NoPwUser, "ansible_sudo_user": fleet.PwUser}, bd: BecomeDefaults{Become: true}, want: "ok:" + fleet.PwUser},
		{name: "su", vars: map[string]any{"ansible_user": fleet.NoPwUser, "ansible_become_pass": fleet.RootPassword}, bd: BecomeDefaults{Become: true, Method: "su"}, want: "ok:root"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := ansibleOutcome(t, h, c)
			o := poolOutcome(t, h, c)
			if a != c.want {
				t.Errorf("ansible: %s, want %s", a, c.want)
			}
			if o != a {
				t.Errorf("octopus: %s, ansible: %s", o, a)
			}
		})
	}
}
