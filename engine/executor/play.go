package executor

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/engine/vars"
)

// playRun is the state of one play.
type playRun struct {
	r        *runner
	play     *playbook.Play
	name     string
	strategy string
	top      []*rblock
	all      []*rtask // ansible's all_tasks, for lockstep
	cur      int
	handlers []*rtask
	roles    []*playbook.Role
	chains   map[*playbook.Role][]*playbook.Role
	hostsAll []string // the play's hosts in inventory order (ansible_play_hosts_all)
	// batchSize is the current serial batch's host count, failed hosts
	// included; failedBefore are the hosts that had failed before it began
	// (max_fail_percentage counts only the batch's new failures).
	batchSize    int
	failedBefore map[string]bool

	mu         sync.Mutex
	notified   map[*rtask]map[string]bool
	iters      map[string]*hostIter
	batch      []string
	removed    map[string]bool
	playVars   map[string][]*value.Dict
	inHandlers bool
	gatherTask *rtask
	flushTask  *rtask
	startFound bool
	anyFatal   bool
	endPlay    bool
	startAt    string
	prompted   *value.Dict
	// incHandlers are the handlers of each role include_role loaded,
	// by Ansible's role-cache identity (name, from files, include vars).
	incHandlers map[string][]*rtask
}

func (r *runner) newID() uint64 { return r.nextID.Add(1) }

// runPlay runs one play; it returns an exit code (ExitError on a fatal
// error) and whether the playbook must stop.
func (r *runner) runPlay(ctx context.Context, play *playbook.Play) (int, bool) {
	pr := &playRun{r: r, play: play, chains: map[*playbook.Role][]*playbook.Role{},
		notified: map[*rtask]map[string]bool{}, removed: map[string]bool{}, playVars: map[string][]*value.Dict{}}
	pr.startAt = r.startAt
	r.noStep = false // each play's strategy starts in step mode again
	defer func() {
		if pr.startFound {
			r.startAt = ""
		}
	}()
	pr.strategy = play.Strategy
	if pr.strategy == "" {
		pr.strategy = r.opts.Strategy
	}
	if pr.strategy == "" {
		pr.strategy = "linear"
	}
	if !pr.askVarsPrompt() {
		return ExitError, true
	}
	// play-level scope (no host) for the name and hosts pattern
	pscope := r.vm.Scope("", &vars.Frame{Play: play, PlayVars: pr.rawPlayVars()})
	name := play.Name
	if name != "" {
		if v, err := r.tpl.Template(name, pscope); err == nil {
			name = fmt.Sprint(v)
		}
	}
	pattern := play.Hosts
	if v, err := r.tpl.Template(pattern, pscope); err == nil {
		if l, ok := v.([]any); ok {
			var parts []string
			for _, x := range l {
				parts = append(parts, fmt.Sprint(x))
			}
			pattern = strings.Join(parts, ",")
		} else {
			pattern = fmt.Sprint(v)
		}
	}
	if name == "" {
		name = pattern
	}
	pr.name = name
	check := r.opts.Check
	if b, ok := boolOf(play.CheckMode); ok {
		check = b
	}
	if !pr.checkVarsFiles() {
		return ExitError, true
	}
	hosts, err := r.playHosts(pattern, play.Order)
	if err != nil {
		r.cb.PlayStart(&output.Play{Name: name, Hosts: pattern, Strategy: pr.strategy, CheckMode: check})
		r.cb.Warning(err.Error())
		return ExitError, true
	}
	if len(hosts) == 0 {
		r.cb.PlayStart(&output.Play{Name: name, Hosts: pattern, Strategy: pr.strategy, CheckMode: check})
		r.cb.NoHostsMatched()
		return ExitOK, false
	}
	// Ansible lists the play's hosts in inventory order whatever `order:` says
	pr.hostsAll = hosts
	if inInv, err := r.inv.Hosts(pattern); err == nil && len(inInv) == len(hosts) {
		pr.hostsAll = inInv
	}
	pr.compile()
	pr.anyFatal = r.opts.AnyErrorsFatal
	if play.AnyErrorsFatal != nil {
		pr.anyFatal = *play.AnyErrorsFatal
	}

	for _, batch := range batches(hosts, play.Serial) {
		r.cb.PlayStart(&output.Play{Name: name, Hosts: pattern, Strategy: pr.strategy, CheckMode: check, Path: playPath(play)})
		prevFailed := r.countFailed()
		var live []string
		before := map[string]bool{}
		var gone []string
		r.mu.Lock()
		for _, h := range batch {
			if !r.failed[h] && !r.unreach[h] {
				live = append(live, h)
			}
		}
		for h := range r.failed {
			before[h] = true
			gone = append(gone, h)
		}
		for h := range r.unreach {
			gone = append(gone, h)
		}
		r.mu.Unlock()
		// hosts that failed or went unreachable earlier are out of this
		// play's host lists, as Ansible's iterator marks them
		pr.mu.Lock()
		pr.batchSize, pr.failedBefore = len(batch), before
		for _, h := range gone {
			pr.removed[h] = true
		}
		pr.mu.Unlock()
		if !r.checkHostVars(live) {
			return ExitError, true
		}
		pr.startBatch(live)
		var res int
		if st := pr.strategy[strings.LastIndex(pr.strategy, ".")+1:]; st == "free" || st == "host_pinned" {
			res = pr.runFree(ctx)
		} else {
			res = pr.runLinear(ctx)
		}
		if ctx.Err() != nil {
			return ExitInterrupted, true
		}
		if r.fatalErr() != nil {
			return ExitError, true
		}
		if res == ExitError {
			return ExitError, true
		}
		if res&ExitBreakPlay != 0 {
			return ExitBreakPlay, true
		}
		if pr.endPlay {
			break
		}
		if len(batch) == r.countFailed()-prevFailed {
			return ExitOK, true
		}
	}
	return ExitOK, false
}

