package executor

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Task debugger: ansible's interactive "[host] TASK: name (debug)> "
// prompt, entered after a task result is shown when the debugger keyword
// (always, never, on_failed, on_unreachable, on_skipped), the
// enable_task_debugger setting or the debug strategy asks for it.

// errDebuggerQuit ends the run with exit code 99 and no message.
var errDebuggerQuit = &codedError{err: errors.New(""), code: ExitInterrupted}

// debuggerActive reports whether failures and unreachable hosts open the
// debugger without a debugger keyword.
func (pr *playRun) debuggerActive() bool {
	st := pr.strategy[strings.LastIndex(pr.strategy, ".")+1:]
	return pr.r.opts.TaskDebugger || st == "debug"
}

// needsDebugger is ansible's TaskResult.needs_debugger.
func (pr *playRun) needsDebugger(hr *hostResult) bool {
	failed := hr.status == output.StatusFailed && !hr.ignoreErrors
	unreach := hr.status == output.StatusUnreachable
	ret := pr.debuggerActive() && (failed || unreach)
	kw := ""
	if v := pr.kwAny(hr.rt, hr.host, func(k *kwT) any { return k.Debugger }); v != nil {
		kw = fmt.Sprint(v)
	}
	switch kw {
	case "always":
		ret = true
	case "never":
		ret = false
	case "on_failed":
		ret = ret || failed
	case "on_unreachable":
		ret = ret || unreach
	case "on_skipped":
		ret = ret || hr.status == output.StatusSkipped
	}
	return ret
}

// processDebug processes hr and then, when asked for, runs the debugger
// on it: the user may look at and change the task's arguments and
// variables, then continue, redo the task (the host's state goes back to
// before the result, and the new result is processed and returned in
// place of hr) or quit the run.
func (pr *playRun) processDebug(ctx context.Context, hr *hostResult) *hostResult {
	if !pr.needsDebugger(hr) {
		pr.process(hr)
		return hr
	}
	for {
		snap := pr.snapshot(hr.host)
		pr.process(hr)
		if !pr.needsDebugger(hr) || ctx.Err() != nil {
			return hr
		}
		d := &debugger{pr: pr, hr: hr, task: hr.rt, vars: value.NewDict(0)}
		d.updateTask()
		switch d.loop() {
		case dbgContinue:
			return hr
		case dbgQuit:
			pr.r.setFatal(errDebuggerQuit)
			return hr
		}
		snap.restore()
		hr = pr.execHost(ctx, d.redoTask(), hr.host)
	}
}

// hostSnapshot is a host's run state before a result is processed.
type hostSnapshot struct {
	pr                     *playRun
	host                   string
	it                     hostIter
	stats                  output.HostStats
	failed, unreach, rmved bool
}

func (pr *playRun) snapshot(host string) *hostSnapshot {
	s := &hostSnapshot{pr: pr, host: host}
	if it := pr.iters[host]; it != nil {
		s.it = *it
		s.it.stack = make([]*iframe, len(it.stack))
		for i, f := range it.stack {
			c := *f
			s.it.stack[i] = &c
		}
	}
	r := pr.r
	r.mu.Lock()
	s.stats = *r.stat(host)
	s.failed, s.unreach = r.failed[host], r.unreach[host]
	r.mu.Unlock()
	pr.mu.Lock()
	s.rmved = pr.removed[host]
	pr.mu.Unlock()
	return s
}

// restore puts the host's state back.
func (s *hostSnapshot) restore() {
	pr, r, host := s.pr, s.pr.r, s.host
	if it := pr.iters[host]; it != nil {
		*it = s.it
	}
	r.mu.Lock()
	*r.stat(host) = s.stats
	setOrDelete(r.failed, host, s.failed)
	setOrDelete(r.unreach, host, s.unreach)
	r.mu.Unlock()
	pr.mu.Lock()
	setOrDelete(pr.removed, host, s.rmved)
	pr.mu.Unlock()
	pr.updatePlayInfo()
}

func setOrDelete(m map[string]bool, k string, v bool) {
	if v {
		m[k] = true
	} else {
		delete(m, k)
	}
}

type dbgAction int

const (
	dbgContinue dbgAction = iota
	dbgRedo
	dbgQuit
)

// debugger is one debugger session on a result.
type debugger struct {
	pr   *playRun
	hr   *hostResult
	task *rtask
	args map[string]any // task.args as edited
	vars *value.Dict    // task_vars assignments
	last string
}

// updateTask takes the task's arguments as written again, templated
// with the task's variables (and those assigned).
func (d *debugger) updateTask() {
	d.args = copyArgs(d.task.Task.Args)
	rt := d.redoTask()
	if a, err := d.pr.templateArgs(rt, d.pr.scope(d.hr.host, rt, nil)); err == nil {
		d.args = a
	}
}

