package ssh

import (
	"reflect"
	"testing"
	"time"
)

func TestSplitArgs(t *testing.T) {
	cases := []struct {
		in   string
		want []string
	}{
		{"", nil},
		{"-o A=b  -C", []string{"-o", "A=b", "-C"}},
		{`-o ProxyCommand='ssh -W %h:%p jump'`, []string{"-o", "ProxyCommand=ssh -W %h:%p jump"}},
		{`-o "ProxyCommand=nc %h %p" x\ y`, []string{"-o", "ProxyCommand=nc %h %p", "x y"}},
		{`"a\"b" ''`, []string{`a"b`, ""}},
	}
	for _, c := range cases {
		got, err := splitArgs(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("splitArgs(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := splitArgs(`-o 'open`); err == nil {
		t.Error("unterminated quote: no error")
	}
}

func TestParseArgs(t *testing.T) {
	cases := []struct {
		in   string
		want map[string][]string
	}{
		{"-C -o ControlMaster=auto -o ControlPersist=60s", map[string][]string{"controlmaster": {"auto"}, "controlpersist": {"60s"}}},
		{"-o StrictHostKeyChecking=no -o StrictHostKeyChecking=yes", map[string][]string{"stricthostkeychecking": {"no"}}},
		{"-oServerAliveInterval=2 -o 'ConnectTimeout 5'", map[string][]string{"serveraliveinterval": {"2"}, "connecttimeout": {"5"}}},
		{"-J bastion -p 2222 -l bob -i k1 -ik2", map[string][]string{"proxyjump": {"bastion"}, "port": {"2222"}, "user": {"bob"}, "identityfile": {"k1", "k2"}}},
		{"-tt -vJ u@j:2", map[string][]string{"proxyjump": {"u@j:2"}}},
	}
	for _, c := range cases {
		got, err := parseArgs(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("parseArgs(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
	for _, bad := range []string{"-o", "-o NoValue"} {
		if _, err := parseArgs(bad); err == nil {
			t.Errorf("parseArgs(%q): no error", bad)
		}
	}
}

func TestParseJump(t *testing.T) {
	got, err := parseJump("a, bob@b:2200,ssh://c@[::1]:22")
	want := []jumpHost{{Host: "a"}, {User: "bob", Host: "b", Port: "2200"}, {User: "c", Host: "::1", Port: "22"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Errorf("parseJump = %v, %v", got, err)
	}
	if got, _ := parseJump("none"); got != nil {
		t.Errorf("none: %v", got)
	}
}

func TestExpandProxyCommand(t *testing.T) {
	got := expandProxyCommand("ssh -W %h:%p %r@j %% %x", "h1", "22", "root")
	if want := "ssh -W h1:22 root@j % %x"; got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestResolve(t *testing.T) {
	s, err := resolve(Config{Host: "h", Port: 2022, User: "u", HostKeyChecking: true, Timeout: 8 * time.Second,
		Args: "-o StrictHostKeyChecking=no -o Port=23 -o ServerAliveInterval=1 -o ProxyJump=j1,j2 -o ConnectionAttempts=3"})
	if err != nil {
		t.Fatal(err)
	}
	if s.checkHostKeys || s.port != "23" || s.aliveInterval != time.Second || len(s.proxyJump) != 2 || s.attempts != 3 || s.timeout != 8*time.Second {
		t.Errorf("resolve: %+v", s)
	}
	s, _ = resolve(Config{Host: "h", Timeout: 4 * time.Second, Args: "-o StrictHostKeyChecking=accept-new"})
	if !s.checkHostKeys || !s.acceptNew || s.aliveInterval != time.Second || s.aliveMax != 3 || s.port != "22" {
		t.Errorf("defaults: %+v", s)
	}
	if _, err := resolve(Config{}); err == nil {
		t.Error("no host: no error")
	}
}
