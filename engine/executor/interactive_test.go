//go:build linux

package executor

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// Differential tests of the interactive features (pause, vars_prompt, the
// task debugger): ansible-playbook and octopus are driven through a
// pseudo-terminal and through a pipe with the same keystrokes, and their
// transcripts compared once timings are normalised.

// openPTY opens a pseudo-terminal pair.
func openPTY() (master, slave *os.File, err error) {
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		return nil, nil, err
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		return nil, nil, err
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		return nil, nil, err
	}
	return m, s, nil
}

// ptyStep is one step of a terminal session: wait for text to show, or
// type keys.
type ptyStep struct {
	expect string
	send   string
}

// transcript is what a driven run wrote and how it ended.
type transcript struct {
	out, err string
	rc       int
}

// runPTY runs cmd on a new pseudo-terminal (its controlling terminal, in
// the foreground), plays steps, and returns everything the terminal
// showed.
func runPTY(t *testing.T, cmd *exec.Cmd, steps []ptyStep) transcript {
	t.Helper()
	m, s, err := openPTY()
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	defer m.Close()
	cmd.Stdin, cmd.Stdout, cmd.Stderr = s, s, s
	cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
	if err := cmd.Start(); err != nil {
		s.Close()
		t.Fatal(err)
	}
	s.Close()
	var mu sync.Mutex
	var buf bytes.Buffer
	done := make(chan struct{})
	go func() {
		defer close(done)
		b := make([]byte, 4096)
		for {
			n, err := m.Read(b)
			mu.Lock()
			buf.Write(b[:n])
			mu.Unlock()
			if err != nil {
				return
			}
		}
	}()
	pos := 0
	for _, st := range steps {
		if st.expect != "" {
			deadline := time.Now().Add(30 * time.Second)
			for {
				mu.Lock()
				i := strings.Index(buf.String()[pos:], st.expect)
				mu.Unlock()
				if i >= 0 {
					pos += i + len(st.expect)
					break
				}
				if time.Now().After(deadline) {
					_ = cmd.Process.Kill()
					mu.Lock()
					got := buf.String()
					mu.Unlock()
					t.Fatalf("%s: timed out waiting for %q; output so far:\n%s", cmd.Path, st.expect, got)
				}
				time.Sleep(20 * time.Millisecond)
			}
		}
		if st.send != "" {
			time.Sleep(300 * time.Millisecond)
			if _, err := m.Write([]byte(st.send)); err != nil {
				t.Fatal(err)
			}
		}
	}
	werr := cmd.Wait()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	mu.Lock()
	defer mu.Unlock()
	return transcript{out: buf.String(), rc: exitCode(werr)}
}

// runPipe runs cmd with stdin fed from a pipe.
func runPipe(cmd *exec.Cmd, stdin string) transcript {
	var out, errb bytes.Buffer
	cmd.Stdin = strings.NewReader(stdin)
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	return transcript{out: out.String(), err: errb.String(), rc: exitCode(err)}
}

func exitCode(err error) int {
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	if err != nil {
		return -1
	}
	return 0
}

var (
	reTimestamp = regexp.MustCompile(`\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?`)
	rePaused    = regexp.MustCompile(`Paused for [0-9.]+ minutes`)
	rePausedSec = regexp.MustCompile(`Paused for (\d+\.\d)\d* seconds`) // timer jitter
	reDelta     = regexp.MustCompile(`"delta": "[0-9:.]+"`)
)

// normalise hides what differs from run to run.
func normalise(s string) string {
	s = reTimestamp.ReplaceAllString(s, "TIMESTAMP")
	s = rePaused.ReplaceAllString(s, "Paused for N minutes")
	s = rePausedSec.ReplaceAllString(s, "Paused for ${1} seconds")
	return reDelta.ReplaceAllString(s, `"delta": "D"`)
}

// octopusBin builds the octopus command as ansible-playbook once.
var octopusBin = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "octopus-interactive")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "ansible-playbook")
	if out, err := exec.Command("go", "build", "-o", bin, "octopus/cmd/octopus").CombinedOutput(); err != nil {
		return "", fmt.Errorf("%v: %s", err, out)
	}
	return bin, nil
})

