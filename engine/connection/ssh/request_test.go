package ssh

import (
	"bytes"
	"context"
	"net"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// localShell starts the stream shell on this machine with plain pipes (no
// SSH, no fleet), as openShell does on a target.
func localShell(t *testing.T) *shell {
	t.Helper()
	ready := "OCTOPUS_READY_" + randomHex(12)
	cmd := exec.Command("/bin/sh", "-c", startScript(ready, false))
	stdin, err1 := cmd.StdinPipe()
	stdout, err2 := cmd.StdoutPipe()
	stderr, err3 := cmd.StderrPipe()
	if err1 != nil || err2 != nil || err3 != nil {
		t.Fatal(err1, err2, err3)
	}
	if err := cmd.Start(); err != nil {
		t.Skipf("no /bin/sh: %v", err)
	}
	sh := &shell{stdin: stdin, quit: make(chan struct{})}
	sh.out, sh.err = newStream(stdout, sh.quit), newStream(stderr, sh.quit)
	t.Cleanup(func() {
		stdin.Close()
		cmd.Wait()
		close(sh.quit)
	})
	if _, err := sh.out.until([]byte(ready + " ")); err != nil {
		t.Fatalf("no ready line: %v", err)
	}
	if _, err := sh.out.until([]byte("\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := sh.err.until([]byte(ready + "\n")); err != nil {
		t.Fatal(err)
	}
	if _, err := stdin.Write([]byte(prelude)); err != nil {
		t.Fatal(err)
	}
	return sh
}

func TestQuoteBytes(t *testing.T) {
	cases := []struct{ in, want string }{
		{"", "''"},
		{"abc", "'abc'"},
		{`a\b`, `'a\\b'`},
		{"it's", `'it\0047s'`},
		{"a\x00" + "1", `'a\00001'`},
		{"\n%\xff", "'\n%\xff'"},
	}
	for _, tc := range cases {
		if got := quoteBytes([]byte(tc.in)); got != tc.want {
			t.Errorf("quoteBytes(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestRequestLocal runs requests through a local stream shell: scripts and
// standard input of every byte value, on both sides of inlineStdin.
func TestRequestLocal(t *testing.T) {
	sh := localShell(t)
	ctx := context.Background()
	every := make([]byte, 0, 512)
	for i := 0; i < 512; i++ {
		every = append(every, byte(i))
	}
	text := strings.ReplaceAll(string(every[1:256]), "\n", "")
	cases := []struct {
		name, script string
		stdin        []byte
		out, err     string
		rc           int
	}{
		{"plain", "echo hi; echo err >&2", nil, "hi\n", "err\n", 0},
		{"status", "exit 3", nil, "", "", 3},
		{"quotes", `printf '%s|' "it's" 'a\b' "\$x"`, nil, `it's|a\b|$x|`, "", 0},
		{"script bytes", "cat <<'EOF'\n" + text + "\nEOF", nil, text + "\n", "", 0},
		{"no trailing newline", "printf x", nil, "x", "", 0},
		{"here-doc at the end", "cat <<EOF\nend\nEOF", nil, "end\n", "", 0},
		{"state stays in the subshell", "cd /; X=1; trap 'echo bye' EXIT", nil, "bye\n", "", 0},
		{"state did not leak", `echo "${X:-unset}"`, nil, "unset\n", "", 0},
		{"no stdin", "cat", nil, "", "", 0},
		{"stdin bytes", "cat", every, string(every), "", 0},
		{"stdin at the limit", "wc -c", bytes.Repeat([]byte{0}, inlineStdin), "32768\n", "", 0},
		{"raw stdin", "wc -c", bytes.Repeat([]byte("\\'\x00\n"), inlineStdin), "131072\n", "", 0},
		{"raw stdin unread", "true", bytes.Repeat([]byte("x"), 3*inlineStdin), "", "", 0},
		{"after unread stdin", "echo still", nil, "still\n", "", 0},
	}
	for _, tc := range cases {
		res, err := sh.run(ctx, tc.script, tc.stdin)
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if string(res.Stdout) != tc.out || string(res.Stderr) != tc.err || res.RC != tc.rc {
			t.Errorf("%s: got out=%q err=%q rc=%d, want out=%q err=%q rc=%d", tc.name, res.Stdout, res.Stderr, res.RC, tc.out, tc.err, tc.rc)
		}
	}
	if _, err := sh.run(ctx, "echo a\x00b", nil); err == nil {
		t.Error("a script with a NUL byte was accepted")
	}
}

// TestBannerTimeout: a server that accepts the TCP connection but never
// speaks SSH fails the dial after the connect timeout, in ssh(1)'s words.
func TestBannerTimeout(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Skipf("listen: %v", err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close() // hold it open, silent
		}
	}()
	addr := ln.Addr().(*net.TCPAddr)
	for _, attempts := range []int{1, 2} {
		start := time.Now()
		_, err = Dial(context.Background(), Config{Host: "127.0.0.1", Port: addr.Port, User: "x", KeyFiles: []string{"/nonexistent"},
			NoAgent: true, Timeout: 500 * time.Millisecond, ConnectionAttempts: attempts})
		el := time.Since(start)
		if err == nil || !strings.Contains(err.Error(), "Connection timed out during banner exchange") {
			t.Errorf("attempts %d: got %v", attempts, err)
		}
		// a timeout is retried (one second apart, as ssh(1) does)
		if min, max := time.Duration(attempts)*500*time.Millisecond+time.Duration(attempts-1)*time.Second, time.Duration(attempts)*1500*time.Millisecond+time.Second; el < min || el > max {
			t.Errorf("attempts %d took %v, want %v..%v", attempts, el, min, max)
		}
	}
}
