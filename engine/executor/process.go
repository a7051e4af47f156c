package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// process applies a host result (ansible's _process_pending_results):
// iterator failure state, stats, facts, register, notifications, callbacks.
func (pr *playRun) process(hr *hostResult) {
	r := pr.r
	rt, host, res := hr.rt, hr.host, hr.res
	it := pr.iters[host]
	clean := output.CleanResult(rt.Task.Action, hr.noLog, res)
	out := &output.Result{Host: host, Task: pr.outTask(rt, host, "", ""), Status: hr.status, Changed: hr.changed, Data: clean}
	if hr.delegate != "" {
		out.Task.Delegate = hr.delegate
		if dv, ok := res.Get("_ansible_delegated_vars"); ok {
			if d, ok := dv.(*value.Dict); ok {
				if a, ok := d.Get("ansible_host"); ok {
					out.DelegatedHost = fmt.Sprint(a)
				}
			}
		}
	}
	if rt.Task.IsHandler {
		pr.mu.Lock()
		delete(pr.notified[rt], host)
		pr.mu.Unlock()
	}
	runOnce := pr.runOnce(rt, host)
	switch hr.status {
	case output.StatusFailed:
		if !hr.ignoreErrors {
			targets := []string{host}
			if runOnce {
				targets = pr.hostsLeft()
			}
			rescued := it.anyRescuing()
			for _, h := range targets {
				pr.iters[h].fail()
				if pr.iters[h].failed {
					r.mu.Lock()
					r.failed[h] = true
					r.mu.Unlock()
				}
				pr.mu.Lock()
				pr.removed[h] = true
				pr.mu.Unlock()
			}
			r.mu.Lock()
			if rescued {
				r.stat(host).Rescued++
			} else {
				r.stat(host).Failures++
			}
			r.mu.Unlock()
			if rescued {
				pr.mu.Lock()
				delete(pr.removed, host)
				pr.mu.Unlock()
				r.vm.SetNonPersistent(host, value.DictOf(
					"ansible_failed_task", pr.serializeTask(rt),
					"ansible_failed_result", output.StripInternal(res, nil)))
			}
			pr.updatePlayInfo()
		} else {
			r.mu.Lock()
			s := r.stat(host)
			s.OK++
			s.Ignored++
			if hr.changed {
				s.Changed++
			}
			r.mu.Unlock()
		}
		out.Ignored = hr.ignoreErrors
		r.cb.HostResult(out)
	case output.StatusUnreachable:
		r.mu.Lock()
		if !hr.ignoreUnreach {
			r.unreach[host] = true
			r.stat(host).Unreachable++
		} else {
			s := r.stat(host)
			s.OK++
			s.Ignored++
		}
		r.mu.Unlock()
		if !hr.ignoreUnreach {
			pr.mu.Lock()
			pr.removed[host] = true
			pr.mu.Unlock()
			it.end()
			pr.updatePlayInfo()
		}
		out.Ignored = hr.ignoreUnreach
		r.cb.HostResult(out)
	case output.StatusSkipped:
		r.mu.Lock()
		r.stat(host).Skipped++
		r.mu.Unlock()
		r.cb.HostResult(out)
	default:
		items := []*value.Dict{res}
		if rt.Task.Loop != nil {
			items = nil
			if l, ok := res.Get("results"); ok {
				for _, x := range l.([]any) {
					if d, ok := x.(*value.Dict); ok {
						items = append(items, d)
					}
				}
			}
		}
		for _, item := range items {
			if n, ok := item.Get("_ansible_notify"); ok && hr.changed {
				for _, name := range n.([]any) {
					if err := pr.notify(fmt.Sprint(name), host); err != nil {
						r.setFatal(err)
						return
					}
				}
			}
			if ah, ok := item.Get("add_host"); ok {
				if d, ok := ah.(*value.Dict); ok {
					pr.addHost(d)
				}
			} else if ag, ok := item.Get("add_group"); ok {
				var parents []string
				if p, ok := item.Get("parent_groups"); ok {
					if l, ok := p.([]any); ok {
						for _, x := range l {
							parents = append(parents, fmt.Sprint(x))
						}
					}
				}
				if err := r.inv.AddHostToGroup(host, fmt.Sprint(ag), parents); err != nil {
					r.cb.Warning(err.Error())
				}
			}
			if af, ok := item.Get("ansible_facts"); ok && !output.IsDebugAction(rt.Task.Action) {
				if facts, ok := af.(*value.Dict); ok {
					pr.applyFacts(rt, host, hr, item, facts, runOnce)
				}
			}
			if st, ok := item.Get("ansible_stats"); ok {
				pr.applyStats(host, st)
			}
		}
		if res.Has("diff") && pr.diffMode(rt, host) {
			r.cb.Diff(out)
		}
		if !isInclude(rt) {
			r.mu.Lock()
			s := r.stat(host)
			s.OK++
			if hr.changed {
				s.Changed++
			}
			r.mu.Unlock()
		}
		r.cb.HostResult(out)
	}
	if rt.Task.Register != "" {
		reg := value.DictOf(rt.Task.Register, registered(res))
		if runOnce {
			for _, h := range pr.hostsLeft() {
				r.vm.SetNonPersistent(h, reg)
			}
		} else {
			r.vm.SetNonPersistent(host, reg)
		}
	}
}

