package ssh

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	xssh "golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
	"golang.org/x/crypto/ssh/knownhosts"
)

// settings is a Config with the ssh args applied and defaults filled in.
type settings struct {
	host, port, user string
	password         string
	keyFiles         []string
	agent            bool
	pubkey, passwd   bool
	checkHostKeys    bool
	acceptNew        bool
	knownHosts       string
	timeout          time.Duration
	aliveInterval    time.Duration
	aliveMax         int
	attempts         int
	proxyJump        []jumpHost
	proxyCommand     string
	maxChannels      int
}

func resolve(cfg Config) (*settings, error) {
	opts, err := parseArgs(cfg.Args)
	if err != nil {
		return nil, err
	}
	first := func(k string) (string, bool) {
		v, ok := opts[k]
		if !ok || len(v) == 0 {
			return "", false
		}
		return v[0], true
	}
	s := &settings{
		host:          cfg.Host,
		port:          "22",
		user:          cfg.User,
		password:      cfg.Password,
		agent:         !cfg.NoAgent,
		pubkey:        true,
		passwd:        true,
		checkHostKeys: cfg.HostKeyChecking,
		knownHosts:    cfg.KnownHostsFile,
		timeout:       cfg.Timeout,
		aliveInterval: cfg.KeepaliveInterval,
		aliveMax:      cfg.KeepaliveCountMax,
		attempts:      cfg.ConnectionAttempts,
		maxChannels:   cfg.MaxChannels,
	}
	if s.host == "" {
		return nil, errors.New("ssh: no host to connect to")
	}
	if cfg.Port != 0 {
		s.port = strconv.Itoa(cfg.Port)
	}
	if v, ok := first("port"); ok {
		s.port = v
	}
	if v, ok := first("user"); ok {
		s.user = v
	}
	if s.user == "" {
		s.user = localUser()
	}
	s.keyFiles = append(s.keyFiles, opts["identityfile"]...)
	s.keyFiles = append(s.keyFiles, cfg.KeyFiles...)
	for i, f := range s.keyFiles {
		s.keyFiles[i] = expandHome(f)
	}
	if len(s.keyFiles) == 0 {
		if home, err := os.UserHomeDir(); err == nil {
			for _, n := range []string{"id_rsa", "id_ecdsa", "id_ed25519"} {
				s.keyFiles = append(s.keyFiles, filepath.Join(home, ".ssh", n))
			}
		}
	}
	if v, ok := first("stricthostkeychecking"); ok {
		switch strings.ToLower(v) {
		case "no", "off", "false":
			s.checkHostKeys = false
		case "accept-new":
			s.checkHostKeys, s.acceptNew = true, true
		default:
			s.checkHostKeys = true
		}
	}
	if v, ok := first("userknownhostsfile"); ok {
		s.knownHosts = strings.Fields(v)[0]
	}
	if s.knownHosts == "" {
		if home, err := os.UserHomeDir(); err == nil {
			s.knownHosts = filepath.Join(home, ".ssh", "known_hosts")
		}
	}
	s.knownHosts = expandHome(s.knownHosts)
	if v, ok := first("passwordauthentication"); ok && isNo(v) {
		s.passwd = false
	}
	if v, ok := first("pubkeyauthentication"); ok && isNo(v) {
		s.pubkey = false
	}
	if v, ok := first("identityagent"); ok && strings.EqualFold(v, "none") {
		s.agent = false
	}
	dur := func(key string, dst *time.Duration) error {
		if v, ok := first(key); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return fmt.Errorf("ssh args: bad %s %q", key, v)
			}
			*dst = time.Duration(n) * time.Second
		}
		return nil
	}
	if err := dur("connecttimeout", &s.timeout); err != nil {
		return nil, err
	}
	if err := dur("serveraliveinterval", &s.aliveInterval); err != nil {
		return nil, err
	}
	for _, k := range []struct {
		key string
		dst *int
	}{{"serveralivecountmax", &s.aliveMax}, {"connectionattempts", &s.attempts}} {
		if v, ok := first(k.key); ok {
			n, err := strconv.Atoi(v)
			if err != nil {
				return nil, fmt.Errorf("ssh args: bad %s %q", k.key, v)
			}
			*k.dst = n
		}
	}
	if s.timeout <= 0 {
		s.timeout = 10 * time.Second
	}
	if s.aliveInterval == 0 {
		s.aliveInterval = s.timeout / 4
		if s.aliveInterval < time.Second/2 {
			s.aliveInterval = time.Second / 2
		}
	}
	if s.aliveMax <= 0 {
		s.aliveMax = 3
	}
	if s.attempts <= 0 {
		s.attempts = 1
	}
	if s.maxChannels <= 0 {
		s.maxChannels = 4
	}
	if v, ok := first("proxyjump"); ok {
		if s.proxyJump, err = parseJump(v); err != nil {
			return nil, err
		}
	}
	if v, ok := first("proxycommand"); ok && !strings.EqualFold(v, "none") {
		s.proxyCommand = v
	}
	return s, nil
}