func copyArgs(a map[string]any) map[string]any {
	out := make(map[string]any, len(a))
	for k, v := range a {
		out[k] = v
	}
	return out
}

// redoTask is the task to run again: edited arguments, and assigned
// variables as task vars.
func (d *debugger) redoTask() *rtask {
	t := *d.task.Task
	t.Args = d.args
	if d.vars.Len() > 0 {
		nv := &playbook.Vars{}
		if t.Vars != nil {
			for _, k := range t.Vars.Keys {
				nv.Set(k, t.Vars.Values[k])
			}
		}
		for _, k := range d.vars.Keys() {
			v, _ := d.vars.Get(k)
			nv.Set(k, v)
		}
		t.Vars = nv
	}
	rt := *d.task
	rt.Task = &t
	return &rt
}

func (d *debugger) out() io.Writer { return d.pr.r.stdout() }

// in returns the reader the debugger's commands come from (the run's
// stdin, else the process's).
func (d *debugger) readLine() (string, bool) {
	r := d.pr.r
	if r.stdin == nil {
		var in io.Reader = r.opts.Stdin
		if in == nil {
			in = os.Stdin
		}
		r.stdin = bufio.NewReader(in)
	}
	line, err := r.stdin.ReadString('\n')
	if err != nil && line == "" {
		return "", false
	}
	return strings.TrimRight(line, "\r\n"), true
}

func (d *debugger) say(s string) { fmt.Fprintln(d.out(), s) }

// loop reads commands until one ends the session.
func (d *debugger) loop() dbgAction {
	prompt := fmt.Sprintf("[%s] TASK: %s (debug)> ", d.hr.host, d.pr.taskName(d.task, d.hr.host))
	for {
		fmt.Fprint(d.out(), prompt)
		line, ok := d.readLine()
		if !ok {
			d.say("User interrupted execution") // EOF quits
			return dbgQuit
		}
		if strings.TrimSpace(line) == "" {
			if d.last == "" {
				continue
			}
			line = d.last
		} else {
			d.last = line
		}
		if act, done := d.command(strings.TrimSpace(line)); done {
			return act
		}
	}
}

var dbgHelp = map[string]string{
	"EOF": "Quit", "q": "Quit", "quit": "Quit",
	"c": "Continue to next result", "continue": "Continue to next result",
	"r":           "Schedule task for re-execution. The re-execution may not be the next result",
	"redo":        "Schedule task for re-execution. The re-execution may not be the next result",
	"u":           "Recreate the task from ``task._ds``, and template with updated ``task_vars``",
	"update_task": "Recreate the task from ``task._ds``, and template with updated ``task_vars``",
	"p":           "Pretty Print", "pprint": "Pretty Print",
	"h":    "List available commands with \"help\" or detailed help with \"help cmd\".",
	"help": "List available commands with \"help\" or detailed help with \"help cmd\".",
}

// command runs one command line; done is true when the session ends.
func (d *debugger) command(line string) (dbgAction, bool) {
	cmd, arg, _ := strings.Cut(line, " ")
	arg = strings.TrimSpace(arg)
	switch cmd {
	case "q", "quit", "EOF":
		d.say("User interrupted execution")
		return dbgQuit, true
	case "c", "continue":
		return dbgContinue, true
	case "r", "redo":
		return dbgRedo, true
	case "u", "update_task":
		d.updateTask()
		return 0, false
	case "h", "help", "?":
		if arg == "" {
			d.say("\nDocumented commands (type help <topic>):\n========================================\nEOF  c  continue  h  help  p  pprint  q  quit  r  redo  u  update_task\n")
		} else if h, ok := dbgHelp[arg]; ok {
			d.say(h)
		} else {
			d.say("*** No help on " + arg)
		}
		return 0, false
	case "p", "pprint":
		if v, err := d.eval(arg); err != nil {
			d.say(err.Error())
		} else {
			d.say(pformat(v, 0))
		}
		return 0, false
	}
	if lhs, rhs, ok := strings.Cut(line, "="); ok && !strings.HasPrefix(rhs, "=") {
		if err := d.assign(strings.TrimSpace(lhs), strings.TrimSpace(rhs)); err != nil {
			d.say(err.Error())
		}
		return 0, false
	}
	if _, err := d.eval(line); err != nil {
		d.say(err.Error())
	}
	return 0, false
}

// pyErr formats an exception as the debugger prints it.
func pyErr(kind, arg string) error {
	return fmt.Errorf("***%s:%s(%s)", kind, kind, pyfmt.Repr(arg))
}

