package executor

import (
	"errors"
	"fmt"
	"octopus/modules"
	"os"
	"path"
	"regexp"
	"strconv"
	"testing"

	"octopus/engine/connection"
)

func TestModuleError(t *testing.T) {
	cases := []struct {
		err         error
		wantChanged bool
	}{
		{&connection.BecomeError{Msg: "Incorrect sudo password"}, false},
		{fmt.Errorf("wrapped: %w", &connection.BecomeError{Msg: "Incorrect su password"}), false},
		{errors.New("remote write failed"), true},
	}
	for _, c := range cases {
		d := moduleError(c.err)
		if f, _ := d.Get("failed"); f != true {
			t.Errorf("%v: failed = %v", c.err, f)
		}
		if m, _ := d.Get("msg"); m != c.err.Error() {
			t.Errorf("%v: msg = %v", c.err, m)
		}
		// the exception marker keeps the executor from adding "changed" later
		if _, has := d.Get(errMarker); has == c.wantChanged {
			t.Errorf("%v: has %s = %v", c.err, errMarker, has)
		}
		if _, has := d.Get("changed"); has != c.wantChanged {
			t.Errorf("%v: has changed = %v, want %v", c.err, has, c.wantChanged)
		}
	}
}

func TestUnreachableResult(t *testing.T) {
	refused := &connection.UnreachableError{Host: "web1", Err: errors.New("ssh: connect to host 10.0.0.5 port 22: Connection refused")}
	sent := "Data could not be sent to remote host \"10.0.0.5\". Make sure this host can be reached over ssh: ssh: connect to host 10.0.0.5 port 22: Connection refused\r\n"
	failed := "Failed to connect to the host via ssh: ssh: connect to host 10.0.0.5 port 22: Connection refused"
	hostVar := func(name string, v any) func(string) (any, bool) {
		return func(n string) (any, bool) { return v, n == name }
	}
	cases := []struct {
		name       string
		pipelining bool
		action     string
		conn       string
		lookup     func(string) (any, bool)
		err        error
		want       string
	}{
		{"pipelined module", true, "file", "ssh", nil, refused, sent},
		{"fqcn module", true, "ansible.builtin.command", "ssh", nil, refused, sent},
		{"copy makes a temp dir first", true, "copy", "ssh", nil, refused, failed},
		{"template makes a temp dir first", true, "ansible.builtin.template", "ssh", nil, refused, failed},
		{"no pipelining", false, "file", "ssh", nil, refused, failed},
		{"host enables pipelining", false, "file", "ssh", hostVar("ansible_pipelining", true), refused, sent},
		{"host disables pipelining", true, "file", "ssh", hostVar("ansible_ssh_pipelining", "no"), refused, failed},
		{"other connection", true, "file", "paramiko", nil, refused, failed},
		{"not an unreachable error", true, "file", "ssh", nil, errors.New("boom"), "boom"},
	}
	for _, c := range cases {
		pr := &playRun{r: &runner{opts: Options{Pipelining: c.pipelining}}}
		d := pr.unreachableResult(c.action, ConnVars{Address: "10.0.0.5", Connection: c.conn, Lookup: c.lookup}, c.err)
		if m, _ := d.Get("msg"); m != c.want {
			t.Errorf("%s: msg = %q, want %q", c.name, m, c.want)
		}
		if u, _ := d.Get("unreachable"); u != true {
			t.Errorf("%s: unreachable = %v", c.name, u)
		}
	}
}

func TestLocalTemp(t *testing.T) {
	re := regexp.MustCompile(`^/ctl/tmp/ansible-local-` + strconv.Itoa(os.Getpid()) + `[a-z0-9_]{8}/tmp[a-z0-9_]{8}$`)
	r := &runner{opts: Options{LocalTmp: "/ctl/tmp"}}
	c := &controller{pr: &playRun{r: r}}
	a, b := c.LocalTemp(), c.LocalTemp()
	if !re.MatchString(a) || !re.MatchString(b) {
		t.Fatalf("names %q, %q do not match %s", a, b, re)
	}
	if a == b || path.Dir(a) != path.Dir(b) {
		t.Errorf("want fresh names in one run directory, got %q and %q", a, b)
	}
	var _ modules.LocalTemper = c
}
