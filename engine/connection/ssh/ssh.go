// Package ssh is the "ssh" connection: it reaches a target over SSH
// (golang.org/x/crypto/ssh) and satisfies connection.Conn.
//
// Speed: opening an SSH session channel costs about 100 ms, so commands do not
// get a session each. Every Conn keeps long-lived sessions running a POSIX
// shell (only /bin/sh and coreutils are needed on the target) that parses its
// standard input as a stream of requests (read in blocks by the shell's own
// parser, not byte by byte) and runs each command in a subshell; results come
// back framed by a random marker per command, binary-safe (see shell.go). One
// such shell runs per become user (sudo or su, after one password exchange),
// and up to Config.MaxChannels of them per user serve concurrent calls.
// A cancelled call kills the command's process group on the target.
//
// Conn is also a connection.Dialer: DialContext opens TCP connections from
// the target through "direct-tcpip" channels (see forward.go).
//
// Differences from "/bin/sh -c CMD": the command is eval'ed in a subshell of
// the loop, so $$ is the loop's pid and $0 is the loop's; a background process
// that keeps the command's stdout open writes into the channel after the
// command ended (redirect daemons' output, as one must under ssh(1) too).
package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"octopus/engine/connection"
)

// Config says how to reach one host. Options in Args (ssh_args,
// ssh_common_args and ssh_extra_args joined) override the fields, as options
// given to ssh(1) before Ansible's own do: -o Port, User, IdentityFile,
// StrictHostKeyChecking (yes, no, accept-new), UserKnownHostsFile,
// ConnectTimeout, ServerAliveInterval, ServerAliveCountMax, ConnectionAttempts,
// ProxyJump, ProxyCommand, PasswordAuthentication, PubkeyAuthentication,
// IdentityAgent=none, and -J, -p, -l, -i. Other options are ignored.
type Config struct {
	Host     string // name or address (ansible_host)
	Port     int    // 0 means 22
	User     string // "" means the local user
	Password string // login password (ansible_password); never logged
	// KeyFiles are private keys to offer; empty means those of ~/.ssh/id_rsa,
	// id_ecdsa and id_ed25519 that exist. Keys of the ssh-agent at
	// SSH_AUTH_SOCK are offered too unless NoAgent.
	KeyFiles []string
	NoAgent  bool
	// HostKeyChecking checks the host key against KnownHostsFile ("" means
	// ~/.ssh/known_hosts); an unknown or changed key fails the connection.
	HostKeyChecking bool
	KnownHostsFile  string
	// Timeout bounds the TCP connect and the SSH handshake; 0 means 10 s.
	Timeout time.Duration
	// KeepaliveInterval is how often an idle or busy connection is probed;
	// after KeepaliveCountMax unanswered probes it counts as broken. 0 means
	// Timeout/4 and 3, so a cut link is noticed within about Timeout.
	KeepaliveInterval time.Duration
	KeepaliveCountMax int
	// ConnectionAttempts is how many times to try connecting; 0 means 1.
	ConnectionAttempts int
	// Args is the ssh command line fragment parsed for options (see above).
	Args string
	// MaxChannels bounds the shells per become user serving concurrent
	// calls; 0 means 4.
	MaxChannels int
}

// Conn is an open SSH connection to one host; safe for concurrent use. After
// the connection breaks, calls fail with *connection.UnreachableError and the
// next call dials again.
type Conn struct {
	s *settings

	mu     sync.Mutex
	cur    *client // nil when not connected
	closed bool
}

var _ connection.Conn = (*Conn)(nil)

// client is one SSH transport and the shells on it.
type client struct {
	s       *settings
	ssh     *xssh.Client
	extra   *transport // the underlying stream and jump clients
	done    chan struct{}
	once    sync.Once
	mu      sync.Mutex
	broken  error // why the connection ended, ssh(1)-style
	pools   map[string]*pool
	methods []string
}

// Dial connects and authenticates to cfg.Host. Failures to reach or log in
// to the host are *connection.UnreachableError with ssh(1)'s wording, e.g.
// "Failed to connect to the host via ssh: ssh: connect to host 10.77.0.11
// port 22: Connection refused".
func Dial(ctx context.Context, cfg Config) (*Conn, error) {
	s, err := resolve(cfg)
	if err != nil {
		return nil, err
	}
	c := &Conn{s: s}
	cl, err := c.s.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.cur = cl
	return c, nil
}

// connect makes up to s.attempts attempts to open a client.
func (s *settings) connect(ctx context.Context) (*client, error) {
	var err error
	for i := 0; i < s.attempts; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, s.unreachable(ctx.Err())
			case <-time.After(time.Second):
			}
		}
		var cl *client
		var retry bool
		cl, retry, err = s.connectOnce(ctx)
		if err == nil {
			return cl, nil
		}
		if !retry {
			break
		}
	}
	return nil, err
}

func (s *settings) unreachable(err error) error {
	return &connection.UnreachableError{Host: s.host, Err: err}
}

// connectOnce opens one client; retry tells whether trying again may help.
func (s *settings) connectOnce(ctx context.Context) (*client, bool, error) {
	t, err := s.transport(ctx, s.jumpClient)
	if err != nil {
		return nil, true, s.unreachable(err)
	}
	cl, err := s.handshake(t.conn, net.JoinHostPort(s.host, s.port), s.user)
	if err != nil {
		t.close()
		var hk *hostKeyError
		return nil, !errors.As(err, &hk) && !isAuthError(err), s.unreachable(err)
	}
	c := &client{s: s, ssh: cl.client, extra: t, done: make(chan struct{}), pools: map[string]*pool{}, methods: cl.methods}
	go func() {
		c.ssh.Wait()
		c.fail(fmt.Errorf("Shared connection to %s closed.", s.host))
	}()
	go c.keepalive()
	return c, false, nil
}

