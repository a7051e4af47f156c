package remote

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/connection/local"
)

func TestResolveMode(t *testing.T) {
	cases := []struct {
		mode  any
		cur   uint32
		isDir bool
		want  uint32
		err   string
	}{
		{"0644", 0o600, false, 0o644, ""},
		{"644", 0o600, false, 0o644, ""},
		{0o755, 0o600, false, 0o755, ""},
		{"u=rw,g=r,o=", 0o777, false, 0o640, ""},
		{"u+x", 0o644, false, 0o744, ""},
		{"go-w", 0o666, false, 0o644, ""},
		{"a+X", 0o644, true, 0o755, ""},
		{"a+X", 0o644, false, 0o644, ""},
		{"a+X", 0o744, false, 0o755, ""},
		{"+x", 0o644, false, 0o755, ""}, // umask 022 applies without users
		{"u=rwx,g=u-w", 0o000, false, 0o700, ""},
		{"g=u", 0o740, false, 0o770, ""},
		{"u+s,o+t", 0o755, false, 0o5755, ""},
		{"abc", 0o644, false, 0, "mode must be in octal or symbolic form"},
		{"017777", 0o644, false, 0, "Invalid mode supplied, only permission info is allowed"},
	}
	for _, c := range cases {
		got, err := ResolveMode(c.mode, c.cur, c.isDir, 0o022)
		if c.err != "" {
			if err == nil || err.Error() != c.err {
				t.Errorf("%v: err %v want %q", c.mode, err, c.err)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("%v on %o: %o %v, want %o", c.mode, c.cur, got, err, c.want)
		}
	}
}

func TestProbeLocal(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	os.WriteFile(f, []byte("hello\n"), 0o640)
	os.Symlink("f", filepath.Join(dir, "l"))
	os.MkdirAll(filepath.Join(dir, "d/e"), 0o755)
	os.WriteFile(filepath.Join(dir, "d/e/x"), nil, 0o600)
	tg := Target{Conn: local.New()}
	env, infos, err := tg.Probe(context.Background(), []string{f, filepath.Join(dir, "l"), filepath.Join(dir, "nope"), filepath.Join(dir, "d")},
		Options{SHA1: true, Content: true, RealPath: true, List: true, Users: []string{"root"}, Groups: []string{"root"}})
	if err != nil {
		t.Fatal(err)
	}
	if env.UIDs["root"] != 0 || env.GIDs["root"] != 0 {
		t.Errorf("ids: %v %v", env.UIDs, env.GIDs)
	}
	fi, l, n, d := infos[0], infos[1], infos[2], infos[3]
	if !fi.IsFile() || fi.L.Perm() != 0o640 || fi.SHA1 != "f572d396fae9206628714fb2ce00f72e94f2258f" || string(fi.Content) != "hello\n" || fi.L.Size != 6 {
		t.Errorf("file info: %+v", fi)
	}
	if !l.IsLink() || l.LinkTarget != "f" || l.RealPath != f || !l.Follows {
		t.Errorf("link info: %+v", l)
	}
	if n.Exists || n.Follows || !n.ParentDir {
		t.Errorf("missing info: %+v", n)
	}
	if !d.IsDir() || len(d.Tree) != 2 {
		t.Errorf("dir tree: %+v", d.Tree)
	}
}

func TestExpandVarsWord(t *testing.T) {
	if _, err := exec.LookPath("sh"); err != nil {
		t.Skip("no sh")
	}
	t.Setenv("OCTO_X", "val")
	cases := map[string]string{
		"$OCTO_X/${OCTO_X}":   "val/val",
		"$OCTO_UNSET_Z x":     "$OCTO_UNSET_Z x",
		"'quoted' $ $1 ${bad": "'quoted' $ $1 ${bad",
	}
	for in, want := range cases {
		out, err := exec.Command("sh", "-c", "v="+ExpandVarsWord(in)+`; printf %s "$v"`).Output()
		if err != nil || string(out) != want {
			t.Errorf("%q: %q %v, want %q", in, out, err, want)
		}
	}
}

// TestDirname compares Dirname with dirname(1), whose result the probe
// computed on the target before.
func TestDirname(t *testing.T) {
	cases := map[string]string{
		"": ".", "/": "/", "//": "/", "///a": "/", "a": ".", "a/": ".", "/a": "/", "/a/": "/",
		"a/b": "a", "a/b/": "a", "a//b//": "a", "/a/b": "/a", "a/../b": "a/..", "./x": ".", "/tmp/x/y.txt": "/tmp/x",
		"a/b/c/": "a/b", "//a//b": "//a",
	}
	bin, err := exec.LookPath("dirname")
	for in, want := range cases {
		if got := Dirname(in); got != want {
			t.Errorf("Dirname(%q) = %q, want %q", in, got, want)
		}
		if err != nil {
			continue
		}
		out, err := exec.Command(bin, "--", in).Output()
		if err != nil || strings.TrimSuffix(string(out), "\n") != want {
			t.Errorf("dirname %q = %q %v, want %q", in, out, err, want)
		}
	}
}

// TestProbeForks checks the probe's answers that no longer come from a
// process of their own: ids, umask, parent directory, one stat for what is
// not a symlink, checksums cut here, the real path of symlinks only.
func TestProbeForks(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "f")
	os.WriteFile(f, []byte("hello\n"), 0o640)
	os.Symlink("f", filepath.Join(dir, "l"))
	os.Symlink("nowhere", filepath.Join(dir, "dangling"))
	tg := Target{Conn: local.New()}
	paths := []string{f, filepath.Join(dir, "l"), filepath.Join(dir, "dangling"), filepath.Join(dir, "nope/x"), dir + "/"}
	env, infos, err := tg.Probe(context.Background(), paths, Options{SHA1: true, MD5: true, Algorithm: "sha256", LinkRealPath: true})
	if err != nil {
		t.Fatal(err)
	}
	if env.UID != os.Geteuid() || env.GID != os.Getegid() {
		t.Errorf("ids %d %d, want %d %d", env.UID, env.GID, os.Geteuid(), os.Getegid())
	}
	out, _ := exec.Command("sh", "-c", "umask").Output()
	if want := strings.TrimSpace(string(out)); ModeString(env.Umask) != want && "0"+ModeString(env.Umask) != want {
		t.Errorf("umask %o, want %s", env.Umask, want)
	}
	fi, l, d, n, dd := infos[0], infos[1], infos[2], infos[3], infos[4]
	if !fi.Exists || !fi.Follows || fi.L != fi.F || fi.L.Perm() != 0o640 || fi.L.Size != 6 || !fi.ParentDir || fi.RealPath != "" {
		t.Errorf("file: %+v", fi)
	}
	if fi.SHA1 != "f572d396fae9206628714fb2ce00f72e94f2258f" || fi.MD5 != "b1946ac92492d2347c6235b4d2611184" ||
		fi.Checksum != "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03" {
		t.Errorf("checksums: %q %q %q", fi.SHA1, fi.MD5, fi.Checksum)
	}
	if !l.IsLink() || !l.Follows || l.L.Is(ModeReg) || !l.F.Is(ModeReg) || l.RealPath != f || l.LinkTarget != "f" {
		t.Errorf("link: %+v", l)
	}
	if !d.Exists || d.Follows || d.LinkTarget != "nowhere" {
		t.Errorf("dangling link: %+v", d)
	}
	if n.Exists || n.ParentDir {
		t.Errorf("missing below a missing directory: %+v", n)
	}
	if !dd.IsDir() || !dd.ParentDir {
		t.Errorf("directory with a trailing slash: %+v", dd)
	}
}
