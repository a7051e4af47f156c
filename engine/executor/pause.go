package executor

import (
	"context"
	"fmt"
	"io"
	"math"
	"os"
	"strings"
	"time"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Terminal control sequences the pause action writes (as Ansible does,
// each one after an extra ESC "[").
const (
	pauseClearLine = "\x1b[\r\x1b[\x1b[K"
	pauseControls  = "(ctrl+C then 'C' = continue early, ctrl+C then 'A' = abort)\r"
)

// stdinFd returns the descriptor of the run's stdin when it is a file.
func (r *runner) stdinFd() (int, bool) {
	f, ok := r.opts.Stdin.(interface{ Fd() uintptr })
	if !ok || r.opts.Stdin == nil {
		return -1, false
	}
	return int(f.Fd()), true
}

// stdout is where prompts and terminal controls are written.
func (r *runner) stdout() io.Writer {
	if r.opts.Stdout != nil {
		return r.opts.Stdout
	}
	return os.Stdout
}

// taskName is the task's name as its banner shows it.
func (pr *playRun) taskName(rt *rtask, host string) string {
	name := displayName(rt)
	if rt.Task.Name != "" {
		if v, err := pr.r.tpl.Template(rt.Task.Name, pr.scope(host, rt, nil)); err == nil {
			name = displayNameWith(rt, fmt.Sprint(v))
		}
	}
	return strings.TrimSpace(name)
}

// pauseInt converts a minutes/seconds argument as Python's int() does.
func pauseInt(v any) (int, bool, error) {
	if v == nil {
		return 0, false, nil
	}
	switch x := v.(type) {
	case string:
		var n int
		if _, err := fmt.Sscanf(strings.TrimSpace(x), "%d", &n); err != nil || fmt.Sprint(n) != strings.TrimLeft(strings.TrimSpace(x), "+") {
			return 0, false, fmt.Errorf("invalid literal for int() with base 10: %s", pyfmt.Repr(x))
		}
		return n, true, nil
	case bool:
		if x {
			return 1, true, nil
		}
		return 0, true, nil
	}
	if f, ok := numOf(v); ok {
		return int(math.Trunc(f)), true, nil
	}
	return 0, false, fmt.Errorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", pyfmt.TypeName(v))
}

// actPause is the pause action: it runs once for the batch (on the first
// host) and waits for Enter, for a time, or for ctrl+C then C or A.
func actPause(ctx context.Context, a *actionCtx) *value.Dict {
	r := a.pr.r
	fail := func(msg string) *value.Dict {
		// argument validation raises: Ansible reports an exception
		// without a traceback
		return value.DictOf("changed", false, "msg", msg, "failed", true, "exception", "NoneType: None\n")
	}
	for k := range a.args {
		switch k {
		case "echo", "minutes", "seconds", "prompt":
		default:
			return fail(fmt.Sprintf("Unsupported parameters for (pause) module: %s. Supported parameters include: echo, minutes, prompt, seconds.", k))
		}
	}
	if a.args["minutes"] != nil && a.args["seconds"] != nil {
		return fail("parameters are mutually exclusive: minutes|seconds")
	}
	echo := true
	if v, ok := a.args["echo"]; ok && v != nil {
		b, ok := boolOf(v)
		if !ok {
			return fail(fmt.Sprintf("argument 'echo' is of type %s and we were unable to convert to bool: The value '%s' is not a valid boolean.  Valid booleans include: 'no', 'on', 'off', 'yes', 'false', 'true', '1', '0', 'f', 'n', 't', 'y'", pyfmt.TypeName(v), pyfmt.Str(v)))
		}
		echo = b
	}
	unit := "minutes"
	seconds, timed := 0, false
	if m, ok, err := pauseInt(a.args["minutes"]); err != nil {
		return fail("argument 'minutes' is of type " + pyfmt.TypeName(a.args["minutes"]) + " and we were unable to convert to int: " + err.Error())
	} else if ok {
		seconds, timed = m*60, true
	}
	if s, ok, err := pauseInt(a.args["seconds"]); err != nil {
		return fail("argument 'seconds' is of type " + pyfmt.TypeName(a.args["seconds"]) + " and we were unable to convert to int: " + err.Error())
	} else if ok {
		seconds, timed, unit = s, true, "seconds"
	}
	hidden := ""
	if !echo {
		hidden = " (output is hidden)"
	}
	text := "Press enter to continue, Ctrl+C to interrupt"
	userPrompt := ""
	if p, ok := a.args["prompt"]; ok && p != nil {
		userPrompt = pyfmt.Str(p)
	}
	if userPrompt != "" {
		text = userPrompt
	}
	prompt := fmt.Sprintf("[%s]\n%s%s:", a.pr.taskName(a.rt, a.host), text, hidden)

	res := value.NewDict(10)
	res.Set("changed", false)
	res.Set("rc", 0)
	res.Set("stderr", "")
	res.Set("stdout", "")
	start := time.Now()
	res.Set("start", pyfmt.DateTime(start))
	res.Set("stop", nil)
	res.Set("delta", nil)
	res.Set("echo", echo)
	res.Set("user_input", "")

	say := func(s string) { r.cb.Verbose(0, s) }
	if timed {
		if seconds < 1 {
			seconds = 1
		}
		say(fmt.Sprintf("Pausing for %d seconds%s", seconds, hidden))
		say(pauseControls)
		if userPrompt != "" {
			say(prompt)
		}
	} else {
		say(prompt)
	}
	var deadline time.Time
	if timed {
		deadline = start.Add(time.Duration(seconds) * time.Second)
	}
	input, abort := a.pr.pauseWait(ctx, timed, deadline, echo)

	stop := time.Now()
	took := stop.Sub(start).Seconds()
	res.Set("stop", pyfmt.DateTime(stop))
	res.Set("delta", int(took))
	if unit == "minutes" {
		took /= 60
	}
	res.Set("stdout", fmt.Sprintf("Paused for %s %s", pyfmt.Float(math.Round(took*100)/100), unit))
	if abort {
		return failedResult("user requested abort!", a.hr.noLog)
	}
	res.Set("user_input", input)
	return res
}

// pauseWait waits as the pause action does: on a terminal in the
// foreground it reads keys (raw mode; echo only for an untimed prompt
// with echo on); otherwise an untimed prompt does not wait and a timed
// one sleeps. It returns the input typed and whether the user aborted.
func (pr *playRun) pauseWait(ctx context.Context, timed bool, deadline time.Time, echo bool) (string, bool) {
	r := pr.r
	fd, ok := r.stdinFd()
	if !ok || !isTTY(fd) || !isForeground(fd) {
		if !timed {
			r.workerWarning("Not waiting for response to prompt as stdin is not interactive")
			return "", false
		}
		select {
		case <-ctx.Done():
		case <-time.After(time.Until(deadline)):
		}
		return "", false
	}
	w := r.stdout()
	intr, erase := termKeys(fd)
	saved, err := saveTerm(fd)
	if err != nil {
		return "", false
	}
	defer saved.restore()
	pauseRaw(fd)
	if f, ok := w.(interface{ Fd() uintptr }); ok && int(f.Fd()) != fd && isTTY(int(f.Fd())) {
		pauseRaw(int(f.Fd()))
	}
	if !timed && echo {
		setEcho(fd, true)
	}
	flushInput(fd)
	var input []byte
	for ctx.Err() == nil {
		wait := -1
		if timed {
			left := time.Until(deadline)
			if left <= 0 {
				return "", false
			}
			wait = int(left/time.Millisecond) + 1
		}
		if wait < 0 || wait > 200 {
			wait = 200 // wake up now and then to notice cancellation
		}
		b, got, err := readByte(fd, wait)
		if err != nil {
			return string(input), false
		}
		if !got {
			continue
		}
		if b == intr {
			fmt.Fprint(w, pauseClearLine)
			r.cb.Verbose(0, "Press 'C' to continue the play or 'A' to abort \r")
			for {
				c, got, err := readByte(fd, 200)
				if err != nil || ctx.Err() != nil {
					return string(input), false
				}
				if !got {
					continue
				}
				switch c {
				case 'a', 'A':
					fmt.Fprint(w, pauseClearLine)
					return string(input), true
				case 'c', 'C':
					fmt.Fprint(w, pauseClearLine)
					return string(input), false
				}
			}
		}
		if timed {
			continue
		}
		switch {
		case b == '\r' || b == '\n':
			fmt.Fprint(w, pauseClearLine)
			return string(input), false
		case b == erase:
			if len(input) > 0 {
				input = input[:len(input)-1]
			}
			fmt.Fprint(w, pauseClearLine)
			if echo {
				w.Write(input)
			}
		default:
			input = append(input, b)
		}
	}
	return string(input), false
}

// workerWarning prints a warning raised while a task runs: every time,
// unlike the controller's once-per-run warnings.
func (r *runner) workerWarning(msg string) {
	if r.opts.TaskWarning != nil {
		r.opts.TaskWarning(msg)
		return
	}
	r.cb.Warning(msg)
}
