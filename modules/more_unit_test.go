package modules_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"octopus/engine/connection"

	"octopus/engine/connection/local"
	"octopus/modules"
	"octopus/modules/internal/anstest"
)

// runIn runs module with args (@D@ -> dir) and a controller rooted at ctrlDir.
func runIn(t *testing.T, conn *countingConn, ctrlDir, dir, module string, args map[string]any, check bool) modules.Result {
	t.Helper()
	m, ok := modules.Lookup(module)
	if !ok {
		t.Fatalf("module %s not registered", module)
	}
	a := map[string]any{}
	for k, v := range args {
		if s, ok := v.(string); ok {
			v = strings.ReplaceAll(s, "@D@", dir)
		}
		a[k] = v
	}
	r, err := m.Run(context.Background(), &modules.Request{Args: a, Conn: conn, CheckMode: check, Controller: &anstest.Controller{Dir: ctrlDir}, Host: "h1", Vars: map[string]any{"inventory_hostname": "h1"}})
	if err != nil {
		t.Fatalf("%s: %v", module, err)
	}
	return r
}

// TestMoreIdempotence: check mode reports a change without touching the
// tree, the real run changes, the second run and a further check run do not.
func TestMoreIdempotence(t *testing.T) {
	fakeCrontab(t)
	ctrl := t.TempDir()
	key := pubKey(t, " u@h")
	zipData := makeZip(t, []arEntry{{"z/", "", 0}, {"z/one.txt", "one\n", 0}})
	os.MkdirAll(filepath.Join(ctrl, "files"), 0o755)
	os.WriteFile(filepath.Join(ctrl, "files", "a.zip"), []byte(zipData), 0o644)
	cases := []struct {
		module string
		args   map[string]any
	}{
		{"cron", map[string]any{"name": "j", "job": "/bin/true", "cron_file": "@D@/cf", "user": "root"}},
		{"cron", map[string]any{"name": "E", "job": "v", "env": true, "cron_file": "@D@/cf", "user": "root"}},
		{"authorized_key", map[string]any{"user": "root", "key": key, "path": "@D@/ak/keys"}},
		{"known_hosts", map[string]any{"name": "h.example", "key": "h.example " + key, "path": "@D@/kh"}},
		{"unarchive", map[string]any{"src": "a.zip", "dest": "@D@/x"}},
		{"known_hosts", map[string]any{"name": "hashed.example", "key": "hashed.example " + key, "path": "@D@/kh2", "hash_host": true}},
		{"authorized_key", map[string]any{"user": "root", "key": key, "path": "@D@/ak2", "key_options": "no-pty", "exclusive": true}},
	}
	need := map[string]string{"known_hosts": "ssh-keygen", "unarchive": "unzip"}
	for _, c := range cases {
		t.Run(c.module, func(t *testing.T) {
			if tool := need[c.module]; tool != "" {
				if _, err := exec.LookPath(tool); err != nil {
					t.Skipf("%s not installed", tool)
				}
			}
			dir := t.TempDir()
			os.MkdirAll(filepath.Join(dir, "x"), 0o755)
			conn := &countingConn{Conn: local.New()}
			before := anstest.Hash(t, dir)
			if r := runIn(t, conn, ctrl, dir, c.module, c.args, true); r["changed"] != true || r["failed"] == true {
				t.Errorf("check run: want changed, got %v", r)
			}
			if after := anstest.Hash(t, dir); after != before {
				t.Errorf("check mode changed the tree:\n%s\n%s", before, after)
			}
			if r := runIn(t, conn, ctrl, dir, c.module, c.args, false); r["changed"] != true || r["failed"] == true {
				t.Errorf("first run: want changed, got %v", r)
			}
			if r := runIn(t, conn, ctrl, dir, c.module, c.args, false); r["changed"] != false || r["failed"] == true {
				t.Errorf("second run: want unchanged, got %v", r)
			}
			if r := runIn(t, conn, ctrl, dir, c.module, c.args, true); r["changed"] != false {
				t.Errorf("check after: want unchanged, got %v", r)
			}
		})
	}
}