func (r *runner) countFailed() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := len(r.failed)
	for h := range r.unreach {
		if !r.failed[h] {
			n++
		}
	}
	return n
}

// startBatch resets per-host iterators for a new batch.
func (pr *playRun) startBatch(batch []string) {
	pr.mu.Lock()
	pr.batch = batch
	pr.iters = map[string]*hostIter{}
	pr.cur = 0
	pr.inHandlers = false
	pr.mu.Unlock()
	for _, h := range batch {
		host := h
		it := newHostIter(pr.top)
		it.handlers = func() []*rtask { return pr.handlers }
		it.notified = func(t *rtask) bool { return pr.isNotified(t, host) }
		pr.iters[h] = it
	}
	pr.updatePlayInfo()
}

func (pr *playRun) updatePlayInfo() {
	pr.mu.Lock()
	var hosts []string
	for _, h := range pr.hostsAll {
		if !pr.removed[h] {
			hosts = append(hosts, h)
		}
	}
	var batch []string
	for _, h := range pr.batch {
		if !pr.removed[h] {
			batch = append(batch, h)
		}
	}
	pr.mu.Unlock()
	var roleNames, deps []string
	for _, r := range pr.play.Roles {
		roleNames = append(roleNames, r.Name)
		var walk func(*playbook.Role)
		walk = func(x *playbook.Role) {
			for _, d := range x.Deps {
				deps = append(deps, d.Name)
				walk(d)
			}
		}
		walk(r)
	}
	pr.r.vm.SetPlayInfo(vars.PlayInfo{Name: pr.name, HostsAll: pr.hostsAll, Hosts: hosts, Batch: batch,
		RoleNames: roleNames, DepRoles: deps})
}

func (pr *playRun) isNotified(t *rtask, host string) bool {
	pr.mu.Lock()
	defer pr.mu.Unlock()
	return pr.notified[t][host]
}

