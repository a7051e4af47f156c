// Package connection defines how the engine reaches a target host: run a
// command, send a file, fetch a file. Implementations live in subpackages
// (ssh, local) and all satisfy Conn. Modules see a connection only through
// this interface.
package connection

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
)

// Become describes privilege escalation for one command.
type Become struct {
	Method   string // "sudo" or "su"
	User     string // target user; "" means root
	Password string // never logged
	Flags    string // become_flags; "" means the method's defaults
	Exe      string // become_exe; "" means the method name
}

// ExecOptions tunes one command run.
type ExecOptions struct {
	Stdin  []byte            // fed to the command's standard input
	Become *Become           // nil: run as the connection user
	Env    map[string]string // extra environment variables (task `environment:`)
	Dir    string            // working directory; "" means the login directory
}

// Result is what a finished command produced.
type Result struct {
	Stdout []byte
	Stderr []byte
	RC     int
}

// PutOptions tunes a file transfer.
type PutOptions struct {
	Mode   os.FileMode // permission bits of the new file; 0 means 0644 (or keep existing)
	Become *Become     // write as this user (e.g. root through sudo)
}

// Conn is an open connection to one host. It is safe for concurrent use by
// several goroutines. Exec runs cmd with /bin/sh -c semantics on the target.
// Put writes data to path atomically (a temporary file in the destination's
// directory, then rename). Get reads a whole file.
type Conn interface {
	Exec(ctx context.Context, cmd string, opts ExecOptions) (*Result, error)
	Put(ctx context.Context, path string, data []byte, opts PutOptions) error
	Get(ctx context.Context, path string, become *Become) ([]byte, error)
	Close() error
}

// Dialer is implemented by connections that can open a network connection
// from the target host, as a module running there would: the TCP connection
// starts on the target (its routes, its name resolution), not on the
// controller. Modules that fetch URLs (get_url, uri, unarchive, apt deb:)
// use it when the connection offers it.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// UnreachableError reports that the host could not be reached or the
// connection broke; the executor marks the host unreachable.
type UnreachableError struct {
	Host string
	Err  error
}

func (e *UnreachableError) Error() string {
	return fmt.Sprintf("Failed to connect to the host via ssh: %v", e.Err)
}

func (e *UnreachableError) Unwrap() error { return e.Err }

// IsUnreachable reports whether err (or anything it wraps) is an UnreachableError.
func IsUnreachable(err error) bool {
	var u *UnreachableError
	return errors.As(err, &u)
}

// BecomeError reports a failed privilege escalation (wrong or missing
// password, no sudo). Msg is Ansible's message text.
type BecomeError struct{ Msg string }

func (e *BecomeError) Error() string { return e.Msg }
