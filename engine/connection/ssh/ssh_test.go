package ssh

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"octopus/engine/connection"
	"octopus/test/fleet"
)

// dial connects to h as root with the fleet key, no host key checking, after
// mod adjusts the config.
func dial(t testing.TB, h fleet.Host, mod func(*Config)) (*Conn, error) {
	t.Helper()
	cfg := Config{Host: h.Addr, Port: h.Port, User: h.User, KeyFiles: []string{h.KeyFile}, NoAgent: true, Timeout: 5 * time.Second}
	if mod != nil {
		mod(&cfg)
	}
	c, err := Dial(context.Background(), cfg)
	if err == nil {
		t.Cleanup(func() { c.Close() })
	}
	return c, err
}

func mustDial(t testing.TB, h fleet.Host, mod func(*Config)) *Conn {
	t.Helper()
	c, err := dial(t, h, mod)
	if err != nil {
		t.Fatalf("dial %s: %v", h.Name, err)
	}
	return c
}

func run(t testing.TB, c *Conn, cmd string, opts connection.ExecOptions) *connection.Result {
	t.Helper()
	res, err := c.Exec(context.Background(), cmd, opts)
	if err != nil {
		t.Fatalf("exec %q: %v", cmd, err)
	}
	return res
}

func wantUnreachable(t *testing.T, err error, substr string) {
	t.Helper()
	var u *connection.UnreachableError
	if !errors.As(err, &u) {
		t.Fatalf("got %v (%T), want an UnreachableError", err, err)
	}
	if !strings.Contains(err.Error(), substr) {
		t.Errorf("error %q does not contain %q", err, substr)
	}
	if !strings.HasPrefix(err.Error(), "Failed to connect to the host via ssh: ") {
		t.Errorf("error %q lacks Ansible's prefix", err)
	}
}

func wantBecomeError(t *testing.T, err error, msg string) {
	t.Helper()
	var be *connection.BecomeError
	if !errors.As(err, &be) || be.Msg != msg {
		t.Errorf("got %v (%T), want BecomeError %q", err, err, msg)
	}
}

