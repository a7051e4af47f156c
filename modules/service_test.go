package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestServiceSysv(t *testing.T) {
	mk, log, dir := fakeSystemd(t)
	l1, _ := filepath.Glob("/etc/rc?.d/S??x11-common")
	l2, _ := filepath.Glob("/etc/rc?.d/S??dbus")
	if len(l1) == 0 || len(l2) == 0 {
		t.Skip("needs /etc/init.d/x11-common and /etc/init.d/dbus with S links on this machine")
	}
	req := func(args map[string]any, check bool) *Request {
		r := mk(args, check)
		r.Vars = map[string]any{"ansible_facts": map[string]any{"service_mgr": "sysvinit"}}
		return r
	}
	os.WriteFile(filepath.Join(dir, "x11-common.svc"), []byte("stopped"), 0o644)
	os.WriteFile(filepath.Join(dir, "dbus.svc"), []byte("running"), 0o644)

	r := sysRunMod(t, "service", req(map[string]any{"name": "x11-common", "state": "started", "enabled": true}, true))
	if !reflect.DeepEqual(r, Result{"changed": true, "msg": "service state changed"}) {
		t.Errorf("check mode: %v", r)
	}
	if got := log(); !reflect.DeepEqual(got, []string{"service x11-common status"}) {
		t.Errorf("check mode calls: %v", got)
	}

	// x11-common has S links here: disabling runs update-rc.d (the fake one)
	r = sysRunMod(t, "service", req(map[string]any{"name": "x11-common", "state": "started", "enabled": false}, false))
	if !reflect.DeepEqual(r, Result{"name": "x11-common", "changed": true, "enabled": false, "state": "started"}) {
		t.Errorf("start+disable: %v", r)
	}
	want := []string{"service x11-common status", "update-rc.d x11-common disable", "service x11-common start"}
	if got := log(); !reflect.DeepEqual(got, want) {
		t.Errorf("calls = %v, want %v", got, want)
	}

	r = sysRunMod(t, "service", req(map[string]any{"name": "dbus", "state": "started", "enabled": "yes"}, false))
	if !reflect.DeepEqual(r, Result{"name": "dbus", "changed": false, "enabled": true, "state": "started"}) {
		t.Errorf("already running: %v", r)
	}
	log()
	r = sysRunMod(t, "service", req(map[string]any{"name": "dbus", "state": "restarted"}, false))
	if r["changed"] != true || r["state"] != "started" {
		t.Errorf("restart: %v", r)
	}
	if got := log(); !reflect.DeepEqual(got, []string{"service dbus status", "service dbus stop", "service dbus start"}) {
		t.Errorf("restart calls: %v", got)
	}
	os.WriteFile(filepath.Join(dir, "fail-start"), nil, 0o644)
	r = sysRunMod(t, "service", req(map[string]any{"name": "dbus", "state": "stopped"}, false))
	r = sysRunMod(t, "service", req(map[string]any{"name": "dbus", "state": "started"}, false))
	if r["failed"] != true || r["msg"] != "Starting dbus failed\n" {
		t.Errorf("start failure: %v", r)
	}
	for _, c := range []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"name": "nope-zz", "state": "started"}, "Could not find the requested service nope-zz: host"},
		{map[string]any{"name": "dbus"}, "one of the following is required: state, enabled"},
		{map[string]any{"state": "started"}, "missing required arguments: name"},
	} {
		if r := sysRunMod(t, "service", req(c.args, false)); r["msg"] != c.msg {
			t.Errorf("%v: %v", c.args, r)
		}
	}
}

func TestServiceOnSystemd(t *testing.T) {
	mk, log, _ := fakeSystemd(t, "octotest=active/enabled")
	r := mk(map[string]any{"name": "octotest", "state": "started", "sleep": 3, "use": "systemd"}, false)
	res := sysRunMod(t, "service", r)
	if res["changed"] != false || res["state"] != "started" || res["status"] == nil {
		t.Errorf("systemd dispatch: %v", res)
	}
	if !reflect.DeepEqual(res["warnings"], []any{`Ignoring "sleep" as it is not used in "systemd"`}) {
		t.Errorf("warnings = %v", res["warnings"])
	}
	if got := log(); got[0] != "show octotest" {
		t.Errorf("calls = %v", got)
	}
}
