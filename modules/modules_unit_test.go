package modules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/connection/local"
	"octopus/modules"
	"octopus/modules/internal/anstest"
)

func runLocal(t *testing.T, dir, module string, args map[string]any, check, diff bool) modules.Result {
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
	ctrl := &anstest.Controller{Dir: "testdata", Vars: map[string]any{"who": "unit"}}
	r, err := m.Run(context.Background(), &modules.Request{Args: a, Conn: local.New(), CheckMode: check, DiffMode: diff, Controller: ctrl, Host: "localhost"})
	if err != nil {
		t.Fatalf("%s: %v", module, err)
	}
	return r
}

// TestIdempotence runs each task in check mode (tree unchanged, reports a
// change), for real (changed), again (unchanged) and in check mode again
// (unchanged).
func TestIdempotence(t *testing.T) {
	cases := []struct {
		module string
		args   map[string]any
	}{
		{"file", map[string]any{"path": "@D@/a/b/c", "state": "directory", "mode": "0700"}},
		{"file", map[string]any{"path": "@D@/f", "mode": "u=rw,go="}},
		{"file", map[string]any{"path": "@D@/l", "src": "f", "state": "link"}},
		{"file", map[string]any{"path": "@D@/h", "src": "@D@/f", "state": "hard"}},
		{"file", map[string]any{"path": "@D@/f", "state": "absent"}},
		{"file", map[string]any{"path": "@D@/d", "state": "directory", "recurse": true, "mode": "a-w"}},
		{"copy", map[string]any{"content": "abc\n", "dest": "@D@/new", "mode": "0600"}},
		{"copy", map[string]any{"content": "other\n", "dest": "@D@/f", "backup": true}},
		{"copy", map[string]any{"src": "files/src.txt", "dest": "@D@/d/"}},
		{"copy", map[string]any{"src": "files/tree", "dest": "@D@/t"}},
		{"template", map[string]any{"src": "templates/hello.j2", "dest": "@D@/tpl"}},
		{"lineinfile", map[string]any{"path": "@D@/f", "regexp": "^one", "line": "ONE"}},
		{"lineinfile", map[string]any{"path": "@D@/f", "line": "added", "insertbefore": "BOF"}},
		{"lineinfile", map[string]any{"path": "@D@/f", "line": "one", "state": "absent"}},
		{"blockinfile", map[string]any{"path": "@D@/f", "block": "b1\nb2"}},
		{"blockinfile", map[string]any{"path": "@D@/n", "block": "b1", "create": true}},
		{"replace", map[string]any{"path": "@D@/f", "regexp": "o", "replace": "0"}},
		{"command", map[string]any{"_raw_params": "touch @D@/made", "creates": "@D@/made"}},
		{"shell", map[string]any{"_raw_params": "rm @D@/f", "removes": "@D@/f"}},
	}
	for _, c := range cases {
		t.Run(c.module, func(t *testing.T) {
			dir := t.TempDir()
			if err := writeFiles(map[string]string{"f": "one\ntwo\n", "d/x": "x", "d/y/z": "z"})(dir); err != nil {
				t.Fatal(err)
			}
			before := anstest.Hash(t, dir)
			r := runLocal(t, dir, c.module, c.args, true, true)
			if r["changed"] != true || r["failed"] == true {
				t.Errorf("check run: want changed, got %v", r)
			}
			if after := anstest.Hash(t, dir); after != before {
				t.Errorf("check mode changed the tree:\n%s\n%s", before, after)
			}
			if r := runLocal(t, dir, c.module, c.args, false, false); r["changed"] != true || r["failed"] == true {
				t.Errorf("first run: want changed, got %v", r)
			}
			if r := runLocal(t, dir, c.module, c.args, false, false); r["changed"] != false || r["failed"] == true {
				t.Errorf("second run: want unchanged, got %v", r)
			}
			if r := runLocal(t, dir, c.module, c.args, true, false); r["changed"] != false {
				t.Errorf("check after apply: want unchanged, got %v", r)
			}
		})
	}
}

