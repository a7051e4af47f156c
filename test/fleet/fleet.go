// Package fleet starts throwaway sshd-backed test hosts on this machine for Go
// tests: each host is a network namespace on a private bridge with its own
// mount, UTS, PID and IPC namespaces, an overlay over a cached Debian base, its
// own device nodes and its own sshd (optionally real systemd as PID 1 through
// systemd-nspawn). The work is done by fleet.sh (embedded here, also usable
// from a shell); see README.md next to it.
//
// Concurrency: every fleet takes a numbered slot K under a flock in
// /run/octopus-fleet (subnet 10.77.K.0/24, bridge octKbr, namespaces octK-hsI),
// so several test packages can run fleets at the same time. A slot whose owner
// process is gone is reclaimed by the next fleet that starts.
package fleet

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

//go:embed fleet.sh hostinit.sh aptproxy.py mkrepo.sh
var scripts embed.FS

// Users and passwords of the base image (see fleet.sh).
const (
	RootPassword   = "rootpass" // root: key login only; the password serves su
	NoPwUser       = "hsnopw"   // key or password login, sudo without password
	NoPwPassword   = "nopwpass"
	PwUser         = "hspw" // key or password login, sudo asks for the password
	PwUserPassword = "sudopass"
)

// Options tunes a fleet.
type Options struct {
	// Systemd is how many of the hosts (the last ones) run real systemd as
	// PID 1 through systemd-nspawn; the others run tini + sshd (fast).
	Systemd int
	// OwnHostKeys gives every host its own ed25519 host key instead of the
	// base's shared ones.
	OwnHostKeys bool
}

// Host is one running test host, reachable by ssh as User with KeyFile.
type Host struct {
	Name    string // hs1, hs2, ...
	Addr    string // IPv4 address on the fleet's bridge
	Port    int    // sshd port (22)
	User    string // "root"
	KeyFile string // private key accepted by root, hsnopw and hspw
	Systemd bool   // real systemd as PID 1
}

// Fleet is a set of running hosts. Its methods are safe for concurrent use.
type Fleet struct {
	dir     string
	script  string
	hosts   []Host
	started time.Duration
	once    sync.Once
	downErr error
}

// Start brings up n hosts (hs1..hsn) and registers their teardown with
// t.Cleanup. It skips the test, with a message, when not running as root or
// when the tools or the base image cannot be had; the first run on a machine
// builds the cached base (about 75 s).
func Start(t testing.TB, n int, opts Options) *Fleet {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("fleet: test hosts need root (network namespaces, mounts)")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("fleet: bash not installed")
	}
	if n < 1 || n > 245 || opts.Systemd < 0 || opts.Systemd > n {
		t.Fatalf("fleet: bad size n=%d systemd=%d", n, opts.Systemd)
	}
	dir, err := os.MkdirTemp("", "octopus-fleet-")
	if err != nil {
		t.Fatalf("fleet: %v", err)
	}
	f := &Fleet{dir: dir, script: filepath.Join(dir, "bin", "fleet.sh")}
	if err := f.writeScripts(); err != nil {
		os.RemoveAll(dir)
		t.Fatalf("fleet: %v", err)
	}
	t.Cleanup(func() {
		if err := f.Down(); err != nil {
			t.Errorf("fleet: teardown: %v", err)
		}
	})
	nspawn := ""
	if opts.Systemd > 0 {
		nspawn = "nspawn"
	}
	if out, err := f.run(nil, "deps", nspawn); err != nil {
		t.Skipf("fleet: missing tools that apt-get could not install: %v\n%s", err, out)
	}
	if out, err := f.run(nil, "base"); err != nil {
		t.Skipf("fleet: cannot build the base image: %v\n%s", err, out)
	}
	var env []string
	if opts.OwnHostKeys {
		env = append(env, "HS_HOSTKEYS=own")
	}
	begin := time.Now()
	if plain := n - opts.Systemd; plain > 0 {
		if out, err := f.run(env, "up", strconv.Itoa(plain), "sshd", "1"); err != nil {
			t.Fatalf("fleet: up: %v\n%s", err, out)
		}
	}
	if opts.Systemd > 0 {
		if out, err := f.run(env, "up", strconv.Itoa(n), "nspawn", strconv.Itoa(n-opts.Systemd+1)); err != nil {
			t.Fatalf("fleet: up (nspawn): %v\n%s", err, out)
		}
		// sshd answers before systemd finished booting; wait for the boot to settle
		for _, h := range f.list(t)[n-opts.Systemd:] {
			f.Exec(h.Name, "systemctl is-system-running --wait >/dev/null 2>&1 || true")
		}
	}
	f.started = time.Since(begin)
	f.hosts = f.list(t)
	t.Logf("fleet: %d hosts up in %v (state %s)", len(f.hosts), f.started.Round(time.Millisecond), dir)
	return f
}