func (pr *playRun) applyFacts(rt *rtask, host string, hr *hostResult, item, facts *value.Dict, runOnce bool) {
	r := pr.r
	targets := []string{host}
	if hr.delegate != "" && pr.kwBool(rt, host, func(k *kwT) any { return k.DelegateFacts }, false) {
		targets = []string{hr.delegate}
	} else if runOnce {
		targets = pr.hostsLeft()
	}
	switch rt.Task.Module {
	case "include_vars":
		for _, h := range targets {
			r.vm.SetIncludeVars(h, facts)
		}
	case "set_fact":
		cacheable := truth(item, "_ansible_facts_cacheable")
		for _, h := range targets {
			if cacheable {
				r.vm.SetFacts(h, facts)
				pr.saveFactCache(h)
			}
			r.vm.SetNonPersistent(h, facts)
		}
	default:
		for _, h := range targets {
			r.vm.SetFacts(h, facts)
			pr.saveFactCache(h)
		}
	}
}

func (pr *playRun) applyStats(host string, st any) {
	d, ok := st.(*value.Dict)
	if !ok {
		return
	}
	data, _ := d.Get("data")
	dd, ok := data.(*value.Dict)
	if !ok || dd.Len() == 0 {
		return
	}
	target := host
	if ph, ok := d.Get("per_host"); ok {
		if b, _ := boolOf(ph); !b {
			target = "_run"
		}
	}
	agg, _ := boolOf(func() any { v, _ := d.Get("aggregate"); return v }())
	pr.r.mu.Lock()
	defer pr.r.mu.Unlock()
	if pr.r.custom == nil {
		pr.r.custom = map[string]*value.Dict{}
	}
	cur := pr.r.custom[target]
	if cur == nil {
		cur = value.NewDict(dd.Len())
		pr.r.custom[target] = cur
	}
	for _, k := range dd.Keys() {
		v, _ := dd.Get(k)
		if old, ok := cur.Get(k); ok && agg {
			switch o := old.(type) {
			case int:
				if n, ok := v.(int); ok {
					v = o + n
				}
			case []any:
				if l, ok := v.([]any); ok {
					v = append(append([]any{}, o...), l...)
				}
			}
		}
		cur.Set(k, v)
	}
}

