package modules

import (
	"reflect"
	"testing"

	"octopus/engine/connection/local"
)

func TestSuggestSourcesFilename(t *testing.T) {
	cases := []struct{ line, filename, want string }{
		{"deb http://dl.google.com/linux/chrome/deb/ stable main", "", "dl_google_com_linux_chrome_deb.list"},
		{"deb [arch=amd64 signed-by=/etc/apt/keyrings/docker.gpg] https://download.docker.com/linux/ubuntu jammy stable", "", "download_docker_com_linux_ubuntu.list"},
		{"deb https://user:pass@repo.example.org/apt ./", "", "repo_example_org_apt.list"},
		{"deb-src http://archive.canonical.com/ubuntu hardy partner", "", "archive_canonical_com_ubuntu.list"},
		{"deb http://x.org/y z", "custom", "custom.list"},
		{"ppa:graphics-drivers/ppa_jammy", "", "ppa_graphics_drivers_ppa_jammy.list"},
	}
	for _, c := range cases {
		if got := SuggestSourcesFilename(c.line, c.filename); got != c.want {
			t.Errorf("%q: %q, want %q", c.line, got, c.want)
		}
	}
	if l, o, n := ExpandPPA("ppa:graphics-drivers/ppa", "jammy"); l != "deb http://ppa.launchpad.net/graphics-drivers/ppa/ubuntu jammy main" || o != "graphics-drivers" || n != "ppa" {
		t.Errorf("ExpandPPA = %q %q %q", l, o, n)
	}
	if _, _, n := ExpandPPA("ppa:deadsnakes", "jammy"); n != "ppa" {
		t.Errorf("default ppa name = %q", n)
	}
}

func TestSourcesListEdit(t *testing.T) {
	text := "deb  http://mirror.example.net/debian bookworm main # the main one\n#deb http://old.example.org/x y z\n\n# just a comment\n"
	f := ParseSourcesFile("/etc/apt/sources.list", text)
	want := []SourceLine{
		{0, true, true, "deb http://mirror.example.net/debian bookworm main", "the main one"},
		{1, true, false, "deb http://old.example.org/x y z", ""},
		{2, false, true, "", ""},
		{3, false, false, "just a comment", ""},
	}
	if !reflect.DeepEqual(f.Lines, want) {
		t.Errorf("lines = %+v", f.Lines)
	}
	if got := f.Dump(); got != "deb http://mirror.example.net/debian bookworm main # the main one\n# deb http://old.example.org/x y z\n\n# just a comment\n" {
		t.Errorf("dump = %q", got)
	}
	sl := &SourcesList{Files: []*SourcesFile{f}}
	sl.Add("deb http://old.example.org/x y z", "old_example_org_x.list") // re-enables in place
	if !f.Lines[1].Enabled || len(sl.Files) != 1 {
		t.Errorf("re-enable: %+v", sl.Files)
	}
	sl.Add("deb http://new.example.org/r s t", "new_example_org_r.list")
	d := sl.Dump()
	if d["/etc/apt/sources.list.d/new_example_org_r.list"] != "deb http://new.example.org/r s t\n" || !sl.New["/etc/apt/sources.list.d/new_example_org_r.list"] {
		t.Errorf("add: %v", d)
	}
	sl.Remove("deb http://new.example.org/r s t")
	if _, ok := sl.Dump()["/etc/apt/sources.list.d/new_example_org_r.list"]; ok {
		t.Errorf("remove left the file: %v", sl.Dump())
	}
}

// TestAptRepositoryCheckModeLocal reads this machine's sources in check mode
// (nothing is written).
func TestAptRepositoryCheckModeLocal(t *testing.T) {
	m, _ := Lookup("apt_repository")
	run := func(args map[string]any) Result {
		r, err := m.Run(t.Context(), &Request{Args: args, Conn: local.New(), CheckMode: true, DiffMode: true})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	r := run(map[string]any{"repo": "deb http://octopus.invalid/debian stable main"})
	d, _ := r["diff"].([]any)
	if r["changed"] != true || len(d) != 1 || d[0].(map[string]any)["after_header"] != "/etc/apt/sources.list.d/octopus_invalid_debian.list" ||
		d[0].(map[string]any)["before_header"] != "/dev/null" || d[0].(map[string]any)["after"] != "deb http://octopus.invalid/debian stable main\n" {
		t.Errorf("add: %v", r)
	}
	r = run(map[string]any{"repo": "deb http://octopus.invalid/debian stable main", "state": "absent"})
	if r["changed"] != false || !reflect.DeepEqual(r["diff"], map[string]any{}) || r["repo"] != "deb http://octopus.invalid/debian stable main" || r["state"] != "absent" {
		t.Errorf("absent: %v", r)
	}
	r = run(map[string]any{"repo": "ppa:graphics-drivers/ppa", "state": "absent", "codename": "jammy"})
	if r["changed"] != false {
		t.Errorf("ppa absent: %v", r)
	}
	for _, c := range []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"repo": ""}, "Please set argument 'repo' to a non-empty value"},
		{map[string]any{"repo": "http://x/ y"}, "Invalid repository string: http://x/ y"},
		{map[string]any{"repo": "# deb http://x/ y"}, "Invalid repository string:  deb http://x/ y"},
		{map[string]any{}, "missing required arguments: repo"},
	} {
		if r := run(c.args); r["msg"] != c.msg {
			t.Errorf("%v: %v", c.args, r)
		}
	}
}
