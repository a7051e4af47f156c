package fleet

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// dialSSH reports what a TCP client sees on the host's port 22 within d.
func dialSSH(h Host, d time.Duration) string {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(h.Addr, "22"), d)
	if err != nil {
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			return "timeout"
		}
		if strings.Contains(err.Error(), "refused") {
			return "refused"
		}
		return err.Error()
	}
	defer c.Close()
	c.SetReadDeadline(time.Now().Add(d))
	buf := make([]byte, 4)
	if _, err := c.Read(buf); err != nil {
		return "timeout"
	}
	return string(buf)
}

func TestFleet(t *testing.T) {
	f := Start(t, 3, Options{Systemd: 1})
	hosts := f.Hosts()
	if len(hosts) != 3 {
		t.Fatalf("hosts = %v", hosts)
	}
	for i, h := range hosts {
		out, err := f.Exec(h.Name, "hostname; cat /proc/1/comm")
		if err != nil {
			t.Fatal(err)
		}
		init := "tini"
		if i == 2 {
			init = "systemd"
		}
		if want := h.Name + "\n" + init + "\n"; out != want {
			t.Errorf("%s: got %q want %q", h.Name, out, want)
		}
		if h.Systemd != (i == 2) {
			t.Errorf("%s: Systemd = %v", h.Name, h.Systemd)
		}
		if got := dialSSH(h, time.Second); got != "SSH-" {
			t.Errorf("%s: ssh port: %s", h.Name, got)
		}
	}
	if _, err := f.Exec("hs1", "exit 3"); err == nil {
		t.Error("Exec of a failing command: no error")
	}
	inv := f.Inventory()
	for _, h := range hosts {
		if !strings.Contains(inv, h.Name+" ansible_host="+h.Addr+"\n") {
			t.Errorf("inventory lacks %s:\n%s", h.Name, inv)
		}
	}
	if !strings.Contains(inv, "[hs_systemd]\nhs3 ") {
		t.Errorf("inventory lacks the systemd group:\n%s", inv)
	}

	h1, h2 := hosts[0], hosts[1]
	steps := []struct {
		name string
		do   func() error
		host Host
		want string
	}{
		{"cut", func() error { return f.Cut("hs1") }, h1, "timeout"},
		{"uncut", func() error { return f.Uncut("hs1") }, h1, "SSH-"},
		{"drop", func() error { return f.Drop("hs2") }, h2, "timeout"},
		{"undrop", func() error { return f.Undrop("hs2") }, h2, "SSH-"},
		{"killsshd", func() error { return f.KillSSHD("hs1") }, h1, "refused"},
		{"restart", func() error { return f.Restart("hs1") }, h1, "SSH-"},
		{"killsshd systemd host", func() error { return f.KillSSHD("hs3") }, hosts[2], "refused"},
		{"restart systemd host", func() error { return f.Restart("hs3") }, hosts[2], "SSH-"},
	}
	for _, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		// faults take effect within moments (a dying sshd may still accept)
		got := ""
		for end := time.Now().Add(3 * time.Second); time.Now().Before(end); {
			if got = dialSSH(s.host, 500*time.Millisecond); got == s.want {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
		if got != s.want {
			t.Errorf("after %s: port 22 of %s: %s, want %s", s.name, s.host.Name, got, s.want)
		}
	}
	// the disk survives a restart
	if _, err := f.Exec("hs2", "echo kept > /root/mark"); err != nil {
		t.Fatal(err)
	}
	if err := f.Restart("hs2"); err != nil {
		t.Fatal(err)
	}
	if out, _ := f.Exec("hs2", "cat /root/mark"); out != "kept\n" {
		t.Errorf("after restart: %q", out)
	}
	// the local apt repo is served on the bridge and reachable from a host
	if out, err := f.Exec("hs1", "apt-get -qq update -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/octopus-fleet-local.list -o Dir::Etc::sourceparts=- >/dev/null && apt-get -qq install -y hs-hello >/dev/null 2>&1; hs-hello"); err != nil || out != "hs-hello 1.1\n" {
		t.Errorf("local apt repo: %q %v", out, err)
	}
}

// Two fleets at once get distinct subnets and do not disturb each other.
func TestConcurrentFleets(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("fleet: test hosts need root") // before Start runs in other goroutines
	}
	var wg sync.WaitGroup
	fleets := make([]*Fleet, 2)
	for i := range fleets {
		wg.Add(1)
		go func() {
			defer wg.Done()
			fleets[i] = Start(t, 2, Options{})
		}()
	}
	wg.Wait()
	if fleets[0] == nil || fleets[1] == nil {
		t.Fatal("a fleet did not start")
	}
	a, b := fleets[0].Hosts()[0], fleets[1].Hosts()[0]
	if a.Addr == b.Addr {
		t.Fatalf("both fleets use %s", a.Addr)
	}
	if err := fleets[0].Down(); err != nil {
		t.Fatal(err)
	}
	if got := dialSSH(b, time.Second); got != "SSH-" {
		t.Errorf("second fleet after the first went down: %s", got)
	}
}

// A fleet whose owner process died is torn down by the next fleet's start.
func TestStaleSlotReclaimed(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("fleet: test hosts need root")
	}
	dead := exec.Command("true")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := &Fleet{dir: t.TempDir()}
	stale.script = filepath.Join(stale.dir, "bin", "fleet.sh")
	if err := stale.writeScripts(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("bash", stale.script, "up", "1")
	cmd.Env = append(os.Environ(), "HS_DIR="+stale.dir, "HS_OWNER_PID="+strconv.Itoa(dead.Process.Pid))
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Skipf("fleet.sh up: %v\n%s", err, out)
	}
	slot, err := os.ReadFile(filepath.Join(stale.dir, "slot"))
	if err != nil {
		t.Fatal(err)
	}
	pid, err := os.ReadFile(filepath.Join(stale.dir, "hosts", "hs1", "pid"))
	if err != nil {
		t.Fatal(err)
	}
	proc := "/proc/" + strings.TrimSpace(string(pid))
	if _, err := os.Stat(proc); err != nil {
		t.Fatalf("stale fleet's host (slot %s): %v", slot, err)
	}
	Start(t, 1, Options{})
	if _, err := os.Stat(proc); err == nil {
		t.Errorf("the stale fleet's host %s survived", proc)
	}
	if _, err := os.Stat(filepath.Join(stale.dir, "slot")); err == nil {
		t.Error("the stale fleet still holds its slot")
	}
}
