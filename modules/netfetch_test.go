package modules_test

import (
	"context"
	"errors"
	"net"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/internal/testutil"
	"octopus/modules"
)

// dialingConn is a local connection whose Dialer either counts the
// connections it opens or refuses them as sshd does with
// AllowTcpForwarding no.
type dialingConn struct {
	*local.Conn
	refuse bool
	dials  atomic.Int32
}

func (c *dialingConn) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if c.refuse {
		return nil, errors.New("ssh: rejected: administratively prohibited (open failed)")
	}
	c.dials.Add(1)
	return c.Conn.DialContext(ctx, network, addr)
}

// TestFetchThroughDialer checks that uri, get_url and unarchive open their
// connections through the connection's Dialer, and that a target refusing
// forwarded connections gives the same results through curl.
func TestFetchThroughDialer(t *testing.T) {
	tarball := makeTar(t, true, []arEntry{{"x.txt", "xx\n", 0o644}})
	base, _ := fetchTestServer(t, tarball)
	certs := clientCertFiles(t)
	mtls := clientCertServer(t, certs["ca.pem"])
	type step struct {
		module string
		args   map[string]any
	}
	steps := []step{
		{"uri", map[string]any{"url": base + "/a.txt", "return_content": true}},
		{"uri", map[string]any{"url": base + "/echo", "method": "POST", "body_format": "form-urlencoded", "body": map[string]any{"a": "b c"}, "return_content": true}},
		{"get_url", map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt"}},
		{"get_url", map[string]any{"url": base + "/a.txt", "dest": "@D@/a.txt", "checksum": "sha256:" + base + "/SHA256SUMS"}},
		{"unarchive", map[string]any{"src": base + "/arch.tar.gz", "dest": "@D@", "remote_src": true}},
		{"uri", map[string]any{"url": base + "/lm", "dest": "@D@/lm.txt"}},
		{"uri", map[string]any{"url": base + "/lm", "dest": "@D@/lm.txt", "status_code": []any{200, 304}}}, // If-Modified-Since
		{"uri", map[string]any{"url": mtls, "validate_certs": false, "client_cert": "@D@/client.pem", "client_key": "@D@/client.key", "return_content": true}},
	}
	run := func(c connection.Conn) []map[string]any {
		dir := t.TempDir()
		if err := writeFiles(certs)(dir); err != nil {
			t.Fatal(err)
		}
		var out []map[string]any
		for _, s := range steps {
			m, _ := modules.Lookup(s.module)
			a := map[string]any{}
			for k, v := range s.args {
				if str, ok := v.(string); ok {
					v = strings.ReplaceAll(str, "@D@", dir)
				}
				a[k] = v
			}
			r, err := m.Run(context.Background(), &modules.Request{Args: a, Conn: c, Action: s.module})
			if err != nil {
				t.Fatal(err)
			}
			o := moreJSON(r)
			for _, k := range []string{"date", "elapsed", "src", "extract_results", "invocation"} {
				delete(o, k)
			}
			out = append(out, jsonReplace(o, dir, "@D@"))
		}
		if b, err := os.ReadFile(filepath.Join(dir, "x.txt")); err != nil || string(b) != "xx\n" {
			t.Errorf("unarchive of a URL: %q %v", b, err)
		}
		return out
	}
	dialer := &dialingConn{Conn: local.New()}
	refusing := &dialingConn{Conn: local.New(), refuse: true}
	viaGo, viaCurl := run(dialer), run(refusing)
	if dialer.dials.Load() < int32(len(steps)) {
		t.Errorf("only %d connections went through the Dialer for %d steps", dialer.dials.Load(), len(steps))
	}
	for i := range steps {
		if viaGo[i]["failed"] == true || !reflect.DeepEqual(viaGo[i], viaCurl[i]) {
			t.Errorf("%s %v:\n dialer: %v\n curl:   %v", steps[i].module, steps[i].args, viaGo[i], viaCurl[i])
		}
	}
}

// jsonReplace replaces old by new in every string of v.
func jsonReplace(v map[string]any, old, new string) map[string]any {
	return testutil.MapStrings(v, func(s string) string { return strings.ReplaceAll(s, old, new) }).(map[string]any)
}
