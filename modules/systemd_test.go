package modules

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/connection/local"
)

// fakeSystemd prepares a fake systemctl (testdata/fakebin) with the given
// units ("name=active/enabled") and returns a request factory and the log reader.
func fakeSystemd(t *testing.T, units ...string) (func(args map[string]any, check bool) *Request, func() []string, string) {
	t.Helper()
	dir := t.TempDir()
	for _, u := range units {
		name, st, _ := strings.Cut(u, "=")
		a, e, _ := strings.Cut(st, "/")
		os.WriteFile(filepath.Join(dir, name+".active"), []byte(a+"\n"), 0o644)
		os.WriteFile(filepath.Join(dir, name+".enabled"), []byte(e+"\n"), 0o644)
	}
	bin, _ := filepath.Abs("testdata/fakebin")
	env := map[string]string{"PATH": bin + ":" + os.Getenv("PATH"), "FAKE_SYSTEMD": dir}
	mk := func(args map[string]any, check bool) *Request {
		return &Request{Args: args, Conn: local.New(), Env: env, CheckMode: check}
	}
	log := func() []string {
		b, _ := os.ReadFile(filepath.Join(dir, "log"))
		os.Remove(filepath.Join(dir, "log"))
		return strings.Split(strings.TrimSpace(string(b)), "\n")
	}
	return mk, log, dir
}

func sysRunMod(t *testing.T, name string, req *Request) Result {
	t.Helper()
	m, ok := Lookup(name)
	if !ok {
		t.Fatalf("module %s not registered", name)
	}
	r, err := m.Run(context.Background(), req)
	if err != nil {
		t.Fatal(err)
	}
	// every run of a validated module reports its arguments; the callers
	// compare the rest (invocation is checked against ansible in the *_diff tests)
	if inv, ok := r["invocation"].(map[string]any); ok {
		if _, ok := inv["module_args"]; !ok {
			t.Errorf("%s: invocation without module_args: %v", name, inv)
		}
		delete(r, "invocation")
	}
	return r
}

func TestSystemdArgErrors(t *testing.T) {
	// messages as ansible 2.14 prints them
	cases := []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"enabled": true}, "missing parameter(s) required by 'enabled': name"},
		{map[string]any{"name": "foo*", "state": "started"}, "This module does not currently support using glob patterns, found '*' in service name: foo*"},
		{map[string]any{"name": "x", "state": "bogus"}, "value of state must be one of: reloaded, restarted, started, stopped, got: bogus"},
		{map[string]any{"name": "x", "state": "started", "bogus": 1}, "Unsupported parameters for (systemd) module: bogus. Supported parameters include: daemon_reexec, daemon_reload, enabled, force, masked, name, no_block, scope, state (daemon-reexec, daemon-reload, service, unit)."},
	}
	mk, _, _ := fakeSystemd(t)
	for _, c := range cases {
		r := sysRunMod(t, "systemd", mk(c.args, false))
		if r["failed"] != true || r["msg"] != c.msg {
			t.Errorf("%v: got %v", c.args, r)
		}
	}
	r := sysRunMod(t, "systemd", mk(map[string]any{}, false))
	if r["failed"] == true || r["name"] != nil || !reflect.DeepEqual(r["status"], map[string]any{}) {
		t.Errorf("no args: %v", r)
	}
}

func TestSystemdLifecycle(t *testing.T) {
	mk, log, _ := fakeSystemd(t, "octotest=inactive/disabled")
	args := map[string]any{"name": "octotest", "state": "started", "enabled": true}

	r := sysRunMod(t, "systemd", mk(args, true))
	if r["changed"] != true || r["enabled"] != true || r["state"] != "started" {
		t.Errorf("check mode: %v", r)
	}
	if l := log(); strings.Contains(strings.Join(l, "|"), "start octotest") || strings.Contains(strings.Join(l, "|"), "enable octotest") {
		t.Errorf("check mode changed something: %v", l)
	}

	r = sysRunMod(t, "systemd", mk(args, false))
	st, _ := r["status"].(map[string]any)
	if r["changed"] != true || r["enabled"] != true || r["state"] != "started" || st["ActiveState"] != "inactive" || r["name"] != "octotest" {
		t.Errorf("first run: %v", r)
	}
	if got, want := log(), []string{"show octotest", "is-enabled octotest", "is-enabled octotest -l", "enable octotest", "start octotest"}; !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}
	if want := "{ path=/bin/kill ; argv[]=/bin/kill -HUP $MAINPID ;\n ignore_errors=no }"; st["ExecReload"] != want {
		t.Errorf("multi-line ExecReload = %q", st["ExecReload"])
	}

	r = sysRunMod(t, "systemd", mk(args, false))
	if r["changed"] != false || r["enabled"] != true {
		t.Errorf("second run: %v", r)
	}
	log()
	r = sysRunMod(t, "systemd", mk(map[string]any{"name": "octotest", "state": "restarted"}, false))
	if r["changed"] != true || r["state"] != "started" {
		t.Errorf("restart: %v", r)
	}
	if l := log(); l[len(l)-1] != "restart octotest" {
		t.Errorf("restart calls: %v", l)
	}
	r = sysRunMod(t, "systemd", mk(map[string]any{"name": "octotest", "masked": true, "state": "stopped"}, false))
	if r["changed"] != true || r["state"] != "stopped" {
		t.Errorf("mask+stop: %v", r)
	}
	r = sysRunMod(t, "systemd", mk(map[string]any{"name": "octotest", "masked": true, "state": "stopped"}, false))
	if r["changed"] != false {
		t.Errorf("mask+stop again: %v", r)
	}
}

func TestSystemdFailures(t *testing.T) {
	mk, _, dir := fakeSystemd(t, "octotest=inactive/disabled")
	r := sysRunMod(t, "systemd", mk(map[string]any{"name": "nope-zz", "state": "started"}, false))
	if r["msg"] != "Could not find the requested service nope-zz: host" {
		t.Errorf("missing unit: %v", r)
	}
	os.WriteFile(filepath.Join(dir, "fail-start"), nil, 0o644)
	r = sysRunMod(t, "systemd", mk(map[string]any{"name": "octotest", "state": "started"}, false))
	if r["msg"] != "Unable to start service octotest: Job for octotest failed because the control process exited with error code.\n" {
		t.Errorf("start failure: %q", r["msg"])
	}
	os.WriteFile(filepath.Join(dir, "fail-enable"), nil, 0o644)
	r = sysRunMod(t, "systemd", mk(map[string]any{"name": "octotest", "enabled": true, "state": "started"}, false))
	if r["msg"] != "Unable to enable service octotest: Created nothing\nFailed to enable unit: Access denied\n" {
		t.Errorf("enable failure: %q", r["msg"])
	}
	os.WriteFile(filepath.Join(dir, "fail-daemon-reload"), nil, 0o644)
	r = sysRunMod(t, "systemd", mk(map[string]any{"daemon_reload": true}, false))
	if r["msg"] != "failure 1 during daemon-reload: Failed to daemon-reload: Access denied\n" {
		t.Errorf("reload failure: %q", r["msg"])
	}
	// check mode skips daemon-reload entirely
	r = sysRunMod(t, "systemd", mk(map[string]any{"daemon_reload": true}, true))
	if r["failed"] == true {
		t.Errorf("check mode reload: %v", r)
	}
}