func (pr *playRun) addHost(d *value.Dict) {
	name, _ := d.Get("host_name")
	var groups []string
	if g, ok := d.Get("groups"); ok {
		if l, ok := g.([]any); ok {
			for _, x := range l {
				groups = append(groups, fmt.Sprint(x))
			}
		}
	}
	hv, _ := d.Get("host_vars")
	hvd, _ := hv.(*value.Dict)
	if err := pr.r.inv.AddHost(fmt.Sprint(name), groups, hvd); err != nil {
		pr.r.cb.Warning(err.Error())
	}
}

// serializeTask is the ansible_failed_task value.
func (pr *playRun) serializeTask(rt *rtask) *value.Dict {
	args := value.NewDict(len(rt.Task.Args))
	for _, k := range sortedKeys(rt.Task.Args) {
		args.Set(k, rt.Task.Args[k])
	}
	return value.DictOf("name", rt.Task.Name, "action", rt.Task.Action, "args", args,
		"uuid", fmt.Sprintf("%d", rt.id), "register", rt.Task.Register)
}

// notify marks handlers called name (or listening to it) for host.
func (pr *playRun) notify(name, host string) error {
	found := false
	mark := func(h *rtask) {
		pr.mu.Lock()
		if pr.notified[h] == nil {
			pr.notified[h] = map[string]bool{}
		}
		added := !pr.notified[h][host]
		pr.notified[h][host] = true
		pr.mu.Unlock()
		if added {
			pr.r.cb.Notify(displayName(h), host)
		}
	}
	for i := len(pr.handlers) - 1; i >= 0; i-- {
		h := pr.handlers[i]
		hn := h.Task.Name
		if strings.Contains(hn, "{{") {
			if v, err := pr.r.tpl.Template(hn, pr.scope("", nil, nil)); err == nil {
				hn = fmt.Sprint(v)
			}
		}
		if hn == name || displayName(h) == name {
			mark(h)
			found = true
			break
		}
	}
	for _, h := range pr.handlers {
		for _, l := range h.Task.Listen {
			if l == name {
				mark(h)
				found = true
			}
		}
	}
	if !found {
		return fmt.Errorf("The requested handler '%s' was not found in either the main handlers list nor in the listening handlers list", name)
	}
	return nil
}

// wantGather decides whether facts are gathered for host.
func (pr *playRun) wantGather(host string) bool {
	implied := true
	explicit := false
	if pr.play.GatherFacts != nil {
		b, ok := boolOf(pr.play.GatherFacts)
		if !ok {
			if v, err := pr.r.tpl.Template(pr.play.GatherFacts, pr.scope(host, nil, nil)); err == nil {
				b, _ = boolOf(v)
			}
		}
		implied, explicit = b, b
	}
	switch pr.r.opts.Gathering {
	case "explicit":
		return explicit
	case "smart":
		if !implied {
			return false
		}
		// Ansible asks the fact cache (loaded at start) whether facts
		// were gathered; facts from set_fact alone do not count.
		return !truth(pr.r.vm.Facts(host), "_ansible_facts_gathered")
	}
	return implied
}

