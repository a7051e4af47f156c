// Package fetch makes HTTP requests that start on the target host, as a
// module running there would: the TCP connections are opened through the
// connection's Dialer (the target's routes and name resolution), TLS
// certificates are verified against the target's CA bundle, and proxies
// come from the target's environment and the task's `environment:` the
// way Python's urllib reads http_proxy, https_proxy and no_proxy.
//
// A Client without a Dialer makes the requests from the controller (its
// own CA roots and environment); modules use that as the last resort when
// the target has no HTTP client of its own.
package fetch

import (
	"bytes"
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"octopus/engine/connection"
)

// ErrUnavailable reports that requests cannot start on the target: the
// connection has no Dialer, or the target refuses to forward connections
// (sshd's AllowTcpForwarding no). Callers fall back to another way (curl or
// wget on the target).
var ErrUnavailable = errors.New("fetch: connections from the target are not available")

// ErrBadClientCert reports client certificate or key data that Go cannot
// load (an encrypted key, say): callers fall back to curl, which may.
var ErrBadClientCert = errors.New("fetch: unusable client certificate")

// Request is one HTTP request, with the knobs of Ansible's fetch_url.
type Request struct {
	Method string      // "" means GET
	URL    string      // absolute http:// or https:// URL
	Header [][2]string // extra headers, in order
	Body   []byte      // request body (nil: none)
	// Timeout bounds the whole request; 0 means 10 seconds.
	Timeout time.Duration
	// ValidateCerts verifies https certificates (against the target's CA
	// bundle, or CAFile's certificates when set).
	ValidateCerts bool
	// CAFile is PEM data of extra trusted certificates (ca_path), read by
	// the caller.
	CAFile []byte
	// ClientCert is PEM data of a client certificate (client_cert), with
	// its key unless ClientKey holds it (client_key), read by the caller.
	ClientCert, ClientKey []byte
	// UseProxy honours the *_proxy environment variables.
	UseProxy bool
	// Agent is the User-Agent header ("" means ansible-httpget).
	Agent string
	// User and Password authenticate with HTTP basic auth: sent up front
	// with ForceBasicAuth, else after a 401 challenge (as urllib's
	// HTTPBasicAuthHandler does).
	User, Password string
	ForceBasicAuth bool
	// Follow is Ansible's follow_redirects ("" means "safe").
	Follow string
	// IfModifiedSince, when not zero, makes the request conditional.
	IfModifiedSince time.Time
	// Unredirected names headers not sent again after a redirect.
	Unredirected []string
	// Decompress asks for gzip content and decodes it.
	Decompress bool
	// UseNetrc sends the credentials the .netrc file of the host making
	// the request has for the URL's host, when no user is given.
	UseNetrc bool
}

// Response is a finished request: the final response's status line,
// headers and body.
type Response struct {
	Status int
	Reason string
	Header http.Header
	Body   []byte
	URL    string // the URL of the final response (after redirects)
	// Redirected is true when a redirect was followed.
	Redirected bool
}

// Fields returns the response headers as lower-case name and value pairs,
// sorted by name, repeated headers joined with ", " as http.client does.
func (r *Response) Fields() [][2]string {
	var out [][2]string
	for k, v := range r.Header {
		out = append(out, [2]string{strings.ToLower(k), strings.Join(v, ", ")})
	}
	sort.Slice(out, func(i, j int) bool { return out[i][0] < out[j][0] })
	return out
}

// Client makes requests from one host.
type Client struct {
	dial  func(ctx context.Context, network, addr string) (net.Conn, error)
	roots func(ctx context.Context) (*x509.CertPool, error)
	env   map[string]string // proxy variables
	netrc func() string     // the text of the .netrc file ("" when none)
}

// Controller returns a Client that makes requests from the controller,
// with its CA roots and the given environment's proxies (nil: the
// controller's own environment).
func Controller(env map[string]string) *Client {
	e := map[string]string{}
	for _, k := range proxyVars {
		if v, ok := os.LookupEnv(k); ok {
			e[k] = v
		}
	}
	for k, v := range env {
		e[k] = v
	}
	var d net.Dialer
	// (no .netrc: the controller's credentials are not the target's)
	return &Client{dial: d.DialContext, roots: func(context.Context) (*x509.CertPool, error) { return nil, nil }, env: e}
}

