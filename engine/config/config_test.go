package config

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseINI(t *testing.T) {
	tests := []struct {
		name, text, section, key, want string
		found                          bool
	}{
		{"plain", "[defaults]\nforks = 5\n", "defaults", "forks", "5", true},
		{"colon", "[defaults]\nforks: 6\n", "defaults", "forks", "6", true},
		{"inline semicolon", "[defaults]\nforks = 7 ; c\n", "defaults", "forks", "7", true},
		{"semicolon inside", "[defaults]\nuser = a;b\n", "defaults", "user", "a;b", true},
		{"hash kept", "[defaults]\nuser = a # b\n", "defaults", "user", "a # b", true},
		{"percent raw", "[s]\ncp = %%r@%%h\n", "s", "cp", "%%r@%%h", true},
		{"key lowercased", "[defaults]\nFORKS = 8\n", "defaults", "forks", "8", true},
		{"continuation", "[s]\nargs = -a\n  -b\n\n  -c\n", "s", "args", "-a\n-b\n\n-c", true},
		{"DEFAULT fallback", "[DEFAULT]\nx = 1\n[s]\n", "s", "x", "1", true},
		{"missing section", "[a]\nx = 1\n", "b", "x", "", false},
		{"first delimiter", "[s]\nk = a=b:c\n", "s", "k", "a=b:c", true},
		{"empty value", "[s]\nk =\n", "s", "k", "", true},
		{"comment lines", "# c\n; d\n[s]\n  # e\nk = v\n", "s", "k", "v", true},
		// expected values below are what Python 3.11 configparser returns
		{"semicolon first", "[a]\nk2=;x\n", "a", "k2", ";x", true},
		{"indented header continues", "[a]\nk = x\n  [b]\nz = 1\n", "a", "k", "x\n[b]", true},
		{"spaced header", "[ a ]\nk=1\n", " a ", "k", "1", true},
		{"bracket in header", "[a]x]\nk=2\n", "a]x", "k", "2", true},
		{"comment in continuation", "[a]\nj = 2\n  ; c\n  x\n", "a", "j", "2\nx", true},
		{"crlf", "[a]\r\nm = 1\r\n  cont\r\n\r\n  more\r\n", "a", "m", "1\ncont\n\nmore", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseINI(tc.text)
			if err != nil {
				t.Fatal(err)
			}
			got, ok := f.get(tc.section, tc.key)
			if got != tc.want || ok != tc.found {
				t.Errorf("get = %q,%v want %q,%v", got, ok, tc.want, tc.found)
			}
		})
	}
}

func TestParseINIErrors(t *testing.T) {
	tests := []struct{ text, want string }{
		{"x = 1\n", "File contains no section headers.\nfile: '<string>', line: 1\n'x = 1\\n'"},
		{"[a]\nk=1\nk=2\n", "While reading from '<string>' [line  3]: option 'k' in section 'a' already exists"},
		{"[a]\n[a]\n", "While reading from '<string>' [line  2]: section 'a' already exists"},
		{"[a]\nbad\n", "Source contains parsing errors: '<string>'\n\t[line  2]: 'bad\\n'"},
	}
	for _, tc := range tests {
		_, err := parseINI(tc.text)
		if err == nil || err.Error() != tc.want {
			t.Errorf("parseINI(%q) error = %v, want %q", tc.text, err, tc.want)
		}
	}
}

func TestConversions(t *testing.T) {
	for in, want := range map[string]bool{"yes": true, " On ": true, "1": true, "t": true, "Y": true, "no": false, "0": false, "maybe": false, "": false} {
		if ParseBool(in) != want {
			t.Errorf("ParseBool(%q) != %v", in, want)
		}
	}
	for in, want := range map[string]int{"5": 5, " 25 ": 25, "+1_0": 10, "-3": -3} {
		if got, err := pyInt(in); err != nil || got != want {
			t.Errorf("pyInt(%q) = %d, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "1.5", "abc", "1__0", "_1"} {
		if _, err := pyInt(bad); err == nil {
			t.Errorf("pyInt(%q) accepted", bad)
		}
	}
	for in, want := range map[string]string{`"a"`: "a", `'b'`: "b", `"c'`: `"c'`, `"d\"`: `"d\"`, `"`: `"`} {
		if got := unquote(in); got != want {
			t.Errorf("unquote(%q) = %q", in, got)
		}
	}
	env := map[string]string{"A": "x", "HOME": "/h"}
	for in, want := range map[string]string{"$A/y": "x/y", "${A}z": "xz", "$B/y": "$B/y", "a$": "a$", "~/k": "/h/k", "~user": "~user"} {
		if got := expandUser(expandVars(in, env), env); got != want {
			t.Errorf("expand(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestLoadTypedAccessors(t *testing.T) {
	dir := t.TempDir()
	cfg := "[defaults]\nforks = 25\nroles_path = ./galaxy-roles:./roles\nhost_key_checking = False\ncallback_whitelist = timer\n[ssh_connection]\npipelining = True\ncontrol_path = ~/.ssh/ansible-%%r@%%h:%%p\n"
	if err := os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	c, warns, err := Load(map[string]string{"HOME": "/nonexistent", "ANSIBLE_TIMEOUT": "33"}, dir)
	if err != nil || len(warns) != 0 {
		t.Fatal(err, warns)
	}
	if c.File != filepath.Join(dir, "ansible.cfg") {
		t.Errorf("File = %q", c.File)
	}
	if c.Int("forks") != 25 || c.Int("timeout") != 33 || c.Origin("timeout") != "env: ANSIBLE_TIMEOUT" {
		t.Errorf("forks/timeout wrong: %v %v %v", c.Get("forks"), c.Get("timeout"), c.Origin("timeout"))
	}
	if c.Bool("host_key_checking") || !c.Bool("pipelining") || c.Bool("ANSIBLE_PIPELINING") {
		t.Errorf("bools wrong")
	}
	if want := []string{filepath.Join(dir, "galaxy-roles"), filepath.Join(dir, "roles")}; !reflect.DeepEqual(c.PathList("roles_path"), want) {
		t.Errorf("roles_path = %q", c.PathList("roles_path"))
	}
	if c.String("control_path") != "~/.ssh/ansible-%%r@%%h:%%p" {
		t.Errorf("control_path = %q", c.String("control_path"))
	}
	if !reflect.DeepEqual(c.StringList("callback_whitelist"), []string{"timer"}) {
		t.Errorf("callbacks = %q", c.StringList("callbacks_enabled"))
	}
	if c.Get("no_such_setting") != nil || c.Int("remote_port") != 0 || c.Get("port") != nil {
		t.Errorf("unset values wrong")
	}
	if c.VersionLine() != "config file = "+c.File {
		t.Errorf("VersionLine = %q", c.VersionLine())
	}
}
