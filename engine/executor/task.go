package executor

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"time"

	"gopkg.in/yaml.v3"

	"octopus/engine/connection"
	"octopus/engine/output"
	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/modules"
)

type kwT = playbook.Keywords

// hostResult is a task's outcome on one host, before processing.
type hostResult struct {
	rt            *rtask
	host          string
	res           *value.Dict
	status        output.Status
	changed       bool
	ignoreErrors  bool
	ignoreUnreach bool
	noLog         bool
	delegate      string
}

func lower(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

func taskRole(rt *rtask) *playbook.Role {
	if rt.Task.Role != nil {
		return rt.Task.Role
	}
	for b := rt.parent; b != nil; b = b.parent {
		if b.b != nil && b.b.Role != nil {
			return b.b.Role
		}
	}
	return nil
}

// blockVars lists the vars of enclosing blocks and include tasks, outermost first.
func blockVars(rt *rtask) []*playbook.Vars {
	var static []*playbook.Vars
	for b := rt.Task.Parent; b != nil; b = b.Parent {
		if b.Vars.Len() > 0 {
			static = append(static, b.Vars)
		}
		if b.FromInclude != nil && b.FromInclude.Vars.Len() > 0 {
			static = append(static, b.FromInclude.Vars)
		}
	}
	var out []*playbook.Vars
	if ro := taskRole(rt); ro != nil {
		for _, r := range append(append([]*playbook.Role{}, rt.chain...), ro) {
			if r.Via != nil && r.Via.Vars.Len() > 0 {
				out = append(out, r.Via.Vars)
			}
		}
	}
	if rt.ctx != nil {
		out = append(out, blockVars(rt.ctx.task)...)
		if rt.ctx.task.Task.Vars.Len() > 0 {
			out = append(out, rt.ctx.task.Task.Vars)
		}
		if ap := rt.ctx.task.Task.Apply; ap != nil && ap.Vars.Len() > 0 {
			out = append(out, ap.Vars)
		}
	}
	for i := len(static) - 1; i >= 0; i-- {
		out = append(out, static[i])
	}
	return out
}

func includeParams(rt *rtask) []*value.Dict {
	var out []*value.Dict
	for c := rt.ctx; c != nil; c = c.task.ctx {
		out = append([]*value.Dict{c.params}, out...)
	}
	return out
}

// scope returns host's variables for task rt (rt may be nil).
func (pr *playRun) scope(host string, rt *rtask, extra *value.Dict) *vars.Scope {
	f := &vars.Frame{Play: pr.play, PlayVars: pr.hostPlayVars(host), Roles: pr.roles, Extra: extra}
	if rt != nil {
		f.Role = taskRole(rt)
		f.DepChain = rt.chain
		f.BlockVars = blockVars(rt)
		f.Task = rt.Task
		f.IncludeParams = includeParams(rt)
	}
	return pr.r.vm.Scope(host, f)
}

func (pr *playRun) rawPlayVars() []*value.Dict {
	if pr.prompted != nil && pr.prompted.Len() > 0 {
		return []*value.Dict{varsDict(pr.play.Vars), pr.prompted}
	}
	return []*value.Dict{varsDict(pr.play.Vars)}
}

// hostPlayVars returns play vars, vars_prompt answers and vars_files for host.
func (pr *playRun) hostPlayVars(host string) []*value.Dict {
	pr.mu.Lock()
	if v, ok := pr.playVars[host]; ok {
		pr.mu.Unlock()
		return v
	}
	pr.mu.Unlock()
	layers := []*value.Dict{varsDict(pr.play.Vars)}
	if len(pr.play.VarsPrompt) > 0 {
		layers = append(layers, pr.promptVars())
	}
	if len(pr.play.VarsFiles) > 0 && host != "" {
		tmp := pr.r.vm.Scope(host, &vars.Frame{Play: pr.play, PlayVars: layers, Roles: pr.roles})
		base := pr.varsFilesBase()
		for _, vf := range pr.play.VarsFiles {
			for _, c := range varsFileCandidates(vf) {
				p, err := pr.varsFilePath(c, tmp, base)
				if err != nil {
					continue
				}
				d, err := loadVarsFile(p, pr.r.opts.Decrypt)
				if ve := asVaultError(err); ve != nil {
					pr.r.setFatal(ve.err)
					break
				}
				if err != nil {
					continue
				}
				layers = append(layers, d)
				break
			}
		}
	}
	pr.mu.Lock()
	pr.playVars[host] = layers
	pr.mu.Unlock()
	return layers
}

// varsFilesBase is the directory a play's relative vars_files paths are
// resolved against: the play's base directory, else its file's, else the
// playbook's.
func (pr *playRun) varsFilesBase() string {
	if pr.play.BaseDir != "" {
		return pr.play.BaseDir
	}
	if pr.play.File != "" {
		return filepath.Dir(pr.play.File)
	}
	return pr.r.pb.Dir
}

// varsFileCandidates lists the paths one vars_files entry offers: a list
// entry names alternatives tried in order (the first found wins).
func varsFileCandidates(vf any) []any {
	if l, ok := vf.([]any); ok {
		return l
	}
	return []any{vf}
}

// varsFilePath templates one vars_files candidate in scope and makes it
// absolute against base.
func (pr *playRun) varsFilePath(c any, scope *vars.Scope, base string) (string, error) {
	v, err := pr.r.tpl.Template(c, scope)
	if err != nil {
		return "", err
	}
	p := fmt.Sprint(v)
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return p, nil
}

// loadVarsFile reads a YAML/JSON vars file into a Dict, decrypting a
// vault-encrypted file with decrypt (when not nil).
func loadVarsFile(path string, decrypt func([]byte, string) ([]byte, error)) (*value.Dict, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if decrypt != nil {
		if data, err = decrypt(data, path); err != nil {
			return nil, &vaultError{err}
		}
	}
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, fmt.Errorf("Syntax Error while loading YAML.\n  %v", err)
	}
	v, err := value.FromYAML(&n, path)
	if err != nil {
		return nil, err
	}
	if v == nil {
		return value.NewDict(0), nil
	}
	d, ok := v.(*value.Dict)
	if !ok {
		return nil, fmt.Errorf("%s must be stored as a dictionary/hash", path)
	}
	return d, nil
}

