package executor

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"octopus/engine/connection"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/engine/vars"
)

// actionCtx is what an engine-side action sees.
type actionCtx struct {
	pr    *playRun
	rt    *rtask
	host  string
	scope *vars.Scope
	args  map[string]any
	hr    *hostResult
}

type actionFunc func(ctx context.Context, a *actionCtx) *value.Dict

// actions run on the controller instead of a module.
var actions map[string]actionFunc

// fallbackActions are used when no module of that name is registered.
var fallbackActions map[string]actionFunc

func init() {
	actions = map[string]actionFunc{
		"debug":               actDebug,
		"set_fact":            actSetFact,
		"fail":                actFail,
		"assert":              actAssert,
		"include_vars":        actIncludeVars,
		"add_host":            actAddHost,
		"group_by":            actGroupBy,
		"pause":               actPause,
		"set_stats":           actSetStats,
		"wait_for_connection": actWaitForConnection,
		"reboot":              actReboot,
		"gather_facts":        actGatherFacts,
		"meta":                actMetaInLoop,
		"async_status":        actAsyncStatus,
	}
	fallbackActions = map[string]actionFunc{
		"ping":  actPing,
		"setup": actGatherFacts,
	}
}

var identRe = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)

func actDebug(_ context.Context, a *actionCtx) *value.Dict {
	_, hasMsg := a.args["msg"]
	varArg, hasVar := a.args["var"]
	if hasMsg && hasVar {
		return value.DictOf("failed", true, "msg", "'msg' and 'var' are incompatible options")
	}
	res := value.NewDict(4)
	verb := 0
	if v, ok := numOf(a.args["verbosity"]); ok {
		verb = int(v)
	}
	if verb > a.pr.r.opts.Verbosity {
		res.Set("skipped_reason", "Verbosity threshold not met.")
		res.Set("skipped", true)
		res.Set("failed", false)
		return res
	}
	switch {
	case hasMsg:
		res.Set("msg", a.args["msg"])
	case hasVar:
		var results any
		key := pyfmt.Str(varArg)
		s, isStr := varArg.(string)
		var err error
		if isStr && !strings.Contains(s, "{{") && !strings.Contains(s, "{%") {
			results, err = a.pr.r.tpl.Template("{{"+s+"}}", a.scope)
		} else {
			results, err = a.pr.r.tpl.Template(varArg, a.scope)
			if err == nil && isStr && results == s {
				results, err = a.pr.r.tpl.Template("{{"+s+"}}", a.scope)
			}
		}
		if err != nil {
			if a.pr.r.tpl.IsUndefined(err) || strings.Contains(err.Error(), "undefined") {
				results = "VARIABLE IS NOT DEFINED!"
				if a.pr.r.opts.Verbosity > 0 {
					results = fmt.Sprintf("VARIABLE IS NOT DEFINED!: %s. %s", err.Error(), err.Error())
				}
			} else {
				return value.DictOf("failed", true, "msg", err.Error())
			}
		}
		switch varArg.(type) {
		case []any:
			key = "<class 'list'>"
		case *value.Dict, map[string]any:
			key = "<class 'dict'>"
		}
		res.Set(key, results)
	default:
		res.Set("msg", "Hello world!")
	}
	res.Set("_ansible_verbose_always", true)
	res.Set("failed", false)
	return res
}

func pyBoolish(v any) any {
	if s, ok := v.(string); ok {
		switch strings.ToLower(s) {
		case "true", "yes":
			return true
		case "false", "no":
			return false
		}
	}
	return v
}

func actSetFact(_ context.Context, a *actionCtx) *value.Dict {
	facts := value.NewDict(len(a.args))
	cacheable := false
	// keep the order of the task's arguments as written when possible
	for _, k := range sortedKeys(a.args) {
		v := a.args[k]
		if k == "cacheable" {
			cacheable, _ = boolOf(v)
			continue
		}
		if !identRe.MatchString(k) {
			return value.DictOf("failed", true, "msg", fmt.Sprintf("The variable name '%s' is not valid. Variables must start with a letter or underscore character, and contain only letters, numbers and underscores.", k))
		}
		facts.Set(k, pyBoolish(v))
	}
	if facts.Len() == 0 {
		return value.DictOf("failed", true, "msg", "No key/value pairs provided, at least one is required for this action to succeed")
	}
	return value.DictOf("ansible_facts", facts, "_ansible_facts_cacheable", cacheable, "changed", false)
}

func actFail(_ context.Context, a *actionCtx) *value.Dict {
	msg := any("Failed as requested from task")
	if m, ok := a.args["msg"]; ok {
		msg = m
	}
	return value.DictOf("failed", true, "msg", msg)
}