// proxyVars are the environment variables urllib's getproxies reads.
var proxyVars = []string{"http_proxy", "https_proxy", "no_proxy", "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "all_proxy", "ALL_PROXY"}

// caBundles are where Debian, Red Hat, SUSE and Alpine keep the system CA
// bundle (OpenSSL's default verify paths).
var caBundles = []string{"/etc/ssl/certs/ca-certificates.crt", "/etc/pki/tls/certs/ca-bundle.crt", "/etc/ssl/ca-bundle.pem", "/etc/ssl/cert.pem"}

type targetInfo struct {
	once  sync.Once
	env   map[string]string
	pem   []byte
	pool  *x509.CertPool
	err   error
	rootM sync.Mutex
	// refused is set once the target refused to open a connection: later
	// requests fall back at once
	refused atomic.Bool
}

var targets sync.Map // connection.Conn -> *targetInfo

// ForTarget returns a Client whose connections start on conn's host, or
// ErrUnavailable when conn has no Dialer. env is the task's environment
// (it overrides the target's proxy variables); become is used to read the
// target's CA bundle and environment (nil: the connection user).
func ForTarget(ctx context.Context, conn connection.Conn, env map[string]string, become *connection.Become) (*Client, error) {
	d, ok := conn.(connection.Dialer)
	if !ok || d == nil {
		return nil, ErrUnavailable
	}
	v, _ := targets.LoadOrStore(conn, &targetInfo{})
	ti := v.(*targetInfo)
	ti.once.Do(func() {
		ti.env, ti.pem, ti.err = readTarget(ctx, conn, become)
	})
	if ti.err != nil {
		targets.Delete(conn)
		return nil, ti.err
	}
	if ti.refused.Load() {
		return nil, ErrUnavailable
	}
	e := map[string]string{}
	for k, v := range ti.env {
		e[k] = v
	}
	for _, k := range proxyVars {
		if v, ok := env[k]; ok {
			e[k] = v
		}
	}
	dial := func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := d.DialContext(ctx, network, addr)
		if err != nil && ForwardRefused(err) {
			ti.refused.Store(true)
			return nil, fmt.Errorf("%w: %v", ErrUnavailable, err)
		}
		return c, err
	}
	roots := func(context.Context) (*x509.CertPool, error) {
		ti.rootM.Lock()
		defer ti.rootM.Unlock()
		if ti.pool == nil {
			ti.pool = sharedPool(ti.pem)
			ti.pem = nil
		}
		return ti.pool, nil
	}
	netrc := func() string {
		// read for every request, as Python does: a task may have just
		// written it, or named another file in NETRC
		res, err := conn.Exec(ctx, `cat "${NETRC:-$HOME/.netrc}" 2>/dev/null`, connection.ExecOptions{Become: become, Env: env})
		if err != nil {
			return ""
		}
		return string(res.Stdout)
	}
	return &Client{dial: dial, roots: roots, env: e, netrc: netrc}, nil
}

var (
	poolMu sync.Mutex
	pools  = map[[32]byte]*x509.CertPool{}
)

// sharedPool parses a CA bundle once for all the hosts that have the same.
func sharedPool(pem []byte) *x509.CertPool {
	k := sha256.Sum256(pem)
	poolMu.Lock()
	defer poolMu.Unlock()
	if p, ok := pools[k]; ok {
		return p
	}
	p := x509.NewCertPool()
	p.AppendCertsFromPEM(pem)
	pools[k] = p
	return p
}

// readTarget reads the target's proxy variables and CA bundle in one command.
func readTarget(ctx context.Context, conn connection.Conn, become *connection.Become) (map[string]string, []byte, error) {
	var s strings.Builder
	for _, k := range proxyVars {
		fmt.Fprintf(&s, "[ -n \"${%[1]s+x}\" ] && printf '%%s=%%s\\0' %[1]s \"$%[1]s\"\n", k)
	}
	s.WriteString("printf '\\0OCTOPUS-CA\\n'\nfor f in")
	for _, f := range caBundles {
		s.WriteString(" " + f)
	}
	s.WriteString("; do if [ -r \"$f\" ]; then cat \"$f\"; break; fi; done\n")
	res, err := conn.Exec(ctx, s.String(), connection.ExecOptions{Become: become})
	if err != nil {
		return nil, nil, err
	}
	head, pem, _ := bytes.Cut(res.Stdout, []byte("\x00OCTOPUS-CA\n"))
	env := map[string]string{}
	for _, kv := range strings.Split(string(head), "\x00") {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env, pem, nil
}

// ForwardRefused reports whether a dial error means the target will not
// open connections for us (sshd refusing port forwarding), rather than a
// failure to reach the address.
func ForwardRefused(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, ErrUnavailable) {
		return true
	}
	m := strings.ToLower(err.Error())
	return strings.Contains(m, "administratively prohibited") || strings.Contains(m, "forwarding") && (strings.Contains(m, "refused") || strings.Contains(m, "disabled") || strings.Contains(m, "denied"))
}