func isNo(v string) bool {
	v = strings.ToLower(v)
	return v == "no" || v == "false" || v == "off"
}

func localUser() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return os.Getenv("USER")
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return filepath.Join(home, p[1:])
		}
	}
	return p
}

// authMethods builds the client's authentication methods: public keys (key
// files, then ssh-agent), then password and keyboard-interactive answered
// with the password. It also returns the method names, for error messages,
// and a function releasing the agent connection.
func (s *settings) authMethods() ([]xssh.AuthMethod, []string, func()) {
	var methods []xssh.AuthMethod
	var names []string
	release := func() {}
	if s.pubkey {
		var signers []xssh.Signer
		for _, f := range s.keyFiles {
			data, err := os.ReadFile(f)
			if err != nil {
				continue
			}
			signer, err := xssh.ParsePrivateKey(data)
			if err != nil {
				continue // passphrase-protected or not a key: skip, as ssh does in batch mode
			}
			signers = append(signers, signer)
		}
		var agentSigners func() ([]xssh.Signer, error)
		if sock := os.Getenv("SSH_AUTH_SOCK"); s.agent && sock != "" {
			if c, err := net.DialTimeout("unix", sock, time.Second); err == nil {
				ag := agent.NewClient(c)
				agentSigners = ag.Signers
				release = func() { c.Close() }
			}
		}
		if len(signers) > 0 || agentSigners != nil {
			methods = append(methods, xssh.PublicKeysCallback(func() ([]xssh.Signer, error) {
				all := append([]xssh.Signer(nil), signers...)
				if agentSigners != nil {
					if more, err := agentSigners(); err == nil {
						all = append(all, more...)
					}
				}
				return all, nil
			}))
			names = append(names, "publickey")
		}
	}
	if s.passwd && s.password != "" {
		pw := s.password
		methods = append(methods, xssh.Password(pw),
			xssh.KeyboardInteractive(func(_, _ string, questions []string, _ []bool) ([]string, error) {
				answers := make([]string, len(questions))
				for i := range answers {
					answers[i] = pw
				}
				return answers, nil
			}))
		names = append(names, "password", "keyboard-interactive")
	}
	return methods, names, release
}

// hostKeyError is a failed host key check; its text follows OpenSSH's.
type hostKeyError struct{ msg string }

func (e *hostKeyError) Error() string { return e.msg }

func keyTypeName(t string) string {
	switch {
	case strings.Contains(t, "ed25519"):
		return "ED25519"
	case strings.Contains(t, "ecdsa"):
		return "ECDSA"
	case strings.Contains(t, "rsa"):
		return "RSA"
	case strings.Contains(t, "dss"):
		return "DSA"
	}
	return strings.ToUpper(t)
}

var knownHostsMu sync.Mutex // serialises accept-new appends

