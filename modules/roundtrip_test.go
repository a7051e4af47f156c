package modules_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"octopus/engine/connection"
	"octopus/engine/connection/local"
	"octopus/modules"
	"octopus/modules/internal/anstest"
)

// countingConn counts round trips to the target.
type countingConn struct {
	connection.Conn
	execs, puts atomic.Int32
}

func (c *countingConn) Exec(ctx context.Context, cmd string, o connection.ExecOptions) (*connection.Result, error) {
	c.execs.Add(1)
	return c.Conn.Exec(ctx, cmd, o)
}

func (c *countingConn) Put(ctx context.Context, p string, d []byte, o connection.PutOptions) error {
	c.puts.Add(1)
	return c.Conn.Put(ctx, p, d, o)
}

func TestRoundTrips(t *testing.T) {
	cases := []struct {
		module      string
		args        map[string]any
		execs, puts int32
	}{
		{"command", map[string]any{"_raw_params": "true"}, 1, 0},
		{"stat", map[string]any{"path": "@D@/f", "get_md5": true}, 1, 0},
		{"slurp", map[string]any{"src": "@D@/f"}, 1, 0},
		{"file", map[string]any{"path": "@D@/f", "mode": "0644"}, 1, 0},
		{"file", map[string]any{"path": "@D@/f", "mode": "0600"}, 2, 0},
		{"file", map[string]any{"path": "@D@/a/b", "state": "directory"}, 2, 0},
		{"copy", map[string]any{"content": "one\n", "dest": "@D@/f"}, 1, 0},
		{"copy", map[string]any{"content": "new\n", "dest": "@D@/f", "mode": "0600"}, 2, 0}, // the data goes with the move
		{"copy", map[string]any{"content": strings.Repeat("big\n", 2000), "dest": "@D@/f"}, 2, 0},
		{"template", map[string]any{"src": "templates/hello.j2", "dest": "@D@/f"}, 2, 0},
		{"lineinfile", map[string]any{"path": "@D@/f", "line": "one"}, 1, 0},
		{"lineinfile", map[string]any{"path": "@D@/f", "line": "two"}, 2, 0},
		{"blockinfile", map[string]any{"path": "@D@/f", "block": "b"}, 2, 0},
		{"replace", map[string]any{"path": "@D@/f", "regexp": "zzz"}, 1, 0},
	}
	for _, c := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "f"), []byte("one\n"), 0o644)
		m, _ := modules.Lookup(c.module)
		conn := &countingConn{Conn: local.New()}
		args := map[string]any{}
		for k, v := range c.args {
			if s, ok := v.(string); ok {
				v = strings.ReplaceAll(s, "@D@", dir)
			}
			args[k] = v
		}
		r, err := m.Run(context.Background(), &modules.Request{Args: args, Conn: conn, Controller: &anstest.Controller{Dir: "testdata"}})
		if err != nil || r["failed"] == true {
			t.Errorf("%s %v: %v %v", c.module, c.args, r, err)
			continue
		}
		if conn.execs.Load() != c.execs || conn.puts.Load() != c.puts {
			t.Errorf("%s %v: %d execs %d puts, want %d and %d", c.module, c.args, conn.execs.Load(), conn.puts.Load(), c.execs, c.puts)
		}
	}
}
