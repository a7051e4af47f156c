package executor

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path"
	"strings"

	"octopus/engine/output"
	"octopus/engine/value"
)

// hostsLeft returns the batch hosts that are not unreachable.
func (pr *playRun) hostsLeft() []string {
	pr.r.mu.Lock()
	defer pr.r.mu.Unlock()
	var out []string
	for _, h := range pr.batch {
		if !pr.r.unreach[h] {
			out = append(out, h)
		}
	}
	return out
}

// peekHost returns the host's next task, skipping tasks the host must not
// see (fact gathering not wanted, --start-at-task).
func (pr *playRun) peekHost(h string) *rtask {
	it := pr.iters[h]
	for {
		t, _, _ := it.peek()
		if it.failed {
			pr.r.mu.Lock()
			fresh := !pr.r.failed[h]
			pr.r.failed[h] = true
			pr.r.mu.Unlock()
			if fresh {
				pr.mu.Lock()
				pr.removed[h] = true
				pr.mu.Unlock()
				pr.updatePlayInfo()
			}
		}
		if t == nil {
			return nil
		}
		if t == pr.gatherTask && !pr.wantGather(h) {
			it.advance()
			continue
		}
		if pr.startAt != "" && !it.started && !it.inHandlers {
			if t.implicit || t == pr.gatherTask || !startMatch(pr.startAt, t) {
				if t != pr.gatherTask {
					it.advance()
					continue
				}
			} else {
				it.started = true
				pr.startFound = true
			}
		}
		return t
	}
}

// selectLockstep is ansible 2.14's _get_next_task_lockstep: pick the next
// task in all_tasks order that some host is at; hosts elsewhere wait.
func (pr *playRun) selectLockstep(hosts []string) (sel []string, tasks map[string]*rtask) {
	tasks = map[string]*rtask{}
	for _, h := range hosts {
		if t := pr.peekHost(h); t != nil {
			tasks[h] = t
		}
	}
	if len(tasks) == 0 {
		return nil, nil
	}
	if pr.inHandlers {
		any := false
		for h := range tasks {
			if pr.iters[h].inHandlers {
				any = true
			}
		}
		if !any {
			pr.inHandlers = false
		}
	}
	var cur *rtask
	if pr.inHandlers {
		lowest := -1
		for h := range tasks {
			if it := pr.iters[h]; it.inHandlers && (lowest < 0 || it.handlerCmp() < lowest) {
				lowest = it.handlerCmp()
			}
		}
		for _, h := range hosts {
			if _, ok := tasks[h]; ok && pr.iters[h].handlerCmp() == lowest {
				sel = append(sel, h)
			}
		}
	} else {
		ids := map[uint64]bool{}
		for _, t := range tasks {
			ids[t.id] = true
		}
		for loops := 0; loops <= 1; {
			if pr.cur >= len(pr.all) {
				pr.cur = 0
				loops++
				continue
			}
			t := pr.all[pr.cur]
			pr.cur++
			if ids[t.id] {
				cur = t
				break
			}
		}
		if cur == nil {
			// should not happen: fall back to the first host's task
			for _, h := range hosts {
				if t, ok := tasks[h]; ok {
					cur = t
					break
				}
			}
		}
		for _, h := range hosts {
			if t, ok := tasks[h]; ok && t.id == cur.id {
				sel = append(sel, h)
			}
		}
	}
	for _, h := range sel {
		pr.iters[h].advance()
	}
	if !pr.inHandlers && cur != nil && cur.Task.Module == "meta" && metaAction(cur) == "flush_handlers" {
		pr.inHandlers = true
	}
	return sel, tasks
}

