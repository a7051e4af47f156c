package ssh

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"syscall"

	xssh "golang.org/x/crypto/ssh"

	"octopus/engine/connection"
)

var _ connection.Dialer = (*Conn)(nil)

// ErrForwardingRefused is wrapped by DialContext's error when the server
// does not forward connections (sshd's AllowTcpForwarding no,
// DisableForwarding, a no-port-forwarding or permitopen key option): callers
// fall back to a client program on the target (curl, wget).
var ErrForwardingRefused = errors.New("forwarding refused by the server")

// DialContext opens a TCP connection from the target host to addr, through a
// "direct-tcpip" channel of the SSH connection: sshd on the target resolves
// the name and connects, so the connection starts there (its routes, its
// name resolution, its firewall), as a module running on the target would.
// network is "tcp", "tcp4" or "tcp6" (sshd picks the address family); addr
// is host:port, the port a number or a service name. The returned
// connection's addresses are zero.
//
// Errors: ErrForwardingRefused (wrapped, with sshd's message, e.g.
// "administratively prohibited: open failed") when the server refuses to
// forward; a *net.OpError when the target could not connect (its Err is
// syscall.ECONNREFUSED for a refused connection, a *net.DNSError when the
// target could not resolve the name); *connection.UnreachableError when the
// SSH connection itself is down; ctx's error when it ends first.
func (c *Conn) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	switch network {
	case "tcp", "tcp4", "tcp6":
	default:
		return nil, &net.OpError{Op: "dial", Net: network, Err: net.UnknownNetworkError(network)}
	}
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, &net.OpError{Op: "dial", Net: network, Err: err}
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		p, lerr := net.LookupPort(network, port)
		if lerr != nil {
			return nil, &net.OpError{Op: "dial", Net: network, Err: lerr}
		}
		addr = net.JoinHostPort(host, strconv.Itoa(p))
	}
	cl, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	conn, err := cl.ssh.DialContext(ctx, "tcp", addr)
	if err == nil {
		return conn, nil
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	var oe *xssh.OpenChannelError
	if !errors.As(err, &oe) {
		if !cl.alive() {
			return nil, c.s.unreachable(cl.reason())
		}
		return nil, fmt.Errorf("ssh: dialing %s from %s: %w", addr, c.s.host, err)
	}
	msg := strings.TrimSpace(oe.Message)
	switch oe.Reason {
	case xssh.Prohibited:
		if msg == "" {
			msg = "open failed"
		}
		return nil, fmt.Errorf("ssh: %s: TCP %w (administratively prohibited: %s)", c.s.host, ErrForwardingRefused, msg)
	case xssh.ConnectionFailed:
		return nil, targetDialError(network, addr, host, c.s.host, msg)
	}
	return nil, &net.OpError{Op: "dial", Net: network, Err: fmt.Errorf("from %s: %s", c.s.host, oe.Error())}
}

// targetDialError turns sshd's "open failed" message into the error a local
// dial would give.
func targetDialError(network, addr, host, from, msg string) error {
	lower := strings.ToLower(msg)
	var inner error
	switch {
	case strings.Contains(lower, "refused"):
		inner = syscall.ECONNREFUSED
	case strings.Contains(lower, "no route"):
		inner = syscall.EHOSTUNREACH
	case strings.Contains(lower, "network is unreachable"):
		inner = syscall.ENETUNREACH
	case strings.Contains(lower, "timed out"):
		inner = syscall.ETIMEDOUT
	case strings.Contains(lower, "name or service not known"), strings.Contains(lower, "not known"),
		strings.Contains(lower, "no address"), strings.Contains(lower, "name resolution"), strings.Contains(lower, "unknown host"):
		inner = &net.DNSError{Err: msg, Name: host, IsNotFound: true}
	default:
		inner = fmt.Errorf("%s (from %s)", msg, from)
	}
	return &net.OpError{Op: "dial", Net: network, Addr: dialAddr(addr), Err: inner}
}

// dialAddr is addr as a net.Addr for error messages.
type dialAddr string

func (a dialAddr) Network() string { return "tcp" }
func (a dialAddr) String() string  { return string(a) }
