package modules_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"octopus/engine/connection"
	"octopus/engine/connection/ssh"
	"octopus/engine/pyfmt"
	"octopus/modules"
	"octopus/modules/internal/anstest"
	"octopus/test/fleet"
)

// moreStep is one task of TestFleetMoreModules; Keys are the result keys
// compared besides changed, failed and (when failed) msg.
type moreStep struct {
	Module string
	Args   map[string]any
	Check  bool
	Keys   []string
}

// TestFleetMoreModules runs system-touching modules (timezone,
// service_facts, package_facts, authorized_key and known_hosts on their
// default paths, wait_for, script, fetch, getent) with ansible-playbook on
// one systemd host and with octopus on another, and compares the results.
func TestFleetMoreModules(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{Systemd: 2})
	hs := f.Hosts()
	ansHost, octHost := hs[0], hs[1]
	gw := octHost.Addr[:strings.LastIndexByte(octHost.Addr, '.')] + ".1"
	key := pubKey(t, " octo@test")
	hostKey := pubKey(t, "")
	steps := []moreStep{
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Check: true, Keys: []string{"diff"}},
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Keys: []string{"diff", "msg"}},
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Keys: []string{"diff", "msg"}},
		{Module: "community.general.timezone", Args: map[string]any{"name": "Etc/UTC", "hwclock": "UTC"}, Keys: []string{"diff"}},
		{Module: "timezone", Args: map[string]any{"name": "Mars/Olympus"}},
		{Module: "service_facts", Args: map[string]any{}, Keys: []string{"ansible_facts"}},
		{Module: "package_facts", Args: map[string]any{}, Keys: []string{"ansible_facts"}},
		{Module: "getent", Args: map[string]any{"database": "passwd", "key": "hsnopw"}, Keys: []string{"ansible_facts"}},
		{Module: "authorized_key", Args: map[string]any{"user": "hsnopw", "key": key}, Check: true, Keys: []string{"keyfile"}},
		{Module: "authorized_key", Args: map[string]any{"user": "hsnopw", "key": key}, Keys: []string{"keyfile", "key", "user", "exclusive"}},
		{Module: "authorized_key", Args: map[string]any{"user": "hsnopw", "key": key}},
		{Module: "authorized_key", Args: map[string]any{"user": "hsnopw", "key": key, "state": "absent"}},
		{Module: "known_hosts", Args: map[string]any{"name": "gw.example", "key": "gw.example " + hostKey}, Keys: []string{"diff.after", "path"}},
		{Module: "known_hosts", Args: map[string]any{"name": "gw.example", "key": "gw.example " + hostKey}},
		{Module: "known_hosts", Args: map[string]any{"name": "gw.example", "state": "absent"}},
		{Module: "wait_for", Args: map[string]any{"port": 22, "timeout": 5}, Keys: []string{"state", "port"}},
		{Module: "wait_for", Args: map[string]any{"path": "/etc/os-release", "search_regex": `VERSION_CODENAME=(\w+)`}, Keys: []string{"match_groups", "path", "mode", "state"}},
		{Module: "wait_for", Args: map[string]any{"port": 1, "state": "stopped", "timeout": 3}, Keys: []string{"state"}},
		{Module: "find", Args: map[string]any{"paths": "/etc/ssh", "patterns": "*.pub"}, Keys: []string{"matched", "examined"}},
		{Module: "script", Args: map[string]any{"_raw_params": "hello.sh a b"}, Keys: []string{"rc", "stdout_lines"}}, // over ssh Ansible's script output comes through a tty (\r\n)
		{Module: "fetch", Args: map[string]any{"src": "/etc/debian_version", "dest": "fetched/", "flat": true}, Keys: []string{"remote_checksum", "md5sum"}},
		{Module: "fetch", Args: map[string]any{"src": "/etc/debian_version", "dest": "fetched/", "flat": true}, Keys: []string{"checksum"}},
		{Module: "tempfile", Args: map[string]any{"state": "directory"}, Keys: []string{"mode", "state", "owner"}},
		{Module: "cron", Args: map[string]any{"name": "x", "job": "true"}},
		// no curl or wget on these hosts: uri speaks HTTP through bash's /dev/tcp
		{Module: "uri", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "return_content": true}, Keys: []string{"status", "msg", "content", "content_length", "content_type", "redirected", "cookies_string"}},
		{Module: "uri", Args: map[string]any{"url": "http://" + gw + ":8080/nope"}, Keys: []string{"status", "url"}},
		{Module: "uri", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-pk"}, Keys: []string{"status", "path", "size", "mode"}},
	}
	runFleetSteps(t, ansHost, octHost, steps)
}

