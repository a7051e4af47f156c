package modules_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"octopus/test/fleet"
)

// fleetVolatileRe matches values that differ between two hosts running
// the same step: ssh key fingerprints and public keys, host names in key
// comments.
var fleetVolatileRe = regexp.MustCompile(`SHA256:[A-Za-z0-9+/]+|ssh-(ed25519|rsa) [A-Za-z0-9+/=]+|ansible-generated on [a-z0-9-]+|={15}[0-9]+==`)

// runOptionSteps runs steps with ansible-playbook on the first host and
// with octopus's modules (over ssh) on the second, and compares changed,
// failed, msg, the listed keys (volatile parts masked) and invocations.
func runOptionSteps(t *testing.T, f *fleet.Fleet, steps []fleetStep) {
	t.Helper()
	hs := f.Hosts()
	ansHost, octHost := hs[0], hs[1]
	dir := t.TempDir()
	var tasks []any
	for i, s := range steps {
		tasks = append(tasks, stepTask(i, s.Module, s.Args, s.Check))
	}
	ans, _ := ansibleOnFleet(t, dir, ansHost, tasks)
	conn := dialFleetHost(t, octHost)
	mask := func(v any) string {
		b, _ := json.Marshal(v)
		return fleetVolatileRe.ReplaceAllStringFunc(string(b), func(s string) string {
			if len(s) > 7 && s[:7] == "SHA256:" {
				return "SHA256:@"
			}
			if s[0] == '=' {
				return "=BOUNDARY="
			}
			if len(s) > 4 && s[:4] == "ssh-" {
				return s[:bytes.IndexByte([]byte(s), ' ')] + " @"
			}
			return "ansible-generated on @HOST@"
		})
	}
	same := 0
	for i, s := range steps {
		res := octopusStep(conn, octHost.Name, s.Module, s.Args, s.Check)
		a := ans[fmt.Sprintf("s%d", i)]
		want, got := mask(fleetPick(a, s.Keys)), mask(fleetPick(res, s.Keys))
		if os.Getenv("OCTOPUS_FLEET_SHOW") != "" {
			t.Logf("step %d: %s", i, got)
		}
		if reflect.DeepEqual(want, got) {
			same++
		} else {
			t.Errorf("step %d %s %v check=%v:\n ansible: %v\n octopus: %v", i, s.Module, s.Args, s.Check, want, got)
		}
		if wi, gi := mask(fleetInvocation(a)), mask(fleetInvocation(res)); wi != gi {
			t.Errorf("step %d %s %v check=%v: invocation differs:\n ansible: %s\n octopus: %s", i, s.Module, s.Args, s.Check, wi, gi)
		}
	}
	t.Logf("%d/%d steps agree with ansible", same, len(steps))
}

// TestFleetUserOptions compares the user module's account ageing, ssh key,
// libuser and warning behaviour with Ansible's on two fleet hosts.
func TestFleetUserOptions(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{})
	u := func(args map[string]any) map[string]any {
		a := map[string]any{"name": "octou2"}
		for k, v := range args {
			a[k] = v
		}
		return a
	}
	info := []string{"uid", "comment", "home", "shell", "warnings", "stderr"}
	ssh := []string{"ssh_key_file", "ssh_fingerprint", "ssh_public_key", "warnings"}
	steps := []fleetStep{
		{Module: "user", Args: u(map[string]any{"expires": 1893456000, "password_expire_max": 90, "password_expire_min": 1}), Check: true},
		{Module: "user", Args: u(map[string]any{"expires": 1893456000, "password_expire_max": 90, "password_expire_min": 1, "comment": "Octo"}), Keys: info},
		{Module: "user", Args: u(map[string]any{"expires": 1893456000, "password_expire_max": 90, "password_expire_min": 1}), Keys: info},
		{Module: "user", Args: u(map[string]any{"expires": 1893556000.5}), Keys: info},
		{Module: "user", Args: u(map[string]any{"expires": 1893456000}), Check: true},
		{Module: "user", Args: u(map[string]any{"expires": -1})},
		{Module: "user", Args: u(map[string]any{"expires": -1})},
		{Module: "user", Args: u(map[string]any{"password_expire_max": 30}), Check: true},
		{Module: "user", Args: u(map[string]any{"password_expire_max": 30})},
		{Module: "user", Args: u(map[string]any{"password_expire_max": 30, "password_expire_min": 1})},
		{Module: "user", Args: u(map[string]any{"login_class": "staff", "hidden": true, "profile": "p", "authorization": "a", "role": "r"})},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519"}), Check: true, Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519", "ssh_key_comment": "k1"}), Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519"}), Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519", "force": true, "ssh_key_comment": "k2"}), Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519", "ssh_key_file": ".ssh/id_pp", "ssh_key_passphrase": "s3cret pass", "ssh_key_comment": "k3"}), Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "ed25519", "ssh_key_file": "/tmp/octo_abs_key"}), Check: true, Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "rsa", "ssh_key_bits": 1024, "ssh_key_file": "/tmp/octo_rsa"}), Keys: ssh},
		{Module: "user", Args: u(map[string]any{"generate_ssh_key": true, "ssh_key_type": "nosuchtype", "ssh_key_file": "/tmp/octo_bad"}), Keys: []string{"rc"}},
		{Module: "user", Args: u(map[string]any{"password": "plaintext"}), Keys: []string{"warnings", "password"}},
		{Module: "user", Args: u(map[string]any{"password": "$6$salt$abc", "update_password": "on_create"}), Keys: []string{"warnings"}},
		{Module: "user", Args: u(map[string]any{"password_lock": true})},
		{Module: "user", Args: u(map[string]any{"password_lock": true})},
		{Module: "user", Args: u(map[string]any{"append": true}), Keys: []string{"warnings"}},
		{Module: "user", Args: u(map[string]any{"local": true, "comment": "x"}), Keys: []string{"warnings"}},
		{Module: "user", Args: u(map[string]any{"local": true, "umask": "077"})},
		{Module: "user", Args: u(map[string]any{"seuser": "user_u"})},
		{Module: "user", Args: u(map[string]any{"state": "absent", "remove": true})},
		{Module: "user", Args: map[string]any{"name": "octou3", "password": "$6$salt$abc", "password_lock": true, "expires": 1893456000, "create_home": false}, Keys: info},
		{Module: "user", Args: map[string]any{"name": "octou3", "password": "$6$salt$abc", "password_lock": true, "expires": 1893456000, "create_home": false}, Keys: info},
		{Module: "user", Args: map[string]any{"name": "octou4", "seuser": "user_u", "create_home": false}, Keys: []string{"rc"}},
		{Module: "user", Args: map[string]any{"name": "octou5", "local": true}},
		{Module: "user", Args: map[string]any{"name": "octou3", "state": "absent"}},
	}
	runOptionSteps(t, f, steps)
}