// hostKeyCallback checks host keys against the known_hosts file (or accepts
// everything when checking is off). It also returns the host key algorithms
// to offer, restricted to the known keys' types so that a host known by its
// ED25519 key is not asked for its ECDSA key.
func (s *settings) hostKeyCallback(hostport string) (xssh.HostKeyCallback, []string, error) {
	if !s.checkHostKeys {
		return xssh.InsecureIgnoreHostKey(), nil, nil
	}
	file := s.knownHosts
	if _, err := os.Stat(file); err != nil {
		file = os.DevNull
	}
	cb, err := knownhosts.New(file)
	if err != nil {
		return nil, nil, fmt.Errorf("reading %s: %v", s.knownHosts, err)
	}
	var algos []string
	if pub, _, err := ed25519.GenerateKey(rand.Reader); err == nil {
		probe, _ := xssh.NewPublicKey(pub)
		var ke *knownhosts.KeyError
		if err := cb(hostport, probeAddr(hostport), probe); errors.As(err, &ke) {
			for _, k := range ke.Want {
				algos = append(algos, algorithmsFor(k.Key.Type())...)
			}
		}
	}
	if len(algos) == 0 {
		algos = defaultHostKeyAlgorithms
	}
	host := s.host
	check := func(hostname string, remote net.Addr, key xssh.PublicKey) error {
		err := cb(hostname, remote, key)
		var ke *knownhosts.KeyError
		var re *knownhosts.RevokedError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &re):
			return &hostKeyError{fmt.Sprintf("%s host key for %s was revoked in %s:%d\r\nHost key verification failed.",
				keyTypeName(key.Type()), host, re.Revoked.Filename, re.Revoked.Line)}
		case errors.As(err, &ke) && len(ke.Want) == 0:
			if s.acceptNew {
				return appendKnownHost(s.knownHosts, hostname, key)
			}
			return &hostKeyError{fmt.Sprintf("No %s host key is known for %s and you have requested strict checking.\r\n"+
				"Host key verification failed.", keyTypeName(key.Type()), host)}
		case errors.As(err, &ke):
			w := ke.Want[0]
			bar := strings.Repeat("@", 59)
			return &hostKeyError{fmt.Sprintf("%s\r\n@    WARNING: REMOTE HOST IDENTIFICATION HAS CHANGED!     @\r\n%s\r\n"+
				"The fingerprint for the %s key sent by the remote host is\n%s.\r\n"+
				"Offending %s key in %s:%d\r\n"+
				"Host key for %s has changed and you have requested strict checking.\r\nHost key verification failed.",
				bar, bar, keyTypeName(key.Type()), xssh.FingerprintSHA256(key),
				keyTypeName(w.Key.Type()), w.Filename, w.Line, host)}
		default:
			return &hostKeyError{fmt.Sprintf("%v\r\nHost key verification failed.", err)}
		}
	}
	return check, algos, nil
}

// defaultHostKeyAlgorithms is OpenSSH's order of preference for plain keys,
// so an unknown host is reported (and recorded) by the key ssh(1) would use.
var defaultHostKeyAlgorithms = []string{
	xssh.KeyAlgoED25519, xssh.KeyAlgoECDSA256, xssh.KeyAlgoECDSA384, xssh.KeyAlgoECDSA521,
	xssh.KeyAlgoRSASHA512, xssh.KeyAlgoRSASHA256,
}

func probeAddr(hostport string) net.Addr {
	host, port, _ := net.SplitHostPort(hostport)
	ip := net.ParseIP(host)
	if ip == nil {
		return nil
	}
	p, _ := strconv.Atoi(port)
	return &net.TCPAddr{IP: ip, Port: p}
}