// compile builds the play's top-level block list as ansible's Play.compile:
// gather facts, pre_tasks, flush, roles, tasks, flush, post_tasks, flush.
func (pr *playRun) compile() {
	r := pr.r
	play := pr.play
	gb := &rblock{}
	pr.gatherTask = &rtask{Task: &playbook.Task{Name: "Gathering Facts", Action: "gather_facts", Module: "gather_facts",
		Args: map[string]any{}, Pos: play.Pos, File: play.File}, id: r.newID(), parent: gb}
	if len(play.Tags) == 0 {
		pr.gatherTask.Task.Tags = []string{"always"}
	}
	gb.sections[secBlock] = []any{pr.gatherTask}
	pr.flushTask = &rtask{Task: &playbook.Task{Name: "", Action: "meta", Module: "meta",
		Args: map[string]any{"_raw_params": "flush_handlers"}}, id: r.newID(), implicit: true}
	flush := func() *rblock {
		b := &rblock{}
		b.sections[secBlock] = []any{pr.flushTask}
		return b
	}
	var top []*rblock
	add := func(bs []*playbook.Block, role *playbook.Role, chain []*playbook.Role) []*rblock {
		var out []*rblock
		for _, b := range bs {
			if rb := pr.conv(b, nil, nil, role, chain); rb != nil {
				out = append(out, rb)
			}
		}
		return out
	}
	var roleBlocks []*rblock
	seen := map[string]bool{}
	var compileRole func(ro *playbook.Role, chain []*playbook.Role)
	compileRole = func(ro *playbook.Role, chain []*playbook.Role) {
		for _, d := range ro.Deps {
			compileRole(d, append(append([]*playbook.Role{}, chain...), ro))
		}
		key := ro.Path + "|" + pyfmt.Repr(varsDict(ro.Params))
		if seen[key] && !ro.AllowDuplicates {
			return
		}
		seen[key] = true
		pr.chains[ro] = chain
		pr.roles = append(pr.roles, ro)
		roleBlocks = append(roleBlocks, add(ro.Tasks, ro, chain)...)
	}
	for _, ro := range play.Roles {
		compileRole(ro, nil)
	}
	var addImported func(ro *playbook.Role, chain []*playbook.Role)
	addImported = func(ro *playbook.Role, chain []*playbook.Role) {
		for _, d := range ro.Deps {
			addImported(d, append(append([]*playbook.Role{}, chain...), ro))
		}
		if _, ok := pr.chains[ro]; !ok {
			pr.chains[ro] = chain
			pr.roles = append(pr.roles, ro)
		}
	}
	for _, ro := range play.ImportedRoles {
		addImported(ro, nil)
	}
	force := r.opts.ForceHandlers
	if play.ForceHandlers != nil {
		force = *play.ForceHandlers
	}
	top = append(top, gb)
	if force {
		wrap := func(bs []*rblock) *rblock {
			b := &rblock{}
			if len(bs) == 0 {
				b.sections[secBlock] = []any{&rtask{Task: &playbook.Task{Action: "meta", Module: "meta",
					Args: map[string]any{"_raw_params": "noop"}}, id: r.newID(), implicit: true}}
			} else {
				for _, x := range bs {
					b.sections[secBlock] = append(b.sections[secBlock], x)
				}
			}
			b.sections[secAlways] = []any{flush()}
			return b
		}
		top = append(top, wrap(add(play.PreTasks, nil, nil)))
		top = append(top, wrap(append(roleBlocks, add(play.Tasks, nil, nil)...)))
		top = append(top, wrap(add(play.PostTasks, nil, nil)))
	} else {
		top = append(top, add(play.PreTasks, nil, nil)...)
		top = append(top, flush())
		top = append(top, roleBlocks...)
		top = append(top, add(play.Tasks, nil, nil)...)
		top = append(top, flush())
		top = append(top, add(play.PostTasks, nil, nil)...)
		top = append(top, flush())
	}
	for i, b := range top {
		b.topIdx = i
	}
	pr.top = top
	pr.all = nil
	for _, b := range top {
		pr.all = append(pr.all, flatten(b)...)
	}
	// handlers: role handlers first, then the play's
	byRole := map[*playbook.Role][]*rtask{}
	for _, ro := range pr.roles {
		first := len(pr.handlers)
		for _, b := range ro.Handlers {
			pr.addHandlers(b, ro, pr.chains[ro], nil)
		}
		byRole[ro] = pr.handlers[first:len(pr.handlers):len(pr.handlers)]
	}
	for _, b := range play.Handlers {
		pr.addHandlers(b, nil, nil, nil)
	}
	// import_role loads roles as include_role does (Ansible's role cache
	// shares them): a later include_role of the same role reuses these.
	pr.incHandlers = map[string][]*rtask{}
	for _, ro := range play.ImportedRoles {
		if ro.Via == nil {
			continue
		}
		var hs []*rtask
		var walk func(*playbook.Role)
		walk = func(r *playbook.Role) {
			for _, d := range r.Deps {
				walk(d)
			}
			hs = append(hs, byRole[r]...)
		}
		walk(ro)
		arg := func(k string) string {
			if v, ok := ro.Via.Args[k]; ok && v != nil {
				return fmt.Sprint(v)
			}
			return ""
		}
		name := arg("name")
		if name == "" {
			name = arg("role")
		}
		key := roleCacheKey(name, arg("tasks_from"), arg("vars_from"), arg("defaults_from"), arg("handlers_from"), ro.Via.Vars, nil)
		if _, dup := pr.incHandlers[key]; !dup {
			pr.incHandlers[key] = hs
		}
	}
}

