package ssh

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"octopus/engine/connection"
	"octopus/test/fleet"
)

// testDialer checks DialContext against real sshd: an HTTP server that
// listens only on hs's loopback, reached by a name only hs resolves.
func testDialer(t *testing.T, f *fleet.Fleet, hs, other fleet.Host) {
	out, err := f.Exec(hs.Name, "sshd -T 2>/dev/null | grep -i '^allowtcpforwarding'")
	if err != nil || strings.TrimSpace(out) != "allowtcpforwarding yes" {
		t.Fatalf("the fleet's sshd must allow TCP forwarding: %q %v", out, err)
	}
	const port = "8765"
	if _, err := f.Exec(hs.Name, `echo '127.0.0.1 octo-target-only' >> /etc/hosts
mkdir -p /tmp/www && echo hello-from-`+hs.Name+` > /tmp/www/index.txt && head -c 1048576 /dev/urandom > /tmp/www/big
(setsid python3 -m http.server `+port+` --bind 127.0.0.1 --directory /tmp/www </dev/null >/dev/null 2>&1 &)`); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Exec(hs.Name, "pkill -f 'http.server "+port+"' || true") })
	c := mustDial(t, hs, nil)
	ctx := context.Background()
	// wait for the server; a connection refused on the target meanwhile
	// is a *net.OpError wrapping ECONNREFUSED
	for i := 0; ; i++ {
		conn, err := c.DialContext(ctx, "tcp", "127.0.0.1:"+port)
		if err == nil {
			conn.Close()
			break
		}
		if !errors.Is(err, syscall.ECONNREFUSED) {
			t.Fatalf("dial while the server starts: %v", err)
		}
		if i == 100 {
			t.Fatalf("the http server on %s did not start: %v", hs.Name, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := net.LookupHost("octo-target-only"); err == nil {
		t.Fatal("the controller resolves octo-target-only: the test would prove nothing")
	}
	client := &http.Client{Transport: &http.Transport{DialContext: c.DialContext}, Timeout: 10 * time.Second}
	get := func(url string) ([]byte, error) {
		resp, err := client.Get(url)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			return nil, fmt.Errorf("%s: %s", url, resp.Status)
		}
		return io.ReadAll(resp.Body)
	}
	for _, u := range []string{"http://octo-target-only:" + port + "/index.txt", "http://127.0.0.1:" + port + "/index.txt", "http://localhost:" + port + "/index.txt"} {
		body, err := get(u)
		if err != nil || string(body) != "hello-from-"+hs.Name+"\n" {
			t.Errorf("GET %s: %q %v", u, body, err)
		}
	}
	// a service name for the port
	if conn, err := c.DialContext(ctx, "tcp", "127.0.0.1:http"); err == nil || !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("dial 127.0.0.1:http (port 80, nothing listens): %v", err)
		if conn != nil {
			conn.Close()
		}
	}
	// a megabyte through the channel, several at once, while the shell works
	sum, err := f.Exec(hs.Name, "sha256sum /tmp/www/big")
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Fields(sum)[0]
	var wg sync.WaitGroup
	start := time.Now()
	for i := 0; i < 4; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			body, err := get("http://octo-target-only:" + port + "/big")
			if h := sha256.Sum256(body); err != nil || hex.EncodeToString(h[:]) != want {
				t.Errorf("GET /big: %v, %d bytes, wrong content", err, len(body))
			}
		}()
		go func() {
			defer wg.Done()
			if res, err := c.Exec(ctx, "echo ok", connection.ExecOptions{}); err != nil || string(res.Stdout) != "ok\n" {
				t.Errorf("exec beside the tunnel: %v", err)
			}
		}()
	}
	wg.Wait()
	t.Logf("4 parallel 1 MB GETs through the target: %v", time.Since(start))

	// errors: unknown name (resolved on the target), bad network, cancelled context
	_, err = c.DialContext(ctx, "tcp", "no-such-host.invalid:80")
	var dns *net.DNSError
	if !errors.As(err, &dns) {
		t.Errorf("unknown name: got %v (%T), want a *net.DNSError", err, err)
	}
	if _, err := c.DialContext(ctx, "udp", "127.0.0.1:53"); err == nil {
		t.Error("udp dial worked")
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := c.DialContext(cctx, "tcp", "127.0.0.1:"+port); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled dial: %v", err)
	}

	// a server that refuses to forward (no-port-forwarding key option, the
	// same refusal as AllowTcpForwarding no)
	if _, err := f.Exec(other.Name, "sed -i 's/^/no-port-forwarding /' /home/"+fleet.PwUser+"/.ssh/authorized_keys"); err != nil {
		t.Fatal(err)
	}
	nf := mustDial(t, other, func(c *Config) { c.User = fleet.PwUser })
	_, err = nf.DialContext(ctx, "tcp", "127.0.0.1:22")
	if !errors.Is(err, ErrForwardingRefused) || !strings.Contains(err.Error(), "administratively prohibited") || connection.IsUnreachable(err) {
		t.Errorf("refused forwarding: got %v", err)
	}
	t.Logf("refused forwarding: %v", err)
	run(t, nf, "true", connection.ExecOptions{}) // the connection stays usable
	// the same user may forward on a host without that option
	if conn, err := mustDial(t, hs, func(c *Config) { c.User = fleet.PwUser }).DialContext(ctx, "tcp", "127.0.0.1:22"); err != nil {
		t.Errorf("forwarding as %s: %v", fleet.PwUser, err)
	} else {
		banner := make([]byte, 8)
		io.ReadFull(conn, banner)
		conn.Close()
		if string(banner) != "SSH-2.0-" {
			t.Errorf("sshd banner through the tunnel: %q", banner)
		}
	}
}
