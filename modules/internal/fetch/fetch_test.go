package fetch

import (
	"context"
	"encoding/pem"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
)

// TestLocalTarget reads the CA bundle and proxy variables through a real
// shell (the local connection).
func TestLocalTarget(t *testing.T) {
	if _, err := os.Stat(caBundles[0]); err != nil {
		t.Skip("no system CA bundle at " + caBundles[0])
	}
	conn := local.New()
	c, err := ForTarget(context.Background(), conn, map[string]string{"https_proxy": "http://p:1"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	pool, _ := c.roots(context.Background())
	if pool == nil || len(pool.Subjects()) == 0 { //nolint:staticcheck
		t.Fatal("no certificates read from the target's CA bundle")
	}
	if c.env["https_proxy"] != "http://p:1" {
		t.Errorf("task proxy not applied: %v", c.env)
	}
}

// fakeConn is a target whose shell prints a fixed output and which dials
// through dial (nil: no Dialer).
type fakeConn struct {
	out   string
	execs int
}

func (f *fakeConn) Exec(ctx context.Context, cmd string, o connection.ExecOptions) (*connection.Result, error) {
	f.execs++
	return &connection.Result{Stdout: []byte(f.out)}, nil
}
func (f *fakeConn) Put(context.Context, string, []byte, connection.PutOptions) error { return nil }
func (f *fakeConn) Get(context.Context, string, *connection.Become) ([]byte, error) {
	return nil, errors.New("no")
}
func (f *fakeConn) Close() error { return nil }

type dialConn struct {
	fakeConn
	dial func(ctx context.Context, network, addr string) (net.Conn, error)
}

func (d *dialConn) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	return d.dial(ctx, network, addr)
}

func TestBypassAndProxy(t *testing.T) {
	tests := []struct {
		env  map[string]string
		url  string
		want string
	}{
		{map[string]string{"http_proxy": "proxy:3128"}, "http://example.org/x", "http://proxy:3128"},
		{map[string]string{"HTTP_PROXY": "http://up:1"}, "http://example.org/x", "http://up:1"},
		{map[string]string{"http_proxy": "http://low:1", "HTTP_PROXY": "http://up:1"}, "http://a/", "http://low:1"},
		{map[string]string{"http_proxy": "http://p:1"}, "https://example.org/x", ""},
		{map[string]string{"https_proxy": "http://p:1", "no_proxy": "example.org"}, "https://www.example.org/x", ""},
		{map[string]string{"https_proxy": "http://p:1", "no_proxy": ".example.org"}, "https://example.org/x", ""},
		{map[string]string{"https_proxy": "http://p:1", "no_proxy": "ample.org"}, "https://example.org/x", "http://p:1"},
		{map[string]string{"http_proxy": "http://p:1", "no_proxy": "*"}, "http://example.org/x", ""},
		{map[string]string{"http_proxy": "http://p:1", "no_proxy": "h:8080"}, "http://h:8080/", ""},
		{map[string]string{"all_proxy": "http://all:1"}, "http://h/", "http://all:1"},
	}
	for _, tc := range tests {
		c := &Client{env: tc.env}
		u, _ := url.Parse(tc.url)
		p, err := c.proxyFor(u)
		got := ""
		if p != nil {
			got = p.String()
		}
		if err != nil || got != tc.want {
			t.Errorf("%v %s: got %q (%v), want %q", tc.env, tc.url, got, err, tc.want)
		}
	}
}

func TestForTargetUnavailable(t *testing.T) {
	if _, err := ForTarget(context.Background(), &fakeConn{}, nil, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("no Dialer: %v", err)
	}
	refused := &dialConn{dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, errors.New("ssh: rejected: administratively prohibited (open failed)")
	}}
	c, err := ForTarget(context.Background(), refused, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Do(context.Background(), Request{URL: "http://127.0.0.1:9/"})
	if !ForwardRefused(err) {
		t.Fatalf("refused forwarding not reported as such: %v", err)
	}
	other := &dialConn{dial: func(context.Context, string, string) (net.Conn, error) {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	}}
	c, _ = ForTarget(context.Background(), other, nil, nil)
	_, err = c.Do(context.Background(), Request{URL: "http://127.0.0.1:9/"})
	if err == nil || ForwardRefused(err) || Message(err) != "<urlopen error [Errno 111] Connection refused>" {
		t.Fatalf("connection refused: %v / %s", err, Message(err))
	}
}

// TestTargetCAAndProxy checks that certificates are verified against the
// CA bundle read from the target, that the target's and the task's proxy
// variables are used, and that every connection goes through the Dialer.
func TestTargetCAAndProxy(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "secure "+r.Header.Get("User-Agent"))
	}))
	defer srv.Close()
	certPEM := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}))
	var proxied []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		proxied = append(proxied, r.Method+" "+r.URL.String())
		io.WriteString(w, "via proxy")
	}))
	defer proxy.Close()
	var dials []string
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		dials = append(dials, addr)
		var d net.Dialer
		return d.DialContext(ctx, network, addr)
	}
	withCA := &dialConn{fakeConn: fakeConn{out: "http_proxy=" + proxy.URL + "\x00\x00OCTOPUS-CA\n" + certPEM}, dial: dial}
	c, err := ForTarget(context.Background(), withCA, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Do(context.Background(), Request{URL: srv.URL + "/", ValidateCerts: true, UseProxy: true})
	if err != nil || string(resp.Body) != "secure ansible-httpget" {
		t.Fatalf("https with the target's CA: %v %v", err, resp)
	}
	resp, err = c.Do(context.Background(), Request{URL: "http://example.invalid/p", UseProxy: true})
	if err != nil || string(resp.Body) != "via proxy" || len(proxied) != 1 || proxied[0] != "GET http://example.invalid/p" {
		t.Fatalf("proxy from the target's environment: %v %v %v", err, resp, proxied)
	}
	// no_proxy from the task environment overrides
	c2, _ := ForTarget(context.Background(), withCA, map[string]string{"no_proxy": "127.0.0.1"}, nil)
	if _, err := c2.Do(context.Background(), Request{URL: srv.URL + "/", ValidateCerts: true, UseProxy: true}); err != nil {
		t.Fatal(err)
	}
	if withCA.execs != 1 {
		t.Errorf("target read %d times, want once per connection", withCA.execs)
	}
	// trusted chain, wrong name: the name is reported (checked second)
	local := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	if _, err := c.Do(context.Background(), Request{URL: local + "/", ValidateCerts: true}); err == nil || !strings.Contains(Message(err), "Hostname mismatch, certificate is not valid for 'localhost'") {
		t.Errorf("name mismatch: %v", err)
	}
	noCA := &dialConn{fakeConn: fakeConn{out: "\x00OCTOPUS-CA\n"}, dial: dial}
	c3, _ := ForTarget(context.Background(), noCA, nil, nil)
	_, err = c3.Do(context.Background(), Request{URL: srv.URL + "/", ValidateCerts: true})
	if err == nil || !strings.Contains(Message(err), "CERTIFICATE_VERIFY_FAILED") {
		t.Fatalf("untrusted certificate: %v", err)
	}
	if resp, err := c3.Do(context.Background(), Request{URL: srv.URL + "/", ValidateCerts: false, Agent: "x"}); err != nil || string(resp.Body) != "secure x" {
		t.Fatalf("validate_certs=false: %v", err)
	}
	for _, a := range dials {
		if a == "" {
			t.Errorf("empty dial address")
		}
	}
	if len(dials) < 5 {
		t.Errorf("only %d dials went through the Dialer: %v", len(dials), dials)
	}
}