// Do performs r. It returns ErrUnavailable (wrapped) when the target
// cannot open connections, so that callers fall back; other errors are
// network or TLS failures (see Message).
func (c *Client) Do(ctx context.Context, r Request) (*Response, error) {
	if r.Timeout <= 0 {
		r.Timeout = 10 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, r.Timeout)
	defer cancel()
	method := r.Method
	if method == "" {
		method = "GET"
	}
	tr := &http.Transport{
		DialContext:           c.dial,
		Proxy:                 func(hr *http.Request) (*url.URL, error) { return nil, nil },
		TLSHandshakeTimeout:   r.Timeout,
		ResponseHeaderTimeout: r.Timeout,
		DisableCompression:    !r.Decompress,
		DisableKeepAlives:     true,
		ForceAttemptHTTP2:     false,
	}
	defer tr.CloseIdleConnections()
	tc := &tls.Config{}
	if len(r.ClientCert) > 0 {
		key := r.ClientKey
		if len(key) == 0 {
			key = r.ClientCert
		}
		pair, err := tls.X509KeyPair(r.ClientCert, key)
		if err != nil {
			return nil, fmt.Errorf("%w: client certificate: %v", ErrBadClientCert, err)
		}
		tc.Certificates = []tls.Certificate{pair}
	}
	if !r.ValidateCerts {
		tc.InsecureSkipVerify = true
	} else {
		pool, err := c.roots(ctx)
		if err != nil {
			return nil, err
		}
		if len(r.CAFile) > 0 {
			if pool == nil {
				if sys, err := x509.SystemCertPool(); err == nil {
					pool = sys
				} else {
					pool = x509.NewCertPool()
				}
			} else {
				pool = pool.Clone()
			}
			pool.AppendCertsFromPEM(r.CAFile)
		}
		// the chain first, then the name, in OpenSSL's order (its errors differ)
		verify := func(host string) func(tls.ConnectionState) error {
			return func(cs tls.ConnectionState) error {
				if len(cs.PeerCertificates) == 0 {
					return errors.New("no certificate")
				}
				opts := x509.VerifyOptions{Roots: pool, Intermediates: x509.NewCertPool()}
				for _, c := range cs.PeerCertificates[1:] {
					opts.Intermediates.AddCert(c)
				}
				if _, err := cs.PeerCertificates[0].Verify(opts); err != nil {
					return err
				}
				if host == "" {
					host = cs.ServerName
				}
				return cs.PeerCertificates[0].VerifyHostname(host)
			}
		}
		tc.InsecureSkipVerify = true
		tc.VerifyConnection = verify("") // through a proxy (CONNECT)
		tr.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			raw, err := c.dial(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			host, _, _ := net.SplitHostPort(addr)
			cfg := tc.Clone()
			cfg.ServerName, cfg.VerifyConnection = host, verify(host)
			conn := tls.Client(raw, cfg)
			if err := conn.HandshakeContext(ctx); err != nil {
				raw.Close()
				return nil, err
			}
			return conn, nil
		}
	}
	tr.TLSClientConfig = tc
	if r.UseProxy {
		tr.Proxy = func(hr *http.Request) (*url.URL, error) { return c.proxyFor(hr.URL) }
	}
	follow := r.Follow
	if follow == "" {
		follow = "safe"
	}
	redirected := false
	unred := map[string]bool{}
	for _, h := range r.Unredirected {
		unred[strings.ToLower(h)] = true
	}
	client := &http.Client{Transport: tr, CheckRedirect: func(nr *http.Request, via []*http.Request) error {
		switch follow {
		case "none", "no":
			return http.ErrUseLastResponse
		case "safe":
			if m := via[0].Method; m != "GET" && m != "HEAD" {
				return http.ErrUseLastResponse
			}
		}
		if len(via) >= 10 {
			return http.ErrUseLastResponse
		}
		for k := range nr.Header {
			if unred[strings.ToLower(k)] {
				nr.Header.Del(k)
			}
		}
		redirected = true
		return nil
	}}
	build := func(auth bool) (*http.Request, error) {
		var body io.Reader
		if r.Body != nil {
			body = bytes.NewReader(r.Body)
		}
		hr, err := http.NewRequestWithContext(ctx, method, r.URL, body)
		if err != nil {
			return nil, err
		}
		agent := r.Agent
		if agent == "" {
			agent = "ansible-httpget"
		}
		hr.Header.Set("User-Agent", agent)
		if r.Body != nil {
			// urllib adds a form Content-Type to every request with a body
			hr.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		if !r.IfModifiedSince.IsZero() {
			hr.Header.Set("If-Modified-Since", r.IfModifiedSince.UTC().Format(http.TimeFormat))
		}
		user, pass := r.User, r.Password
		if user == "" && hr.URL.User != nil {
			user = hr.URL.User.Username()
			pass, _ = hr.URL.User.Password()
		}
		if user != "" && (auth || r.ForceBasicAuth) {
			hr.SetBasicAuth(user, pass)
		}
		for _, h := range r.Header {
			if strings.EqualFold(h[0], "Content-Length") {
				continue
			}
			hr.Header.Set(h[0], h[1])
		}
		if user == "" && r.UseNetrc && c.netrc != nil {
			// (urllib's handler sets it over any Authorization header given)
			if login, password, ok := netrcLogin(c.netrc(), hr.URL.Hostname()); ok && login != "" && password != "" {
				hr.SetBasicAuth(login, password)
			}
		}
		return hr, nil
	}
	hr, err := build(false)
	if err != nil {
		return nil, err
	}
	resp, err := client.Do(hr)
	if err == nil && resp.StatusCode == 401 && !r.ForceBasicAuth && (r.User != "" || hr.URL.User != nil) &&
		strings.HasPrefix(strings.ToLower(resp.Header.Get("WWW-Authenticate")), "basic") {
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if hr, err = build(true); err != nil {
			return nil, err
		}
		resp, err = client.Do(hr)
	}
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		var ue *url.Error
		if errors.As(err, &ue) {
			return nil, ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	// (Go reports a length of 0 for responses that cannot have a body,
	// without the server sending one)
	noBody := resp.StatusCode == http.StatusNotModified || resp.StatusCode == http.StatusNoContent || resp.StatusCode < 200
	if resp.ContentLength >= 0 && resp.Header.Get("Content-Length") == "" && !resp.Uncompressed && !noBody {
		resp.Header.Set("Content-Length", strconv.FormatInt(resp.ContentLength, 10))
	}
	reason := strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
	return &Response{Status: resp.StatusCode, Reason: reason, Header: resp.Header, Body: body,
		URL: resp.Request.URL.String(), Redirected: redirected}, nil
}

// proxyFor picks the proxy for u as urllib's getproxies_environment and
// proxy_bypass_environment do.
func (c *Client) proxyFor(u *url.URL) (*url.URL, error) {
	get := func(name string) string {
		if v, ok := c.env[strings.ToLower(name)]; ok {
			return v
		}
		return c.env[strings.ToUpper(name)]
	}
	p := get(u.Scheme + "_proxy")
	if p == "" {
		p = get("all_proxy")
	}
	if p == "" || bypass(get("no_proxy"), u) {
		return nil, nil
	}
	if !strings.Contains(p, "://") {
		p = "http://" + p
	}
	return url.Parse(p)
}

// bypass reports whether no_proxy names u's host.
func bypass(noProxy string, u *url.URL) bool {
	if noProxy == "*" {
		return true
	}
	host := strings.ToLower(u.Hostname())
	hostPort := strings.ToLower(u.Host)
	for _, n := range strings.Split(noProxy, ",") {
		n = strings.ToLower(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(n), ".")))
		if n == "" {
			continue
		}
		for _, h := range []string{host, hostPort} {
			if h == n || strings.HasSuffix(h, "."+n) {
				return true
			}
		}
	}
	return false
}

