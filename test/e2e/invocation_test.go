package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"octopus/internal/testutil"
)

// invocationTasks are single-item loop tasks, one per module, that change
// nothing outside the test's directory (@D@): system modules run in check
// mode or fail harmlessly. Each is registered and shown with debug var.
var invocationTasks = []string{
	`file: {path: "@D@/f", state: touch, mode: "0640"}`,
	`file: {dest: "@D@/f", owner: root}`,
	`copy: {content: "hi\n", dest: "@D@/c"}`,
	`copy: {content: "hi\n", dest: "@D@/c"}`,
	`copy: {src: "@D@/c", dest: "@D@/c2", remote_src: true, mode: preserve}`,
	`template: {src: t.j2, dest: "@D@/t"}`,
	`lineinfile: {path: "@D@/c", line: "x"}`,
	`blockinfile: {path: "@D@/c", block: "y"}`,
	`replace: {path: "@D@/c", regexp: "x", replace: "z"}`,
	`stat: {path: "@D@/c", get_checksum: false}`,
	`find: {paths: "@D@"}`,
	`slurp: {src: "@D@/c"}`,
	`fetch: {src: "@D@/c", dest: "@D@/fetched/"}`,
	`command: "echo {{ item }}"`,
	`shell: "echo {{ item }} | cat"`,
	`ping:`,
	`getent: {database: passwd, key: root}`,
	`known_hosts: {name: foo.example, key: "foo.example ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOth19Lt8NWrmLVN1NBiK+QXJRZq4wUul8X7UcPm2hOx", path: "@D@/kh"}`,
	`authorized_key: {user: root, key: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOth19Lt8NWrmLVN1NBiK+QXJRZq4wUul8X7UcPm2hOx a@b", path: "@D@/ak", manage_dir: false}`,
	`wait_for: {path: "@D@/c", timeout: 1}`,
	`unarchive: {src: a.tar, dest: "@D@"}`,
	`uri: {url: "http://127.0.0.1:1/", url_username: bob, url_password: s3cret}`,
	`get_url: {url: "http://127.0.0.1:1/x", dest: "@D@/x", timeout: 1}`,
	`group: {name: octoinvgrp}`,
	`user: {name: octoinvusr, password: "$6$abc$def", groups: [adm]}`,
	`timezone: {name: UTC}`,
	`sysctl: {name: vm.swappiness, value: "yes", sysctl_file: "@D@/sysctl.conf"}`,
	`mount: {path: /mnt/octoinv, src: /dev/octoinv, fstype: ext4, state: present, fstab: "@D@/fstab"}`,
	`apt_repository: {repo: "deb http://example.invalid/x stable main", update_cache: false}`,
	`apt: {name: bash}`,
	`package: {name: bash}`,
	`systemd: {daemon_reload: true}`,
	`cron: {name: x, job: /bin/true, cron_file: octoinv}`,
	`tempfile: {path: "@D@"}`,
	`package_facts:`,
	`setup: {filter: ansible_hostname}`,
	`set_fact: {x: 1}`,
	`debug: {msg: hi}`,
}