// runLinear runs the batch with the linear strategy.
func (pr *playRun) runLinear(ctx context.Context) int {
	r := pr.r
	result := ExitOK
	for ctx.Err() == nil && r.fatalErr() == nil && !r.stepEnded() {
		hosts := pr.hostsLeft()
		sel, tasks := pr.selectLockstep(hosts)
		if len(sel) == 0 {
			break
		}
		var results []*hostResult
		var run []string
		anyFatal := false
		var first *rtask
		for _, h := range sel {
			rt := tasks[h]
			if rt.Task.Module == "meta" {
				res, once := pr.execMeta(ctx, rt, h)
				if res != nil {
					results = append(results, res)
				}
				if (pr.anyErrorsFatal(rt, h) || once) && !pr.ignoreErrors(rt, h) {
					anyFatal = true
				}
				if once {
					break
				}
				continue
			}
			if first == nil {
				if r.opts.Step && !pr.step(rt) {
					break
				}
				first = rt
				pr.taskStart(rt, h)
			}
			run = append(run, h)
			if pr.runOnce(rt, h) || bypassHostLoop(rt) {
				anyFatal = anyFatal || !pr.ignoreErrors(rt, h)
				break
			}
		}
		if len(run) > 0 {
			res := pr.runHosts(ctx, tasks, run)
			results = append(results, res...)
			for _, hr := range res {
				if pr.anyErrorsFatal(hr.rt, hr.host) && !hr.ignoreErrors {
					anyFatal = true
				}
			}
			pr.handleIncludes(res, hosts)
		}
		if anyFatal {
			failedNow := false
			for _, hr := range results {
				if (hr.status == output.StatusFailed && !hr.ignoreErrors && pr.iters[hr.host].failed) ||
					(hr.status == output.StatusUnreachable && !hr.ignoreUnreach) {
					failedNow = true
				}
			}
			if failedNow {
				r.mu.Lock()
				for _, h := range hosts {
					it := pr.iters[h]
					if it.phaseOf() == secBlock || it.done {
						r.failed[h] = true
						it.end()
						result |= ExitBreakPlay
					}
				}
				r.mu.Unlock()
			}
		}
		if mfp, ok := numOf(pr.play.MaxFailPercent); ok && len(results) > 0 {
			r.mu.Lock()
			nf := 0
			for h := range r.failed {
				if !pr.failedBefore[h] {
					nf++
				}
			}
			r.mu.Unlock()
			if size := max(pr.batchSize, 1); float64(nf)/float64(size) > mfp/100.0 {
				r.mu.Lock()
				for _, h := range hosts {
					if !r.failed[h] {
						r.failed[h] = true
						pr.iters[h].end()
					}
				}
				r.mu.Unlock()
				r.cb.NoHostsRemaining()
				result |= ExitBreakPlay
			}
		}
		if result != ExitOK && r.countFailed() >= len(hosts) {
			r.cb.NoHostsRemaining()
			return result
		}
	}
	return result
}

// bypassHostLoop reports actions ansible runs once for all hosts.
func bypassHostLoop(rt *rtask) bool {
	switch rt.Task.Module {
	case "add_host", "pause":
		return true
	}
	return false
}

// taskStart sends the task banner event.
func (pr *playRun) taskStart(rt *rtask, host string) {
	kind := "TASK"
	if rt.Task.IsHandler {
		kind = "RUNNING HANDLER"
	}
	name := displayName(rt)
	if rt.Task.Name != "" {
		scope := pr.scope(host, rt, nil)
		if v, err := pr.r.tpl.Template(rt.Task.Name, scope); err == nil {
			name = displayNameWith(rt, fmt.Sprint(v))
		}
	}
	pr.r.cb.TaskStart(pr.outTask(rt, host, name, kind))
}

func displayNameWith(rt *rtask, name string) string {
	cp := *rt.Task
	cp.Name = name
	return displayName(&rtask{Task: &cp, parent: rt.parent})
}

func (pr *playRun) outTask(rt *rtask, host, name, kind string) *output.Task {
	if name == "" {
		name = displayName(rt)
	}
	return &output.Task{ID: rt.id, Name: name, Kind: kind, Action: rt.Task.Action, Path: pr.taskPath(rt),
		CheckMode: pr.checkMode(rt, host), NoLog: pr.noLog(rt, host), Loop: rt.Task.Loop != nil,
		Include: isInclude(rt), Args: sourceArgs(rt)}
}