// kwAny returns a keyword's innermost value, templated for host.
func (pr *playRun) kwAny(rt *rtask, host string, get func(k *kwT) any) any {
	v, ok := pr.kw(rt, func(k *kwT) (any, bool) {
		x := get(k)
		if x == nil {
			return nil, false
		}
		if b, ok := x.(*bool); ok {
			if b == nil {
				return nil, false
			}
			return *b, true
		}
		if s, ok := x.(string); ok && s == "" {
			return nil, false
		}
		return x, true
	})
	if !ok {
		return nil
	}
	if s, isStr := v.(string); isStr && strings.Contains(s, "{{") || isStr && strings.Contains(s, "{%") {
		if t, err := pr.r.tpl.Template(v, pr.scope(host, rt, nil)); err == nil {
			return t
		}
	}
	return v
}

func (pr *playRun) kwBool(rt *rtask, host string, get func(k *kwT) any, def bool) bool {
	if b, ok := boolOf(pr.kwAny(rt, host, get)); ok {
		return b
	}
	return def
}

func (pr *playRun) checkMode(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.CheckMode }, pr.r.opts.Check)
}
func (pr *playRun) diffMode(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.Diff }, pr.r.opts.Diff)
}
func (pr *playRun) noLog(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.NoLog }, false)
}
func (pr *playRun) ignoreErrors(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.IgnoreErrors }, false)
}
func (pr *playRun) ignoreUnreachable(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.IgnoreUnreachable }, false)
}
func (pr *playRun) runOnce(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.RunOnce }, false)
}
func (pr *playRun) anyErrorsFatal(rt *rtask, host string) bool {
	return pr.kwBool(rt, host, func(k *kwT) any { return k.AnyErrorsFatal }, pr.anyFatal)
}
func (pr *playRun) delegateTo(rt *rtask, host string) string {
	if rt.Task.LocalAction {
		return "localhost"
	}
	v := pr.kwAny(rt, host, func(k *kwT) any { return k.DelegateTo })
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

func isInclude(rt *rtask) bool {
	switch rt.Task.Module {
	case "include_tasks", "include_role", "include":
		return true
	}
	return false
}

func metaAction(rt *rtask) string {
	s, _ := rt.Task.Args["_raw_params"].(string)
	return strings.TrimSpace(s)
}

// failedResult is the result of an error raised while running the task
// (ansible's exception path: no "changed" key is added).
func failedResult(msg string, noLog bool) *value.Dict {
	return value.DictOf("failed", true, "msg", msg, "_ansible_no_log", noLog, errMarker, true)
}

const errMarker = "_octopus_exception"

func truth(d *value.Dict, k string) bool {
	v, _ := d.Get(k)
	b, _ := boolOf(v)
	return b
}

// statusOf classifies a raw result as ansible's TaskResult does.
func statusOf(res *value.Dict) output.Status {
	items, _ := res.Get("results")
	list, _ := items.([]any)
	anyItem := func(k string) bool {
		for _, x := range list {
			if d, ok := x.(*value.Dict); ok && truth(d, k) {
				return true
			}
		}
		return false
	}
	failed := false
	hasFWR := res.Has("failed_when_result")
	for _, x := range list {
		if d, ok := x.(*value.Dict); ok && d.Has("failed_when_result") {
			hasFWR = true
		}
	}
	key := "failed"
	if hasFWR {
		key = "failed_when_result"
	}
	if res.Has(key) {
		failed = truth(res, key)
	} else {
		failed = anyItem(key)
	}
	if failed {
		return output.StatusFailed
	}
	if res.Has("unreachable") {
		if truth(res, "unreachable") {
			return output.StatusUnreachable
		}
	} else if anyItem("unreachable") {
		return output.StatusUnreachable
	}
	if len(list) > 0 {
		all := true
		for _, x := range list {
			if d, ok := x.(*value.Dict); !ok || !truth(d, "skipped") {
				all = false
			}
		}
		if all {
			return output.StatusSkipped
		}
	}
	if truth(res, "skipped") {
		return output.StatusSkipped
	}
	return output.StatusOK
}

// execHost runs rt on host (ansible's TaskExecutor.run).
func (pr *playRun) execHost(ctx context.Context, rt *rtask, host string) (hr *hostResult) {
	hr = &hostResult{rt: rt, host: host}
	defer func() {
		if p := recover(); p != nil {
			hr.res = value.DictOf("failed", true, "msg", fmt.Sprintf("Unexpected failure during module execution: %v", p), "stdout", "", "changed", false)
			hr.status = output.StatusFailed
		}
	}()
	hr.noLog = pr.noLog(rt, host)
	hr.ignoreErrors = pr.ignoreErrors(rt, host)
	hr.ignoreUnreach = pr.ignoreUnreachable(rt, host)
	hr.delegate = pr.delegateTo(rt, host)
	scope := pr.scope(host, rt, nil)
	var res *value.Dict
	if rt.Task.Loop != nil {
		items, err := pr.loopItems(rt, scope)
		switch {
		case err != nil:
			ok, cerr := pr.r.tpl.Cond(pr.whens(rt), scope)
			if cerr == nil && !ok {
				res = value.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False", "_ansible_no_log", hr.noLog)
			} else {
				res = failedResult(pr.errMsg(rt, err), hr.noLog)
			}
		case len(items) == 0:
			res = value.DictOf("changed", false, "skipped", true, "skipped_reason", "No items in the list", "results", []any{})
		default:
			res = pr.runLoop(ctx, rt, host, scope, items, hr)
		}
	} else {
		res = pr.execute(ctx, rt, host, scope, hr)
	}
	if res.Has(errMarker) {
		res.Delete(errMarker)
	} else if !res.Has("changed") {
		res.Set("changed", false)
	}
	hr.res = res
	hr.status = statusOf(res)
	hr.changed = truth(res, "changed")
	return hr
}

// errMsg formats a templating/evaluation error as ansible reports it. Only
// an undefined variable carries the task's position: Ansible raises the
// other templating errors (syntax, filter and lookup failures) without one.
func (pr *playRun) errMsg(rt *rtask, err error) string {
	msg := err.Error()
	if pr.r.tpl.IsUndefined(err) {
		msg = "The task includes an option with an undefined variable. The error was: " + msg + ". " + msg
		return withPos(rt, msg)
	}
	return msg
}

func withPos(rt *rtask, msg string) string {
	if rt.Task.Pos.IsValid() {
		msg += "\n\n" + strings.TrimPrefix(pos(rt), "\n")
	}
	return msg
}

func pos(rt *rtask) string {
	e := &diagErr{rt: rt}
	return e.String()
}

// loopItems evaluates loop: / with_*.
func (pr *playRun) loopItems(rt *rtask, scope *vars.Scope) ([]any, error) {
	if rt.Task.LoopWith != "" {
		terms := rt.Task.Loop
		items, err := pr.r.tpl.LookupList(rt.Task.LoopWith, terms, scope)
		for i, it := range items {
			items[i] = plainLists(it)
		}
		return items, err
	}
	v, err := pr.r.tpl.Template(rt.Task.Loop, scope)
	if err != nil {
		return nil, err
	}
	switch t := v.(type) {
	case []any:
		return t, nil
	case nil:
		return nil, fmt.Errorf("Invalid data passed to 'loop', it requires a list, got this instead: None. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.")
	}
	return nil, fmt.Errorf("Invalid data passed to 'loop', it requires a list, got this instead: %s. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.", pyfmt.Str(v))
}

// runLoop runs the task once per item (ansible's _run_loop) and builds the
// aggregate result.
func (pr *playRun) runLoop(ctx context.Context, rt *rtask, host string, scope *vars.Scope, items []any, hr *hostResult) *value.Dict {
	loopVar, indexVar := "item", ""
	var label any
	var pause float64
	extended, allItems := false, false
	if lc := rt.Task.LoopControl; lc != nil {
		tv := func(v any) any {
			if v == nil {
				return nil
			}
			x, err := pr.r.tpl.Template(v, scope)
			if err != nil {
				return v
			}
			return x
		}
		if lc.LoopVar != "" {
			loopVar = fmt.Sprint(tv(lc.LoopVar))
		}
		if lc.IndexVar != "" {
			indexVar = fmt.Sprint(tv(lc.IndexVar))
		}
		label = lc.Label
		if p, ok := numOf(tv(lc.Pause)); ok {
			pause = p
		}
		extended, _ = boolOf(tv(lc.Extended))
		allItems, _ = boolOf(tv(lc.ExtendedAllItems))
	}
	if label == nil {
		label = "{{" + loopVar + "}}"
	}
	if _, ok := scope.Lookup(loopVar); ok {
		pr.r.cb.Warning(fmt.Sprintf("%s: The loop variable '%s' is already in use. You should set the `loop_var` value in the `loop_control` option for the task to something else to avoid variable collisions and unexpected behavior.", displayName(rt), loopVar))
	}
	n := len(items)
	var results []any
	for i, item := range items {
		if ctx.Err() != nil {
			break
		}
		lv := value.DictOf("ansible_loop_var", loopVar, loopVar, item)
		if indexVar != "" {
			lv.Set("ansible_index_var", indexVar)
			lv.Set(indexVar, i)
		}
		var al *value.Dict
		if extended {
			al = value.DictOf("index", i+1, "index0", i, "first", i == 0, "last", i+1 == n, "length", n,
				"revindex", n-i, "revindex0", n-i-1)
			if allItems {
				al.Set("allitems", items)
			}
			if i+1 < n {
				al.Set("nextitem", items[i+1])
			}
			if i > 0 {
				al.Set("previtem", items[i-1])
			}
			lv.Set("ansible_loop", al)
		}
		if pause > 0 && i > 0 {
			time.Sleep(time.Duration(pause * float64(time.Second)))
		}
		iscope := scope.With(lv)
		res := pr.execute(ctx, rt, host, iscope, hr)
		if res.Has(errMarker) {
			return res
		}
		res.Set(loopVar, item)
		res.Set("ansible_loop_var", loopVar)
		if indexVar != "" {
			res.Set(indexVar, i)
			res.Set("ansible_index_var", indexVar)
		}
		if extended {
			res.Set("ansible_loop", al)
		}
		res.Set("_ansible_item_result", true)
		res.Set("_ansible_ignore_errors", hr.ignoreErrors)
		if l, err := pr.r.tpl.Template(label, iscope); err == nil {
			res.Set("_ansible_item_label", l)
		} else {
			res.Set("failed", true)
			res.Set("msg", "Failed to template loop_control.label: "+err.Error())
		}
		if !res.Has("changed") && !isInclude(rt) {
			// the executor's default is applied per item result too
		}
		st := statusOf(res)
		out := &output.Result{Host: host, Task: pr.outTask(rt, host, "", ""), Status: st, Changed: truth(res, "changed"),
			Data: output.CleanResult(rt.Task.Action, hr.noLog, res)}
		if st == output.StatusUnreachable {
			out.Status = output.StatusFailed
		}
		if hr.delegate != "" {
			out.Task.Delegate = hr.delegate
		}
		switch {
		case st == output.StatusFailed || st == output.StatusUnreachable:
			pr.r.cb.ItemResult(out)
		case st == output.StatusSkipped:
			pr.r.cb.ItemResult(out)
		default:
			if pr.diffMode(rt, host) && res.Has("diff") {
				pr.r.cb.Diff(out)
			}
			if !isInventoryAction(rt) {
				pr.r.cb.ItemResult(out)
			}
		}
		results = append(results, res)
	}
	agg := value.NewDict(6)
	agg.Set("results", results)
	skipped := true
	for _, x := range results {
		d := x.(*value.Dict)
		if truth(d, "changed") && !truth(agg, "changed") {
			agg.Set("changed", true)
		}
		if skipped && !truth(d, "skipped") {
			skipped = false
		}
		if truth(d, "failed") {
			ig, _ := d.Get("_ansible_ignore_errors")
			d.Delete("_ansible_ignore_errors")
			igb, _ := boolOf(ig)
			if !truth(agg, "failed") {
				agg.Set("failed", true)
				agg.Set("msg", "One or more items failed")
				hr.ignoreErrors = igb
			} else if hr.ignoreErrors && !igb {
				hr.ignoreErrors = false
			}
		}
		for _, k := range []string{"warnings", "deprecations"} {
			if w, ok := d.Get(k); ok && w != nil {
				cur, _ := agg.Get(k)
				cl, _ := cur.([]any)
				if wl, ok := w.([]any); ok {
					cl = append(cl, wl...)
				} else {
					cl = append(cl, w)
				}
				agg.Set(k, cl)
				d.Delete(k)
			}
		}
	}
	agg.Set("skipped", skipped)
	if !truth(agg, "failed") {
		agg.Set("msg", "All items completed")
	}
	if skipped {
		agg.Set("msg", "All items skipped")
	}
	return agg
}

func isInventoryAction(rt *rtask) bool {
	return rt.Task.Module == "add_host" || rt.Task.Module == "group_by"
}

// removeOmit drops arguments whose value is the omit placeholder.
func (pr *playRun) removeOmit(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if pr.r.tpl.IsOmit(x) {
				continue
			}
			out[k] = pr.removeOmit(x)
		}
		return out
	case *value.Dict:
		out := value.NewDict(t.Len())
		for _, k := range t.Keys() {
			x, _ := t.Get(k)
			if pr.r.tpl.IsOmit(x) {
				continue
			}
			out.Set(k, pr.removeOmit(x))
		}
		return out
	case []any:
		out := make([]any, 0, len(t))
		for _, x := range t {
			if pr.r.tpl.IsOmit(x) {
				continue
			}
			out = append(out, pr.removeOmit(x))
		}
		return out
	}
	return v
}

