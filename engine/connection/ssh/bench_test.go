package ssh

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"octopus/engine/connection"
	"octopus/test/fleet"
)

// benchScript is a shell script of about n bytes: comment lines of 64
// bytes, as module probes are mostly text, then one command.
func benchScript(n int) string {
	line := ": " + strings.Repeat("x", 61) + "\n"
	return strings.Repeat(line, n/len(line)) + "echo ok"
}

// BenchmarkTransfer measures, on one fleet host over a real sshd: Exec of
// scripts of 100 B, 4 KB and 64 KB on a kept shell, the same under sudo, Put
// of 1 MB, and Connect (dial, authenticate and start the login shell loop).
func BenchmarkTransfer(b *testing.B) {
	f := fleet.Start(b, 1, fleet.Options{})
	h := f.Hosts()[0]
	c := mustDial(b, h, nil)
	pw := mustDial(b, h, func(c *Config) { c.User = fleet.PwUser })
	become := &connection.Become{Method: "sudo", Password: fleet.PwUserPassword}
	ctx := context.Background()
	for _, size := range []int{100, 4 << 10, 64 << 10} {
		script := benchScript(size)
		for _, tc := range []struct {
			name string
			c    *Conn
			b    *connection.Become
		}{{"exec", c, nil}, {"exec-sudo", pw, become}} {
			b.Run(fmt.Sprintf("%s-%dB", tc.name, size), func(b *testing.B) {
				run(b, tc.c, "true", connection.ExecOptions{Become: tc.b})
				b.SetBytes(int64(len(script)))
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if res := run(b, tc.c, script, connection.ExecOptions{Become: tc.b}); string(res.Stdout) != "ok\n" {
						b.Fatalf("got %q", res.Stdout)
					}
				}
			})
		}
	}
	data := make([]byte, 1<<20)
	for i := range data {
		data[i] = byte(i * 7)
	}
	b.Run("put-1MB", func(b *testing.B) {
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if err := c.Put(ctx, "/tmp/bench-put", data, connection.PutOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("connect", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			cc, err := Dial(ctx, Config{Host: h.Addr, Port: h.Port, User: h.User, KeyFiles: []string{h.KeyFile}, NoAgent: true, Timeout: 5 * time.Second})
			if err != nil {
				b.Fatal(err)
			}
			if res := run(b, cc, "echo ok", connection.ExecOptions{}); string(res.Stdout) != "ok\n" {
				b.Fatalf("got %q", res.Stdout)
			}
			cc.Close()
		}
	})
}