// TestFleetTiniHosts covers the paths taken on hosts without systemd as
// PID 1: timezone through /etc/timezone and /etc/localtime, sysv-only
// service_facts.
func TestFleetTiniHosts(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{})
	hs := f.Hosts()
	steps := []moreStep{
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Check: true, Keys: []string{"diff"}},
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Keys: []string{"diff", "msg"}},
		{Module: "timezone", Args: map[string]any{"name": "Asia/Tokyo"}, Keys: []string{"diff", "msg"}},
		{Module: "timezone", Args: map[string]any{"name": "Etc/UTC"}, Keys: []string{"diff", "msg"}},
		{Module: "service_facts", Args: map[string]any{}, Keys: []string{"ansible_facts", "skipped", "msg"}},
		{Module: "wait_for", Args: map[string]any{"port": 22, "host": "localhost", "timeout": 5}, Keys: []string{"state", "port"}},
	}
	runFleetSteps(t, hs[0], hs[1], steps)
}

// runFleetSteps runs steps with ansible-playbook on ansHost and with
// octopus's modules on octHost and compares the picked keys.
func runFleetSteps(t *testing.T, ansHost, octHost fleet.Host, steps []moreStep) {
	t.Helper()
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "files"), 0o755)
	os.WriteFile(filepath.Join(dir, "files", "hello.sh"), []byte("#!/bin/sh\necho \"args: $*\"\n"), 0o755)
	var tasks []any
	for i, s := range steps {
		tasks = append(tasks, stepTask(i, s.Module, s.Args, s.Check))
	}
	ans, _ := ansibleOnFleet(t, dir, ansHost, tasks)
	conn := dialFleetHost(t, octHost)
	octDir := t.TempDir()
	os.Symlink(filepath.Join(dir, "files"), filepath.Join(octDir, "files"))
	ctrl := &moreCtrl{Controller: anstest.Controller{Dir: octDir}}
	same := 0
	for i, s := range steps {
		m, ok := modules.Lookup(s.Module)
		if !ok {
			t.Fatalf("module %s missing", s.Module)
		}
		args := map[string]any{}
		for k, v := range s.Args {
			args[k] = v
		}
		res, err := m.Run(context.Background(), &modules.Request{Args: args, Conn: conn, CheckMode: s.Check, Host: octHost.Name,
			Controller: ctrl, Vars: map[string]any{"inventory_hostname": octHost.Name}})
		if err != nil {
			res = modules.Result{"failed": true, "msg": "GO ERROR: " + err.Error()}
		}
		want, got := morePick(ans[fmt.Sprintf("s%d", i)], s.Keys), morePick(moreJSON(res), s.Keys)
		if reflect.DeepEqual(want, got) {
			same++
		} else {
			t.Errorf("step %d %s %v check=%v:\n ansible: %v\n octopus: %v", i, s.Module, s.Args, s.Check, show(want), show(got))
		}
		if wi, gi := fleetInvocation(ans[fmt.Sprintf("s%d", i)]), fleetInvocation(moreJSON(res)); wi != gi {
			t.Errorf("step %d %s %v check=%v: invocation differs:\n ansible: %s\n octopus: %s", i, s.Module, s.Args, s.Check, wi, gi)
		}
	}
	t.Logf("%d/%d steps agree with ansible", same, len(steps))
}

// moreCtrl resolves relative controller paths against its Dir.
type moreCtrl struct{ anstest.Controller }

func (c *moreCtrl) BaseDir() string { return c.Dir }

