package modules_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"octopus/modules/internal/anstest"
)

func fileSetup(dir string) error {
	if err := writeFiles(map[string]string{"f": "data\n", "tree/a": "a", "tree/sub/b": "b", "tree/sub/deep/c": "c", "full/x": "x"})(dir); err != nil {
		return err
	}
	os.Mkdir(filepath.Join(dir, "emptydir"), 0o755)
	os.Symlink("f", filepath.Join(dir, "lnk"))
	os.Symlink("../f", filepath.Join(dir, "tree/sub/l"))
	os.Link(filepath.Join(dir, "f"), filepath.Join(dir, "hl"))
	os.Chmod(filepath.Join(dir, "tree/a"), 0o600)
	for _, p := range []string{"f", "tree/a", "tree/sub/b"} {
		os.Chtimes(filepath.Join(dir, p), time0, time0)
	}
	return nil
}

func twice(module string, args map[string]any) []anstest.Step {
	return []anstest.Step{{Module: module, Args: args, Diff: true}, {Module: module, Args: args, Diff: true}}
}

func checkThenRun(module string, args map[string]any) []anstest.Step {
	return []anstest.Step{{Module: module, Args: args, Check: true, Diff: true}, {Module: module, Args: args}, {Module: module, Args: args, Check: true}}
}

func TestFileDiff(t *testing.T) {
	timeIgn := []string{"diff.before.mtime", "diff.after.mtime", "diff.before.atime", "diff.after.atime"}
	var cases []anstest.Case
	add := func(name string, steps []anstest.Step, ignore ...string) {
		cases = append(cases, anstest.Case{Name: name, Setup: fileSetup, Steps: steps, Ignore: ignore})
	}
	add("mkdir nested", twice("file", map[string]any{"path": "@D@/n1/n2/n3", "state": "directory", "mode": "0750"}))
	add("mkdir check", checkThenRun("file", map[string]any{"path": "@D@/n1/n2", "state": "directory"}))
	add("dir symbolic", twice("file", map[string]any{"path": "@D@/tree", "state": "directory", "mode": "u=rwx,g=rx,o="}))
	add("dir exists as file", one("file", map[string]any{"path": "@D@/f", "state": "directory"}))
	add("file missing", one("file", map[string]any{"path": "@D@/missing", "state": "file"}))
	add("file is dir", one("file", map[string]any{"path": "@D@/tree", "state": "file"}))
	add("file mode", twice("file", map[string]any{"path": "@D@/f", "mode": "0600"}))
	add("file mode int", twice("file", map[string]any{"path": "@D@/f", "mode": 0o640, "owner": "root", "group": "0"}))
	add("file mode check", checkThenRun("file", map[string]any{"path": "@D@/tree/a", "mode": "g+r"}))
	add("file follow link", twice("file", map[string]any{"path": "@D@/lnk", "state": "file", "mode": "0604"}))
	add("file bad mode", one("file", map[string]any{"path": "@D@/f", "mode": "abc"}))
	add("file bad owner", one("file", map[string]any{"path": "@D@/f", "owner": "no_such_user_x"}))
	add("touch new", []anstest.Step{{Module: "file", Args: map[string]any{"path": "@D@/t", "state": "touch", "mode": "0640"}}}, timeIgn...)
	add("touch check", []anstest.Step{{Module: "file", Args: map[string]any{"path": "@D@/t", "state": "touch"}, Check: true}}, timeIgn...)
	add("touch existing", []anstest.Step{{Module: "file", Args: map[string]any{"path": "@D@/f", "state": "touch"}}}, timeIgn...)
	add("touch times", twice("file", map[string]any{"path": "@D@/f", "state": "touch", "modification_time": "202001021530.45", "access_time": "preserve"}))
	add("file times fmt", twice("file", map[string]any{"path": "@D@/f", "modification_time": "2020-01-02 03:04:05", "modification_time_format": "%Y-%m-%d %H:%M:%S", "access_time": "2020-01-02 03:04:05", "access_time_format": "%Y-%m-%d %H:%M:%S"}))
	add("absent file", checkThenRun("file", map[string]any{"path": "@D@/f", "state": "absent"}))
	add("absent dir", checkThenRun("file", map[string]any{"path": "@D@/tree", "state": "absent"}))
	add("absent missing", one("file", map[string]any{"path": "@D@/nope", "state": "absent"}))
	add("link new", twice("file", map[string]any{"src": "f", "dest": "@D@/l2", "state": "link"}))
	add("link abs", twice("file", map[string]any{"src": "@D@/tree", "dest": "@D@/l3", "state": "link"}))
	add("link retarget", twice("file", map[string]any{"src": "tree", "dest": "@D@/lnk", "state": "link"}))
	add("link missing src", one("file", map[string]any{"src": "nowhere", "dest": "@D@/l4", "state": "link"}))
	add("link missing src force", twice("file", map[string]any{"src": "nowhere", "dest": "@D@/l4", "state": "link", "force": true}))
	add("link over file", one("file", map[string]any{"src": "tree", "dest": "@D@/f", "state": "link"}))
	add("link over file force", twice("file", map[string]any{"src": "tree", "dest": "@D@/f", "state": "link", "force": "yes"}))
	add("link over empty dir force", one("file", map[string]any{"src": "f", "dest": "@D@/emptydir", "state": "link", "force": "yes"}))
	add("link over full dir force", one("file", map[string]any{"src": "f", "dest": "@D@/full", "state": "link", "force": "yes"}))
	add("link check", checkThenRun("file", map[string]any{"src": "f", "dest": "@D@/l5", "state": "link"}))
	add("link nofollow mode", twice("file", map[string]any{"src": "f", "dest": "@D@/l6", "state": "link", "follow": false, "mode": "0600"}))
	add("hard new", twice("file", map[string]any{"src": "@D@/f", "dest": "@D@/h2", "state": "hard"}))
	add("hard existing file", one("file", map[string]any{"src": "@D@/tree/a", "dest": "@D@/f", "state": "hard"}))
	add("hard missing src", one("file", map[string]any{"src": "@D@/zz", "dest": "@D@/h3", "state": "hard"}))
	add("recurse", twice("file", map[string]any{"path": "@D@/tree", "state": "directory", "recurse": true, "mode": "u=rwX,g=rX,o="}))
	add("recurse owner", twice("file", map[string]any{"path": "@D@/tree", "recurse": "yes", "owner": "0"}))
	add("recurse not dir", one("file", map[string]any{"path": "@D@/f", "state": "file", "recurse": true}))
	add("src not link", one("file", map[string]any{"path": "@D@/f", "src": "x", "state": "file"}))
	add("unsupported", one("file", map[string]any{"path": "@D@/f", "bogus": "1"}))
	add("bad state", one("file", map[string]any{"path": "@D@/f", "state": "weird"}))
	add("missing path", one("file", map[string]any{"state": "file"}))
	add("state default dir", one("file", map[string]any{"path": "@D@/tree"}))
	add("state default absent", one("file", map[string]any{"path": "@D@/nothing"}))
	anstest.Run(t, anstest.Suite{Cases: cases})
}

var time0 = mustTime("2021-03-04T05:06:07Z")

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