// Message renders a request failure as urllib reports it in Ansible's
// "Request failed: ..." messages.
func Message(err error) string {
	var ne net.Error
	var oe *net.OpError
	var de *net.DNSError
	var ua x509.UnknownAuthorityError
	var hv x509.HostnameError
	var ci x509.CertificateInvalidError
	m := err.Error()
	switch {
	case errors.As(err, &ua):
		reason := "unable to get local issuer certificate"
		if ua.Cert != nil && bytes.Equal(ua.Cert.RawIssuer, ua.Cert.RawSubject) {
			reason = "self-signed certificate"
		}
		return "<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: " + reason + " (_ssl.c:992)>"
	case errors.As(err, &hv):
		return "<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: Hostname mismatch, certificate is not valid for '" + hv.Host + "'. (_ssl.c:992)>"
	case errors.As(err, &ci):
		if ci.Reason == x509.Expired {
			return "<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: certificate has expired (_ssl.c:992)>"
		}
		return "<urlopen error [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed (_ssl.c:992)>"
	case errors.As(err, &de):
		return "<urlopen error [Errno -2] Name or service not known>"
	case strings.Contains(m, "connection refused") || strings.Contains(m, "Connection refused"):
		return "<urlopen error [Errno 111] Connection refused>"
	case strings.Contains(m, "no route to host"):
		return "<urlopen error [Errno 113] No route to host>"
	case errors.As(err, &ne) && ne.Timeout(), errors.Is(err, context.DeadlineExceeded):
		return "<urlopen error timed out>"
	case errors.As(err, &oe):
		return "<urlopen error " + oe.Err.Error() + ">"
	case strings.Contains(m, "connect failed"), strings.Contains(m, "open failed"):
		// sshd could not open the forwarded connection
		return "<urlopen error [Errno 111] Connection refused>"
	}
	return "<urlopen error " + m + ">"
}