// rawArgActions keep some arguments untemplated.
var condArgs = map[string]map[string]bool{
	"assert": {"that": true},
}

// templateArgs templates the task's arguments for scope.
func (pr *playRun) templateArgs(rt *rtask, scope *vars.Scope) (map[string]any, error) {
	out := make(map[string]any, len(rt.Task.Args))
	keep := condArgs[rt.Task.Module]
	for k, v := range rt.Task.Args {
		if keep[k] {
			out[k] = v
			continue
		}
		t, err := pr.r.tpl.Template(v, scope)
		if err != nil {
			return nil, err
		}
		if pr.r.tpl.IsOmit(t) {
			continue
		}
		out[k] = pr.removeOmit(t)
	}
	return out, nil
}

// execute runs one attempt-loop of the task (ansible's _execute).
func (pr *playRun) execute(ctx context.Context, rt *rtask, host string, scope *vars.Scope, hr *hostResult) *value.Dict {
	noLog := hr.noLog
	ok, err := pr.r.tpl.Cond(pr.whens(rt), scope)
	if err != nil {
		return failedResult(pr.condErr(rt, err), noLog)
	}
	if !ok {
		return value.DictOf("changed", false, "skipped", true, "skip_reason", "Conditional result was False", "_ansible_no_log", noLog)
	}
	switch rt.Task.Module {
	case "include_tasks", "include", "import_tasks":
		args := value.NewDict(len(rt.Task.Args))
		var file any
		for _, k := range sortedKeys(rt.Task.Args) {
			if k == "_raw_params" || k == "file" {
				file = rt.Task.Args[k]
				continue
			}
			args.Set(k, rt.Task.Args[k])
		}
		if file == nil {
			return value.DictOf("failed", true, "msg", "No include file was specified to the include")
		}
		f, err := pr.r.tpl.Template(file, scope)
		if err != nil {
			return failedResult(pr.errMsg(rt, err), noLog)
		}
		targs, err := pr.r.tpl.Template(args, scope)
		if err != nil {
			return failedResult(pr.errMsg(rt, err), noLog)
		}
		return value.DictOf("include", fmt.Sprint(f), "include_args", targs)
	case "include_role", "import_role":
		args := value.NewDict(len(rt.Task.Args))
		for _, k := range sortedKeys(rt.Task.Args) {
			args.Set(k, rt.Task.Args[k])
		}
		targs, err := pr.r.tpl.Template(args, scope)
		if err != nil {
			return failedResult(pr.errMsg(rt, err), noLog)
		}
		return value.DictOf("include_args", targs)
	}
	args, err := pr.templateArgs(rt, scope)
	if err != nil {
		return failedResult(pr.errMsg(rt, err), noLog)
	}
	args, fail := pr.withModuleDefaults(rt, pr.resolvedAction(rt), scope, args)
	if fail != nil {
		return fail
	}
	// retries / until
	retries := 1
	hasUntil := rt.Task.Until != nil
	if hasUntil {
		retries = 3
		if n, ok := numOf(pr.tv(rt.Task.Retries, scope)); ok {
			if n <= 0 {
				retries = 1
			} else {
				retries = int(n) + 1
			}
		}
	}
	delay := 5.0
	if n, ok := numOf(pr.tv(rt.Task.Delay, scope)); ok {
		delay = n
	}
	if delay < 0 {
		delay = 1
	}
	var result *value.Dict
	broke := false
	for attempt := 1; attempt <= retries; attempt++ {
		result = pr.runAction(ctx, rt, host, scope, args, hr)
		if truth(result, "unreachable") {
			return result
		}
		result.Set("_ansible_no_log", noLog || truth(result, "_ansible_no_log"))
		if !result.Has("failed") {
			rc, has := result.Get("rc")
			if has && rc != 0 && rc != "0" {
				result.Set("failed", true)
			} else {
				result.Set("failed", false)
			}
		}
		if hasUntil {
			result.Set("attempts", attempt)
		}
		if !result.Has("changed") && !result.Has(errMarker) {
			result.Set("changed", false)
		}
		if rt.Task.Register != "" {
			scope.Set(rt.Task.Register, registeredDuring(result))
		}
		if !result.Has("skipped") {
			if len(rt.Task.ChangedWhen) > 0 {
				c, err := pr.r.tpl.Cond(rt.Task.ChangedWhen, scope)
				if err != nil {
					result.Set("failed", true)
					result.Set("changed_when_result", pr.condErr(rt, err))
				} else {
					result.Set("changed", c)
				}
			}
			if len(rt.Task.FailedWhen) > 0 && !result.Has("changed_when_result") {
				c, err := pr.r.tpl.Cond(rt.Task.FailedWhen, scope)
				if err != nil {
					result.Set("failed", true)
					result.Set("failed_when_result", pr.condErr(rt, err))
				} else {
					result.Set("failed_when_result", c)
					result.Set("failed", c)
				}
			}
			if rt.Task.Register != "" {
				scope.Set(rt.Task.Register, registeredDuring(result))
			}
		}
		if retries > 1 {
			until := rt.Task.Until
			conds, ok := until.([]any)
			if !ok {
				conds = []any{until}
			}
			c, err := pr.r.tpl.Cond(conds, scope)
			if err == nil && c {
				broke = true
				break
			}
			if attempt < retries {
				result.Set("_ansible_retry", true)
				result.Set("retries", retries)
				pr.r.cb.Retry(&output.Result{Host: host, Task: pr.outTask(rt, host, "", ""), Status: output.StatusFailed,
					Data: output.CleanResult(rt.Task.Action, noLog, result)})
				select {
				case <-ctx.Done():
					return result
				case <-time.After(time.Duration(delay * float64(time.Second))):
				}
			}
		} else {
			broke = true
		}
	}
	if !broke && retries > 1 {
		result.Set("attempts", retries-1)
		result.Set("failed", true)
	}
	if len(rt.Task.Notify) > 0 {
		l := make([]any, len(rt.Task.Notify))
		for i, n := range rt.Task.Notify {
			l[i] = n
		}
		result.Set("_ansible_notify", l)
	}
	if hr.delegate != "" {
		dv := value.DictOf("ansible_delegated_host", hr.delegate)
		ds := pr.scope(hr.delegate, rt, nil)
		for _, k := range []string{"ansible_host", "ansible_port", "ansible_user", "ansible_connection"} {
			if v, ok := ds.Lookup(k); ok {
				if t, err := pr.r.tpl.Template(v, ds); err == nil {
					v = t
				}
				dv.Set(k, v)
			}
		}
		result.Set("_ansible_delegated_vars", dv)
	}
	return result
}

