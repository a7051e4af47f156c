package remote

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
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