// TestMoreRoundTrips pins the number of target round trips.
func TestMoreRoundTrips(t *testing.T) {
	fakeCrontab(t)
	ctrl := t.TempDir()
	os.MkdirAll(filepath.Join(ctrl, "files"), 0o755)
	os.WriteFile(filepath.Join(ctrl, "files", "s.sh"), []byte("#!/bin/sh\necho hi\n"), 0o644)
	os.WriteFile(filepath.Join(ctrl, "files", "a.tgz"), []byte(makeTar(t, true, []arEntry{{"f", "x", 0o644}})), 0o644)
	cases := []struct {
		module      string
		args        map[string]any
		execs, puts int32
	}{
		{"ping", map[string]any{}, 0, 0},
		{"find", map[string]any{"paths": "@D@", "recurse": true}, 1, 0},
		{"find", map[string]any{"paths": "@D@", "contains": "o", "get_checksum": true}, 2, 0},
		{"tempfile", map[string]any{"path": "@D@"}, 1, 0},
		{"getent", map[string]any{"database": "passwd", "key": "root"}, 1, 0},
		{"wait_for", map[string]any{"path": "@D@/f"}, 1, 0},
		{"script", map[string]any{"_raw_params": "s.sh"}, 1, 0},
		{"fetch", map[string]any{"src": "@D@/f", "dest": "@D@/fetched"}, 1, 0},
		{"unarchive", map[string]any{"src": "a.tgz", "dest": "@D@"}, 1, 1},
		{"cron", map[string]any{"name": "j", "job": "x", "cron_file": "@D@/cf", "user": "root"}, 2, 0},
		{"service_facts", map[string]any{}, 1, 0},
		{"authorized_key", map[string]any{"user": "root", "key": pubKey(t, ""), "path": "@D@/ak"}, 2, 0},
		{"known_hosts", map[string]any{"name": "h", "key": "h " + pubKey(t, ""), "path": "@D@/kh"}, 2, 0},
		{"known_hosts", map[string]any{"name": "h", "state": "absent", "path": "@D@/kh"}, 1, 0},
		{"getent", map[string]any{"database": "group", "key": "root"}, 1, 0},
	}
	for _, c := range cases {
		if _, err := exec.LookPath("ssh-keygen"); err != nil && c.module == "known_hosts" {
			continue
		}
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "f"), []byte("one\n"), 0o644)
		conn := &countingConn{Conn: local.New()}
		r := runIn(t, conn, ctrl, dir, c.module, c.args, false)
		if r["failed"] == true {
			t.Errorf("%s %v: %v", c.module, c.args, r)
			continue
		}
		if conn.execs.Load() != c.execs || conn.puts.Load() != c.puts {
			t.Errorf("%s %v: %d execs %d puts, want %d and %d", c.module, c.args, conn.execs.Load(), conn.puts.Load(), c.execs, c.puts)
		}
	}
}

func TestTempfileAndFetchLayout(t *testing.T) {
	dir := t.TempDir()
	conn := &countingConn{Conn: local.New()}
	r := runIn(t, conn, dir, dir, "tempfile", map[string]any{"path": "@D@", "suffix": ".x"}, false)
	if !regexp.MustCompile(`/ansible\.[A-Za-z0-9]{8}\.x$`).MatchString(r["path"].(string)) || r["mode"] != "0600" || r["state"] != "file" {
		t.Errorf("tempfile: %v", r)
	}
	r = runIn(t, conn, dir, dir, "tempfile", map[string]any{"path": "@D@", "state": "directory", "prefix": "p-"}, false)
	if !regexp.MustCompile(`/p-[A-Za-z0-9]{8}$`).MatchString(r["path"].(string)) || r["mode"] != "0700" || r["state"] != "directory" {
		t.Errorf("tempfile dir: %v", r)
	}
	os.WriteFile(filepath.Join(dir, "src"), []byte("data"), 0o644)
	r = runIn(t, conn, dir, dir, "fetch", map[string]any{"src": "@D@/src", "dest": "@D@/out"}, false)
	want := filepath.Join(dir, "out", "h1", dir, "src")
	if b, err := os.ReadFile(want); err != nil || string(b) != "data" || r["dest"] != want || r["changed"] != true {
		t.Errorf("fetch layout: %v (%v)", r, err)
	}
	r = runIn(t, conn, dir, dir, "fetch", map[string]any{"src": "@D@/src", "dest": "rel/", "flat": true}, false)
	if r["dest"] != filepath.Join(dir, "rel", "src") {
		wd, _ := os.Getwd()
		if r["dest"] != filepath.Join(wd, "rel", "src") {
			t.Errorf("fetch flat relative: %v", r)
		}
		os.RemoveAll(filepath.Join(wd, "rel"))
	}
}