func actAssert(_ context.Context, a *actionCtx) *value.Dict {
	that, ok := a.args["that"]
	if !ok {
		return value.DictOf("failed", true, "msg", `conditional required in "that" string`)
	}
	failMsg, ok := a.args["fail_msg"]
	if !ok {
		failMsg, ok = a.args["msg"]
	}
	if !ok || failMsg == nil {
		failMsg = "Assertion failed"
	}
	successMsg, ok := a.args["success_msg"]
	if !ok || successMsg == nil {
		successMsg = "All assertions passed"
	}
	quiet, _ := boolOf(a.args["quiet"])
	var thats []any
	switch t := that.(type) {
	case []any:
		thats = t
	case string:
		v, err := a.pr.r.tpl.Template(t, a.scope)
		if err != nil {
			return value.DictOf("failed", true, "msg", a.pr.errMsg(a.rt, err))
		}
		if l, ok := v.([]any); ok {
			thats = l
		} else {
			thats = []any{v}
		}
	default:
		thats = []any{t}
	}
	res := value.NewDict(6)
	if !quiet {
		res.Set("_ansible_verbose_always", true)
	}
	for _, c := range thats {
		ok, err := a.pr.r.tpl.Cond([]any{c}, a.scope)
		if err != nil {
			return value.DictOf("failed", true, "msg", a.pr.condErr(a.rt, err))
		}
		if !ok {
			res.Set("failed", true)
			res.Set("evaluated_to", false)
			res.Set("assertion", c)
			res.Set("msg", failMsg)
			return res
		}
	}
	res.Set("changed", false)
	res.Set("msg", successMsg)
	return res
}

func actIncludeVars(_ context.Context, a *actionCtx) *value.Dict {
	ctl := &controller{pr: a.pr, rt: a.rt, scope: a.scope}
	name := ""
	if n, ok := a.args["name"]; ok && n != nil {
		name = fmt.Sprint(n)
	}
	var files []string
	if d, ok := a.args["dir"]; ok && d != nil {
		dir, err := ctl.FindFile("vars", fmt.Sprint(d))
		if err != nil {
			return value.DictOf("failed", true, "msg", fmt.Sprintf("%s directory does not exist", d))
		}
		exts := []string{"yaml", "yml", "json"}
		if e, ok := a.args["extensions"].([]any); ok {
			exts = nil
			for _, x := range e {
				exts = append(exts, fmt.Sprint(x))
			}
		}
		var match *regexp.Regexp
		if fm, ok := a.args["files_matching"]; ok && fm != nil {
			match, _ = regexp.Compile(fmt.Sprint(fm))
		}
		ignore := map[string]bool{}
		if ig, ok := a.args["ignore_files"].([]any); ok {
			for _, x := range ig {
				ignore[fmt.Sprint(x)] = true
			}
		}
		filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			base := filepath.Base(p)
			if ignore[base] || (match != nil && !match.MatchString(base)) {
				return nil
			}
			ext := strings.TrimPrefix(filepath.Ext(base), ".")
			for _, e := range exts {
				if e == ext {
					files = append(files, p)
					break
				}
			}
			return nil
		})
		sort.Strings(files)
	} else {
		f, ok := a.args["file"]
		if !ok {
			f = a.args["_raw_params"]
		}
		if f == nil {
			return value.DictOf("failed", true, "msg", "No file was provided")
		}
		p, err := ctl.FindFile("vars", fmt.Sprint(f))
		if err != nil {
			return value.DictOf("failed", true, "msg", fmt.Sprintf("Could not find or access '%s'", f), "ansible_facts", value.NewDict(0))
		}
		files = []string{p}
	}
	all := value.NewDict(8)
	var loaded []any
	for _, f := range files {
		d, err := loadVarsFile(f, a.pr.r.opts.Decrypt)
		if ve := asVaultError(err); ve != nil {
			return value.DictOf("ansible_facts", value.NewDict(0), "ansible_included_var_files", []any{},
				"changed", false, "failed", true, "message", ve.err.Error())
		}
		if err != nil {
			return value.DictOf("failed", true, "msg", err.Error())
		}
		for _, k := range d.Keys() {
			v, _ := d.Get(k)
			if a.pr.r.opts.HashMerge {
				if old, ok := all.Get(k); ok {
					v = vars.Combine(old, v, true)
				}
			}
			all.Set(k, v)
		}
		loaded = append(loaded, f)
	}
	if name != "" {
		all = value.DictOf(name, all)
	}
	return value.DictOf("ansible_facts", all, "ansible_included_var_files", loaded, "changed", false)
}