// execMeta runs a meta task for host; once reports that ansible runs this
// meta action only once for all hosts.
func (pr *playRun) execMeta(ctx context.Context, rt *rtask, host string) (*hostResult, bool) {
	r := pr.r
	action := metaAction(rt)
	if strings.Contains(action, "{{") {
		if v, err := r.tpl.Template(action, pr.scope(host, rt, nil)); err == nil {
			action = fmt.Sprint(v)
		}
	}
	if !rt.implicit {
		pr.taskStart(rt, host)
	}
	eval := func() bool {
		ok, err := r.tpl.Cond(pr.whens(rt), pr.scope(host, rt, nil))
		return err == nil && ok
	}
	skipped := false
	msg := action
	skipReason := action + " conditional evaluated to False"
	switch action {
	case "noop", "role_complete":
	case "flush_handlers":
		if eval() {
			r.mu.Lock()
			un := r.unreach[host]
			r.mu.Unlock()
			if !un {
				pr.iters[host].enterHandlers()
			}
			msg = "triggered running handlers for " + host
		} else {
			skipped = true
			skipReason += ", not running handlers for " + host
		}
	case "refresh_inventory":
		if err := r.inv.Refresh(); err != nil {
			r.cb.Warning(err.Error())
		}
		msg = "inventory successfully refreshed"
	case "clear_facts":
		if eval() {
			for _, h := range pr.hostsAll {
				r.vm.ClearFacts(h)
				if p := pr.factCachePath(h); p != "" {
					os.Remove(p) // the cache plugin forgets the host too
				}
			}
			msg = "facts cleared"
		} else {
			skipped = true
			skipReason += ", not clearing facts and fact cache for " + host
		}
	case "clear_host_errors":
		if eval() {
			r.mu.Lock()
			for _, h := range pr.hostsAll {
				delete(r.failed, h)
				delete(r.unreach, h)
				if it := pr.iters[h]; it != nil {
					it.clearErrors()
				}
			}
			r.mu.Unlock()
			msg = "cleared host errors"
		} else {
			skipped = true
			skipReason += ", not clearing host error state for " + host
		}
	case "end_batch", "end_play":
		if eval() {
			for _, h := range pr.hostsLeft() {
				pr.iters[h].end()
			}
			if action == "end_play" {
				pr.mu.Lock()
				pr.endPlay = true
				pr.mu.Unlock()
				msg = "ending play"
			} else {
				msg = "ending batch"
			}
		} else {
			skipped = true
			if action == "end_play" {
				skipReason += ", continuing play"
			} else {
				skipReason += ", continuing current batch"
			}
		}
	case "end_host":
		if eval() {
			pr.iters[host].end()
			pr.mu.Lock()
			pr.removed[host] = true
			pr.mu.Unlock()
			pr.updatePlayInfo()
			msg = "ending play for " + host
		} else {
			skipped = true
			skipReason += ", continuing execution for " + host
		}
	case "reset_connection":
		r.dropConn(host)
		msg = "reset connection"
	default:
		r.cb.Warning(fmt.Sprintf("invalid meta action requested: %s", action))
		return nil, true
	}
	res := value.DictOf("msg", msg)
	if skipped {
		res.Set("skipped", true)
		res.Set("skip_reason", skipReason)
		if !rt.implicit {
			r.cb.HostResult(&output.Result{Host: host, Task: pr.outTask(rt, host, "", ""), Status: output.StatusSkipped,
				Data: output.CleanResult(rt.Task.Action, false, res)})
		}
	} else {
		res.Set("changed", false)
		if !rt.implicit {
			r.cb.Verbose(2, "META: "+msg)
		}
	}
	once := true
	switch action {
	case "noop", "reset_connection", "end_host", "role_complete", "flush_handlers":
		once = false
	}
	return &hostResult{rt: rt, host: host, res: res, status: statusOf(res)}, once
}

type includeGroup struct {
	rt     *rtask
	file   string
	args   *value.Dict
	vars   *value.Dict
	label  any
	hosts  []string
	isRole bool
}