func (pr *playRun) condErr(rt *rtask, err error) string {
	return withPos(rt, err.Error())
}

// tv templates v (nil stays nil; errors keep v).
func (pr *playRun) tv(v any, scope vars.Vars) any {
	if v == nil {
		return nil
	}
	t, err := pr.r.tpl.Template(v, scope)
	if err != nil {
		return v
	}
	return t
}

// registered is the value stored by register: internal keys stripped,
// invocation removed (Ansible's strategy drops it from the registered copy;
// loop items keep theirs).
func registered(res *value.Dict) *value.Dict {
	out := output.StripInternal(res, nil).(*value.Dict)
	out.Delete("invocation")
	return out
}

// registeredDuring is the register variable while the task itself still
// runs (changed_when, failed_when, until): Ansible's task executor sees the
// raw result there, invocation included.
func registeredDuring(res *value.Dict) *value.Dict {
	return output.StripInternal(res, nil).(*value.Dict)
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// runAction runs an engine-side action or a module.
func (pr *playRun) runAction(ctx context.Context, rt *rtask, host string, scope *vars.Scope, args map[string]any, hr *hostResult) *value.Dict {
	if fn, ok := actions[rt.Task.Module]; ok {
		return fn(ctx, &actionCtx{pr: pr, rt: rt, host: host, scope: scope, args: args, hr: hr})
	}
	mod, ok := modules.Lookup(pr.resolvedAction(rt))
	if !ok {
		mod, ok = modules.Lookup(rt.Task.Module)
	}
	if !ok {
		if fn, ok := fallbackActions[rt.Task.Module]; ok {
			return fn(ctx, &actionCtx{pr: pr, rt: rt, host: host, scope: scope, args: args, hr: hr})
		}
		return value.DictOf("failed", true, "msg", fmt.Sprintf("couldn't resolve module/action '%s'. This often indicates a misspelling, missing collection, or incorrect module path.", rt.Task.Action))
	}
	if async, ok := numOf(pr.tv(rt.Task.Async, scope)); ok && async > 0 {
		poll := 15.0
		if p, ok := numOf(pr.tv(rt.Task.Poll, scope)); ok {
			poll = p
		}
		return pr.runAsync(ctx, mod, rt, host, scope, args, hr, async, poll)
	}
	return pr.runModule(ctx, mod, rt, host, scope, args, hr)
}

func (pr *playRun) runModule(ctx context.Context, mod modules.Module, rt *rtask, host string, scope *vars.Scope, args map[string]any, hr *hostResult) *value.Dict {
	target := host
	cscope := scope
	if hr.delegate != "" {
		target = hr.delegate
		cscope = pr.scope(target, rt, nil)
	}
	cv := pr.connVars(rt, target, cscope)
	conn, err := pr.r.conn(ctx, target, cv)
	if err != nil {
		return pr.unreachableResult(rt.Task.Action, cv, err)
	}
	timeout := pr.r.opts.TaskTimeout
	if n, ok := numOf(pr.kwAny(rt, host, func(k *kwT) any { return k.Timeout })); ok {
		timeout = int(n)
	}
	tctx := ctx
	if timeout > 0 {
		var cancel context.CancelFunc
		tctx, cancel = context.WithTimeout(ctx, time.Duration(timeout)*time.Second)
		defer cancel()
	}
	req := &modules.Request{
		Args: args, Conn: conn, Become: pr.become(rt, host, scope), Env: pr.environment(rt, host, scope),
		CheckMode: pr.checkMode(rt, host), DiffMode: pr.diffMode(rt, host),
		Controller: &controller{pr: pr, rt: rt, scope: scope}, Host: host, Vars: factVars(scope),
	}
	res, err := mod.Run(tctx, req)
	if timeout > 0 && errors.Is(tctx.Err(), context.DeadlineExceeded) {
		return value.DictOf("failed", true, "msg", fmt.Sprintf("The %s action failed to execute in the expected time frame (%d) and was terminated", rt.Task.Action, timeout))
	}
	if err != nil {
		if connection.IsUnreachable(err) {
			pr.r.dropConn(target)
			return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
		}
		return moduleError(err)
	}
	return toDict(map[string]any(res))
}

// moduleError is the result of a module that could not run. A failed
// privilege escalation is an error of the connection, not of the module:
// Ansible reports it with the message alone, without "changed".
func moduleError(err error) *value.Dict {
	var be *connection.BecomeError
	if errors.As(err, &be) {
		return value.DictOf("failed", true, "msg", err.Error(), errMarker, true)
	}
	var le *modules.LoadError
	if errors.As(err, &le) {
		return value.DictOf("failed", true, "msg", err.Error(), errMarker, true)
	}
	return value.DictOf("failed", true, "msg", err.Error(), "changed", false)
}

// factVars gives modules the host's ansible_* variables and facts.
func factVars(scope *vars.Scope) map[string]any {
	out := map[string]any{}
	for _, n := range scope.Names() {
		if strings.HasPrefix(n, "ansible_") || n == "inventory_hostname" {
			if v, ok := scope.Lookup(n); ok {
				out[n] = v
			}
		}
	}
	return out
}

// toDict converts module results to ordered values (keys sorted).
func toDict(m map[string]any) *value.Dict {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := value.NewDict(len(m))
	for _, k := range keys {
		d.Set(k, normalize(m[k]))
	}
	return d
}

func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		return toDict(t)
	case modules.Result:
		return toDict(map[string]any(t))
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = normalize(x)
		}
		return out
	case []string:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = x
		}
		return out
	case []map[string]any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = toDict(x)
		}
		return out
	case int64:
		return int(t)
	case int32:
		return int(t)
	case uint64:
		return int(t)
	case float32:
		return float64(t)
	case *value.Dict:
		out := value.NewDict(t.Len())
		for _, k := range t.Keys() {
			x, _ := t.Get(k)
			out.Set(k, normalize(x))
		}
		return out
	}
	return v
}

// plainLists turns tuple-like slices (lookup results) into []any, as
// ansible's templating turns tuples into lists.
func plainLists(v any) any {
	switch v.(type) {
	case nil, string, bool, int, float64, *value.Dict, []any:
		return v
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() == reflect.Slice {
		out := make([]any, rv.Len())
		for i := range out {
			out[i] = plainLists(rv.Index(i).Interface())
		}
		return out
	}
	return v
}
