package executor

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// rebootArgs are the options the reboot action accepts.
var rebootArgs = map[string]bool{
	"boot_time_command": true, "connect_timeout": true, "msg": true, "post_reboot_delay": true,
	"pre_reboot_delay": true, "reboot_command": true, "reboot_timeout": true, "search_paths": true,
	"test_command": true,
}

// rebootSearchPaths is where a shutdown command without a directory is
// looked for by default.
var rebootSearchPaths = []any{"/sbin", "/bin", "/usr/sbin", "/usr/bin", "/usr/local/sbin"}

// errRebootUnchanged: the boot identifier did not change yet.
var errRebootUnchanged = errors.New("boot time has not changed")

// actReboot reboots a Linux host as Ansible's reboot action does: it
// records the boot identifier, runs the shutdown command, waits until the
// identifier changes (reconnecting with backoff while the host is down)
// and the test command succeeds.
func actReboot(ctx context.Context, a *actionCtx) *value.Dict {
	action := a.rt.Task.Action
	target, scope := a.host, a.scope
	if a.hr.delegate != "" {
		target = a.hr.delegate
		scope = a.pr.scope(target, a.rt, nil)
	}
	cv := a.pr.connVars(a.rt, target, scope)
	if cv.Connection == "local" {
		return value.DictOf("changed", false, "elapsed", 0, "rebooted", false, "failed", true,
			"msg", fmt.Sprintf("Running %s with local connection would reboot the control node.", action))
	}
	if a.pr.checkMode(a.rt, a.host) {
		return value.DictOf("changed", true, "elapsed", 0, "rebooted", true)
	}
	var bad []string
	for k := range a.args {
		if !rebootArgs[k] {
			bad = append(bad, k)
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		// (raised as AnsibleActionFail outside an except clause: Ansible's
		// result carries an empty traceback)
		return value.DictOf("failed", true, "msg", fmt.Sprintf("Invalid options for %s: %s", action, strings.Join(bad, ",")),
			"exception", "NoneType: None\n")
	}
	delay := func(key string, def int) int {
		n, ok := numOf(a.args[key])
		if !ok || n < 0 {
			if ok {
				return 0
			}
			return def
		}
		return int(n)
	}
	preDelay, postDelay, timeout := delay("pre_reboot_delay", 0), delay("post_reboot_delay", 0), delay("reboot_timeout", 600)
	if n, ok := numOf(a.args["connect_timeout"]); ok && n > 0 {
		cv.Timeout = int(n)
	}
	become := a.pr.become(a.rt, a.host, a.scope)
	run := func(cmd string) (*connection.Result, error) {
		c, err := a.pr.r.conn(ctx, target, cv)
		if err != nil {
			return nil, err
		}
		res, err := c.Exec(ctx, cmd, connection.ExecOptions{Become: become})
		if err != nil && connection.IsUnreachable(err) {
			a.pr.r.dropConn(target)
		}
		return res, err
	}

	bootCmd := "cat /proc/sys/kernel/random/boot_id"
	if s, ok := a.args["boot_time_command"].(string); ok && s != "" {
		bootCmd = s
	}
	bootID := func() (string, error) {
		res, err := run(bootCmd)
		if err != nil {
			return "", err
		}
		if res.RC != 0 {
			return "", fmt.Errorf("%s: failed to get host boot time info, rc: %d, stdout: %s, stderr: %s", action, res.RC, res.Stdout, res.Stderr)
		}
		return strings.TrimSpace(string(res.Stdout)), nil
	}
	before, err := bootID()
	if err != nil {
		if connection.IsUnreachable(err) {
			return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
		}
		return value.DictOf("failed", true, "reboot", false, "msg", err.Error())
	}

	command, err := a.shutdownCommand(run, preDelay)
	if err != nil {
		// an error of the action itself: reported without "changed"
		return value.DictOf("failed", true, "msg", err.Error(), errMarker, true)
	}
	res, err := run(command)
	start := time.Now()
	elapsed := func() int { return int(time.Since(start) / time.Second) }
	if err != nil && !connection.IsUnreachable(err) {
		return value.DictOf("failed", true, "msg", err.Error(), errMarker, true)
	}
	// (a connection the shutdown closes counts as success)
	if err == nil && res.RC != 0 {
		return value.DictOf("failed", true, "rebooted", false, "elapsed", elapsed(),
			"start", start.UTC().Format("2006-01-02T15:04:05.000000"),
			"msg", fmt.Sprintf("Reboot command failed. Error was: '%s, %s'", strings.TrimSpace(string(res.Stdout)), strings.TrimSpace(string(res.Stderr))))
	}
	if postDelay > 0 {
		sleepCtx(ctx, time.Duration(postDelay)*time.Second)
	}

	testCmd := "whoami"
	if s, ok := a.args["test_command"].(string); ok {
		testCmd = s
	}
	steps := []struct {
		desc  string
		check func() error
	}{
		{"last boot time check", func() error {
			now, err := bootID()
			if err == nil && (now == "" || now == before) {
				err = errRebootUnchanged
			}
			return err
		}},
		{"post-reboot test command", func() error {
			res, err := run(testCmd)
			if err == nil && res.RC != 0 {
				err = fmt.Errorf("Test command failed: %s %s", res.Stderr, res.Stdout)
			}
			return err
		}},
	}
	for _, s := range steps {
		if !untilSuccess(ctx, time.Duration(timeout)*time.Second, s.check) {
			return value.DictOf("failed", true, "rebooted", true, "elapsed", elapsed(),
				"msg", fmt.Sprintf("Timed out waiting for %s (timeout=%d)", s.desc, timeout))
		}
	}
	return value.DictOf("rebooted", true, "changed", true, "elapsed", elapsed())
}

// shutdownCommand is the command line that reboots the host: reboot_command,
// or Linux's `shutdown -r <minutes> "<msg>"`, its program looked up in
// search_paths unless it names a directory.
func (a *actionCtx) shutdownCommand(run func(string) (*connection.Result, error), preDelay int) (string, error) {
	var prog, args string
	if rc, ok := a.args["reboot_command"]; ok && rc != nil {
		s, isStr := rc.(string)
		if !isStr {
			return "", fmt.Errorf("Invalid value given for 'reboot_command': '%s' is not a string and conversion is not allowed.", pyfmt.Str(rc))
		}
		prog, args, _ = strings.Cut(s, " ")
	} else {
		msg := "Reboot initiated by Ansible"
		if m, ok := a.args["msg"]; ok {
			msg = pyfmt.Str(m)
		}
		prog, args = "shutdown", fmt.Sprintf(`-r %d "%s"`, preDelay/60, msg)
	}
	if strings.HasPrefix(prog, "/") {
		return prog + " " + args, nil
	}
	paths := rebootSearchPaths
	switch sp := a.args["search_paths"].(type) {
	case nil:
	case []any:
		paths = sp
	case string:
		paths = nil
		for _, p := range strings.Split(sp, ",") {
			paths = append(paths, p)
		}
	default:
		return "", fmt.Errorf("'search_paths' must be a string or flat list of strings, got %s", pyfmt.Repr(sp))
	}
	var script strings.Builder
	script.WriteString("for d in")
	for _, p := range paths {
		script.WriteString(" " + connection.ShellQuote(pyfmt.Str(p)))
	}
	fmt.Fprintf(&script, `; do if [ -e "$d"/%[1]s ] || [ -L "$d"/%[1]s ]; then printf '%%s/%%s\n' "${d%%/}" %[1]s; break; fi; done`, connection.ShellQuote(prog))
	res, err := run(script.String())
	if err != nil {
		return "", err
	}
	found := strings.TrimSpace(string(res.Stdout))
	if found == "" {
		return "", fmt.Errorf("Unable to find command \"%s\" in search paths: %s", prog, pyfmt.Repr(paths))
	}
	return found + " " + args, nil
}

// untilSuccess calls check until it succeeds or timeout passes, sleeping
// between attempts with exponential backoff (2^n seconds plus up to one,
// at most 12) as Ansible's reboot action does. It reports success.
func untilSuccess(ctx context.Context, timeout time.Duration, check func() error) bool {
	end := time.Now().Add(timeout)
	for n := 0; time.Now().Before(end) && ctx.Err() == nil; n++ {
		if check() == nil {
			return true
		}
		jitter := rand.Float64()
		wait := float64(uint(1)<<min(n, 4)) + jitter
		if wait > 12 {
			wait = 12 + jitter
		}
		sleepCtx(ctx, time.Duration(wait*float64(time.Second)))
	}
	return false
}

// sleepCtx sleeps for d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
	case <-t.C:
	}
}
