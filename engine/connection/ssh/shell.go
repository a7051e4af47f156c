package ssh

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	xssh "golang.org/x/crypto/ssh"

	"octopus/engine/connection"
)

// Every shell starts as "/bin/sh -c STARTUP" (as the login user, or through
// sudo/su): STARTUP creates the shell's two temporary files (standard input
// and, under a pty, standard error of a command), under a pty (su) switches
// the terminal to raw mode, announces its process group (field 5 of
// /proc/$$/stat) after a ready marker, and execs "/bin/sh +i -s": from then
// on the shell itself parses its standard input as the command stream. The
// shell reads that stream in blocks (a shell's parser owns its input; only
// the read builtin must go byte by byte), so a script costs its parse, not a
// system call per byte. The first thing sent is the prelude (variables and
// the clean-up trap); then each request is shell code built by request():
// the script as one single-quoted word, the command's standard input, then
// the script eval'ed in a subshell (its variables, cd, traps and exit do not
// leak) with stdout and stderr going straight to the channel's, then MARK
// written to stderr and "MARK RC" to stdout. MARK is random per request, so
// output is binary-safe without encoding. Standard input up to inlineStdin
// bytes travels inside the request as a printf %b argument (builtin, no
// process); a larger one is sent raw after the shell asks for it ("MARK G"),
// read by head -c into the temporary file, and head never reads past its
// count. Under a pty (su) stdout and stderr are one stream: stderr is kept in
// a file and sent after "MARK RC", ended by "MARKE". A cancelled call kills
// the shell's process group, through another shell of the same user (sshd
// refuses "signal" requests from clients).
const startup = `__oct_d=${TMPDIR:-/tmp}/.octsh-$$-%[1]s
( umask 077; set -C; : > "$__oct_d.i" && : > "$__oct_d.e" ) || exit 1
{ read -r __oct_g < /proc/$$/stat; } 2>/dev/null && set -- $__oct_g && __oct_g=$5
`

// prelude is the first code the stream shell runs; $1 and $2 are its
// temporary files.
const prelude = `__oct_t=$1 __oct_e=$2; set --
trap 'rm -f "$__oct_t" "$__oct_e"' EXIT
`

// startScript is the startup code announcing itself with ready (on stdout,
// and on stderr unless merged).
func startScript(ready string, merged bool) string {
	s := fmt.Sprintf(startup, randomHex(8))
	if merged {
		s += "stty raw -echo -iexten 2>/dev/null\n"
	}
	s += "printf '%s %s\\n' " + ready + ` "$__oct_g"` + "\n"
	if !merged {
		s += "printf '%s\\n' " + ready + " >&2\n"
	}
	if merged {
		// bash is interactive when stdin and stderr are terminals, +i or
		// not; commands' stderr goes to a file under a pty anyway
		return s + `exec /bin/sh +i -s "$__oct_d.i" "$__oct_d.e" 2>/dev/null` + "\n"
	}
	return s + `exec /bin/sh +i -s "$__oct_d.i" "$__oct_d.e"` + "\n"
}

// inlineStdin is the largest standard input sent inside a request; the
// shell's parser and printf take about 15 ms per MB, starting head about 1 ms.
const inlineStdin = 32 << 10