func TestCopyDiffOutput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("old\n"), 0o644)
	r := runLocal(t, dir, "copy", map[string]any{"content": "new\n", "dest": "@D@/f"}, true, true)
	d, ok := r["diff"].([]any)
	if !ok || len(d) != 1 {
		t.Fatalf("diff = %#v", r["diff"])
	}
	m := d[0].(map[string]any)
	if m["before"] != "old\n" || m["after"] != "new\n" || m["before_header"] != filepath.Join(dir, "f") {
		t.Errorf("diff = %#v", m)
	}
}

func TestLineinfileDiffOutput(t *testing.T) {
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "f"), []byte("a\nb\n"), 0o644)
	r := runLocal(t, dir, "lineinfile", map[string]any{"path": "@D@/f", "regexp": "^b", "line": "B", "mode": "0600"}, false, true)
	d := r["diff"].([]any)
	content, attrs := d[0].(map[string]any), d[1].(map[string]any)
	if content["before"] != "a\nb\n" || content["after"] != "a\nB\n" {
		t.Errorf("content diff = %#v", content)
	}
	if attrs["before"].(map[string]any)["mode"] != "0644" || attrs["after"].(map[string]any)["mode"] != "0600" {
		t.Errorf("attr diff = %#v", attrs)
	}
	if r["msg"] != "line replaced and ownership, perms or SE linux context changed" {
		t.Errorf("msg = %q", r["msg"])
	}
	b, _ := os.ReadFile(filepath.Join(dir, "f"))
	fi, _ := os.Stat(filepath.Join(dir, "f"))
	if string(b) != "a\nB\n" || fi.Mode().Perm() != 0o600 {
		t.Errorf("file = %q %o", b, fi.Mode().Perm())
	}
}

func TestArgErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		module string
		args   map[string]any
		msg    string
	}{
		{"file", map[string]any{}, "missing required arguments: path"},
		{"file", map[string]any{"path": "/x", "foo": 1}, "Unsupported parameters for (file) module: foo. Supported parameters include: _diff_peek, _original_basename, access_time, access_time_format, attributes, follow, force, group, mode, modification_time, modification_time_format, owner, path, recurse, selevel, serole, setype, seuser, src, state, unsafe_writes (attr, dest, name)."},
		{"file", map[string]any{"path": "/x", "state": "nope"}, "value of state must be one of: absent, directory, file, hard, link, touch, got: nope"},
		{"lineinfile", map[string]any{"path": "/x", "regexp": "a", "search_string": "b"}, "parameters are mutually exclusive: regexp|search_string"},
		{"stat", map[string]any{"path": "/x", "follow": []any{1}}, "argument 'follow' is of type <class 'list'> and we were unable to convert to bool: <class 'list'> cannot be converted to a bool"},
		{"replace", map[string]any{"path": "/x"}, "missing required arguments: regexp"},
	}
	for _, c := range cases {
		r := runLocal(t, dir, c.module, c.args, false, false)
		if r["failed"] != true || r["msg"] != c.msg {
			t.Errorf("%s %v:\n got %q\nwant %q", c.module, c.args, r["msg"], c.msg)
		}
	}
}

func TestTildeExpansion(t *testing.T) {
	home := t.TempDir()
	t.Setenv("HOME", home)
	cases := []struct {
		module string
		args   map[string]any
		file   string
	}{
		{"file", map[string]any{"path": "~/touched", "state": "touch"}, "touched"},
		{"copy", map[string]any{"content": "c", "dest": "~/copied"}, "copied"},
		{"lineinfile", map[string]any{"path": "~/li", "line": "l", "create": true}, "li"},
		{"template", map[string]any{"src": "templates/hello.j2", "dest": "~/tpl"}, "tpl"},
	}
	for _, c := range cases {
		r := runLocal(t, home, c.module, c.args, false, false)
		if r["failed"] == true {
			t.Errorf("%s: %v", c.module, r)
		}
		if _, err := os.Stat(filepath.Join(home, c.file)); err != nil {
			t.Errorf("%s: %v", c.module, err)
		}
	}
	r := runLocal(t, home, "stat", map[string]any{"path": "~/copied"}, false, false)
	if st := r["stat"].(map[string]any); st["exists"] != true || st["path"] != filepath.Join(home, "copied") {
		t.Errorf("stat: %v", st)
	}
}
