package ssh

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"octopus/engine/connection"
	"octopus/test/fleet"
)

// allBytes is every byte value but NUL and newline, then those too when nul.
func allBytes(nul bool) []byte {
	var b []byte
	for i := 1; i < 256; i++ {
		if i != '\n' {
			b = append(b, byte(i))
		}
	}
	if nul {
		b = append(b, 0, '\n', 0)
	}
	return b
}

// testStream checks that scripts and standard input of every byte value and
// of sizes around inlineStdin pass unchanged, as the login user, through
// sudo and through su (a pty).
func testStream(t *testing.T, hs fleet.Host) {
	nopw := mustDial(t, hs, func(c *Config) { c.User = fleet.NoPwUser })
	ctx := context.Background()
	text := string(allBytes(false))
	for _, tc := range []struct {
		name string
		b    *connection.Become
	}{
		{"login", nil},
		{"sudo", &connection.Become{Method: "sudo"}},
		{"su", &connection.Become{Method: "su", Password: fleet.RootPassword}},
	} {
		// a script holding every byte but NUL, in a quoted here-document
		// and in single quotes (which the request must survive)
		script := "cat <<'EOF'\n" + text + "\nEOF\nprintf '%s' '" + strings.ReplaceAll(text, "'", `'\''`) + "'"
		res, err := nopw.Exec(ctx, script, connection.ExecOptions{Become: tc.b})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if want := text + "\n" + text; string(res.Stdout) != want || res.RC != 0 {
			t.Errorf("%s: script bytes: rc %d err %q\n got %q\nwant %q", tc.name, res.RC, res.Stderr, res.Stdout, want)
		}
		for _, n := range []int{1, 255, inlineStdin - 1, inlineStdin, inlineStdin + 1, 3*inlineStdin + 7} {
			in := bytes.Repeat(allBytes(true), n/len(allBytes(true))+1)[:n]
			in[0] = '\\' // escapes must stay literal
			res, err := nopw.Exec(ctx, "cat; echo done >&2", connection.ExecOptions{Stdin: in, Become: tc.b})
			if err != nil {
				t.Fatalf("%s: stdin %d: %v", tc.name, n, err)
			}
			if !bytes.Equal(res.Stdout, in) || string(res.Stderr) != "done\n" {
				t.Errorf("%s: stdin of %d bytes came back as %d bytes (stderr %q)", tc.name, n, len(res.Stdout), res.Stderr)
			}
		}
		// a command that does not read its standard input leaves the stream intact
		for _, n := range []int{100, 5 * inlineStdin} {
			res, err := nopw.Exec(ctx, "echo skipped", connection.ExecOptions{Stdin: make([]byte, n), Become: tc.b})
			if err != nil || string(res.Stdout) != "skipped\n" {
				t.Fatalf("%s: unread stdin of %d: %v %+v", tc.name, n, err, res)
			}
			res, err = nopw.Exec(ctx, "echo next", connection.ExecOptions{Become: tc.b})
			if err != nil || string(res.Stdout) != "next\n" {
				t.Fatalf("%s: after unread stdin of %d: %v %+v", tc.name, n, err, res)
			}
		}
		// the shell's helper variables and temporary files do not show
		res, err = nopw.Exec(ctx, `set | grep -c '^__oct' ; env | grep -c '^__oct'; echo "$#"`, connection.ExecOptions{Become: tc.b})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: helper variables visible to set: %s", tc.name, strings.Fields(string(res.Stdout))[0])
		if f := strings.Fields(string(res.Stdout)); len(f) != 3 || f[1] != "0" || f[2] != "0" {
			t.Errorf("%s: environment or arguments leak: %q", tc.name, res.Stdout)
		}
	}
	// temporary files go when the connection closes
	c := mustDial(t, hs, nil)
	res := run(t, c, `ls -a "${TMPDIR:-/tmp}" | grep -c '^\.octsh-' || true`, connection.ExecOptions{})
	before := strings.TrimSpace(string(res.Stdout))
	c2 := mustDial(t, hs, nil)
	run(t, c2, "true", connection.ExecOptions{Stdin: []byte("x")})
	c2.Close()
	for i := 0; i < 50; i++ {
		res = run(t, c, `ls -a "${TMPDIR:-/tmp}" | grep -c '^\.octsh-' || true`, connection.ExecOptions{})
		if strings.TrimSpace(string(res.Stdout)) == before {
			break
		}
		if i == 49 {
			t.Errorf("temporary files left after Close: %s, before %s", res.Stdout, before)
		}
		run(t, c, "sleep 0.05", connection.ExecOptions{})
	}
}