// roleCacheKey is the identity under which Ansible caches a role loaded
// by import_role/include_role: name, from files and the include's vars
// (loop variables included).
func roleCacheKey(name, tasksFrom, varsFrom, defaultsFrom, handlersFrom string, taskVars *playbook.Vars, loopVars *value.Dict) string {
	if loopVars == nil {
		loopVars = value.NewDict(0)
	}
	return strings.Join([]string{name, tasksFrom, varsFrom, defaultsFrom, handlersFrom,
		pyfmt.Repr(varsDict(taskVars)), pyfmt.Repr(loopVars)}, "|")
}

func (pr *playRun) addHandlers(b *playbook.Block, role *playbook.Role, chain []*playbook.Role, ctx *incCtx) {
	rb := pr.convAll(b, nil, ctx, role, chain)
	for _, t := range flatten(rb) {
		pr.handlers = append(pr.handlers, t)
	}
}

func varsDict(v *playbook.Vars) *value.Dict {
	d := value.NewDict(v.Len())
	if v != nil {
		for _, k := range v.Keys {
			d.Set(k, v.Values[k])
		}
	}
	return d
}

func flatten(b *rblock) []*rtask {
	var out []*rtask
	for _, sec := range b.sections {
		for _, it := range sec {
			switch x := it.(type) {
			case *rtask:
				out = append(out, x)
			case *rblock:
				out = append(out, flatten(x)...)
			}
		}
	}
	return out
}

// conv converts an AST block, dropping tasks filtered out by tags; it
// returns nil when nothing is left.
func (pr *playRun) conv(b *playbook.Block, parent *rblock, ctx *incCtx, role *playbook.Role, chain []*playbook.Role) *rblock {
	return pr.convFilter(b, parent, ctx, role, chain, true)
}

func (pr *playRun) convAll(b *playbook.Block, parent *rblock, ctx *incCtx, role *playbook.Role, chain []*playbook.Role) *rblock {
	return pr.convFilter(b, parent, ctx, role, chain, false)
}

func (pr *playRun) convFilter(b *playbook.Block, parent *rblock, ctx *incCtx, role *playbook.Role, chain []*playbook.Role, filter bool) *rblock {
	rb := &rblock{b: b, parent: parent, ctx: ctx}
	if b.Role != nil {
		role = b.Role
		if c, ok := pr.chains[role]; ok {
			chain = c
		}
	}
	n := 0
	for i, sec := range [][]playbook.Item{b.Block, b.Rescue, b.Always} {
		for _, it := range sec {
			switch x := it.(type) {
			case *playbook.Task:
				if x.Static {
					continue
				}
				trole := role
				if x.Role != nil {
					trole = x.Role
				}
				rt := &rtask{Task: x, id: pr.r.newID(), ctx: ctx, chain: chain, parent: rb}
				if trole != role {
					rt.chain = pr.chains[trole]
				}
				if filter && !pr.tagsMatch(rt) {
					continue
				}
				rb.sections[i] = append(rb.sections[i], rt)
				n++
			case *playbook.Block:
				if sub := pr.convFilter(x, rb, ctx, role, chain, filter); sub != nil {
					rb.sections[i] = append(rb.sections[i], sub)
					n++
				}
			}
		}
	}
	if n == 0 && filter {
		return nil
	}
	return rb
}

// kwLevel is one level of keyword inheritance.
type kwLevel struct {
	kw       *playbook.Keywords
	whenTags bool // when/tags inherited from this level
}

// levels lists the keyword levels of a task, innermost first, ending
// with the play.
func (pr *playRun) levels(rt *rtask) []kwLevel {
	var out []kwLevel
	out = append(out, kwLevel{&rt.Task.Keywords, true})
	out = append(out, staticLevels(rt.Task)...)
	if rt.Task.Role != nil || (rt.parent != nil && rt.parent.b != nil && rt.parent.b.Role != nil) {
		ro := rt.Task.Role
		if ro == nil {
			ro = rt.parent.b.Role
		}
		out = append(out, kwLevel{&ro.Keywords, true})
		out = append(out, viaLevels(ro)...)
		for i := len(rt.chain) - 1; i >= 0; i-- {
			out = append(out, kwLevel{&rt.chain[i].Keywords, true})
			out = append(out, viaLevels(rt.chain[i])...)
		}
	}
	for c := rt.ctx; c != nil; c = c.task.ctx {
		// A dynamic include passes none of its own keywords down (its vars
		// are layered separately); its apply: block and its parents do.
		if ap := c.task.Task.Apply; ap != nil {
			out = append(out, kwLevel{&ap.Keywords, true})
		}
		out = append(out, staticLevels(c.task.Task)...)
		if ro := c.task.Task.Role; ro != nil {
			out = append(out, kwLevel{&ro.Keywords, true})
			for i := len(c.task.chain) - 1; i >= 0; i-- {
				out = append(out, kwLevel{&c.task.chain[i].Keywords, true})
			}
		}
	}
	out = append(out, kwLevel{&pr.play.Keywords, true})
	return out
}