// sourceArgs are the task's arguments as written (untemplated), in source
// order: what callbacks such as junit show of a task.
func sourceArgs(rt *rtask) *value.Dict {
	d := value.NewDict(len(rt.Task.Args))
	for _, k := range rt.Task.ArgOrder {
		if v, ok := rt.Task.Args[k]; ok {
			d.Set(k, v)
		}
	}
	for _, k := range sortedKeys(rt.Task.Args) {
		if !d.Has(k) {
			d.Set(k, rt.Task.Args[k])
		}
	}
	return d
}

// runHosts runs each host's task concurrently (forks/throttle) and
// processes results in completion order.
func (pr *playRun) runHosts(ctx context.Context, tasks map[string]*rtask, hosts []string) []*hostResult {
	limit := pr.r.opts.Forks
	if th, ok := numOf(pr.kwAny(tasks[hosts[0]], hosts[0], func(k *kwT) any { return k.Throttle })); ok && int(th) > 0 && int(th) < limit {
		limit = int(th)
	}
	sem := make(chan struct{}, limit)
	chans := make([]chan *hostResult, len(hosts))
	for i, h := range hosts {
		chans[i] = make(chan *hostResult, 1)
		go func(h string, ch chan *hostResult) {
			sem <- struct{}{}
			defer func() { <-sem }()
			ch <- pr.execHost(ctx, tasks[h], h)
		}(h, chans[i])
	}
	// results are processed in queue (host) order, which is the order
	// ansible shows for tasks that take about the same time on every host
	var out []*hostResult
	for _, ch := range chans {
		res := <-ch
		if pr.r.fatalErr() == nil {
			res = pr.processDebug(ctx, res) // process, then the task debugger
		}
		out = append(out, res)
	}
	return out
}

// step asks --step's question; false skips the task.
func (pr *playRun) step(rt *rtask) bool {
	r := pr.r
	if r.noStep {
		return true
	}
	w := r.opts.Stdout
	if w == nil {
		w = os.Stdout
	}
	msg := fmt.Sprintf("Perform task: TASK: %s (N)o/(y)es/(c)ontinue: ", displayName(rt))
	fmt.Fprint(w, msg)
	if r.stdin == nil {
		if r.opts.Stdin == nil {
			fmt.Fprintln(w)
			return false
		}
		r.stdin = bufio.NewReader(r.opts.Stdin)
	}
	line, err := r.stdin.ReadString('\n')
	if err != nil && line == "" {
		// End of input: ansible-playbook stops the run there (the
		// recap follows, exit code 2).
		r.mu.Lock()
		r.stepEOF = true
		r.mu.Unlock()
		return false
	}
	// Ansible then shows the question again as a banner.
	msg = strings.TrimSpace(msg)
	stars := 80 - len(msg) - 1
	if stars < 3 {
		stars = 3
	}
	fmt.Fprintf(w, "\n%s %s\n", msg, strings.Repeat("*", stars))
	switch lower(line) {
	case "y", "yes":
		return true
	case "c", "continue":
		r.noStep = true
		return true
	}
	return false
}

func boolOf(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case *bool:
		if t != nil {
			return *t, true
		}
	case string:
		switch lower(t) {
		case "yes", "true", "on", "1", "y", "t":
			return true, true
		case "no", "false", "off", "0", "n", "f", "":
			return false, true
		}
	case int:
		return t != 0, true
	}
	return false, false
}

func numOf(v any) (float64, bool) {
	switch t := v.(type) {
	case int:
		return float64(t), true
	case float64:
		return t, true
	case string:
		var f float64
		if _, err := fmt.Sscanf(t, "%g", &f); err == nil {
			return f, true
		}
	}
	return 0, false
}

// startMatch reports whether --start-at-task names rt (name or role-prefixed
// name, shell patterns allowed).
func startMatch(pat string, rt *rtask) bool {
	for _, n := range []string{rt.Task.Name, displayName(rt)} {
		if n == pat {
			return true
		}
		if ok, _ := path.Match(pat, n); ok {
			return true
		}
	}
	return false
}