func actAddHost(_ context.Context, a *actionCtx) *value.Dict {
	name := a.args["name"]
	if name == nil {
		name = a.args["hostname"]
	}
	if name == nil {
		name = a.args["host"]
	}
	if name == nil {
		return value.DictOf("failed", true, "msg", "name or hostname arg needs to be provided")
	}
	hn := fmt.Sprint(name)
	var groups []any
	for _, k := range []string{"groups", "group", "groupname"} {
		if g, ok := a.args[k]; ok && g != nil {
			switch t := g.(type) {
			case []any:
				groups = append(groups, t...)
			default:
				for _, s := range strings.Split(fmt.Sprint(t), ",") {
					groups = append(groups, strings.TrimSpace(s))
				}
			}
		}
	}
	hv := value.NewDict(4)
	for _, k := range sortedKeys(a.args) {
		switch k {
		case "name", "hostname", "host", "groups", "group", "groupname":
			continue
		}
		hv.Set(k, a.args[k])
	}
	if h, p, ok := strings.Cut(hn, ":"); ok && !strings.Contains(p, ":") {
		if n, err := strconv.Atoi(p); err == nil {
			hn = h
			hv.Set("ansible_ssh_port", n)
		}
	}
	changed := !a.pr.r.inv.HasHost(hn)
	if groups == nil {
		groups = []any{}
	}
	return value.DictOf("add_host", value.DictOf("host_name", hn, "groups", groups, "host_vars", hv), "changed", changed)
}

func actGroupBy(_ context.Context, a *actionCtx) *value.Dict {
	k, ok := a.args["key"]
	if !ok {
		return value.DictOf("failed", true, "msg", "the 'key' param is required when using group_by")
	}
	group := strings.ReplaceAll(strings.ReplaceAll(fmt.Sprint(k), " ", "-"), ":", "-")
	var parents []any
	switch p := a.args["parents"].(type) {
	case []any:
		parents = p
	case string:
		parents = []any{p}
	default:
		parents = []any{"all"}
	}
	return value.DictOf("changed", false, "add_group", group, "parent_groups", parents)
}

func actSetStats(_ context.Context, a *actionCtx) *value.Dict {
	data := a.args["data"]
	perHost, aggregate := false, true
	if b, ok := boolOf(a.args["per_host"]); ok {
		perHost = b
	}
	if b, ok := boolOf(a.args["aggregate"]); ok {
		aggregate = b
	}
	return value.DictOf("ansible_stats", value.DictOf("data", data, "per_host", perHost, "aggregate", aggregate), "changed", false)
}

func (a *actionCtx) conn(ctx context.Context) (connection.Conn, error) {
	target := a.host
	scope := a.scope
	if a.hr.delegate != "" {
		target = a.hr.delegate
		scope = a.pr.scope(target, a.rt, nil)
	}
	return a.pr.r.conn(ctx, target, a.pr.connVars(a.rt, target, scope))
}

func actWaitForConnection(ctx context.Context, a *actionCtx) *value.Dict {
	timeout := 600.0
	if t, ok := numOf(a.args["timeout"]); ok {
		timeout = t
	}
	delay, sleep := 0.0, 1.0
	if d, ok := numOf(a.args["delay"]); ok {
		delay = d
	}
	if s, ok := numOf(a.args["sleep"]); ok {
		sleep = s
	}
	start := time.Now()
	time.Sleep(time.Duration(delay * float64(time.Second)))
	var last error
	for time.Since(start).Seconds() < timeout && ctx.Err() == nil {
		c, err := a.conn(ctx)
		if err == nil {
			if _, err = c.Exec(ctx, "true", connection.ExecOptions{}); err == nil {
				return value.DictOf("elapsed", int(time.Since(start).Seconds()), "changed", false)
			}
		}
		last = err
		a.pr.r.dropConn(a.host)
		time.Sleep(time.Duration(sleep * float64(time.Second)))
	}
	return value.DictOf("failed", true, "elapsed", int(time.Since(start).Seconds()),
		"msg", fmt.Sprintf("timed out waiting for ping module test: %v", last))
}

func actPing(ctx context.Context, a *actionCtx) *value.Dict {
	c, err := a.conn(ctx)
	if err != nil {
		return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
	}
	if _, err := c.Exec(ctx, "true", connection.ExecOptions{}); err != nil {
		if connection.IsUnreachable(err) {
			return value.DictOf("unreachable", true, "msg", err.Error(), "changed", false)
		}
		return value.DictOf("failed", true, "msg", err.Error())
	}
	data := any("pong")
	if d, ok := a.args["data"]; ok {
		data = d
	}
	if data == "crash" {
		return value.DictOf("failed", true, "msg", "boom")
	}
	return value.DictOf("ping", data, "changed", false)
}

func actMetaInLoop(_ context.Context, a *actionCtx) *value.Dict {
	return value.DictOf("changed", false, "msg", metaAction(a.rt))
}

// ActionNames returns the names of the actions the engine runs itself
// (debug, set_fact, reboot...), sorted.
func ActionNames() []string {
	names := make([]string, 0, len(actions)+len(fallbackActions))
	for n := range actions {
		names = append(names, n)
	}
	for n := range fallbackActions {
		if _, dup := actions[n]; !dup {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}
