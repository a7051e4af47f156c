// Package local is the "local" connection: commands run on the controller
// through /bin/sh, files are written with a temporary file and a rename.
package local

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"octopus/engine/connection"
)

// Conn runs everything on this machine.
type Conn struct{}

var _ connection.Dialer = (*Conn)(nil)

// New returns a local connection.
func New() *Conn { return &Conn{} }

// Exec runs cmd with /bin/sh -c, wrapped in sudo/su when opts.Become is set
// and the target user differs from the current one.
func (c *Conn) Exec(ctx context.Context, cmd string, opts connection.ExecOptions) (*connection.Result, error) {
	argv := []string{"/bin/sh", "-c", cmd}
	if b := opts.Become; b != nil && needsBecome(b) {
		argv = becomeArgv(b, cmd)
	}
	ec := exec.CommandContext(ctx, argv[0], argv[1:]...)
	ec.Dir = opts.Dir
	ec.Env = os.Environ()
	for k, v := range opts.Env {
		ec.Env = append(ec.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	ec.Stdout, ec.Stderr = &stdout, &stderr
	if opts.Stdin != nil {
		ec.Stdin = bytes.NewReader(opts.Stdin)
	}
	err := ec.Run()
	res := &connection.Result{Stdout: stdout.Bytes(), Stderr: stderr.Bytes()}
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			res.RC = ee.ExitCode()
			return res, nil
		}
		return nil, err
	}
	return res, nil
}

// Put writes data to path atomically: a temporary file in the same
// directory, then rename. With become it goes through Exec as that user.
func (c *Conn) Put(ctx context.Context, path string, data []byte, opts connection.PutOptions) error {
	mode := opts.Mode
	if mode == 0 {
		mode = 0o644
	}
	if b := opts.Become; b != nil && needsBecome(b) {
		q := connection.ShellQuote(path)
		script := fmt.Sprintf("t=$(mktemp %s.octopus.XXXXXX) && cat > \"$t\" && chmod %o \"$t\" && mv -f \"$t\" %s", q, mode.Perm(), q)
		res, err := c.Exec(ctx, script, connection.ExecOptions{Stdin: data, Become: b})
		if err != nil {
			return err
		}
		if res.RC != 0 {
			return fmt.Errorf("writing %s: %s", path, strings.TrimSpace(string(res.Stderr)))
		}
		return nil
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(path)+".octopus.")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Chmod(mode.Perm()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// Get reads a whole file.
func (c *Conn) Get(ctx context.Context, path string, become *connection.Become) ([]byte, error) {
	if become != nil && needsBecome(become) {
		res, err := c.Exec(ctx, "cat "+connection.ShellQuote(path), connection.ExecOptions{Become: become})
		if err != nil {
			return nil, err
		}
		if res.RC != 0 {
			return nil, fmt.Errorf("reading %s: %s", path, strings.TrimSpace(string(res.Stderr)))
		}
		return res.Stdout, nil
	}
	return os.ReadFile(path)
}

// Close does nothing.
func (c *Conn) Close() error { return nil }

// DialContext opens a network connection from this machine, which is the
// target of a local connection.
func (c *Conn) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, network, addr)
}

func needsBecome(b *connection.Become) bool {
	user := b.User
	if user == "" {
		user = "root"
	}
	cur := os.Getenv("USER")
	if os.Geteuid() == 0 && user == "root" {
		return false
	}
	return cur != user
}

func becomeArgv(b *connection.Become, cmd string) []string {
	user := b.User
	if user == "" {
		user = "root"
	}
	if b.Method == "su" {
		return []string{"su", "-", user, "-c", "/bin/sh -c " + connection.ShellQuote(cmd)}
	}
	return []string{"sudo", "-H", "-S", "-n", "-u", user, "/bin/sh", "-c", cmd}
}