// quoteWord quotes s as one single-quoted shell word.
func quoteWord(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// quoteBytes quotes b as a single-quoted argument of printf %b: backslash,
// NUL and single quote become escapes, every other byte stays as it is.
func quoteBytes(b []byte) string {
	var sb strings.Builder
	sb.Grow(len(b) + len(b)/16 + 2)
	sb.WriteByte('\'')
	for _, c := range b {
		switch c {
		case '\\':
			sb.WriteString(`\\`)
		case 0:
			sb.WriteString(`\0000`)
		case '\'':
			sb.WriteString(`\0047`)
		default:
			sb.WriteByte(c)
		}
	}
	sb.WriteByte('\'')
	return sb.String()
}

// request is the shell code running script with stdin under mark. When the
// standard input is too large to inline, head is the code up to the point
// where the shell asks for it ("MARK G") and tail the rest; else tail is "".
func request(mark, script string, stdin []byte, merged bool) (head, tail string) {
	var b strings.Builder
	b.WriteString("__oct_s=")
	b.WriteString(quoteWord(script))
	b.WriteByte('\n')
	raw := len(stdin) > inlineStdin
	switch {
	case len(stdin) == 0:
		b.WriteString("__oct_i=/dev/null\n")
	case !raw:
		b.WriteString("printf %b ")
		b.WriteString(quoteBytes(stdin))
		b.WriteString(` > "$__oct_t" || exit 1; __oct_i=$__oct_t` + "\n")
	default:
		fmt.Fprintf(&b, `printf '%%s G\n' %s; head -c %d > "$__oct_t" || exit 1; __oct_i=$__oct_t`+"\n", mark, len(stdin))
	}
	run := `( set --; eval "$__oct_s" ) < "$__oct_i" &
wait $!; __oct_rc=$?; __oct_s=
printf '%s\n' ` + mark + ` >&2; printf '%s %d\n' ` + mark + ` "$__oct_rc"
`
	if merged {
		run = `( set --; eval "$__oct_s" ) < "$__oct_i" 2> "$__oct_e" &
wait $!; __oct_rc=$?; __oct_s=
printf '%s %d\n' ` + mark + ` "$__oct_rc"; cat "$__oct_e"; printf '%sE\n' ` + mark + `
`
	}
	if raw {
		return b.String(), run
	}
	return b.String() + run, ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// stream is one output of a shell, read in the background into chunks.
type stream struct {
	ch   chan []byte
	buf  []byte
	quit <-chan struct{}
}

// newStream pumps r into chunks until r fails or quit is closed.
func newStream(r io.Reader, quit <-chan struct{}) *stream {
	s := &stream{ch: make(chan []byte, 8), quit: quit}
	go func() {
		defer close(s.ch)
		for {
			b := make([]byte, 64<<10)
			n, err := r.Read(b)
			if n > 0 {
				select {
				case s.ch <- b[:n]:
				case <-quit:
					return
				}
			}
			if err != nil {
				return
			}
		}
	}()
	return s
}

var errShellGone = errors.New("shell ended")

// until returns the bytes before the next marker and consumes the marker.
func (s *stream) until(marker []byte) ([]byte, error) {
	start := 0
	for {
		if i := bytes.Index(s.buf[start:], marker); i >= 0 {
			i += start
			out := s.buf[:i:i]
			s.buf = s.buf[i+len(marker):]
			if len(s.buf) == 0 {
				s.buf = nil // do not keep a large result's array alive
			}
			return out, nil
		}
		if start = len(s.buf) - len(marker) + 1; start < 0 {
			start = 0
		}
		select {
		case b, ok := <-s.ch:
			if !ok {
				return nil, errShellGone
			}
			s.buf = append(s.buf, b...)
		case <-s.quit:
			return nil, errShellGone
		}
	}
}

// shell is one session running the command loop, as the login user or as a
// become user.
type shell struct {
	sess   *xssh.Session
	stdin  io.WriteCloser
	out    *stream
	err    *stream // nil when merged
	merged bool
	pgid   int // the loop's process group on the target; 0 when unknown
	quit   chan struct{}
	once   sync.Once
}

func (sh *shell) close() {
	sh.once.Do(func() {
		close(sh.quit)
		sh.sess.Close() // not stdin.Close: x/crypto's CloseWrite races with a Write in flight
	})
}

// pool holds the idle shells of one user; sem bounds how many exist.
type pool struct {
	sem  chan struct{}
	mu   sync.Mutex
	idle []*shell
}

func (c *client) pool(key string) *pool {
	c.mu.Lock()
	defer c.mu.Unlock()
	p := c.pools[key]
	if p == nil {
		p = &pool{sem: make(chan struct{}, c.s.maxChannels)}
		c.pools[key] = p
	}
	return p
}

func (c *client) closeShells() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, p := range c.pools {
		p.mu.Lock()
		for _, sh := range p.idle {
			sh.close()
		}
		p.idle = nil
		p.mu.Unlock()
	}
}

// becomeKey names the pool of a become setting; "" is the login user.
func becomeKey(b *connection.Become) string {
	if b == nil {
		return ""
	}
	pw := sha256.Sum256([]byte(b.Password)) // a shell is only reused with the password it was opened with
	return strings.Join([]string{b.Method, b.User, b.Flags, b.Exe, string(pw[:])}, "\x00")
}

// acquire returns an idle shell of the become setting b, or opens one.
func (c *client) acquire(ctx context.Context, b *connection.Become) (*shell, *pool, error) {
	p := c.pool(becomeKey(b))
	select {
	case p.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, nil, ctx.Err()
	case <-c.done:
		return nil, nil, c.s.unreachable(c.reason())
	}
	p.mu.Lock()
	if n := len(p.idle); n > 0 {
		sh := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		return sh, p, nil
	}
	p.mu.Unlock()
	sh, err := c.openShell(ctx, b)
	if err != nil {
		<-p.sem
		return nil, nil, err
	}
	return sh, p, nil
}

// release returns sh to p, or closes it when it is no longer usable.
func (p *pool) release(sh *shell, ok bool) {
	if ok {
		p.mu.Lock()
		p.idle = append(p.idle, sh)
		p.mu.Unlock()
	} else {
		sh.close()
	}
	<-p.sem
}

// suPrompt matches su's password prompt in the usual languages' form.
var suPrompt = regexp.MustCompile(`(?i)(\w+'s )?password ?(:|：) ?`)

// openShell starts a session running the command loop, as the login user or
// through sudo/su, answering the password prompt once.
func (c *client) openShell(ctx context.Context, b *connection.Become) (*shell, error) {
	sess, err := c.ssh.NewSession()
	if err != nil {
		if !c.alive() {
			return nil, c.s.unreachable(c.reason())
		}
		return nil, fmt.Errorf("ssh: opening a session on %s: %v", c.s.host, err)
	}
	stdin, err1 := sess.StdinPipe()
	stdout, err2 := sess.StdoutPipe()
	stderr, err3 := sess.StderrPipe()
	if err := errors.Join(err1, err2, err3); err != nil {
		sess.Close()
		return nil, err
	}
	ready := "OCTOPUS_READY_" + randomHex(12)
	method := "sudo"
	if b != nil && b.Method != "" {
		method = b.Method
	}
	merged := b != nil && method == "su"
	prompt := ""
	var cmd string
	loop := startScript(ready, merged)
	switch {
	case b == nil:
		cmd = "exec /bin/sh -c " + connection.ShellQuote(loop)
	case method == "sudo":
		exe, flags := b.Exe, b.Flags
		if exe == "" {
			exe = "sudo"
		}
		if flags == "" {
			flags = "-H -S -n"
		}
		if b.Password != "" {
			var kept []string
			for _, f := range strings.Fields(flags) {
				if f != "-n" {
					kept = append(kept, f)
				}
			}
			prompt = "[sudo via octopus, key=" + randomHex(16) + "] password:"
			flags = strings.Join(kept, " ") + " -p " + connection.ShellQuote(prompt)
		}
		cmd = fmt.Sprintf("exec %s %s -u %s /bin/sh -c %s", exe, flags, connection.ShellQuote(becomeUser(b)), connection.ShellQuote(loop))
	case method == "su":
		exe := b.Exe
		if exe == "" {
			exe = "su"
		}
		cmd = fmt.Sprintf("exec %s %s %s -c %s", exe, b.Flags, connection.ShellQuote(becomeUser(b)),
			connection.ShellQuote("exec /bin/sh -c "+connection.ShellQuote(loop)))
		if err := sess.RequestPty("dumb", 40, 200, xssh.TerminalModes{xssh.ECHO: 0}); err != nil {
			sess.Close()
			return nil, fmt.Errorf("ssh: pty for su on %s: %v", c.s.host, err)
		}
	default:
		sess.Close()
		return nil, fmt.Errorf("become method %q is not supported by the ssh connection (sudo, su)", method)
	}
	sh := &shell{sess: sess, stdin: stdin, merged: merged, quit: make(chan struct{})}
	sh.out = newStream(stdout, sh.quit)
	if !merged {
		sh.err = newStream(stderr, sh.quit)
	} else {
		go io.Copy(io.Discard, stderr)
	}
	if err := sess.Start(cmd); err != nil {
		sh.close()
		if !c.alive() {
			return nil, c.s.unreachable(c.reason())
		}
		return nil, fmt.Errorf("ssh: starting a shell on %s: %v", c.s.host, err)
	}
	if err := c.handshake(ctx, sh, b, method, ready, prompt); err != nil {
		sh.close()
		return nil, err
	}
	// the stream shell parses this before the first request; no need to wait
	if _, err := io.WriteString(sh.stdin, prelude); err != nil {
		sh.close()
		return nil, fmt.Errorf("ssh: starting a shell on %s: %v", c.s.host, err)
	}
	return sh, nil
}

func becomeUser(b *connection.Become) string {
	if b.User == "" {
		return "root"
	}
	return b.User
}

// handshake waits for the loop's ready line, answering the become password
// prompt once; a second prompt means the password was wrong.
func (c *client) handshake(ctx context.Context, sh *shell, b *connection.Become, method, ready, prompt string) error {
	readyLine, readyOut := []byte(ready+"\n"), []byte(ready+" ")
	outReady, errReady := false, sh.merged
	var preOut, preErr []byte // output before the ready lines (prompts, errors)
	sent := false
	timer := time.NewTimer(c.s.timeout + 2*time.Second)
	defer timer.Stop()
	fail := func(msg string) error { return &connection.BecomeError{Msg: msg} }
	var errCh <-chan []byte
	if sh.err != nil {
		errCh = sh.err.ch
	}
	gone := false
	for !(outReady && errReady) && !gone {
		select {
		case chunk, ok := <-sh.out.ch:
			if !ok {
				gone = true
				break
			}
			sh.out.buf = append(sh.out.buf, chunk...)
			if i := bytes.Index(sh.out.buf, readyOut); i >= 0 && !outReady {
				if j := bytes.IndexByte(sh.out.buf[i:], '\n'); j >= 0 {
					sh.pgid, _ = strconv.Atoi(string(sh.out.buf[i+len(readyOut) : i+j]))
					preOut = append(preOut, sh.out.buf[:i]...)
					sh.out.buf = sh.out.buf[i+j+1:]
					outReady = true
				}
			}
		case chunk, ok := <-errCh:
			if !ok {
				errCh = nil
				if !errReady {
					gone = true
				}
				break
			}
			sh.err.buf = append(sh.err.buf, chunk...)
			if i := bytes.Index(sh.err.buf, readyLine); i >= 0 && !errReady {
				preErr = append(preErr, sh.err.buf[:i]...)
				sh.err.buf = sh.err.buf[i+len(readyLine):]
				errReady = true
			}
		case <-timer.C:
			if b != nil {
				return fail(fmt.Sprintf("Timeout (%ds) waiting for privilege escalation prompt: %s",
					int((c.s.timeout + 2*time.Second).Seconds()), strings.TrimSpace(string(pending(sh, outReady, errReady)))))
			}
			return c.s.unreachable(fmt.Errorf("Timeout waiting for a shell on %s", c.s.host))
		case <-ctx.Done():
			return ctx.Err()
		case <-c.done:
			return c.s.unreachable(c.reason())
		}
		if b == nil || outReady {
			continue
		}
		// look for the password prompt in what came before the ready line
		text := pending(sh, outReady, errReady)
		n := 0
		if method == "sudo" && prompt != "" {
			n = bytes.Count(text, []byte(prompt))
		} else if method == "su" {
			n = len(suPrompt.FindAllIndex(text, -1))
		}
		switch {
		case n >= 2 || n == 1 && sent && method == "sudo" && bytes.Contains(text, []byte("Sorry, try again")):
			return fail("Incorrect " + method + " password")
		case n == 1 && !sent:
			if b.Password == "" {
				return fail("Missing " + method + " password")
			}
			if _, err := io.WriteString(sh.stdin, b.Password+"\n"); err != nil {
				return fail("Incorrect " + method + " password")
			}
			sent = true
		}
	}
	if outReady && errReady {
		return nil
	}
	// the session ended before the loop started: become failed; collect its
	// last words
	drain := time.After(time.Second)
	for errCh != nil {
		select {
		case chunk, ok := <-errCh:
			if !ok {
				errCh = nil
			}
			sh.err.buf = append(sh.err.buf, chunk...)
		case <-drain:
			errCh = nil
		}
	}
	text := string(append(append(preOut, sh.out.buf...), append(preErr, bufOf(sh.err)...)...))
	if !c.alive() {
		return c.s.unreachable(c.reason())
	}
	if b == nil {
		return fmt.Errorf("ssh: the shell on %s ended at once: %s", c.s.host, strings.TrimSpace(text))
	}
	switch {
	case strings.Contains(text, "a password is required") || strings.Contains(text, "a terminal is required"):
		return fail("Missing " + method + " password")
	case sent || strings.Contains(text, "incorrect password") || strings.Contains(text, "Authentication failure"):
		return fail("Incorrect " + method + " password")
	}
	if prompt != "" {
		text = strings.ReplaceAll(text, prompt, "")
	}
	return fail(strings.TrimSpace(text))
}

func bufOf(s *stream) []byte {
	if s == nil {
		return nil
	}
	return s.buf
}

// pending is the output seen so far in which a password prompt may appear.
func pending(sh *shell, outReady, errReady bool) []byte {
	if sh.merged {
		return sh.out.buf
	}
	if errReady {
		return nil
	}
	return sh.err.buf
}

// run sends one request to the shell and reads its result. Any error leaves
// the shell unusable.
func (sh *shell) run(ctx context.Context, script string, stdin []byte) (*connection.Result, error) {
	if strings.IndexByte(script, 0) >= 0 {
		return nil, errors.New("ssh: command contains a NUL byte")
	}
	if !strings.HasSuffix(script, "\n") {
		script += "\n" // a here-document may end the script
	}
	mark := "OCTOPUS_" + randomHex(16)
	stop := context.AfterFunc(ctx, sh.close)
	defer stop()
	head, tail := request(mark, script, stdin, sh.merged)
	if _, err := io.WriteString(sh.stdin, head); err != nil {
		return nil, err
	}
	if tail != "" {
		// the shell reads no further until it asks: then head -c takes
		// exactly the raw bytes and the shell parses the rest
		if _, err := sh.out.until([]byte(mark + " G\n")); err != nil {
			return nil, err
		}
		if _, err := sh.stdin.Write(stdin); err != nil {
			return nil, err
		}
		if _, err := io.WriteString(sh.stdin, tail); err != nil {
			return nil, err
		}
	}
	m := []byte(mark)
	stdout, err := sh.out.until(m)
	if err != nil {
		return nil, err
	}
	rcText, err := sh.out.until([]byte("\n"))
	if err != nil {
		return nil, err
	}
	rc, err := strconv.Atoi(strings.TrimSpace(string(rcText)))
	if err != nil {
		return nil, fmt.Errorf("ssh: bad status %q from the shell", rcText)
	}
	var stderr []byte
	if sh.merged {
		stderr, err = sh.out.until([]byte(mark + "E\n"))
	} else {
		stderr, err = sh.err.until([]byte(mark + "\n"))
	}
	if err != nil {
		return nil, err
	}
	// copy: the stream's buffer is reused
	return &connection.Result{Stdout: bytes.Clone(stdout), Stderr: bytes.Clone(stderr), RC: rc}, nil
}

// needsBecome reports whether b asks for a user other than the login user.
func (c *client) needsBecome(b *connection.Become) bool {
	return b != nil && becomeUser(b) != c.s.user
}

// Exec runs cmd with /bin/sh semantics on the target, through a persistent
// shell of the login user or of the become user.
func (c *Conn) Exec(ctx context.Context, cmd string, opts connection.ExecOptions) (*connection.Result, error) {
	var pre strings.Builder
	if opts.Dir != "" {
		fmt.Fprintf(&pre, "cd %s || exit 1\n", connection.ShellQuote(opts.Dir))
	}
	keys := make([]string, 0, len(opts.Env))
	for k := range opts.Env {
		if !validEnvName(k) {
			return nil, fmt.Errorf("invalid environment variable name %q", k)
		}
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		fmt.Fprintf(&pre, "export %s=%s\n", k, connection.ShellQuote(opts.Env[k]))
	}
	return c.exec(ctx, pre.String()+cmd, opts.Stdin, opts.Become)
}

func validEnvName(k string) bool {
	if k == "" {
		return false
	}
	for i, r := range k {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func (c *Conn) exec(ctx context.Context, script string, stdin []byte, b *connection.Become) (*connection.Result, error) {
	cl, err := c.client(ctx)
	if err != nil {
		return nil, err
	}
	if !cl.needsBecome(b) {
		b = nil
	}
	sh, p, err := cl.acquire(ctx, b)
	if err != nil {
		return nil, err
	}
	res, err := sh.run(ctx, script, stdin)
	p.release(sh, err == nil)
	if err == nil {
		return res, nil
	}
	if ctx.Err() != nil {
		if sh.pgid > 1 && cl.alive() {
			// the command may still run on the target: kill the loop's group
			go func() {
				kctx, cancel := context.WithTimeout(context.Background(), c.s.timeout)
				defer cancel()
				c.exec(kctx, fmt.Sprintf("kill -s KILL -- -%d", sh.pgid), nil, b)
			}()
		}
		return nil, ctx.Err()
	}
	if cl.alive() && !cl.ping() {
		cl.fail(fmt.Errorf("Shared connection to %s closed.", c.s.host))
	}
	if !cl.alive() {
		return nil, c.s.unreachable(cl.reason())
	}
	return nil, fmt.Errorf("ssh: the shell on %s ended unexpectedly: %v", c.s.host, err)
}

// ping reports whether the server answers a keepalive within the keepalive
// interval.
func (c *client) ping() bool {
	reply := make(chan error, 1)
	go func() {
		_, _, err := c.ssh.SendRequest("keepalive@openssh.com", true, nil)
		reply <- err
	}()
	select {
	case err := <-reply:
		return err == nil
	case <-time.After(c.s.aliveInterval * time.Duration(c.s.aliveMax)):
		return false
	case <-c.done:
		return false
	}
}

// Put writes data to path atomically through the shell: a temporary file in
// the destination directory (created exclusively, with the final mode where
// the umask can give it), the data, chmod when still needed, then mv over
// path. Mode 0 keeps the mode of an existing file, else 0644. Only mv (and
// chmod, cat for large data) start processes.
func (c *Conn) Put(ctx context.Context, path string, data []byte, opts connection.PutOptions) error {
	script, stdin := putScript(path, opts.Mode.Perm(), data)
	res, err := c.exec(ctx, script, stdin, opts.Become)
	if err != nil {
		return err
	}
	if res.RC != 0 {
		return fmt.Errorf("writing %s: %s", path, strings.TrimSpace(string(res.Stderr)))
	}
	return nil
}

// putScript is the script of Put and its standard input: data up to
// inlineStdin bytes is written by the printf builtin inside the script.
func putScript(path string, mode os.FileMode, data []byte) (string, []byte) {
	umask := os.FileMode(0o022)
	chmod := `if [ -e "$__p" ]; then chmod --reference="$__p" "$__t" || exit 1; fi`
	if mode != 0 {
		chmod = ""
		umask = 0o777 &^ mode
		if mode&0o111 != 0 || mode&0o200 == 0 {
			// the umask cannot give execute bits, and the data is written
			// after creation: chmod last
			umask = 0o077
			chmod = fmt.Sprintf(`chmod %o "$__t" || exit 1`, mode)
		}
	}
	write, stdin := `cat > "$__t" || exit 1`, data
	if len(data) <= inlineStdin {
		write, stdin = `printf %b `+quoteBytes(data)+` > "$__t" || exit 1`, nil
	}
	return fmt.Sprintf(`__p=%s
case $__p in */*) __d=${__p%%/*}; [ -n "$__d" ] || __d=/ ;; *) __d=. ;; esac
__t=$__d/.${__p##*/}.octopus.%s
( umask %03o; set -C; : > "$__t" ) || exit 1
trap 'rm -f "$__t"' EXIT
%s
%s
mv -f "$__t" "$__p" || exit 1
trap - EXIT
`, connection.ShellQuote(path), randomHex(6), umask, write, chmod), stdin
}

// Get reads a whole file through the shell.
func (c *Conn) Get(ctx context.Context, path string, become *connection.Become) ([]byte, error) {
	res, err := c.exec(ctx, "exec cat -- "+connection.ShellQuote(path), nil, become)
	if err != nil {
		return nil, err
	}
	if res.RC != 0 {
		return nil, fmt.Errorf("reading %s: %s", path, strings.TrimSpace(string(res.Stderr)))
	}
	return res.Stdout, nil
}