// handleIncludes loads the files included by this round's results and
// inserts their tasks for the hosts that included them.
func (pr *playRun) handleIncludes(results []*hostResult, hostsLeft []string) {
	var groups []*includeGroup
	find := func(rt *rtask, file string, args, vars *value.Dict, isRole bool) *includeGroup {
		key := pyfmt.Repr(args) + pyfmt.Repr(vars)
		for _, g := range groups {
			if g.rt == rt && g.file == file && pyfmt.Repr(g.args)+pyfmt.Repr(g.vars) == key {
				return g
			}
		}
		g := &includeGroup{rt: rt, file: file, args: args, vars: vars, isRole: isRole}
		groups = append(groups, g)
		return g
	}
	for _, hr := range results {
		if !isInclude(hr.rt) || hr.status != output.StatusOK {
			continue
		}
		isRole := hr.rt.Task.Module == "include_role"
		items := []*value.Dict{hr.res}
		if hr.rt.Task.Loop != nil {
			items = nil
			l, _ := hr.res.Get("results")
			list, _ := l.([]any)
			for _, x := range list {
				if d, ok := x.(*value.Dict); ok && !truth(d, "skipped") && !truth(d, "failed") {
					items = append(items, d)
				}
			}
		}
		for _, it := range items {
			file, _ := it.Get("include")
			fs := ""
			if file != nil {
				fs = fmt.Sprint(file)
			}
			a, _ := it.Get("include_args")
			args, _ := a.(*value.Dict)
			if args == nil {
				args = value.NewDict(0)
			}
			vars := value.NewDict(4)
			var label any
			if lv, ok := it.Get("ansible_loop_var"); ok {
				name := fmt.Sprint(lv)
				v, _ := it.Get(name)
				vars.Set(name, v)
				if iv, ok := it.Get("ansible_index_var"); ok {
					x, _ := it.Get(fmt.Sprint(iv))
					vars.Set(fmt.Sprint(iv), x)
				}
				if al, ok := it.Get("ansible_loop"); ok {
					vars.Set("ansible_loop", al)
				}
				if l, ok := it.Get("_ansible_item_label"); ok {
					label = l
				} else if name == "item" {
					label = v
				}
			}
			g := find(hr.rt, fs, args, vars, isRole)
			if hr.noLog {
				label = "(censored due to no_log)"
			}
			g.label = label
			g.hosts = append(g.hosts, hr.host)
		}
	}
	if len(groups) == 0 {
		return
	}
	order := map[string]int{}
	for i, h := range pr.batch {
		order[h] = i
	}
	for _, g := range groups {
		sort.SliceStable(g.hosts, func(i, j int) bool { return order[g.hosts[i]] < order[g.hosts[j]] })
	}
	perHost := map[string][]*rblock{}
	var newTasks []*rtask
	for _, g := range groups {
		if err := g.rt.Task.ApplyErr; err != nil {
			// Ansible builds the apply block when it loads the include.
			pr.r.setFatal(&codedError{err: err, code: ExitUnreachable})
			return
		}
		params := value.NewDict(g.args.Len() + g.vars.Len())
		for _, k := range g.args.Keys() {
			if k == "apply" {
				continue
			}
			v, _ := g.args.Get(k)
			params.Set(k, v)
		}
		for _, k := range g.vars.Keys() {
			v, _ := g.vars.Get(k)
			params.Set(k, v)
		}
		ctx := &incCtx{task: g.rt, params: params}
		var blocks []*playbook.Block
		var role *playbook.Role
		chain := g.rt.chain
		var err error
		display := g.file
		if g.isRole {
			if pr.r.opts.Loader == nil {
				err = fmt.Errorf("include_role is not supported without a loader")
			} else {
				opts := RoleOptions{PlaybookDir: pr.r.pb.Dir, Parent: taskRole(g.rt)}
				get := func(k string) string {
					v, _ := g.args.Get(k)
					if v == nil {
						return ""
					}
					return fmt.Sprint(v)
				}
				opts.TasksFrom, opts.VarsFrom, opts.DefaultsFrom, opts.HandlersFrom = get("tasks_from"), get("vars_from"), get("defaults_from"), get("handlers_from")
				opts.Public, _ = boolOf(get("public"))
				role, err = pr.r.opts.Loader.LoadRole(get("name"), opts)
				if err == nil {
					ctx.role = role
					if pr := taskRole(g.rt); pr != nil {
						chain = append(append([]*playbook.Role{}, chain...), pr)
					}
					display = get("name")
					pr.chains[role] = chain
					// Ansible caches a role per play by name and include
					// vars (loop variables included): including it again
					// reuses its handlers, which then belong to the latest
					// include.
					key := roleCacheKey(get("name"), get("tasks_from"), get("vars_from"), get("defaults_from"), get("handlers_from"), g.rt.Task.Vars, g.vars)
					cached, seen := pr.incHandlers[key]
					first := len(pr.handlers)
					var addRole func(ro *playbook.Role, ch []*playbook.Role)
					addRole = func(ro *playbook.Role, ch []*playbook.Role) {
						for _, d := range ro.Deps {
							pr.chains[d] = append(append([]*playbook.Role{}, ch...), ro)
							addRole(d, pr.chains[d])
						}
						blocks = append(blocks, ro.Tasks...)
						if seen {
							return
						}
						for _, hb := range ro.Handlers {
							pr.addHandlers(hb, ro, ch, ctx)
						}
					}
					addRole(role, chain)
					if seen {
						pr.mu.Lock()
						for _, h := range cached {
							h.ctx = ctx
						}
						pr.mu.Unlock()
					} else {
						if pr.incHandlers == nil {
							pr.incHandlers = map[string][]*rtask{}
						}
						pr.incHandlers[key] = pr.handlers[first:len(pr.handlers):len(pr.handlers)]
					}
					pr.roles = append(pr.roles, role)
				}
			}
		} else {
			path := pr.resolveInclude(g.rt, g.file)
			display = path
			if pr.r.opts.Loader == nil {
				err = fmt.Errorf("include_tasks is not supported without a loader")
			} else {
				blocks, err = pr.r.opts.Loader.LoadTasksFile(path, taskRole(g.rt))
			}
		}
		if err != nil {
			pr.r.cb.Warning(err.Error())
			for _, h := range g.hosts {
				pr.iters[h].fail()
				pr.r.mu.Lock()
				if pr.iters[h].failed {
					pr.r.failed[h] = true
				}
				pr.r.stat(h).Failures++
				pr.r.mu.Unlock()
			}
			continue
		}
		if !g.isRole {
			pr.r.cb.Include(&output.Include{File: display, Hosts: g.hosts, Item: g.label})
			pr.r.mu.Lock()
			for _, h := range g.hosts {
				pr.r.stat(h).OK++
			}
			pr.r.mu.Unlock()
		}
		var rbs []*rblock
		for _, b := range blocks {
			if rb := pr.conv(b, nil, ctx, role, chain); rb != nil {
				rbs = append(rbs, rb)
				newTasks = append(newTasks, flatten(rb)...)
			}
		}
		for _, h := range g.hosts {
			perHost[h] = append(perHost[h], rbs...)
		}
	}
	for _, h := range hostsLeft {
		if bs := perHost[h]; len(bs) > 0 {
			pr.iters[h].insert(bs)
		}
	}
	if len(newTasks) > 0 {
		all := append([]*rtask{}, pr.all[:pr.cur]...)
		all = append(all, newTasks...)
		pr.all = append(all, pr.all[pr.cur:]...)
	}
}

// resolveInclude finds an include_tasks file: role tasks dir, the
// including file's dir, then the playbook dir.
func (pr *playRun) resolveInclude(rt *rtask, file string) string {
	if filepath.IsAbs(file) {
		return file
	}
	var cands []string
	if ro := taskRole(rt); ro != nil {
		cands = append(cands, filepath.Join(ro.Path, "tasks", file), filepath.Join(ro.Path, file))
	}
	if rt.Task.File != "" {
		cands = append(cands, filepath.Join(filepath.Dir(rt.Task.File), file))
	}
	for c := rt.ctx; c != nil; c = c.task.ctx {
		if c.task.Task.File != "" {
			cands = append(cands, filepath.Join(filepath.Dir(c.task.Task.File), file))
		}
	}
	if pr.play.BaseDir != "" {
		cands = append(cands, filepath.Join(pr.play.BaseDir, file))
	}
	cands = append(cands, filepath.Join(pr.r.pb.Dir, file))
	for _, c := range cands {
		if _, err := os.Stat(c); err == nil {
			return c
		}
	}
	return cands[len(cands)-1]
}
