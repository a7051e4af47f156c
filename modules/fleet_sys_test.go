package modules_test

import (
	"context"
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"octopus/engine/pyfmt"
	"octopus/modules"
	"octopus/test/fleet"
)

type fleetStep struct {
	Module string
	Args   map[string]any
	Check  bool
	Keys   []string // result keys compared besides changed/failed/msg
}

// TestFleetPackagesAndServices runs the same task list with ansible-playbook
// against one systemd host and with octopus's modules against another, and
// compares the results step by step (fleet repo packages hs-hello 1.0/1.1
// and hs-other 0.1, each with a systemd unit).
func TestFleetPackagesAndServices(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{Systemd: 2})
	hs := f.Hosts()
	ansHost, octHost := hs[0], hs[1]
	repoLine := ""
	if out, err := f.Exec(octHost.Name, "grep -rh '^deb .*8080' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null | head -n 1"); err == nil {
		repoLine = strings.TrimSpace(out)
	}
	gw := octHost.Addr[:strings.LastIndexByte(octHost.Addr, '.')] + ".1"
	pkgs, _ := os.ReadFile(filepath.Join(f.Dir(), "repo", "Packages"))
	pkgSHA := fmt.Sprintf("%x", sha1.Sum(pkgs))
	steps := []fleetStep{
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-Packages"}, Check: true, Keys: []string{"dest", "msg", "checksum_dest"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-Packages"}, Keys: []string{"dest", "msg", "status_code", "checksum_src", "checksum_dest", "md5sum", "size", "mode", "state", "owner", "uid"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-Packages"}, Keys: []string{"dest", "msg", "status_code", "size"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/", "force": true}, Keys: []string{"dest", "msg", "checksum_src", "checksum_dest"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-Packages", "checksum": "sha1:" + pkgSHA, "mode": "0600"}, Keys: []string{"msg", "mode"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-Packages", "checksum": "sha1:" + pkgSHA, "mode": "0600"}, Keys: []string{"msg"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/octo-P2", "checksum": "sha256:0123abcd"}, Keys: []string{"dest"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/nope", "dest": "/tmp/octo-nope"}, Keys: []string{"status_code", "response"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/nonexistent-dir/x"}, Keys: []string{"dest"}},
		{Module: "get_url", Args: map[string]any{"url": "http://" + gw + ":8080/Packages", "dest": "/tmp/x", "checksum": "sha256"}},
		{Module: "apt", Args: map[string]any{"deb": "http://" + gw + ":8080/hs-other_0.1_all.deb"}, Check: true},
		{Module: "apt", Args: map[string]any{"deb": "http://" + gw + ":8080/hs-other_0.1_all.deb"}},
		{Module: "apt", Args: map[string]any{"deb": "http://" + gw + ":8080/hs-other_0.1_all.deb"}},
		{Module: "apt", Args: map[string]any{"deb": "http://" + gw + ":8080/nope.deb"}, Keys: []string{"msgprefix"}},
		{Module: "apt", Args: map[string]any{"deb": "/tmp/nope.deb"}},
		{Module: "apt", Args: map[string]any{"name": "hs-other", "state": "absent"}},
		{Module: "apt_key", Args: map[string]any{"file": "/usr/share/keyrings/debian-archive-keyring.gpg"}, Check: true, Keys: []string{"id", "fp"}},
		{Module: "apt_key", Args: map[string]any{"url": "http://" + gw + ":8080/Packages"}},
		{Module: "apt_key", Args: map[string]any{"url": "http://" + gw + ":8080/nokey.asc", "id": "0E98404D386FA1D9"}, Check: true, Keys: []string{"id", "short_id"}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello=1.0", "update_cache": true}, Keys: []string{"cache_updated"}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello=1.0"}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello", "state": "latest"}, Check: true},
		{Module: "apt", Args: map[string]any{"name": "hs-hello", "state": "latest"}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello", "state": "latest"}},
		{Module: "apt", Args: map[string]any{"name": "hs-oth*"}},
		{Module: "apt", Args: map[string]any{"name": []any{"hs-hello", "hs-other"}, "state": "absent", "purge": true}, Check: true},
		{Module: "apt", Args: map[string]any{"name": "hs-other", "state": "absent"}},
		{Module: "apt", Args: map[string]any{"name": "hs-other", "state": "absent"}},
		{Module: "apt", Args: map[string]any{"name": "hs-nosuch-zz"}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello=9.9"}},
		{Module: "package", Args: map[string]any{"name": "hs-hello", "state": "present"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "state": "started", "enabled": true}, Check: true, Keys: []string{"name", "state", "enabled"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "state": "started", "enabled": true}, Keys: []string{"name", "state", "enabled", "status.ActiveState", "status.LoadState"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "state": "started", "enabled": true}, Keys: []string{"state", "enabled", "status.ActiveState", "status.UnitFileState"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello.service", "state": "restarted"}, Keys: []string{"state"}},
		{Module: "service", Args: map[string]any{"name": "hs-hello", "state": "stopped"}, Keys: []string{"state", "status.ActiveState"}},
		{Module: "service", Args: map[string]any{"name": "hs-hello", "state": "stopped"}, Keys: []string{"state"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "masked": true}, Keys: []string{"status.LoadState"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "masked": true}},
		{Module: "systemd", Args: map[string]any{"name": "hs-hello", "masked": false, "enabled": false}, Keys: []string{"enabled"}},
		{Module: "systemd", Args: map[string]any{"daemon_reload": true}, Keys: []string{"name"}},
		{Module: "systemd", Args: map[string]any{"name": "hs-nosuch-zz", "state": "started"}},
		{Module: "apt_repository", Args: map[string]any{"repo": "deb http://octopus.invalid/debian stable main", "update_cache": false}, Keys: []string{"repo", "state"}},
		{Module: "apt_repository", Args: map[string]any{"repo": "deb http://octopus.invalid/debian stable main", "update_cache": false}},
		{Module: "apt_repository", Args: map[string]any{"repo": "deb http://octopus.invalid/debian stable main", "state": "absent", "update_cache": false}},
		{Module: "apt", Args: map[string]any{"name": "hs-hello", "state": "absent", "purge": true}},
		{Module: "setup", Args: map[string]any{"gather_subset": "!all", "filter": "ansible_[dps][ikve]*"}, Keys: []string{"ansible_facts"}},
		{Module: "group", Args: map[string]any{"name": "octogrp"}, Check: true, Keys: []string{"name", "gid"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "gid": 4242}, Keys: []string{"name", "state", "gid", "system", "stdout", "stderr"}},
		{Module: "group", Args: map[string]any{"name": "octogrp"}, Keys: []string{"name", "state", "gid", "system"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "gid": 4243}, Keys: []string{"gid"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "gid": 0, "non_unique": true}, Check: true, Keys: []string{"gid"}},
		{Module: "group", Args: map[string]any{"name": "octosys", "system": true}, Keys: []string{"system"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "state": "absent"}, Keys: []string{"gid"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "state": "absent"}, Keys: []string{"name", "state", "gid"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "local": true, "gid": 4244}, Keys: []string{"gid"}},
		{Module: "group", Args: map[string]any{"name": "octogrp", "non_unique": true}},
		{Module: "modprobe", Args: map[string]any{"name": "nouveau", "state": "absent"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "src": "tmpfs", "fstype": "tmpfs", "opts": "size=1m", "state": "mounted"}, Keys: []string{"name", "src", "fstype", "opts", "boot", "dump", "passno", "fstab"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "src": "tmpfs", "fstype": "tmpfs", "opts": "size=1m", "state": "mounted"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "src": "tmpfs", "fstype": "tmpfs", "opts": "size=2m", "state": "mounted"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "state": "unmounted"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "state": "unmounted"}},
		{Module: "mount", Args: map[string]any{"path": "/mnt/octo", "state": "absent"}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "value": "1", "sysctl_file": "/etc/sysctl.d/99-octo.conf"}, Check: true},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "value": "1", "sysctl_file": "/etc/sysctl.d/99-octo.conf", "sysctl_set": true}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "value": "yes", "sysctl_file": "/etc/sysctl.d/99-octo.conf", "sysctl_set": true}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "value": "0", "sysctl_file": "/etc/sysctl.d/99-octo.conf", "reload": false}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "value": "0", "sysctl_file": "/etc/sysctl.d/99-octo.conf"}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.ip_forward", "state": "absent", "sysctl_file": "/etc/sysctl.d/99-octo.conf"}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.no_such_key", "value": "1", "sysctl_file": "/etc/sysctl.d/99-octo.conf", "sysctl_set": true}},
		{Module: "sysctl", Args: map[string]any{"name": "net.ipv4.no_such_key", "state": "absent", "sysctl_file": "/etc/sysctl.d/99-octo.conf"}},
		{Module: "hostname", Args: map[string]any{"name": "octo-node1"}, Check: true, Keys: []string{"name", "diff.after"}}, // diff.before is each host's own name
		{Module: "hostname", Args: map[string]any{"name": "octo-node1"}, Keys: []string{"name", "ansible_facts.ansible_hostname", "ansible_facts.ansible_nodename", "diff.after"}},
		{Module: "hostname", Args: map[string]any{"name": "octo-node1"}, Keys: []string{"name", "ansible_facts"}},
		{Module: "hostname", Args: map[string]any{"name": "octo-node1.example.org", "use": "debian"}, Keys: []string{"ansible_facts.ansible_hostname", "ansible_facts.ansible_nodename", "diff.before"}},
	}
	steps = append(steps,
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser"}, Check: true},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "uid": 3001, "shell": "/bin/sh", "comment": "Octo User", "groups": "octosys"}, Keys: []string{"name", "state", "uid", "group", "comment", "home", "shell", "groups", "system", "create_home", "stdout", "stderr"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "uid": 3001, "shell": "/bin/sh", "comment": "Octo User", "groups": "octosys"}, Keys: []string{"uid", "group", "groups", "append", "move_home"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "groups": []any{"users"}, "append": true}, Keys: []string{"groups"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "groups": []any{"users", "octosys"}, "append": true}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "groups": ""}, Check: true},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "shell": "/bin/bash", "password": "$6$salt$abc", "home": "/home/octo2", "move_home": true}, Keys: []string{"shell", "home", "password"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "password": "$6$salt$abc", "password_lock": true}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "group": "nogroupzz"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "groups": "nogroupzz"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "state": "absent", "remove": true}, Keys: []string{"force", "remove"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octouser", "state": "absent"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octosys2", "system": true, "create_home": false, "group": "octosys"}, Keys: []string{"uid", "group", "home", "shell", "system", "create_home"}},
		fleetStep{Module: "user", Args: map[string]any{"name": "octosys2", "system": true, "create_home": false, "group": "octosys"}, Keys: []string{"uid", "group"}},
	)
	if repoLine != "" {
		steps = append(steps, fleetStep{Module: "apt_repository", Args: map[string]any{"repo": repoLine, "update_cache": false}, Keys: []string{"repo"}})
	}

	// Ansible side
	dir := t.TempDir()
	var tasks []any
	for i, s := range steps {
		tasks = append(tasks, stepTask(i, s.Module, s.Args, s.Check))
	}
	ans, ansTime := ansibleOnFleet(t, dir, ansHost, tasks)

	// octopus side
	conn := dialFleetHost(t, octHost)
	start := time.Now()
	same := 0
	for i, s := range steps {
		res := octopusStep(conn, octHost.Name, s.Module, s.Args, s.Check)
		a := ans[fmt.Sprintf("s%d", i)]
		want, got := fleetPick(a, s.Keys), fleetPick(res, s.Keys)
		if reflect.DeepEqual(want, got) {
			same++
		} else {
			t.Errorf("step %d %s %v check=%v:\n ansible: %v\n octopus: %v", i, s.Module, s.Args, s.Check, want, got)
		}
		if wi, gi := fleetInvocation(a), fleetInvocation(res); wi != gi {
			t.Errorf("step %d %s %v check=%v: invocation differs:\n ansible: %s\n octopus: %s", i, s.Module, s.Args, s.Check, wi, gi)
		}
	}
	t.Logf("%d/%d steps agree with ansible (ansible-playbook %v, octopus %v)", same, len(steps), ansTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// fleetTmpRe matches the temporary paths a module's invocation may show:
// Ansible's upload directory and octopus's temporary files.
var fleetTmpRe = regexp.MustCompile(`/[^ '"]*ansible-tmp-[^ '"/]*/[^ '"/]+|/[^ '"]*/\.octopus-(tmp-[0-9a-f]+|[a-z]+-[0-9]+)`)

var fleetHostRe = regexp.MustCompile(`ansible-generated on [^"]*`)

// fleetInvocation is r's invocation as JSON (keys sorted), temporary paths
// replaced ("none" when r has none).
func fleetInvocation(r map[string]any) string {
	inv, ok := r["invocation"]
	if !ok {
		return "none"
	}
	b, _ := json.Marshal(inv)
	out := fleetTmpRe.ReplaceAllString(string(b), "@TMP@")
	// the two sides run on hosts of different names
	return fleetHostRe.ReplaceAllString(out, "ansible-generated on @HOST@")
}

func jsonRound(r modules.Result) map[string]any {
	var m map[string]any
	json.Unmarshal([]byte(pyfmt.JSON(map[string]any(r))), &m)
	return m
}

// fleetPick keeps changed, failed, msg and the listed (dotted) keys.
func fleetPick(r map[string]any, keys []string) map[string]any {
	// a missing "changed" is false (Ansible's task executor adds it)
	out := map[string]any{"changed": r["changed"] == true, "failed": r["failed"] == true}
	if r["failed"] == true {
		out["msg"] = r["msg"]
	}
	for _, k := range keys {
		if k == "msgprefix" { // python-apt's own error text after this prefix differs from dpkg's
			m, _ := r["msg"].(string)
			if i := strings.Index(m, "E:"); i >= 0 {
				m = m[:i+2]
			}
			out["msg"] = m
			return out
		}
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

// TestFleetSetup compares octopus's setup with Ansible's on a tini host and
// a systemd host, fact by fact (both read the same host).
func TestFleetSetup(t *testing.T) {
	f := startFleet(t, "ansible", fleet.Options{Systemd: 1})
	absent := map[string]bool{"ansible_python": true, "ansible_python_version": true,
		"discovered_interpreter_python": true}
	volatile := map[string]bool{"ansible_date_time": true, "ansible_loadavg": true, "ansible_memfree_mb": true, "ansible_memory_mb": true,
		"ansible_uptime_seconds": true, "ansible_env": true, "ansible_swapfree_mb": true, "ansible_mounts": true}
	for _, h := range f.Hosts() {
		dir := t.TempDir()
		inv := fmt.Sprintf("%s ansible_host=%s ansible_user=%s ansible_ssh_private_key_file=%s ansible_ssh_common_args='-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null'\n", h.Name, h.Addr, h.User, h.KeyFile)
		os.WriteFile(filepath.Join(dir, "inv"), []byte(inv), 0o644)
		cmd := exec.Command("ansible", "-i", "inv", h.Name, "-m", "setup")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANSIBLE_HOST_KEY_CHECKING=0", "ANSIBLE_PYTHON_INTERPRETER=auto_silent", "ANSIBLE_LOAD_CALLBACK_PLUGINS=1", "ANSIBLE_STDOUT_CALLBACK=json")
		out, _ := cmd.Output()
		var js struct {
			Plays []struct {
				Tasks []struct {
					Hosts map[string]map[string]any
				}
			}
		}
		if err := json.Unmarshal(out, &js); err != nil || len(js.Plays) == 0 || len(js.Plays[0].Tasks) == 0 {
			t.Fatalf("ansible setup output: %v\n%s", err, out)
		}
		theirs, _ := js.Plays[0].Tasks[0].Hosts[h.Name]["ansible_facts"].(map[string]any)
		conn := dialFleetHost(t, h)
		m, _ := modules.Lookup("setup")
		start := time.Now()
		res, err := m.Run(context.Background(), &modules.Request{Args: map[string]any{}, Conn: conn})
		took := time.Since(start)
		conn.Close()
		if err != nil {
			t.Fatal(err)
		}
		ours, _ := jsonRound(res)["ansible_facts"].(map[string]any)
		equal, shape := 0, 0
		for k, tv := range theirs {
			ov, ok := ours[k]
			switch {
			case absent[k]:
				continue
			case !ok:
				t.Errorf("%s %s: missing (ansible %v)", h.Name, k, tv)
			case volatile[k]:
				shape++
			case k == "ansible_interfaces" || strings.HasPrefix(k, "ansible_virtualization_tech"):
				a, b := fmt.Sprint(sortedStrings(tv)), fmt.Sprint(sortedStrings(ov))
				if a != b {
					t.Errorf("%s %s: %v, ansible %v", h.Name, k, b, a)
				} else {
					equal++
				}
			case !reflect.DeepEqual(tv, ov):
				t.Errorf("%s %s: %v, ansible %v", h.Name, k, ov, tv)
			default:
				equal++
			}
		}
		for k := range ours {
			if _, ok := theirs[k]; !ok {
				t.Errorf("%s %s: extra fact", h.Name, k)
			}
		}
		t.Logf("%s (systemd=%v): %d facts equal, %d volatile, %d absent by design, of ansible's %d; octopus setup took %v",
			h.Name, h.Systemd, equal, shape, len(absent), len(theirs), took.Round(time.Millisecond))
	}
}

func sortedStrings(v any) []string {
	l, _ := v.([]any)
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprint(e))
	}
	sort.Strings(out)
	return out
}
