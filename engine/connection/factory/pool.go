package factory

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/engine/connection/ssh"
)

// Pool opens connections on demand and keeps them for the whole run: one
// per target, shared by every task and every inventory host that resolves
// to it. A target is the connection type, address, port and user, plus the
// ssh argument strings (so two hosts that share a private address behind
// different jump hosts do not share a connection). Safe for concurrent use;
// concurrent Gets of one target dial once.
type Pool struct {
	opts Options

	mu     sync.Mutex
	conns  map[string]*entry          // by target key
	byHost map[string]map[string]bool // inventory host -> target keys it used
	stray  []connection.Conn          // opened while Reset/CloseAll dropped their entry
}

// entry is one target's connection, or the dial in progress.
type entry struct {
	ready chan struct{} // closed when the dial finished
	conn  connection.Conn
	err   error
}

// NewPool returns an empty pool.
func NewPool(opts Options) *Pool {
	return &Pool{opts: opts, conns: map[string]*entry{}, byHost: map[string]map[string]bool{}}
}

// Get returns the open connection for host, dialing it on first use.
// vars are the host's templated variables (at least the connection ones:
// ansible_connection, ansible_host, ansible_port, ansible_user, ...). At
// -vvv it logs Ansible's ESTABLISH line through Options.Log on every call
// (Ansible prints it at least once per task); Log may be called from
// several goroutines at once. Failures to reach or log in are
// *connection.UnreachableError; bad settings (an invalid port, an unknown
// connection plugin) are plain errors that fail the task.
func (p *Pool) Get(ctx context.Context, host string, vars map[string]any) (connection.Conn, error) {
	return p.GetFor(ctx, host, vars, Keywords{})
}

// GetFor is Get with the task's connection keywords.
func (p *Pool) GetFor(ctx context.Context, host string, vars map[string]any, kw Keywords) (connection.Conn, error) {
	r, err := SettingsFor(host, vars, kw, p.opts)
	if err != nil {
		return nil, err
	}
	key, err := targetKey(r)
	if err != nil {
		return nil, err
	}
	if p.opts.Verbosity >= 3 && p.opts.Log != nil {
		p.opts.Log(r.LogHost, r.LogLine)
	}
	p.mu.Lock()
	if p.byHost[host] == nil {
		p.byHost[host] = map[string]bool{}
	}
	p.byHost[host][key] = true
	e := p.conns[key]
	if e != nil {
		p.mu.Unlock()
		select {
		case <-e.ready:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
		if e.err != nil {
			return nil, e.err
		}
		return e.conn, nil
	}
	e = &entry{ready: make(chan struct{})}
	p.conns[key] = e
	p.mu.Unlock()

	c, err := open(ctx, r)

	p.mu.Lock()
	e.conn, e.err = c, err
	if p.conns[key] == e {
		if err != nil {
			delete(p.conns, key) // the next Get dials again
		}
	} else if c != nil {
		p.stray = append(p.stray, c) // dropped meanwhile: close it with CloseAll
	}
	close(e.ready)
	p.mu.Unlock()
	if err != nil {
		return nil, err
	}
	return c, nil
}

// targetKey identifies the connection r needs.
func targetKey(r Resolved) (string, error) {
	switch r.Connection {
	case "local":
		return "local", nil
	case "ssh", "paramiko_ssh":
		port := r.Port
		if port == 0 {
			port = 22
		}
		return strings.Join([]string{"ssh", r.Address, strconv.Itoa(port), r.User, r.SSHArgs, r.SSHCommonArgs, r.SSHExtraArgs}, "\x00"), nil
	case "winrm", "psrp":
		return "", fmt.Errorf("the %s connection is not supported by octopus (ssh, paramiko, local)", r.Connection)
	}
	if strings.Contains(r.Connection, ".") {
		return "", fmt.Errorf("the connection plugin '%s' is not supported by octopus (ssh, paramiko, local)", r.Connection)
	}
	return "", fmt.Errorf("the connection plugin '%s' was not found", r.Connection)
}

// open dials the connection r describes.
func open(ctx context.Context, r Resolved) (connection.Conn, error) {
	if r.Connection == "local" {
		return local.New(), nil
	}
	c, err := ssh.Dial(ctx, r.SSHConfig())
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Reset closes and forgets the connections host used (meta:
// reset_connection); the next Get dials again. Other hosts that shared
// those connections dial again too, as with Ansible's shared ControlPath.
func (p *Pool) Reset(host string) {
	p.mu.Lock()
	var toClose []connection.Conn
	for key := range p.byHost[host] {
		if e, ok := p.conns[key]; ok {
			delete(p.conns, key)
			if c := readyConn(e); c != nil {
				toClose = append(toClose, c)
			}
		}
	}
	delete(p.byHost, host)
	p.mu.Unlock()
	for _, c := range toClose {
		c.Close()
	}
}

// CloseAll closes every connection; the pool stays usable.
func (p *Pool) CloseAll() {
	p.mu.Lock()
	toClose := p.stray
	p.stray = nil
	for key, e := range p.conns {
		delete(p.conns, key)
		if c := readyConn(e); c != nil {
			toClose = append(toClose, c)
		}
	}
	p.byHost = map[string]map[string]bool{}
	p.mu.Unlock()
	for _, c := range toClose {
		c.Close()
	}
}

// readyConn returns e's connection if its dial finished (caller holds mu;
// an unfinished dial ends up in stray).
func readyConn(e *entry) connection.Conn {
	select {
	case <-e.ready:
		return e.conn
	default:
		return nil
	}
}