func (f *Fleet) writeScripts() error {
	bin := filepath.Dir(f.script)
	if err := os.MkdirAll(bin, 0o755); err != nil {
		return err
	}
	for _, name := range []string{"fleet.sh", "hostinit.sh", "aptproxy.py", "mkrepo.sh"} {
		data, err := scripts.ReadFile(name)
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(bin, name), data, 0o755); err != nil {
			return err
		}
	}
	return nil
}

// run runs fleet.sh with args; output is stdout and stderr combined.
func (f *Fleet) run(env []string, args ...string) ([]byte, error) {
	out, _, err := f.runSplit(env, args...)
	return out, err
}

func (f *Fleet) runSplit(env []string, args ...string) (stdout, stderr []byte, err error) {
	for len(args) > 0 && args[len(args)-1] == "" {
		args = args[:len(args)-1]
	}
	cmd := exec.Command("bash", append([]string{f.script}, args...)...)
	cmd.Env = append(os.Environ(), "HS_DIR="+f.dir, "HS_OWNER_PID="+strconv.Itoa(os.Getpid()))
	cmd.Env = append(cmd.Env, env...)
	var o, e bytes.Buffer
	cmd.Stdout, cmd.Stderr = &o, &e
	err = cmd.Run()
	if err != nil {
		err = fmt.Errorf("fleet.sh %s: %v: %s", strings.Join(args, " "), err, strings.TrimSpace(e.String()))
		return append(o.Bytes(), e.Bytes()...), e.Bytes(), err
	}
	return o.Bytes(), e.Bytes(), nil
}

func (f *Fleet) list(t testing.TB) []Host {
	out, err := f.run(nil, "hosts")
	if err != nil {
		t.Fatalf("fleet: %v", err)
	}
	key := filepath.Join(cacheDir(), "keys", "clientkey")
	var hosts []Host
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if len(fs) != 3 {
			continue
		}
		hosts = append(hosts, Host{Name: fs[0], Addr: fs[1], Port: 22, User: "root", KeyFile: key, Systemd: fs[2] == "nspawn"})
	}
	return hosts
}

func cacheDir() string {
	if d := os.Getenv("HS_CACHE"); d != "" {
		return d
	}
	return "/var/cache/octopus-fleet"
}

// Hosts returns the running hosts in order hs1, hs2, ...
func (f *Fleet) Hosts() []Host { return append([]Host(nil), f.hosts...) }

// Host returns the host called name.
func (f *Fleet) Host(name string) (Host, bool) {
	for _, h := range f.hosts {
		if h.Name == name {
			return h, true
		}
	}
	return Host{}, false
}

// StartTime is how long bringing the hosts up took (without the base build).
func (f *Fleet) StartTime() time.Duration { return f.started }

// Dir is the fleet's state directory (HS_DIR of fleet.sh).
func (f *Fleet) Dir() string { return f.dir }

// Inventory returns an INI inventory of the hosts: group hs (all hosts) and
// hs_systemd (systemd hosts), root with the fleet key, no host key checking.
func (f *Fleet) Inventory() string {
	out, err := f.run(nil, "inventory")
	if err != nil {
		return ""
	}
	return string(out)
}

// Exec runs cmd with /bin/sh -c inside host (its namespaces and root, as
// root, without ssh) and returns its standard output. A non-zero exit is an
// error that carries the standard error.
func (f *Fleet) Exec(host, cmd string) (string, error) {
	out, _, err := f.runSplit(nil, "exec", host, "/bin/sh", "-c", cmd)
	return string(out), err
}

// Cut takes the host's link down: its packets are silently lost.
func (f *Fleet) Cut(host string) error { return f.fault("cut", host) }

// Uncut brings the host's link back.
func (f *Fleet) Uncut(host string) error { return f.fault("uncut", host) }

// Drop makes the host silently drop incoming tcp/22 (nftables, no RST).
func (f *Fleet) Drop(host string) error { return f.fault("drop", host) }

// Undrop removes the rule Drop added.
func (f *Fleet) Undrop(host string) error { return f.fault("undrop", host) }

// KillSSHD kills the host's sshd: connections break and new ones are refused.
// For a tini host the whole host dies (Restart brings it back).
func (f *Fleet) KillSSHD(host string) error { return f.fault("killsshd", host) }

// Restart relaunches the host's init, keeping its disk, and waits for sshd.
func (f *Fleet) Restart(host string) error { return f.fault("restart", host) }

func (f *Fleet) fault(op, host string) error {
	if _, ok := f.Host(host); !ok {
		return fmt.Errorf("fleet: no host %q", host)
	}
	_, err := f.run(nil, op, host)
	return err
}

// Down tears the fleet down and removes its state directory; Start registers
// it with t.Cleanup, calling it again does nothing.
func (f *Fleet) Down() error {
	f.once.Do(func() {
		_, f.downErr = f.run(nil, "down")
		if f.downErr == nil {
			f.downErr = os.RemoveAll(f.dir)
		}
	})
	return f.downErr
}
