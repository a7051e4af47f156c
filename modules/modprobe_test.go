package modules

import (
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestModprobeFake(t *testing.T) {
	mk, log, dir := fakeSystemd(t)
	root := t.TempDir()
	for _, d := range []string{"proc", "etc/modules-load.d", "etc/modprobe.d"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "proc/modules"), []byte("ext4 1 0 - Live 0x0\n"), 0o644)
	rel, _ := exec.Command("uname", "-r").Output()
	builtin := filepath.Join(root, "lib/modules", strings.TrimSpace(string(rel)), "modules.builtin")
	os.MkdirAll(filepath.Dir(builtin), 0o755)
	os.WriteFile(builtin, []byte("kernel/fs/ext4/ext4.ko\n"), 0o644)
	os.WriteFile(filepath.Join(root, "etc/modprobe.d/old.conf"), []byte("options dummy numdummies=1\nblacklist x\n"), 0o644)
	req := func(args map[string]any, check bool) *Request {
		r := mk(args, check)
		env := map[string]string{"OCTOPUS_TEST_ROOT": root}
		for k, v := range r.Env {
			env[k] = v
		}
		r.Env = env
		return r
	}
	_ = dir
	r := sysRunMod(t, "modprobe", req(map[string]any{"name": "dummy", "params": "numdummies=2"}, true))
	if !reflect.DeepEqual(r, Result{"changed": true, "name": "dummy", "params": "numdummies=2", "state": "present"}) {
		t.Errorf("check: %v", r)
	}
	if l := log(); !reflect.DeepEqual(l, []string{"modprobe -n dummy numdummies=2"}) {
		t.Errorf("check calls: %v", l)
	}
	r = sysRunMod(t, "modprobe", req(map[string]any{"name": "dummy", "params": "numdummies=2", "persistent": "present"}, false))
	if r["changed"] != true {
		t.Errorf("load: %v", r)
	}
	b, _ := os.ReadFile(filepath.Join(root, "etc/modules-load.d/dummy.conf"))
	c, _ := os.ReadFile(filepath.Join(root, "etc/modprobe.d/dummy.conf"))
	old, _ := os.ReadFile(filepath.Join(root, "etc/modprobe.d/old.conf"))
	// Ansible joins the kept line endings with "\n" again when commenting out
	if string(b) != "dummy\n" || string(c) != "options dummy numdummies=2\n" || string(old) != "#options dummy numdummies=1\n\nblacklist x\n" {
		t.Errorf("files: %q %q %q", b, c, old)
	}
	r = sysRunMod(t, "modprobe", req(map[string]any{"name": "dummy", "params": "numdummies=2", "persistent": "present"}, false))
	if r["changed"] != false {
		t.Errorf("again: %v", r)
	}
	r = sysRunMod(t, "modprobe", req(map[string]any{"name": "dummy", "state": "absent"}, false))
	if r["changed"] != true {
		t.Errorf("unload: %v", r)
	}
	r = sysRunMod(t, "modprobe", req(map[string]any{"name": "nosuch"}, false))
	if r["failed"] != true || r["msg"] != "modprobe: FATAL: Module nosuch not found in directory /lib/modules/x\n" || r["rc"] != 1 {
		t.Errorf("missing module: %v", r)
	}
	// no modules.builtin to fall back on: Ansible's IOError text
	os.Remove(builtin)
	r = sysRunMod(t, "modprobe", req(map[string]any{"name": "nouveau", "state": "absent"}, false))
	if m, _ := r["msg"].(string); r["failed"] != true || len(m) < 40 || m[:40] != "[Errno 2] No such file or directory: '/l" {
		t.Errorf("no builtin list: %v", r)
	}
}