// viaLevels are the keywords of the import_role task that brought ro in.
func viaLevels(ro *playbook.Role) []kwLevel {
	if ro.Via == nil {
		return nil
	}
	return append([]kwLevel{{&ro.Via.Keywords, true}}, staticLevels(ro.Via)...)
}

func staticLevels(t *playbook.Task) []kwLevel {
	var out []kwLevel
	for b := t.Parent; b != nil; b = b.Parent {
		out = append(out, kwLevel{&b.Keywords, true})
		if b.FromInclude != nil {
			out = append(out, kwLevel{&b.FromInclude.Keywords, true})
		}
	}
	return out
}

// kw returns the innermost value set for a keyword.
func (pr *playRun) kw(rt *rtask, get func(k *playbook.Keywords) (any, bool)) (any, bool) {
	for _, l := range pr.levels(rt) {
		if v, ok := get(l.kw); ok {
			return v, true
		}
	}
	return nil, false
}

// whens returns the task's conditions, outermost first.
func (pr *playRun) whens(rt *rtask) []any {
	ls := pr.levels(rt)
	out := append([]any{}, pr.play.ImportWhen...)
	for i := len(ls) - 1; i >= 0; i-- {
		if ls[i].whenTags || i == 0 {
			out = append(out, ls[i].kw.When...)
		}
	}
	return out
}

// tags returns the task's tags including inherited ones.
func (pr *playRun) tags(rt *rtask) []string {
	var out []string
	for i, l := range pr.levels(rt) {
		if l.whenTags || i == 0 {
			out = append(out, l.kw.Tags...)
		}
	}
	return out
}

func (pr *playRun) tagsMatch(rt *rtask) bool {
	only, skip := pr.r.opts.Tags, pr.r.opts.SkipTags
	if len(only) == 0 {
		only = []string{"all"}
	}
	raw := pr.tags(rt)
	tags := map[string]bool{}
	for _, t := range raw {
		if strings.Contains(t, "{{") {
			if v, err := pr.r.tpl.Template(t, pr.r.vm.Scope("", &vars.Frame{Play: pr.play, PlayVars: pr.rawPlayVars()})); err == nil {
				t = fmt.Sprint(v)
			}
		}
		for _, p := range strings.Split(t, ",") {
			if p = strings.TrimSpace(p); p != "" {
				tags[p] = true
			}
		}
	}
	untagged := len(tags) == 0
	if untagged {
		tags["untagged"] = true
	}
	has := func(l []string, s string) bool {
		for _, x := range l {
			if x == s {
				return true
			}
		}
		return false
	}
	disjoint := func(l []string) bool {
		for _, x := range l {
			if tags[x] {
				return false
			}
		}
		return true
	}
	run := true
	if len(only) > 0 {
		run = false
		switch {
		case tags["always"]:
			run = true
		case has(only, "all") && !tags["never"]:
			run = true
		case !disjoint(only):
			run = true
		case has(only, "tagged") && !untagged && !tags["never"]:
			run = true
		}
	}
	if run && len(skip) > 0 {
		switch {
		case has(skip, "all"):
			if !tags["always"] || has(skip, "always") {
				run = false
			}
		case !disjoint(skip):
			run = false
		case has(skip, "tagged") && !untagged:
			run = false
		}
	}
	return run
}

// displayName is ansible's Task.get_name().
func displayName(rt *rtask) string {
	role := rt.Task.Role
	if role == nil && rt.parent != nil && rt.parent.b != nil {
		role = rt.parent.b.Role
	}
	name := rt.Task.Name
	if name == "" && rt.Task.Module == "include_role" {
		rn, _ := rt.Task.Args["name"].(string)
		if rn == "" {
			rn, _ = rt.Task.Args["role"].(string)
		}
		return rt.Task.Action + " : " + rn
	}
	if role != nil {
		rn := role.Name
		if name != "" {
			return rn + " : " + name
		}
		return rn + " : " + rt.Task.Action
	}
	if name != "" {
		return name
	}
	return rt.Task.Action
}

func (pr *playRun) taskPath(rt *rtask) string {
	if rt.Task.Pos.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", rt.Task.Pos.File, rt.Task.Pos.Line)
}

func playPath(p *playbook.Play) string {
	if p.Pos.File == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", p.Pos.File, p.Pos.Line)
}
