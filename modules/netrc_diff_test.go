package modules_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"octopus/engine/connection/local"
	"octopus/modules"
	"octopus/modules/internal/anstest"
)

// TestNetrcDiff compares use_netrc with Ansible: a .netrc (named by
// NETRC) that has the server's credentials authenticates uri and get_url
// requests unless use_netrc is off or a user is given. The same steps
// through curl (a target refusing forwarded connections) agree.
func TestNetrcDiff(t *testing.T) {
	base, _ := fetchTestServer(t, "")
	netrc := filepath.Join(t.TempDir(), "netrc")
	if err := os.WriteFile(netrc, []byte("machine 127.0.0.1\n  login bob\n  password secret\ndefault login nobody password none\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("NETRC", netrc)
	ign := []string{"date", "connection", "elapsed", "src"}
	one := func(name, module string, args map[string]any) anstest.Case {
		return anstest.Case{Name: name, Steps: []anstest.Step{{Module: module, Args: args}}, Ignore: ign}
	}
	auth := base + "/auth"
	cases := []anstest.Case{
		one("uri with netrc", "uri", map[string]any{"url": auth, "return_content": true}),
		one("uri netrc off", "uri", map[string]any{"url": auth, "use_netrc": false}),
		one("uri user given", "uri", map[string]any{"url": auth, "url_username": "bob", "url_password": "nope"}),
		one("get_url with netrc", "get_url", map[string]any{"url": auth, "dest": "@D@/w.txt"}),
		one("get_url netrc off", "get_url", map[string]any{"url": auth, "dest": "@D@/w.txt", "use_netrc": false}),
	}
	anstest.Run(t, anstest.Suite{Cases: cases})

	// the curl path sends the same credentials
	for _, c := range cases {
		results := map[bool]map[string]any{}
		for _, refuse := range []bool{false, true} {
			dir := t.TempDir()
			conn := &dialingConn{Conn: local.New(), refuse: refuse}
			args := map[string]any{}
			for k, v := range c.Steps[0].Args {
				args[k] = v
			}
			args = jsonReplace(args, "@D@", dir)
			m, _ := modules.Lookup(c.Steps[0].Module)
			res, err := m.Run(context.Background(), &modules.Request{Args: args, Conn: conn, Action: c.Steps[0].Module})
			if err != nil {
				t.Fatal(err)
			}
			r := moreJSON(res)
			for _, k := range []string{"date", "elapsed", "invocation", "dest", "tmpsrc", "src"} {
				delete(r, k)
			}
			results[refuse] = r
		}
		if !reflect.DeepEqual(results[false], results[true]) {
			t.Errorf("%s:\n dialer: %v\n curl:   %v", c.Name, results[false], results[true])
		}
	}
}