func TestSSH(t *testing.T) {
	f := fleet.Start(t, 3, fleet.Options{})
	hosts := f.Hosts()
	hs1, hs2, hs3 := hosts[0], hosts[1], hosts[2]

	t.Run("exec", func(t *testing.T) {
		start := time.Now()
		c := mustDial(t, hs1, nil)
		dialed := time.Since(start)
		run(t, c, "true", connection.ExecOptions{})
		first := time.Since(start) - dialed
		start = time.Now()
		for i := 0; i < 100; i++ {
			run(t, c, "true", connection.ExecOptions{})
		}
		t.Logf("Dial %v, first Exec (opens the shell) %v, then %v per Exec", dialed, first, time.Since(start)/100)
		cases := []struct {
			name, cmd string
			opts      connection.ExecOptions
			out, err  string
			rc        int
		}{
			{"plain", "id -un; hostname", connection.ExecOptions{}, "root\nhs1\n", "", 0},
			{"rc and stderr", "echo out; echo err >&2; exit 7", connection.ExecOptions{}, "out\n", "err\n", 7},
			{"stdin", "tr a-z A-Z", connection.ExecOptions{Stdin: []byte("hello\nworld")}, "HELLO\nWORLD", "", 0},
			{"no stdin", "cat", connection.ExecOptions{}, "", "", 0},
			{"env and dir", `printf '%s|%s|' "$A" "$B"; pwd`, connection.ExecOptions{Env: map[string]string{"A": "x y", "B": "it's"}, Dir: "/etc"}, "x y|it's|/etc\n", "", 0},
			{"no trailing newline", "printf abc; printf def >&2", connection.ExecOptions{}, "abc", "def", 0},
			{"multi-line script", "if true; then\n  printf '%s\\n' 'a\\b'\nfi\ncat <<'EOF'\n x \\\nEOF", connection.ExecOptions{}, "a\\b\n x \\\n", "", 0},
			{"syntax error", "if then", connection.ExecOptions{}, "", "", 2},
			{"killed by signal", "sh -c 'kill -9 $$'", connection.ExecOptions{}, "", "", 137},
		}
		for _, tc := range cases {
			res := run(t, c, tc.cmd, tc.opts)
			if string(res.Stdout) != tc.out || res.RC != tc.rc || (tc.rc != 2 && tc.rc != 137 && string(res.Stderr) != tc.err) {
				t.Errorf("%s: got out=%q err=%q rc=%d; want out=%q err=%q rc=%d", tc.name, res.Stdout, res.Stderr, res.RC, tc.out, tc.err, tc.rc)
			}
		}
		// a large script (sent counted and sourced) behaves as a small one
		big := "x=0\n" + strings.Repeat("x=$((x + 1))\n", 20000) + "echo $x; echo err >&2; exit 4"
		start = time.Now()
		if res := run(t, c, big, connection.ExecOptions{Stdin: []byte("in")}); string(res.Stdout) != "20000\n" || string(res.Stderr) != "err\n" || res.RC != 4 {
			t.Errorf("large script: %q %q %d", res.Stdout, res.Stderr, res.RC)
		}
		t.Logf("a %d KB script: %v", len(big)>>10, time.Since(start))
		// state does not leak between commands
		run(t, c, "cd /tmp; X=1; export Y=2; umask 077; trap 'echo trapped' EXIT", connection.ExecOptions{})
		if res := run(t, c, `pwd; echo "${X:-unset} ${Y:-unset}"; umask`, connection.ExecOptions{}); string(res.Stdout) != "/root\nunset unset\n0022\n" {
			t.Errorf("state leaked: %q", res.Stdout)
		}
	})

	t.Run("dialer", func(t *testing.T) { testDialer(t, f, hs1, hs2) })
	t.Run("stream", func(t *testing.T) { testStream(t, hs1) })
	t.Run("stream bash", func(t *testing.T) {
		// targets whose /bin/sh is bash (it reads a pipe byte by byte and is
		// interactive on a terminal unless told otherwise)
		if out, err := f.Exec("hs2", "ln -sf bash /bin/sh && readlink /bin/sh"); err != nil || out != "bash\n" {
			t.Fatalf("%q %v", out, err)
		}
		defer f.Exec("hs2", "ln -sf dash /bin/sh")
		testStream(t, hs2)
	})

	t.Run("password", func(t *testing.T) {
		c := mustDial(t, hs1, func(c *Config) {
			c.User, c.Password, c.KeyFiles, c.Args = fleet.NoPwUser, fleet.NoPwPassword, nil, "-o PubkeyAuthentication=no"
		})
		if res := run(t, c, "id -un", connection.ExecOptions{}); string(res.Stdout) != "hsnopw\n" {
			t.Errorf("user: %q", res.Stdout)
		}
		_, err := dial(t, hs1, func(c *Config) {
			c.User, c.Password, c.KeyFiles, c.Args = fleet.NoPwUser, "wrong", nil, "-o PubkeyAuthentication=no"
		})
		wantUnreachable(t, err, "hsnopw@"+hs1.Addr+": Permission denied (publickey,password).")
	})

	t.Run("key refused", func(t *testing.T) {
		other := filepath.Join(t.TempDir(), "other")
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other).CombinedOutput(); err != nil {
			t.Fatalf("ssh-keygen: %v %s", err, out)
		}
		_, err := dial(t, hs1, func(c *Config) { c.KeyFiles = []string{other} })
		wantUnreachable(t, err, "root@"+hs1.Addr+": Permission denied (publickey,password).")
	})

	t.Run("agent", func(t *testing.T) {
		sock := filepath.Join(t.TempDir(), "agent.sock")
		agent := exec.Command("ssh-agent", "-D", "-a", sock)
		if err := agent.Start(); err != nil {
			t.Skipf("ssh-agent: %v", err)
		}
		t.Cleanup(func() { agent.Process.Kill(); agent.Wait() })
		for i := 0; i < 100; i++ {
			if _, err := os.Stat(sock); err == nil {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		add := exec.Command("ssh-add", hs1.KeyFile)
		add.Env = append(os.Environ(), "SSH_AUTH_SOCK="+sock)
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("ssh-add: %v %s", err, out)
		}
		t.Setenv("SSH_AUTH_SOCK", sock)
		c := mustDial(t, hs1, func(c *Config) { c.KeyFiles, c.NoAgent = []string{"/nonexistent"}, false })
		if res := run(t, c, "id -un", connection.ExecOptions{}); string(res.Stdout) != "root\n" {
			t.Errorf("user: %q", res.Stdout)
		}
		_, err := dial(t, hs1, func(c *Config) { c.KeyFiles, c.NoAgent = []string{"/nonexistent"}, true })
		wantUnreachable(t, err, "Permission denied")
	})

	t.Run("sudo", func(t *testing.T) {
		nopw := mustDial(t, hs1, func(c *Config) { c.User = fleet.NoPwUser })
		pw := mustDial(t, hs1, func(c *Config) { c.User = fleet.PwUser })
		cases := []struct {
			name string
			conn *Conn
			b    connection.Become
			out  string
			err  string
		}{
			{"nopasswd", nopw, connection.Become{Method: "sudo"}, "root", ""},
			{"nopasswd other user", nopw, connection.Become{Method: "sudo", User: fleet.PwUser}, fleet.PwUser, ""},
			{"password", pw, connection.Become{Method: "sudo", Password: fleet.PwUserPassword}, "root", ""},
			{"password with flags", pw, connection.Become{Method: "sudo", Password: fleet.PwUserPassword, Flags: "-H -S -n"}, "root", ""},
			{"wrong password", pw, connection.Become{Method: "sudo", Password: "nope"}, "", "Incorrect sudo password"},
			{"missing password", pw, connection.Become{Method: "sudo"}, "", "Missing sudo password"},
			{"not needed", nopw, connection.Become{Method: "sudo", User: fleet.NoPwUser, Password: "unused"}, fleet.NoPwUser, ""},
		}
		for _, tc := range cases {
			b := tc.b
			res, err := tc.conn.Exec(context.Background(), "id -un; echo err >&2; printf %s \"$HOME\"", connection.ExecOptions{Become: &b})
			if tc.err != "" {
				wantBecomeError(t, err, tc.err)
				continue
			}
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
				continue
			}
			home := "/root"
			if tc.out != "root" {
				home = "/home/" + tc.out
			}
			if string(res.Stdout) != tc.out+"\n"+home || string(res.Stderr) != "err\n" {
				t.Errorf("%s: out=%q err=%q", tc.name, res.Stdout, res.Stderr)
			}
		}
		// the become shell is kept: the next command needs no new password exchange
		b := &connection.Become{Method: "sudo", Password: fleet.PwUserPassword}
		start := time.Now()
		for i := 0; i < 20; i++ {
			run(t, pw, "true", connection.ExecOptions{Become: b})
		}
		t.Logf("20 sudo Execs on a kept become shell: %v", time.Since(start))
	})

	t.Run("su", func(t *testing.T) {
		c := mustDial(t, hs1, func(c *Config) { c.User = fleet.NoPwUser })
		b := &connection.Become{Method: "su", Password: fleet.RootPassword}
		res := run(t, c, "id -un; echo err >&2; printf 'a\\nb'; exit 3", connection.ExecOptions{Become: b})
		if string(res.Stdout) != "root\na\nb" || string(res.Stderr) != "err\n" || res.RC != 3 {
			t.Errorf("su: out=%q err=%q rc=%d", res.Stdout, res.Stderr, res.RC)
		}
		data := randomBytes(t, 100000)
		if err := c.Put(context.Background(), "/root/su-put", data, connection.PutOptions{Become: b}); err != nil {
			t.Fatal(err)
		}
		back, err := c.Get(context.Background(), "/root/su-put", b)
		if err != nil || !bytes.Equal(back, data) {
			t.Errorf("su put/get round trip: %v (len %d)", err, len(back))
		}
		_, err = c.Exec(context.Background(), "id", connection.ExecOptions{Become: &connection.Become{Method: "su", Password: "nope"}})
		wantBecomeError(t, err, "Incorrect su password")
		// root becomes anybody without a password
		r := mustDial(t, hs1, nil)
		res = run(t, r, "id -un", connection.ExecOptions{Become: &connection.Become{Method: "su", User: fleet.PwUser}})
		if string(res.Stdout) != fleet.PwUser+"\n" {
			t.Errorf("su from root: %q", res.Stdout)
		}
	})

	t.Run("known_hosts", func(t *testing.T) {
		pub, err := f.Exec("hs1", "cat /etc/ssh/ssh_host_ed25519_key.pub")
		if err != nil {
			t.Fatal(err)
		}
		fields := strings.Fields(pub)
		dir := t.TempDir()
		good := filepath.Join(dir, "good")
		os.WriteFile(good, []byte(hs1.Addr+" "+fields[0]+" "+fields[1]+"\n"), 0o600)
		c := mustDial(t, hs1, func(c *Config) { c.HostKeyChecking, c.KnownHostsFile = true, good })
		run(t, c, "true", connection.ExecOptions{})

		otherPub, _, _ := ed25519.GenerateKey(rand.Reader)
		other, _ := xssh.NewPublicKey(otherPub)
		bad := filepath.Join(dir, "bad")
		os.WriteFile(bad, []byte("# changed\n"+hs1.Addr+" "+strings.TrimSpace(string(xssh.MarshalAuthorizedKey(other)))+"\n"), 0o600)
		_, err = dial(t, hs1, func(c *Config) { c.HostKeyChecking, c.KnownHostsFile = true, bad })
		wantUnreachable(t, err, "REMOTE HOST IDENTIFICATION HAS CHANGED")
		wantUnreachable(t, err, "Offending ED25519 key in "+bad+":2\r\n")
		wantUnreachable(t, err, "Host key verification failed.")

		empty := filepath.Join(dir, "empty")
		_, err = dial(t, hs1, func(c *Config) { c.HostKeyChecking, c.KnownHostsFile = true, empty })
		wantUnreachable(t, err, "No ED25519 host key is known for "+hs1.Addr+" and you have requested strict checking.\r\nHost key verification failed.")

		// checking off in the config, or through the ssh args
		mustDial(t, hs1, func(c *Config) { c.HostKeyChecking, c.KnownHostsFile = false, bad })
		mustDial(t, hs1, func(c *Config) {
			c.HostKeyChecking, c.KnownHostsFile, c.Args = true, bad, "-o StrictHostKeyChecking=no"
		})
		// accept-new records the key, then holds the host to it
		mustDial(t, hs1, func(c *Config) {
			c.HostKeyChecking, c.KnownHostsFile, c.Args = true, empty, "-o StrictHostKeyChecking=accept-new"
		})
		mustDial(t, hs1, func(c *Config) { c.HostKeyChecking, c.KnownHostsFile = true, empty })
		if data, _ := os.ReadFile(empty); !strings.Contains(string(data), fields[1]) {
			t.Errorf("accept-new did not record the key: %q", data)
		}
	})

	t.Run("proxyjump", func(t *testing.T) {
		for _, args := range []string{
			"-o ProxyJump=root@" + hs1.Addr,
			"-C -J root@" + hs1.Addr + ":22",
			fmt.Sprintf("-o ProxyCommand='ssh -q -i %s -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -W %%h:%%p root@%s'", hs1.KeyFile, hs1.Addr),
		} {
			c := mustDial(t, hs2, func(c *Config) { c.Args = args })
			res := run(t, c, `hostname; echo "${SSH_CLIENT%% *}"`, connection.ExecOptions{})
			if want := "hs2\n" + hs1.Addr + "\n"; string(res.Stdout) != want {
				t.Errorf("%s: got %q want %q (the client address seen by hs2 must be hs1's)", args, res.Stdout, want)
			}
		}
		// a jump host that cannot reach the target
		_, err := dial(t, fleet.Host{Addr: "10.77.254.254", Port: 22, User: "root", KeyFile: hs1.KeyFile}, func(c *Config) {
			c.Args, c.Timeout = "-J root@"+hs1.Addr, 2*time.Second
		})
		wantUnreachable(t, err, "ssh: connect to host 10.77.254.254 port 22: ")
	})

	t.Run("put get", func(t *testing.T) {
		c := mustDial(t, hs1, nil)
		ctx := context.Background()
		data := randomBytes(t, 5<<20)
		data[0], data[len(data)-1] = 0, 'x' // a NUL, no trailing newline
		start := time.Now()
		if err := c.Put(ctx, "/tmp/big", data, connection.PutOptions{Mode: 0o600}); err != nil {
			t.Fatal(err)
		}
		put := time.Since(start)
		start = time.Now()
		back, err := c.Get(ctx, "/tmp/big", nil)
		if err != nil || !bytes.Equal(back, data) {
			t.Fatalf("5 MB round trip: %v, %d bytes back", err, len(back))
		}
		t.Logf("5 MB: Put %v, Get %v", put, time.Since(start))
		if res := run(t, c, "stat -c %a /tmp/big; ls -a /tmp | grep -c octopus", connection.ExecOptions{}); string(res.Stdout) != "600\n0\n" {
			t.Errorf("mode or leftover temp files: %q", res.Stdout)
		}
		// mode 0 keeps an existing file's mode; a new file gets 0644
		c.Put(ctx, "/tmp/big", []byte("small"), connection.PutOptions{})
		c.Put(ctx, "/tmp/new", nil, connection.PutOptions{})
		if res := run(t, c, "stat -c %a /tmp/big /tmp/new; cat /tmp/big", connection.ExecOptions{}); string(res.Stdout) != "600\n644\nsmall" {
			t.Errorf("modes: %q", res.Stdout)
		}
		// modes the umask gives, and those needing chmod (execute bits, no
		// owner write), as a user who cannot write a read-only file
		nopw := mustDial(t, hs1, func(c *Config) { c.User = fleet.NoPwUser })
		for _, m := range []os.FileMode{0o640, 0o600, 0o755, 0o444, 0o700} {
			for _, size := range []int{10, inlineStdin + 10} {
				p := fmt.Sprintf("/tmp/mode-%o-%d", m, size)
				if err := nopw.Put(ctx, p, data[:size], connection.PutOptions{Mode: m}); err != nil {
					t.Fatalf("put mode %o: %v", m, err)
				}
				res := run(t, nopw, "stat -c '%a %U' "+p+"; cmp "+p+" -", connection.ExecOptions{Stdin: data[:size]})
				if want := fmt.Sprintf("%o %s\n", m, fleet.NoPwUser); string(res.Stdout) != want || res.RC != 0 {
					t.Errorf("mode %o size %d: %q rc %d %s", m, size, res.Stdout, res.RC, res.Stderr)
				}
			}
		}
		// relative path and odd names
		odd := "sp ace 'q\"\n.txt"
		if err := c.Put(ctx, odd, []byte("odd"), connection.PutOptions{}); err != nil {
			t.Fatal(err)
		}
		if back, err := c.Get(ctx, "/root/"+odd, nil); err != nil || string(back) != "odd" {
			t.Errorf("odd name: %q %v", back, err)
		}
		// errors
		if err := c.Put(ctx, "/nonexistent/dir/f", []byte("x"), connection.PutOptions{}); err == nil || connection.IsUnreachable(err) {
			t.Errorf("put into a missing dir: %v", err)
		}
		if _, err := c.Get(ctx, "/nonexistent", nil); err == nil || !strings.Contains(err.Error(), "No such file") {
			t.Errorf("get of a missing file: %v", err)
		}
		// through sudo with a password, to a root-only place
		pw := mustDial(t, hs1, func(c *Config) { c.User = fleet.PwUser })
		b := &connection.Become{Method: "sudo", Password: fleet.PwUserPassword}
		if err := pw.Put(ctx, "/root/secret", data[:1000], connection.PutOptions{Mode: 0o640, Become: b}); err != nil {
			t.Fatal(err)
		}
		if back, err := pw.Get(ctx, "/root/secret", b); err != nil || !bytes.Equal(back, data[:1000]) {
			t.Errorf("sudo round trip: %v", err)
		}
		if _, err := pw.Get(ctx, "/root/secret", nil); err == nil {
			t.Error("get without become of a root-only file worked")
		}
	})

	t.Run("concurrent", func(t *testing.T) {
		c := mustDial(t, hs1, nil)
		b := &connection.Become{Method: "sudo", User: fleet.NoPwUser}
		var wg sync.WaitGroup
		errs := make(chan error, 1000)
		start := time.Now()
		for g := 0; g < 40; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 10; i++ {
					var opts connection.ExecOptions
					want := fmt.Sprintf("%d-%d", g, i)
					if i%3 == 0 {
						opts.Become = b
					}
					res, err := c.Exec(context.Background(), "printf %s "+want+"; printf %s "+want+" >&2", opts)
					if err != nil {
						errs <- err
						return
					}
					if string(res.Stdout) != want || string(res.Stderr) != want {
						errs <- fmt.Errorf("want %s got %q %q", want, res.Stdout, res.Stderr)
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		t.Logf("400 concurrent Execs: %v", time.Since(start))
	})

	t.Run("context", func(t *testing.T) {
		nopw := mustDial(t, hs1, func(c *Config) { c.User = fleet.NoPwUser })
		for i, tc := range []struct {
			name string
			b    *connection.Become
		}{
			{"login user", nil},
			{"sudo", &connection.Become{Method: "sudo"}},
			{"su", &connection.Become{Method: "su", Password: fleet.RootPassword}},
		} {
			sleep := fmt.Sprintf("sleep %d", 417+i)
			run(t, nopw, "true", connection.ExecOptions{Become: tc.b})
			ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
			start := time.Now()
			_, err := nopw.Exec(ctx, sleep, connection.ExecOptions{Become: tc.b})
			cancel()
			if !errors.Is(err, context.DeadlineExceeded) || time.Since(start) > 2*time.Second {
				t.Errorf("%s: cancel: %v after %v", tc.name, err, time.Since(start))
			}
			// the cancelled command was killed on the target
			for i := 0; ; i++ {
				out, _ := f.Exec("hs1", "ps -eo args | grep -c '^"+sleep+"' || true")
				if out == "0\n" {
					break
				}
				if i == 50 {
					t.Errorf("%s: the cancelled command still runs: %q", tc.name, out)
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			run(t, nopw, "true", connection.ExecOptions{Become: tc.b}) // the connection stays usable
		}
	})

	t.Run("refused", func(t *testing.T) {
		_, err := dial(t, fleet.Host{Addr: hs3.Addr, Port: 2222, User: "root", KeyFile: hs3.KeyFile}, nil)
		wantUnreachable(t, err, fmt.Sprintf("ssh: connect to host %s port 2222: Connection refused", hs3.Addr))
	})

	t.Run("dropped", func(t *testing.T) {
		if err := f.Drop("hs3"); err != nil {
			t.Skipf("drop: %v", err)
		}
		defer f.Undrop("hs3")
		start := time.Now()
		_, err := dial(t, hs3, func(c *Config) { c.Timeout = time.Second })
		wantUnreachable(t, err, fmt.Sprintf("ssh: connect to host %s port 22: Connection timed out", hs3.Addr))
		if d := time.Since(start); d > 2*time.Second {
			t.Errorf("connect timeout took %v", d)
		}
	})

	t.Run("cut link", func(t *testing.T) {
		c := mustDial(t, hs3, func(c *Config) { c.Timeout = 2 * time.Second })
		run(t, c, "true", connection.ExecOptions{})
		done := make(chan error, 1)
		go func() {
			_, err := c.Exec(context.Background(), "sleep 60", connection.ExecOptions{})
			done <- err
		}()
		time.Sleep(200 * time.Millisecond)
		if err := f.Cut("hs3"); err != nil {
			t.Fatal(err)
		}
		defer f.Uncut("hs3")
		start := time.Now()
		select {
		case err := <-done:
			wantUnreachable(t, err, "Timeout, server "+hs3.Addr+" not responding.")
			t.Logf("cut link noticed after %v (timeout 2s)", time.Since(start))
			if d := time.Since(start); d > 3*time.Second {
				t.Errorf("took %v", d)
			}
		case <-time.After(10 * time.Second):
			t.Fatal("Exec still hangs 10 s after the link was cut")
		}
		// the next call dials again and times out too; after uncut it works again
		_, err := c.Exec(context.Background(), "true", connection.ExecOptions{})
		wantUnreachable(t, err, "Connection timed out")
		f.Uncut("hs3")
		run(t, c, "true", connection.ExecOptions{})
	})

	t.Run("connection attempts", func(t *testing.T) {
		if err := f.KillSSHD("hs3"); err != nil {
			t.Fatal(err)
		}
		restarted := make(chan error, 1)
		go func() {
			time.Sleep(300 * time.Millisecond)
			restarted <- f.Restart("hs3")
		}()
		start := time.Now()
		c, err := dial(t, hs3, func(c *Config) { c.ConnectionAttempts = 8 })
		if rerr := <-restarted; rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			t.Fatalf("8 attempts while sshd restarts: %v", err)
		}
		if d := time.Since(start); d < time.Second {
			t.Errorf("connected after %v: the first attempt cannot have worked", d)
		}
		t.Logf("connected on a later attempt after %v", time.Since(start))
		run(t, c, "true", connection.ExecOptions{})
		// a refused login or host key is not retried
		start = time.Now()
		_, err = dial(t, hs3, func(c *Config) { c.KeyFiles, c.ConnectionAttempts = []string{"/nonexistent"}, 5 })
		wantUnreachable(t, err, "Permission denied")
		if d := time.Since(start); d > 900*time.Millisecond {
			t.Errorf("a refused login was retried: %v", d)
		}
		// attempts are made through a ProxyJump hop too
		if err := f.KillSSHD("hs3"); err != nil {
			t.Fatal(err)
		}
		go func() {
			time.Sleep(300 * time.Millisecond)
			restarted <- f.Restart("hs3")
		}()
		c, err = dial(t, hs3, func(c *Config) { c.ConnectionAttempts, c.Args = 8, "-J root@"+hs1.Addr })
		if rerr := <-restarted; rerr != nil {
			t.Fatal(rerr)
		}
		if err != nil {
			t.Fatalf("8 attempts through a jump host while sshd restarts: %v", err)
		}
		run(t, c, "true", connection.ExecOptions{})
	})

	t.Run("killed sshd", func(t *testing.T) {
		c := mustDial(t, hs3, nil)
		run(t, c, "true", connection.ExecOptions{})
		if err := f.KillSSHD("hs3"); err != nil {
			t.Fatal(err)
		}
		_, err := c.Exec(context.Background(), "true", connection.ExecOptions{})
		if !connection.IsUnreachable(err) {
			t.Errorf("exec on a dead host: %v", err)
		}
		_, err = dial(t, hs3, nil)
		wantUnreachable(t, err, fmt.Sprintf("ssh: connect to host %s port 22: Connection refused", hs3.Addr))
		if err := f.Restart("hs3"); err != nil {
			t.Fatal(err)
		}
		run(t, c, "true", connection.ExecOptions{}) // redials
	})
}

func randomBytes(t testing.TB, n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return b
}

// BenchmarkExec measures one Exec round trip on a kept shell.
func BenchmarkExec(b *testing.B) {
	f := fleet.Start(b, 1, fleet.Options{})
	c := mustDial(b, f.Hosts()[0], nil)
	run(b, c, "true", connection.ExecOptions{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if res := run(b, c, "echo hi", connection.ExecOptions{}); string(res.Stdout) != "hi\n" {
			b.Fatalf("got %q", res.Stdout)
		}
	}
}

// BenchmarkExecBecome measures one Exec round trip on a kept sudo shell.
func BenchmarkExecBecome(b *testing.B) {
	f := fleet.Start(b, 1, fleet.Options{})
	c := mustDial(b, f.Hosts()[0], func(c *Config) { c.User = fleet.PwUser })
	become := &connection.Become{Method: "sudo", Password: fleet.PwUserPassword}
	run(b, c, "true", connection.ExecOptions{Become: become})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		run(b, c, "true", connection.ExecOptions{Become: become})
	}
}