// TestFleetHostnameStrategies compares the hostname module's strategies
// (use=) and its default choice on a host without systemd with Ansible's.
func TestFleetHostnameStrategies(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{})
	k := []string{"name", "ansible_facts.ansible_hostname", "ansible_facts.ansible_nodename", "diff.after"}
	kb := append([]string{"diff.before"}, k...)
	h := func(name, use string) map[string]any {
		a := map[string]any{"name": name}
		if use != "" {
			a["use"] = use
		}
		return a
	}
	steps := []fleetStep{
		{Module: "hostname", Args: h("octo-a", ""), Check: true, Keys: k},
		{Module: "hostname", Args: h("octo-a", ""), Keys: k},
		{Module: "hostname", Args: h("octo-a", ""), Keys: kb},
		{Module: "hostname", Args: h("octo-b", "sles"), Keys: kb},
		{Module: "hostname", Args: h("octo-b", "sles"), Keys: kb},
		{Module: "hostname", Args: h("octo-c", "openbsd"), Keys: kb},
		{Module: "hostname", Args: h("octo-d", "alpine"), Keys: kb},
		{Module: "hostname", Args: h("octo-d", "alpine"), Keys: kb},
		{Module: "hostname", Args: h("octo-e", "openrc"), Keys: kb},
		{Module: "hostname", Args: h("octo-f", "freebsd"), Keys: kb},
		{Module: "hostname", Args: h("octo-g", "redhat"), Keys: kb},
		{Module: "hostname", Args: h("octo-h", "generic")},
		{Module: "hostname", Args: h("octo-i", "darwin")},
		{Module: "hostname", Args: h("octo-j", "solaris")},
		{Module: "hostname", Args: h("octo-k", "systemd")},
		{Module: "hostname", Args: h("octo-k", "debian")},
		{Module: "hostname", Args: h("octo-l", "file")},
		{Module: "hostname", Args: h("octo-a", ""), Keys: kb},
	}
	runOptionSteps(t, f, steps)
}

// TestFleetFetch compares uri, get_url and unarchive fetching from a
// fleet host (through the ssh connection's Dialer on octopus's side) with
// Ansible: an HTTP and an HTTPS server listen on the hosts' bridge address.
func TestFleetFetch(t *testing.T) {
	f := startFleet(t, "ansible-playbook", fleet.Options{})
	addr := f.Hosts()[1].Addr
	gw := addr[:strings.LastIndexByte(addr, '.')] + ".1"
	tarball := makeTar(t, true, []arEntry{{"d/", "", 0o755}, {"d/x.txt", "xx\n", 0o644}})
	base, tlsBase := fetchTestServerOn(t, gw+":0", tarball)
	c := []string{"content", "status", "msg", "url", "redirected"}
	steps := []fleetStep{
		{Module: "uri", Args: map[string]any{"url": base + "/a.txt", "return_content": true}, Keys: c},
		{Module: "uri", Args: map[string]any{"url": base + "/mp", "method": "POST", "body_format": "form-multipart", "return_content": true,
			"body": map[string]any{"t": "v", "f": map[string]any{"content": "c", "filename": "n.txt"}}}, Keys: c},
		{Module: "uri", Args: map[string]any{"url": tlsBase + "/a.txt", "validate_certs": false, "return_content": true}, Keys: c},
		{Module: "uri", Args: map[string]any{"url": tlsBase + "/a.txt"}, Keys: c},
		{Module: "get_url", Args: map[string]any{"url": base + "/a.txt", "dest": "/tmp/octo-a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}, Keys: []string{"dest", "checksum_src", "md5sum", "status_code"}},
		{Module: "get_url", Args: map[string]any{"url": base + "/a.txt", "dest": "/tmp/octo-a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}, Keys: []string{"msg"}},
		{Module: "get_url", Args: map[string]any{"url": tlsBase + "/a.txt", "dest": "/tmp/octo-b.txt"}, Keys: []string{"status_code"}},
		{Module: "file", Args: map[string]any{"path": "/tmp/octo-x", "state": "directory"}},
		{Module: "unarchive", Args: map[string]any{"src": base + "/arch.tar.gz", "dest": "/tmp/octo-x", "remote_src": true}, Keys: []string{"handler", "dest"}},
		{Module: "unarchive", Args: map[string]any{"src": base + "/arch.tar.gz", "dest": "/tmp/octo-x", "remote_src": true}, Keys: []string{"handler"}},
	}
	runOptionSteps(t, f, steps)
}