func TestRedirectsAndAuth(t *testing.T) {
	mux := http.NewServeMux()
	mux.HandleFunc("/r", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/t", http.StatusFound) })
	mux.HandleFunc("/t", func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, r.Method+" "+r.Header.Get("X-Secret")) })
	mux.HandleFunc("/a", func(w http.ResponseWriter, r *http.Request) {
		if u, p, ok := r.BasicAuth(); ok && u == "u" && p == "p" {
			io.WriteString(w, "in")
			return
		}
		w.Header().Set("WWW-Authenticate", `Basic realm="r"`)
		w.WriteHeader(401)
	})
	srv := httptest.NewServer(mux)
	defer srv.Close()
	c := Controller(map[string]string{})
	tests := []struct {
		r      Request
		status int
		body   string
	}{
		{Request{URL: srv.URL + "/r"}, 200, "GET "},
		{Request{URL: srv.URL + "/r", Follow: "none"}, 302, ""},
		{Request{URL: srv.URL + "/r", Method: "POST", Follow: "safe"}, 302, ""},
		{Request{URL: srv.URL + "/r", Header: [][2]string{{"X-Secret", "s"}}, Unredirected: []string{"x-secret"}}, 200, "GET "},
		{Request{URL: srv.URL + "/r", Header: [][2]string{{"X-Secret", "s"}}}, 200, "GET s"},
		{Request{URL: srv.URL + "/a", User: "u", Password: "p"}, 200, "in"},
		{Request{URL: srv.URL + "/a", User: "u", Password: "bad"}, 401, ""},
	}
	for _, tc := range tests {
		resp, err := c.Do(context.Background(), tc.r)
		if err != nil {
			t.Errorf("%+v: %v", tc.r, err)
			continue
		}
		if resp.Status != tc.status || (tc.status == 200 && string(resp.Body) != tc.body) {
			t.Errorf("%+v: got %d %q, want %d %q", tc.r, resp.Status, resp.Body, tc.status, tc.body)
		}
	}
}