// TestLoopItemInvocation runs every task of invocationTasks as a loop over
// one item with connection=local, registers it and prints it with debug
// var, under ansible-playbook and octopus (json callback), and compares
// each item's invocation (module_args as the module reports them; absent
// for actions that run no module).
func TestLoopItemInvocation(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: the test compares with it")
	}
	base := t.TempDir()
	var pb strings.Builder
	pb.WriteString("- hosts: localhost\n  connection: local\n  gather_facts: false\n  tasks:\n")
	for i, task := range invocationTasks {
		check := !strings.HasPrefix(task, "set_fact") && !strings.HasPrefix(task, "debug")
		fmt.Fprintf(&pb, "    - name: t%d\n      %s\n      loop: [one]\n      register: r%d\n      ignore_errors: true\n      check_mode: %v\n", i, task, i, check && isSystem(task))
		fmt.Fprintf(&pb, "    - name: show r%d\n      debug: {var: r%d}\n", i, i)
	}
	got := map[string][]any{}
	for _, s := range []struct{ name, bin string }{{"ansible", "ansible-playbook"}, {"octopus", octopusBin}} {
		dir := filepath.Join(base, s.name)
		work := filepath.Join(dir, "w")
		if err := os.MkdirAll(filepath.Join(dir, "templates"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.MkdirAll(work, 0o755)
		os.WriteFile(filepath.Join(dir, "templates", "t.j2"), []byte("{{ item }}\n"), 0o644)
		tar := exec.Command("tar", "-cf", filepath.Join(dir, "a.tar"), "-C", filepath.Join(dir, "templates"), "t.j2")
		if out, err := tar.CombinedOutput(); err != nil {
			t.Fatalf("tar: %v %s", err, out)
		}
		play := strings.ReplaceAll(pb.String(), "@D@", work)
		os.WriteFile(filepath.Join(dir, "site.yml"), []byte(play), 0o644)
		cmd := exec.Command(s.bin, "-i", "localhost,", "site.yml")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "ANSIBLE_STDOUT_CALLBACK=json", "ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCALHOST_WARNING=0",
			"ANSIBLE_PYTHON_INTERPRETER=auto_silent", "ANSIBLE_RETRY_FILES_ENABLED=0")
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		_ = cmd.Run()
		out := stdout.Bytes()
		if i := bytes.Index(out, []byte("\n{")); i >= 0 && out[0] != '{' {
			out = out[i+1:]
		}
		var doc struct {
			Plays []struct {
				Tasks []struct {
					Task  struct{ Name string }
					Hosts map[string]map[string]any
				}
			}
		}
		if err := json.Unmarshal(out, &doc); err != nil || len(doc.Plays) == 0 {
			t.Fatalf("%s output: %v\n%s\n%s", s.name, err, stdout.String(), stderr.String())
		}
		for _, tk := range doc.Plays[0].Tasks {
			if !strings.HasPrefix(tk.Task.Name, "show r") {
				continue
			}
			reg, _ := tk.Hosts["localhost"][strings.TrimPrefix(tk.Task.Name, "show ")].(map[string]any)
			items, _ := reg["results"].([]any)
			if _, top := reg["invocation"]; top {
				t.Errorf("%s %s: the registered result keeps a top-level invocation", s.name, tk.Task.Name)
			}
			var invs []any
			for _, it := range items {
				m, _ := it.(map[string]any)
				inv := normInvocation(m["invocation"], work)
				invs = append(invs, inv)
			}
			got[s.name] = append(got[s.name], invs)
		}
	}
	a, o := got["ansible"], got["octopus"]
	if len(a) != len(invocationTasks) || len(o) != len(a) {
		t.Fatalf("shown results: ansible %d, octopus %d, want %d", len(a), len(o), len(invocationTasks))
	}
	same, withInv := 0, 0
	for i := range a {
		if l, _ := a[i].([]any); len(l) == 1 && l[0] != nil {
			withInv++
		}
		if reflect.DeepEqual(a[i], o[i]) {
			same++
			continue
		}
		aj, _ := json.Marshal(a[i])
		oj, _ := json.Marshal(o[i])
		t.Errorf("%s: item invocation differs:\n ansible: %s\n octopus: %s", invocationTasks[i], aj, oj)
	}
	t.Logf("%d/%d loop items report the same invocation as ansible (%d with one)", same, len(a), withInv)
	if withInv < len(a)-4 { // set_fact, debug, fetch and the failed uri/get_url actions may have none
		t.Errorf("only %d of %d items carry an invocation: the comparison is not exercised", withInv, len(a))
	}
}

// isSystem reports whether a task would change the machine outside the
// test directory (it then runs in check mode).
func isSystem(task string) bool {
	for _, p := range []string{"group:", "user:", "timezone:", "apt:", "package:", "systemd:", "cron:", "apt_repository:", "mount:", "sysctl:"} {
		if strings.HasPrefix(task, p) {
			return true
		}
	}
	return false
}

var (
	invTmpRe  = regexp.MustCompile(`/[^ '"]*ansible-tmp-[^ '"/]*/[^ '"/]+|/[^ '"]*/\.octopus-(tmp-[0-9a-f]+|[a-z]+-[0-9]+)|/[^ '"]*ansible-local-[^ '"]*`)
	invNameRe = regexp.MustCompile(`^tmp[a-z0-9_]{8}$`)
)

// normInvocation replaces the side's work directory and temporary paths.
func normInvocation(v any, work string) any {
	return testutil.MapStrings(v, func(s string) string {
		if invNameRe.MatchString(s) {
			return "@TMPNAME@"
		}
		return invTmpRe.ReplaceAllString(strings.ReplaceAll(s, work, "@D@"), "@TMP@")
	})
}