// dbgTask stands for the Task object, dbgResult for the TaskResult, in
// expressions.
type dbgTask struct{ d *debugger }
type dbgResult struct{ d *debugger }
type dbgHost string

// accessor is one step of an expression: .name or [key].
type accessor struct {
	attr string
	key  any
	item bool
}

// parseExpr splits "root.attr['key'][0]" into its root and steps.
func parseExpr(s string) (string, []accessor, error) {
	s = strings.TrimSpace(s)
	i := 0
	for i < len(s) && (s[i] == '_' || s[i] >= 'a' && s[i] <= 'z' || s[i] >= 'A' && s[i] <= 'Z' || i > 0 && s[i] >= '0' && s[i] <= '9') {
		i++
	}
	if i == 0 {
		return "", nil, fmt.Errorf("***SyntaxError:SyntaxError('invalid syntax')")
	}
	root := s[:i]
	var steps []accessor
	rest := s[i:]
	for rest != "" {
		switch rest[0] {
		case '.':
			j := 1
			for j < len(rest) && (rest[j] == '_' || rest[j] >= 'a' && rest[j] <= 'z' || rest[j] >= 'A' && rest[j] <= 'Z' || rest[j] >= '0' && rest[j] <= '9') {
				j++
			}
			steps = append(steps, accessor{attr: rest[1:j]})
			rest = rest[j:]
		case '[':
			j := strings.IndexByte(rest, ']')
			if j < 0 {
				return "", nil, fmt.Errorf("***SyntaxError:SyntaxError(\"'[' was never closed\")")
			}
			k, err := literal(rest[1:j])
			if err != nil {
				return "", nil, err
			}
			steps = append(steps, accessor{key: k, item: true})
			rest = rest[j+1:]
		default:
			return "", nil, fmt.Errorf("***SyntaxError:SyntaxError('invalid syntax')")
		}
	}
	return root, steps, nil
}

// literal parses a Python literal (string, number, True/False/None, or
// a list or dict of them, through the template engine).
func literal(s string) (any, error) {
	s = strings.TrimSpace(s)
	if len(s) >= 2 && (s[0] == '\'' || s[0] == '"') && s[len(s)-1] == s[0] {
		return s[1 : len(s)-1], nil
	}
	if n, err := strconv.Atoi(s); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil {
		return f, nil
	}
	switch s {
	case "True":
		return true, nil
	case "False":
		return false, nil
	case "None":
		return nil, nil
	}
	return nil, pyErr("NameError", "name '"+s+"' is not defined")
}

// eval evaluates an expression over task, task_vars, host and result.
func (d *debugger) eval(s string) (any, error) {
	if s == "" {
		return nil, errors.New("***SyntaxError:SyntaxError('invalid syntax', ('<string>', 0, 0, '', None))")
	}
	root, steps, err := parseExpr(s)
	if err != nil {
		if v, lerr := literal(s); lerr == nil {
			return v, nil
		}
		return nil, err
	}
	var cur any
	switch root {
	case "task":
		cur = dbgTask{d}
	case "task_vars":
		cur = d.taskVars()
	case "host":
		cur = dbgHost(d.hr.host)
	case "result":
		cur = dbgResult{d}
	default:
		if len(steps) == 0 {
			if v, lerr := literal(s); lerr == nil {
				return v, nil
			}
		}
		return nil, fmt.Errorf("***NameError:NameError(\"name '%s' is not defined\")", root)
	}
	for _, st := range steps {
		if cur, err = d.step(cur, st); err != nil {
			return nil, err
		}
	}
	return cur, nil
}

// taskVars are the host's variables for the task, with assignments.
func (d *debugger) taskVars() *value.Dict {
	out := d.pr.scope(d.hr.host, d.task, nil).Dict()
	for _, k := range d.vars.Keys() {
		v, _ := d.vars.Get(k)
		out.Set(k, v)
	}
	return out
}