func show(v any) string {
	b, _ := json.Marshal(v)
	s := string(b)
	if len(s) > 3000 {
		s = s[:3000] + "..."
	}
	return s
}

func moreJSON(r modules.Result) map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(pyfmt.JSON(map[string]any(r))), &m)
	return m
}

// morePick keeps changed, failed, msg (when failed) and the dotted keys;
// host names in messages are replaced.
func morePick(r map[string]any, keys []string) map[string]any {
	out := map[string]any{"changed": r["changed"] == true, "failed": r["failed"] == true}
	if r["failed"] == true {
		m, _ := r["msg"].(string)
		if i := strings.Index(m, " (host "); i >= 0 {
			m = m[:i]
		}
		out["msg"] = m
	}
	for _, k := range keys {
		var v any = r
		for _, p := range strings.Split(k, ".") {
			m, _ := v.(map[string]any)
			v = m[p]
		}
		out[k] = v
	}
	return out
}

// startFleet starts two fleet hosts for a differential test, or skips
// the test in -short mode or when the oracle command is not installed.
func startFleet(t *testing.T, oracle string, opts fleet.Options) *fleet.Fleet {
	t.Helper()
	if testing.Short() {
		t.Skip("fleet test skipped in -short mode")
	}
	if _, err := exec.LookPath(oracle); err != nil {
		t.Skip(oracle + " not installed")
	}
	return fleet.Start(t, 2, opts)
}

// octopusStep runs module with a copy of args on conn (as host) and
// returns its result as JSON would give it; a Go error becomes a failed
// result that shows it.
func octopusStep(conn connection.Conn, host, module string, args map[string]any, check bool) map[string]any {
	m, ok := modules.Lookup(module)
	if !ok {
		return map[string]any{"failed": true, "msg": "GO ERROR: module " + module + " missing"}
	}
	a := make(map[string]any, len(args))
	for k, v := range args {
		a[k] = v
	}
	res, err := m.Run(context.Background(), &modules.Request{Args: a, Conn: conn, CheckMode: check, Host: host, Vars: map[string]any{}})
	if err != nil {
		res = modules.Result{"failed": true, "msg": "GO ERROR: " + err.Error()}
	}
	return jsonRound(res)
}

// dialFleetHost opens octopus's ssh connection to the fleet host h (closed
// when the test ends).
func dialFleetHost(t *testing.T, h fleet.Host) *ssh.Conn {
	t.Helper()
	conn, err := ssh.Dial(context.Background(), ssh.Config{Host: h.Addr, Port: h.Port, User: h.User, KeyFiles: []string{h.KeyFile}, NoAgent: true, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return conn
}

// stepTask is step i as a task of the ansible side's playbook: failures
// are ignored so every step runs.
func stepTask(i int, module string, args map[string]any, check bool) map[string]any {
	return map[string]any{"name": fmt.Sprintf("s%d", i), module: args, "check_mode": check, "ignore_errors": true}
}

// ansibleOnFleet runs tasks with ansible-playbook (json callback) on the
// fleet host h from dir and returns each task's result by task name, and
// how long ansible took.
func ansibleOnFleet(t *testing.T, dir string, h fleet.Host, tasks []any) (map[string]map[string]any, time.Duration) {
	t.Helper()
	play := []any{map[string]any{"hosts": "all", "gather_facts": false, "tasks": tasks}}
	os.WriteFile(filepath.Join(dir, "pb.yml"), []byte(pyfmt.JSON(play)), 0o644)
	inv := fmt.Sprintf("%s ansible_host=%s ansible_user=%s ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'\n",
		h.Name, h.Addr, h.User, h.KeyFile)
	os.WriteFile(filepath.Join(dir, "inv"), []byte(inv), 0o644)
	cmd := exec.Command("ansible-playbook", "-i", "inv", "pb.yml")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_STDOUT_CALLBACK=json", "ANSIBLE_HOST_KEY_CHECKING=0", "ANSIBLE_PYTHON_INTERPRETER=auto_silent")
	start := time.Now()
	ans := anstest.JSONResults(t, cmd, h.Name)
	return ans, time.Since(start)
}