func algorithmsFor(keyType string) []string {
	if keyType == xssh.KeyAlgoRSA {
		return []string{xssh.KeyAlgoRSASHA512, xssh.KeyAlgoRSASHA256, xssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

func appendKnownHost(file, hostname string, key xssh.PublicKey) error {
	knownHostsMu.Lock()
	defer knownHostsMu.Unlock()
	if err := os.MkdirAll(filepath.Dir(file), 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(file, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	if err != nil {
		return err
	}
	defer f.Close()
	_, err = fmt.Fprintln(f, knownhosts.Line([]string{knownhosts.Normalize(hostname)}, key))
	return err
}

// dialer opens the byte stream to host:port: a TCP connection, a
// ProxyCommand's standard input and output, or a channel through the last
// ProxyJump hop. closers release the jump clients.
type transport struct {
	conn    net.Conn
	closers []io.Closer
}

func (s *settings) transport(ctx context.Context, clientFor func(context.Context, jumpHost, *transport) (*xssh.Client, error)) (*transport, error) {
	t := &transport{}
	addr := net.JoinHostPort(s.host, s.port)
	switch {
	case s.proxyCommand != "":
		c, err := proxyCommandConn(expandProxyCommand(s.proxyCommand, s.host, s.port, s.user), addr)
		if err != nil {
			return nil, s.connectError(err)
		}
		t.conn = c
	case len(s.proxyJump) > 0:
		var prev *xssh.Client
		for _, hop := range s.proxyJump {
			c, err := clientFor(ctx, hop, t)
			if err != nil {
				t.close()
				return nil, err
			}
			prev = c
		}
		c, err := dialVia(ctx, prev, addr, s.timeout)
		if err != nil {
			t.close()
			return nil, s.connectError(err)
		}
		t.conn = c
	default:
		d := net.Dialer{Timeout: s.timeout}
		c, err := d.DialContext(ctx, "tcp", addr)
		if err != nil {
			return nil, s.connectError(err)
		}
		t.conn = c
	}
	return t, nil
}

func (t *transport) close() {
	if t.conn != nil {
		t.conn.Close()
	}
	for i := len(t.closers) - 1; i >= 0; i-- {
		t.closers[i].Close()
	}
}

// dialVia opens a direct-tcpip channel through client, bounded by timeout.
func dialVia(ctx context.Context, client *xssh.Client, addr string, timeout time.Duration) (net.Conn, error) {
	type res struct {
		c   net.Conn
		err error
	}
	ch := make(chan res, 1)
	go func() {
		c, err := client.Dial("tcp", addr)
		ch <- res{c, err}
	}()
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	select {
	case r := <-ch:
		return r.c, r.err
	case <-ctx.Done():
		go func() {
			if r := <-ch; r.c != nil {
				r.c.Close()
			}
		}()
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: timeoutErr{}}
	}
}

type timeoutErr struct{}

func (timeoutErr) Error() string   { return "i/o timeout" }
func (timeoutErr) Timeout() bool   { return true }
func (timeoutErr) Temporary() bool { return true }

// connectError turns a dial failure into ssh(1)'s wording.
func (s *settings) connectError(err error) error {
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return fmt.Errorf("ssh: Could not resolve hostname %s: Name or service not known", s.host)
	}
	reason := err.Error()
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED) || strings.Contains(reason, "connection refused"):
		reason = "Connection refused"
	case errors.Is(err, syscall.EHOSTUNREACH) || strings.Contains(reason, "no route to host"):
		reason = "No route to host"
	case errors.Is(err, syscall.ENETUNREACH):
		reason = "Network is unreachable"
	case errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout():
		reason = "Connection timed out"
	case strings.Contains(reason, "administratively prohibited"), strings.Contains(reason, "open failed"):
		reason = "Connection refused" // a jump host could not reach the target
	}
	return fmt.Errorf("ssh: connect to host %s port %s: %s", s.host, s.port, reason)
}

// handshakeError turns a failed SSH handshake into ssh(1)'s wording.
func (s *settings) handshakeError(err error) error {
	var hk *hostKeyError
	var ne net.Error
	switch {
	case errors.As(err, &hk):
		return hk
	case errors.As(err, &ne) && ne.Timeout():
		return fmt.Errorf("Connection timed out during banner exchange")
	case errors.Is(err, io.EOF), errors.Is(err, syscall.ECONNRESET), strings.Contains(err.Error(), "connection reset"):
		return fmt.Errorf("Connection closed by %s port %s", s.host, s.port)
	}
	return fmt.Errorf("ssh: %s: %v", s.host, err)
}

// proxyConn is a net.Conn over a ProxyCommand's standard input and output.
type proxyConn struct {
	cmd  *exec.Cmd
	r    io.ReadCloser
	w    io.WriteCloser
	addr string
	once sync.Once
}

func proxyCommandConn(command, addr string) (net.Conn, error) {
	cmd := exec.Command("/bin/sh", "-c", command)
	w, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	r, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = nil
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return &proxyConn{cmd: cmd, r: r, w: w, addr: addr}, nil
}

func (p *proxyConn) Read(b []byte) (int, error)  { return p.r.Read(b) }
func (p *proxyConn) Write(b []byte) (int, error) { return p.w.Write(b) }
func (p *proxyConn) Close() error {
	p.once.Do(func() {
		p.w.Close()
		p.r.Close()
		if p.cmd.Process != nil {
			syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
			p.cmd.Wait()
		}
	})
	return nil
}
func (p *proxyConn) LocalAddr() net.Addr                { return proxyAddr("proxycommand") }
func (p *proxyConn) RemoteAddr() net.Addr               { return proxyAddr(p.addr) }
func (p *proxyConn) SetDeadline(t time.Time) error      { return nil }
func (p *proxyConn) SetReadDeadline(t time.Time) error  { return nil }
func (p *proxyConn) SetWriteDeadline(t time.Time) error { return nil }

type proxyAddr string

func (a proxyAddr) Network() string { return "proxy" }
func (a proxyAddr) String() string  { return string(a) }