func (d *debugger) step(cur any, st accessor) (any, error) {
	if !st.item {
		switch c := cur.(type) {
		case dbgTask:
			switch st.attr {
			case "args":
				return d.args, nil
			case "name":
				return c.d.task.Task.Name, nil
			case "action":
				return c.d.task.Task.Action, nil
			}
			return nil, fmt.Errorf("***AttributeError:AttributeError(\"'Task' object has no attribute '%s'\")", st.attr)
		case dbgResult:
			switch st.attr {
			case "_result":
				return d.hr.res, nil
			case "_host":
				return dbgHost(d.hr.host), nil
			case "_task":
				return dbgTask{d}, nil
			}
			return nil, fmt.Errorf("***AttributeError:AttributeError(\"'TaskResult' object has no attribute '%s'\")", st.attr)
		case dbgHost:
			if st.attr == "name" {
				return string(c), nil
			}
			return nil, fmt.Errorf("***AttributeError:AttributeError(\"'Host' object has no attribute '%s'\")", st.attr)
		}
		return nil, fmt.Errorf("***AttributeError:AttributeError(\"'%s' object has no attribute '%s'\")", pyfmt.TypeName(cur), st.attr)
	}
	switch c := cur.(type) {
	case map[string]any:
		if v, ok := c[fmt.Sprint(st.key)]; ok {
			return v, nil
		}
	case *value.Dict:
		if v, ok := c.Get(fmt.Sprint(st.key)); ok {
			return v, nil
		}
	case []any:
		if i, ok := st.key.(int); ok {
			if i < 0 {
				i += len(c)
			}
			if i >= 0 && i < len(c) {
				return c[i], nil
			}
			return nil, pyErr("IndexError", "list index out of range")
		}
	default:
		return nil, fmt.Errorf("***TypeError:TypeError(\"'%s' object is not subscriptable\")", pyfmt.TypeName(cur))
	}
	return nil, fmt.Errorf("***KeyError:KeyError(%s)", pyfmt.Repr(st.key))
}

// assign runs "target[key] = literal" on task.args, task_vars or
// result._result.
func (d *debugger) assign(lhs, rhs string) error {
	v, err := literal(rhs)
	if err != nil {
		// not a plain literal: a list, dict or expression
		if ev, eerr := d.eval(rhs); eerr == nil {
			v = ev
		} else if tv, terr := d.pr.r.tpl.Template("{{ "+rhs+" }}", d.pr.scope(d.hr.host, d.task, nil)); terr == nil {
			v = tv
		} else {
			return err
		}
	}
	root, steps, err := parseExpr(lhs)
	if err != nil {
		return err
	}
	if len(steps) == 0 || !steps[len(steps)-1].item {
		return errors.New("***SyntaxError:SyntaxError('cannot assign here')")
	}
	key := fmt.Sprint(steps[len(steps)-1].key)
	switch {
	case root == "task_vars" && len(steps) == 1:
		d.vars.Set(key, v)
		return nil
	case root == "task" && len(steps) == 2 && steps[0].attr == "args":
		d.args[key] = v
		return nil
	}
	target, err := d.eval(lhs[:strings.LastIndexByte(lhs, '[')])
	if err != nil {
		return err
	}
	switch t := target.(type) {
	case map[string]any:
		t[key] = v
	case *value.Dict:
		t.Set(key, v)
	default:
		return fmt.Errorf("***TypeError:TypeError(\"'%s' object does not support item assignment\")", pyfmt.TypeName(target))
	}
	return nil
}

// pformat is Python's pprint.pformat (width 80, sorted dict keys) for the
// values the debugger shows.
func pformat(v any, indent int) string {
	switch x := v.(type) {
	case dbgTask:
		return "TASK: " + x.d.pr.taskName(x.d.task, x.d.hr.host)
	case dbgHost:
		return string(x)
	case dbgResult:
		return "<ansible.executor.task_result.TaskResult object at 0x7f0000000000>"
	case map[string]any:
		d := value.NewDict(len(x))
		for k, e := range x {
			d.Set(k, e)
		}
		return pformat(d, indent)
	case *value.Dict:
		keys := x.Keys()
		sort.Strings(keys)
		one := "{"
		for i, k := range keys {
			e, _ := x.Get(k)
			if i > 0 {
				one += ", "
			}
			one += pyfmt.Repr(k) + ": " + pformat(e, 80)
		}
		one += "}"
		if len(one)+indent <= 80 || len(keys) == 0 {
			return one
		}
		var b strings.Builder
		b.WriteString("{")
		for i, k := range keys {
			e, _ := x.Get(k)
			if i > 0 {
				b.WriteString(",\n" + strings.Repeat(" ", indent+1))
			}
			kr := pyfmt.Repr(k) + ": "
			b.WriteString(kr + pformat(e, indent+1+len(kr)))
		}
		b.WriteString("}")
		return b.String()
	case []any:
		one := pyfmt.Repr(x)
		if len(one)+indent <= 80 || len(x) == 0 {
			return one
		}
		var b strings.Builder
		b.WriteString("[")
		for i, e := range x {
			if i > 0 {
				b.WriteString(",\n" + strings.Repeat(" ", indent+1))
			}
			b.WriteString(pformat(e, indent+1))
		}
		b.WriteString("]")
		return b.String()
	}
	return pyfmt.Repr(v)
}