func TestUnsupportedModules(t *testing.T) {
	for _, name := range []string{"yum", "ansible.builtin.dnf", "yum_repository", "pip", "k8s", "kubernetes.core.k8s", "rpm_key"} {
		r := runIn(t, &countingConn{Conn: local.New()}, t.TempDir(), t.TempDir(), name, map[string]any{"name": "x"}, false)
		short := name[strings.LastIndex(name, ".")+1:]
		if r["failed"] != true || !strings.HasPrefix(r["msg"].(string), "octopus has no native '"+short+"' module: ") {
			t.Errorf("%s: %v", name, r)
		}
	}
}

// noCurlConn hides curl and wget from scripts, so uri takes its bash
// /dev/tcp path.
type noCurlConn struct{ *countingConn }

func (c noCurlConn) Exec(ctx context.Context, cmd string, o connection.ExecOptions) (*connection.Result, error) {
	cmd = strings.ReplaceAll(cmd, "command -v curl", "false")
	cmd = strings.ReplaceAll(cmd, "command -v wget", "false")
	return c.countingConn.Exec(ctx, cmd, o)
}

// TestURIBashFallback compares uri through bash's /dev/tcp with uri
// through curl on the same requests.
func TestURIBashFallback(t *testing.T) {
	base := testHTTPServer(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "body.txt"), []byte("from file"), 0o644)
	m, _ := modules.Lookup("uri")
	for _, args := range []map[string]any{
		{"url": base + "/json"},
		{"url": base + "/text", "return_content": true},
		{"url": base + "/redir", "return_content": true},
		{"url": base + "/redir", "follow_redirects": "none", "status_code": 302},
		{"url": base + "/missing", "return_content": true},
		{"url": base + "/echo", "method": "POST", "body_format": "json", "body": map[string]any{"k": "v"}, "return_content": true, "headers": map[string]any{"X-Test": "t"}},
		{"url": base + "/echo", "method": "PUT", "src": filepath.Join(dir, "body.txt"), "return_content": true},
		{"url": base + "/auth", "user": "bob", "password": "secret", "force_basic_auth": true, "return_content": true},
		{"url": base + "/cookie", "status_code": 201},
		{"url": "http://127.0.0.1:1/"},
	} {
		run := func(c connection.Conn) map[string]any {
			a := map[string]any{}
			for k, v := range args {
				a[k] = v
			}
			r, err := m.Run(context.Background(), &modules.Request{Args: a, Conn: c, Action: "uri"})
			if err != nil {
				t.Fatal(err)
			}
			out := moreJSON(r)
			for _, k := range []string{"date", "connection", "elapsed"} {
				delete(out, k)
			}
			return out
		}
		viaCurl := run(local.New())
		viaBash := run(noCurlConn{&countingConn{Conn: local.New()}})
		if !reflect.DeepEqual(viaCurl, viaBash) {
			t.Errorf("%v:\n curl: %v\n bash: %v", args, show(viaCurl), show(viaBash))
		}
	}
}

func TestCronBackup(t *testing.T) {
	fakeCrontab(t)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "cf"), []byte("#Ansible: a\n* * * * * root old\n"), 0o644)
	conn := &countingConn{Conn: local.New()}
	r := runIn(t, conn, dir, dir, "cron", map[string]any{"name": "a", "job": "new", "user": "root", "cron_file": "@D@/cf", "backup": true}, false)
	bf, _ := r["backup_file"].(string)
	b, err := os.ReadFile(bf)
	if err != nil || string(b) != "#Ansible: a\n* * * * * root old\n" {
		t.Fatalf("backup %q: %q %v (%v)", bf, b, err, r)
	}
	os.Remove(bf)
	if got, _ := os.ReadFile(filepath.Join(dir, "cf")); string(got) != "#Ansible: a\n* * * * * root new\n" {
		t.Errorf("cron file: %q", got)
	}
	if r := runIn(t, conn, dir, dir, "cron", map[string]any{"name": "a", "job": "new", "user": "root", "cron_file": "@D@/cf", "backup": true}, false); r["backup_file"] != nil || r["changed"] != false {
		t.Errorf("unchanged run kept a backup: %v", r)
	}
}