func TestInteractiveAgainstAnsible(t *testing.T) {
	ansible, err := exec.LookPath("ansible-playbook")
	if err != nil {
		t.Skip("ansible-playbook not installed: interactive differential tests skipped")
	}
	if testing.Short() {
		t.Skip("interactive differential tests take about a minute: skipped with -short")
	}
	bin, err := octopusBin()
	if err != nil {
		t.Fatal(err)
	}
	dir, err := filepath.Abs("testdata/interactive")
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		env  []string
		tty  bool
		// background runs the command as a background job of a shell
		// with job control on the terminal
		background bool
		steps      []ptyStep // terminal sessions
		stdin      string    // pipe sessions
		wantCode   int
	}{
		{name: "pause prompt on a terminal", args: []string{"-i", "localhost", "pause_prompt.yml"}, tty: true,
			steps: []ptyStep{{expect: "something:", send: "abc\r"}, {expect: "Secret", send: "xy\x7fz\r"}}},
		{name: "pause timed, ctrl+C then C or A", args: []string{"-i", "localhost", "pause_timed.yml"}, tty: true, wantCode: 2,
			steps: []ptyStep{{expect: "Waiting here:", send: "\x03"}, {expect: "abort \r", send: "c"},
				{expect: "TASK [typed]"}, {expect: "abort)", send: "hello\r"},
				{expect: "TASK [abort]"}, {expect: "abort)", send: "\x03"}, {expect: "Press", send: "A"}}},
		{name: "vars_prompt on a terminal", args: []string{"-i", "localhost", "vars_prompt.yml"}, tty: true,
			steps: []ptyStep{{expect: "please", send: "joe\r"}, {expect: "b [", send: "\r"},
				{expect: "Pass", send: "s1\r"}, {expect: "confirm", send: "s2\r"},
				{expect: "Pass", send: "s3\r"}, {expect: "confirm", send: "s3\r"},
				{expect: "Hashed", send: "pw\r"}, {expect: "input for", send: "zz\r"}}},
		{name: "debugger on a terminal", args: []string{"-i", "localhost", "debugger.yml"}, tty: true,
			steps: []ptyStep{{expect: "(debug)> ", send: "p task\r"}, {expect: "(debug)> ", send: "p task.args\r"},
				{expect: "(debug)> ", send: "p host\r"}, {expect: "(debug)> ", send: "p result._result\r"},
				{expect: "(debug)> ", send: "task_vars[\"wanted\"] = 2\r"}, {expect: "(debug)> ", send: "u\r"},
				{expect: "(debug)> ", send: "p nosuch\r"}, {expect: "(debug)> ", send: "h\r"},
				{expect: "(debug)> ", send: "r\r"}, {expect: "shown (debug)> ", send: "q\r"}}, wantCode: 99},
		{name: "pause in a background job", args: []string{"-i", "localhost", "pause_prompt.yml"}, tty: true, background: true},
		{name: "pause without a terminal", args: []string{"-i", "hosts", "pause_pipe.yml"}, stdin: "abc\n"},
		{name: "vars_prompt without a terminal", args: []string{"-i", "localhost", "vars_prompt_pipe.yml", "-e", "b=given"}, stdin: "x\n"},
		{name: "vars_prompt encrypt without a terminal", args: []string{"-i", "localhost", "vars_prompt_crash.yml"}, wantCode: 250},
		{name: "debugger from a pipe", args: []string{"-i", "hosts", "debugger_pipe.yml"}, env: []string{"ANSIBLE_ENABLE_TASK_DEBUGGER=1"},
			stdin: "p task.args\ntask.args['msg'] = 'changed'\nr\np result._result['msg']\ntask_vars['inventory_hostname'] = 'other'\nu\nr\np host\nhelp c\n\np task.args\nc\n", wantCode: 99},
		{name: "debugger quit from a pipe", args: []string{"-i", "localhost", "debugger.yml"},
			stdin: "p task.args['that']\ntask.args['that'] = 'wanted == 1'\np task.args\nu\np task.args\nr\nq\n", wantCode: 99},
		{name: "debugger at end of input", args: []string{"-i", "localhost", "debugger.yml"}, wantCode: 99},
		{name: "debugger on unreachable", args: []string{"-i", "unreach", "debugger_unreach.yml"},
			stdin: "p result._result[\"unreachable\"]\nr\nc\nc\n", wantCode: 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			run := func(prog string) transcript {
				cmd := exec.Command(prog, c.args...)
				if c.background {
					cmd = exec.Command("sh", append([]string{"-c", `set -m; "$0" "$@" & wait $!`, prog}, c.args...)...)
				}
				cmd.Dir = dir
				cmd.Env = append(os.Environ(), "ANSIBLE_RETRY_FILES_ENABLED=0", "ANSIBLE_HOST_KEY_CHECKING=0")
				cmd.Env = append(cmd.Env, c.env...)
				if c.tty {
					cmd.Env = append(cmd.Env, "TERM=xterm")
					return runPTY(t, cmd, c.steps)
				}
				cmd.Env = append(cmd.Env, "ANSIBLE_NOCOLOR=1")
				return runPipe(cmd, c.stdin)
			}
			want, got := run(ansible), run(bin)
			if want.rc != c.wantCode {
				t.Logf("ansible-playbook exited %d, the case expects %d", want.rc, c.wantCode)
			}
			if got.rc != want.rc {
				t.Errorf("exit code %d, ansible-playbook %d", got.rc, want.rc)
			}
			if w, g := normalise(want.out), normalise(got.out); w != g {
				t.Errorf("output differs from ansible-playbook's\n--- ansible-playbook\n%q\n--- octopus\n%q", w, g)
			}
			if w, g := normalise(want.err), normalise(got.err); w != g {
				t.Errorf("stderr differs from ansible-playbook's\n--- ansible-playbook\n%s\n--- octopus\n%s", w, g)
			}
		})
	}
}

func TestPformat(t *testing.T) {
	long := strings.Repeat("x", 70)
	cases := []struct {
		in   any
		want string
	}{
		{map[string]any{"b": 1, "a": "x"}, "{'a': 'x', 'b': 1}"},
		{[]any{1, "a", nil, true}, "[1, 'a', None, True]"},
		{map[string]any{"k": long, "j": false}, "{'j': False,\n 'k': '" + long + "'}"},
		{[]any{long, long}, "['" + long + "',\n '" + long + "']"},
	}
	for _, c := range cases {
		if got := pformat(c.in, 0); got != c.want {
			t.Errorf("pformat(%v) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestParseExpr(t *testing.T) {
	cases := []struct {
		in    string
		root  string
		steps int
		bad   bool
	}{
		{in: "task.args['x']", root: "task", steps: 2},
		{in: `task_vars["a"][0]`, root: "task_vars", steps: 2},
		{in: "result._result", root: "result", steps: 1},
		{in: "host", root: "host"},
		{in: "task.args['x'", bad: true},
		{in: "1abc", bad: true},
	}
	for _, c := range cases {
		root, steps, err := parseExpr(c.in)
		if (err != nil) != c.bad {
			t.Errorf("%s: error %v", c.in, err)
			continue
		}
		if !c.bad && (root != c.root || len(steps) != c.steps) {
			t.Errorf("%s: root %q with %d steps", c.in, root, len(steps))
		}
	}
}