func isAuthError(err error) bool {
	var pe *permissionError
	return errors.As(err, &pe)
}

type permissionError struct{ msg string }

func (e *permissionError) Error() string { return e.msg }

type handshook struct {
	client  *xssh.Client
	methods []string
}

// handshake runs the SSH handshake and authentication on conn, bounded by
// the connect timeout.
func (s *settings) handshake(conn net.Conn, hostport, user string) (*handshook, error) {
	check, algos, err := s.hostKeyCallback(hostport)
	if err != nil {
		return nil, err
	}
	auth, names, release := s.authMethods()
	defer release()
	var allowed []string // the methods the server allows, for ssh(1)'s "Permission denied (...)"
	cfg := &xssh.ClientConfig{
		User:              user,
		Auth:              auth,
		HostKeyCallback:   check,
		HostKeyAlgorithms: algos,
		Timeout:           s.timeout,
		AuthCallback: func(a *xssh.ClientAuthContext) (xssh.AuthMethod, error) {
			allowed = a.AllowedMethods
			return nil, nil
		},
	}
	var timedOut bool
	var mu sync.Mutex
	timer := time.AfterFunc(s.timeout, func() {
		mu.Lock()
		timedOut = true
		mu.Unlock()
		conn.Close()
	})
	sc, chans, reqs, err := xssh.NewClientConn(conn, hostport, cfg)
	timer.Stop()
	mu.Lock()
	to := timedOut
	mu.Unlock()
	if err != nil {
		switch {
		case to:
			return nil, fmt.Errorf("Connection timed out during banner exchange")
		case isPermission(err):
			if len(allowed) > 0 {
				names = allowed
			}
			return nil, &permissionError{fmt.Sprintf("%s@%s: %s", user, s.host, permissionText(names))}
		}
		return nil, s.handshakeError(err)
	}
	return &handshook{client: xssh.NewClient(sc, chans, reqs), methods: names}, nil
}

func isPermission(err error) bool {
	return strings.Contains(err.Error(), "unable to authenticate")
}

func permissionText(names []string) string {
	if len(names) == 0 {
		names = []string{"publickey", "password"}
	}
	return "Permission denied (" + strings.Join(names, ",") + ")."
}

// jumpClient opens a client on one ProxyJump hop, through the previous hop
// when there is one, and records it in t so it is closed with the transport.
func (s *settings) jumpClient(ctx context.Context, hop jumpHost, t *transport) (*xssh.Client, error) {
	hs := *s
	hs.host, hs.port, hs.user = hop.Host, hop.Port, hop.User
	if hs.port == "" {
		hs.port = "22"
	}
	if hs.user == "" {
		hs.user = localUser()
	}
	addr := net.JoinHostPort(hs.host, hs.port)
	var conn net.Conn
	var err error
	if n := len(t.closers); n > 0 {
		conn, err = dialVia(ctx, t.closers[n-1].(*xssh.Client), addr, s.timeout)
	} else {
		d := net.Dialer{Timeout: s.timeout}
		conn, err = d.DialContext(ctx, "tcp", addr)
	}
	if err != nil {
		return nil, hs.connectError(err)
	}
	h, err := hs.handshake(conn, addr, hs.user)
	if err != nil {
		conn.Close()
		return nil, err
	}
	t.closers = append(t.closers, h.client)
	return h.client, nil
}

// fail marks the client broken (first reason wins) and closes it.
func (c *client) fail(reason error) {
	c.mu.Lock()
	if c.broken == nil {
		c.broken = reason
	}
	c.mu.Unlock()
	c.once.Do(func() {
		close(c.done)
		c.ssh.Close()
		c.extra.close()
	})
}

// reason is why the client broke, or nil while it is alive.
func (c *client) reason() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.broken
}

func (c *client) alive() bool {
	select {
	case <-c.done:
		return false
	default:
		return true
	}
}

// keepalive probes the server every interval; after aliveMax probes without
// an answer the connection counts as broken and is closed, which fails every
// call waiting on it.
func (c *client) keepalive() {
	tick := time.NewTicker(c.s.aliveInterval)
	defer tick.Stop()
	for {
		select {
		case <-c.done:
			return
		case <-tick.C:
		}
		reply := make(chan error, 1)
		go func() {
			_, _, err := c.ssh.SendRequest("keepalive@openssh.com", true, nil)
			reply <- err
		}()
		missed := 0
	wait:
		for {
			select {
			case <-c.done:
				return
			case err := <-reply:
				if err != nil {
					c.fail(fmt.Errorf("Shared connection to %s closed.", c.s.host))
					return
				}
				break wait
			case <-tick.C:
				missed++
				if missed >= c.s.aliveMax {
					c.fail(fmt.Errorf("Timeout, server %s not responding.", c.s.host))
					return
				}
			}
		}
	}
}

// client returns the live client, dialing again when the last one broke.
func (c *Conn) client(ctx context.Context) (*client, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("ssh: connection closed")
	}
	if c.cur != nil && c.cur.alive() {
		return c.cur, nil
	}
	cl, err := c.s.connect(ctx)
	if err != nil {
		return nil, err
	}
	c.cur = cl
	return cl, nil
}

// Close closes every shell and the connection.
func (c *Conn) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.closed = true
	if c.cur != nil {
		// the transport first: then closing the shells cannot block on a dead link
		c.cur.fail(errors.New("ssh: connection closed"))
		c.cur.closeShells()
		c.cur = nil
	}
	return nil
}

// Host is the host this connection reaches.
func (c *Conn) Host() string { return c.s.host }
