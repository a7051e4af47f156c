package playbook

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
	"octopus/engine/pyfmt"
)

// freeformActions take a free-form command string (_raw_params).
var freeformActions = set("command raw script shell win_command win_shell")

// rawParamActions accept _raw_params at all.
var rawParamActions = set("command raw script shell win_command win_shell include include_vars include_tasks include_role import_tasks import_role add_host group_by set_fact meta")

var rawParamSimple = "ansible.builtin.add_host, ansible.builtin.command, ansible.builtin.group_by, ansible.builtin.import_role, ansible.builtin.import_tasks, ansible.builtin.include, ansible.builtin.include_role, ansible.builtin.include_tasks, ansible.builtin.include_vars, ansible.builtin.meta, ansible.builtin.raw, ansible.builtin.script, ansible.builtin.set_fact, ansible.builtin.shell, ansible.builtin.win_command, ansible.builtin.win_shell, ansible.legacy.add_host, ansible.legacy.command, ansible.legacy.group_by, ansible.legacy.import_role, ansible.legacy.import_tasks, ansible.legacy.include, ansible.legacy.include_role, ansible.legacy.include_tasks, ansible.legacy.include_vars, ansible.legacy.meta, ansible.legacy.raw, ansible.legacy.script, ansible.legacy.set_fact, ansible.legacy.shell, ansible.legacy.win_command, ansible.legacy.win_shell, ansible.windows.win_command, ansible.windows.win_shell, add_host, command, group_by, import_role, import_tasks, include, include_role, include_tasks, include_vars, meta, raw, script, set_fact, shell, win_command, win_shell"

func isFreeform(action string) bool {
	if action == "ansible.windows.win_command" || action == "ansible.windows.win_shell" {
		return true
	}
	if strings.Contains(action, ".") && !strings.HasPrefix(action, "ansible.builtin.") && !strings.HasPrefix(action, "ansible.legacy.") {
		return false
	}
	return freeformActions[ShortName(action)]
}

func isRawParam(action string) bool {
	return isFreeform(action) || (!strings.Contains(ShortName(action), ".") && rawParamActions[ShortName(action)])
}

func isBuiltinTask(action string) bool {
	if strings.Contains(ShortName(action), ".") {
		return false
	}
	return isA(action, "meta", "include", "include_tasks", "include_role", "import_tasks", "import_role")
}

func isTemplate(s string) bool {
	return strings.Contains(s, "{{") || strings.Contains(s, "{%")
}

func isBlock(n *yaml.Node) bool {
	n = deref(n)
	if n == nil || n.Kind != yaml.MappingNode {
		return false
	}
	for _, p := range pairs(n) {
		if p.Key == "block" || p.Key == "rescue" || p.Key == "always" {
			return true
		}
	}
	return false
}

// loadBlocks loads a task list (tasks:, handlers:, a tasks file) into
// blocks: runs of plain tasks are wrapped in implicit blocks.
func (l *Loader) loadBlocks(n *yaml.Node, c *ctx, include *Task) ([]*Block, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, &assertError{msg: fmt.Sprintf("%s should be a list or None but is %s", pyfmt.Str(toValue(n, c.file)), pyType(n))}
	}
	var out []*Block
	var run []*yaml.Node
	flush := func() error {
		if len(run) == 0 {
			return nil
		}
		b := &Block{Pos: posOf(run[0], c.file), File: c.file, Implicit: true, Role: c.role, FromInclude: include}
		items, err := l.loadItems(run, c, b)
		if err != nil {
			return err
		}
		b.Block = items
		out = append(out, b)
		run = nil
		return nil
	}
	for _, e := range n.Content {
		if isBlock(e) {
			if err := flush(); err != nil {
				return nil, err
			}
			b, err := l.loadBlock(deref(e), c, nil)
			if err != nil {
				return nil, err
			}
			b.FromInclude = include
			out = append(out, b)
			continue
		}
		run = append(run, e)
	}
	if err := flush(); err != nil {
		return nil, err
	}
	return out, nil
}

func (c *ctx) playPos() diag.Pos {
	if c.play != nil {
		return c.play.Pos
	}
	return diag.Pos{}
}

func (l *Loader) loadBlock(n *yaml.Node, c *ctx, parent *Block) (*Block, error) {
	pos := posOf(n, c.file)
	b := &Block{Pos: pos, File: c.file, Parent: parent, Role: c.role}
	ps := sortByOrder(pairs(n), strings.Fields("collections vars tags when name block rescue always"))
	for _, p := range ps {
		if !BlockKeys[p.Key] {
			return nil, &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a Block", p.Key), Pos: pos, Code: 4}
		}
	}
	for _, p := range ps {
		if ok, err := applyKeyword(&b.Keywords, p.Key, p.V, c.file, "Block", pos); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		switch p.Key {
		case "name":
			b.Name = str(toValue(p.V, c.file))
		case "block", "rescue", "always":
			v := deref(p.V)
			if isNull(v) {
				continue
			}
			if v.Kind != yaml.SequenceNode {
				return nil, &diag.Error{Msg: "A malformed block was encountered while loading a block", Pos: pos, Code: 4}
			}
			items, err := l.loadItems(v.Content, c, b)
			if err != nil {
				return nil, err
			}
			switch p.Key {
			case "block":
				b.Block = items
			case "rescue":
				b.Rescue = items
			default:
				b.Always = items
			}
		case "notify":
			// Blocks accept notify; it has no effect of its own.
		}
	}
	if len(b.Block) == 0 {
		for _, sec := range []struct {
			name  string
			items []Item
		}{{"rescue", b.Rescue}, {"always", b.Always}} {
			if len(sec.items) > 0 {
				return nil, &diag.Error{Msg: fmt.Sprintf("'%s' keyword cannot be used without 'block'", sec.name), Pos: pos, Code: 4}
			}
		}
	}
	return b, nil
}

// loadItems loads the entries of a block section.
func (l *Loader) loadItems(entries []*yaml.Node, c *ctx, parent *Block) ([]Item, error) {
	var out []Item
	for _, e := range entries {
		e = deref(e)
		if e.Kind != yaml.MappingNode {
			vals := []any{}
			for _, x := range entries {
				vals = append(vals, toValue(x, c.file))
			}
			return nil, &diag.Error{Msg: fmt.Sprintf("A malformed block was encountered while loading a block. The ds (%s) should be a dict but was a <class 'list'>", pyfmt.Repr(vals)), Code: 4}
		}
		if isBlock(e) {
			if c.handlers {
				return nil, &diag.Error{Msg: "Using a block as a handler is not supported.", Pos: posOf(e, c.file), Code: 4}
			}
			b, err := l.loadBlock(e, c, parent)
			if err != nil {
				return nil, err
			}
			out = append(out, b)
			continue
		}
		items, err := l.loadTaskEntry(e, c, parent)
		if err != nil {
			return nil, err
		}
		out = append(out, items...)
	}
	return out, nil
}

// loadTaskEntry loads one task; static imports expand to their blocks.
func (l *Loader) loadTaskEntry(n *yaml.Node, c *ctx, parent *Block) ([]Item, error) {
	t, err := l.parseTask(n, c, parent)
	if err != nil {
		return nil, err
	}
	if c.handlers && isA(t.Action, "include_role", "import_role") && !strings.Contains(t.Module, ".") {
		return nil, &diag.Error{Msg: fmt.Sprintf("Using '%s' as a handler is not supported.", t.Action), Pos: t.Pos, Code: 4}
	}
	switch {
	case isA(t.Action, "import_tasks"):
		return l.expandImport(n, t, c, parent)
	case isA(t.Action, "include") && !strings.Contains(ShortName(t.Action), "."):
		if l.opts.Deprecate != nil {
			l.opts.Deprecate(`"include" is deprecated, use include_tasks/import_tasks instead. See https://docs.ansible.com/ansible-core/2.14/user_guide/playbooks_reuse_includes.html for details`, "2.16")
		}
		if !isTemplate(str(t.Args["_raw_params"])) && t.Loop == nil && !c.dynamic {
			return l.expandImport(n, t, c, parent)
		}
		return []Item{t}, nil
	case isA(t.Action, "import_role"):
		return l.expandImportRole(n, t, c)
	}
	return []Item{t}, nil
}

func (l *Loader) expandImport(n *yaml.Node, t *Task, c *ctx, parent *Block) ([]Item, error) {
	pos := posOf(n, c.file)
	if t.Loop != nil {
		if isA(t.Action, "import_tasks") {
			return nil, &diag.Error{Msg: "You cannot use loops on 'import_tasks' statements. You should use 'include_tasks' instead.", Pos: pos, Code: 4}
		}
		return nil, &diag.Error{Msg: "You cannot use 'static' on an include with a loop", Pos: pos, Code: 4}
	}
	t.Static = true
	target := str(t.Args["_raw_params"])
	vars := l.varsFor(c, t)
	target, err := l.template(target, vars, pos)
	if err != nil {
		return nil, &diag.Error{Msg: fmt.Sprintf("Error when evaluating variable in import path: %s.\n\nWhen using static imports, ensure that any variables used in their names are defined in vars/vars_files\nor extra-vars passed in from the command line. Static imports cannot use variables from facts or inventory\nsources like group or host vars.", str(t.Args["_raw_params"])), Pos: pos, NoContext: true, Code: 4}
	}
	file := l.resolveTasksPath(target, c)
	root, err := l.readYAML(file)
	if err != nil {
		if isNotExist(err) {
			return nil, &diag.Error{Msg: fmt.Sprintf("Unable to retrieve file contents\nCould not find or access '%s' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option", file), Code: 1}
		}
		return nil, err
	}
	if root == nil {
		l.warn("file %s is empty and had no tasks to include", file)
		return nil, nil
	}
	if deref(root).Kind != yaml.SequenceNode {
		return nil, &diag.Error{Msg: "included task files must contain a list of tasks", Pos: posOf(root, file), Code: 4}
	}
	cc := *c
	cc.file = file
	cc.include = t
	cc.includeDir = filepath.Dir(file)
	blocks, err := l.loadBlocks(root, &cc, t)
	if err != nil {
		return nil, err
	}
	var out []Item
	for _, b := range blocks {
		out = append(out, b)
	}
	return out, nil
}

// resolveTasksPath finds the file an import_tasks names: relative to the
// importing file's directory first (nested imports), then the role's
// tasks/ (or handlers/) directory or the play's basedir.
func (l *Loader) resolveTasksPath(target string, c *ctx) string {
	if filepath.IsAbs(target) {
		return target
	}
	sub := "tasks"
	if c.handlers {
		sub = "handlers"
	}
	var cands []string
	if c.includeDir != "" {
		cands = append(cands, filepath.Join(c.includeDir, target))
	}
	if c.role != nil {
		cands = append(cands, filepath.Join(c.role.Path, sub, target), filepath.Join(c.role.Path, target))
	}
	cands = append(cands, pathDwim(c.baseDir, target))
	for _, p := range cands {
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if c.role != nil {
		return filepath.Join(c.role.Path, sub, target)
	}
	return pathDwim(c.baseDir, target)
}

// varsFor collects the variables visible at load time for templating
// import paths: extra vars over play vars, role vars and task vars.
func (l *Loader) varsFor(c *ctx, t *Task) map[string]any {
	vars := map[string]any{}
	put := func(v *Vars) {
		if v == nil {
			return
		}
		for _, k := range v.Keys {
			vars[k] = v.Values[k]
		}
	}
	if c.play != nil {
		put(c.play.Vars)
	}
	if c.role != nil {
		put(c.role.Defaults)
		put(c.role.RoleVars)
		put(c.role.Params)
	}
	if t != nil {
		put(t.Vars)
	}
	for k, v := range l.opts.ExtraVars {
		vars[k] = v
	}
	return vars
}

// parseTask turns a task mapping into a Task (without expanding imports).
func (l *Loader) parseTask(n *yaml.Node, c *ctx, parent *Block) (*Task, error) {
	file := c.file
	pos := posOf(n, file)
	perr := func(format string, args ...any) error {
		return &diag.Error{Msg: fmt.Sprintf(format, args...), Pos: pos, Code: 4}
	}
	ps := pairs(n)
	t := &Task{Pos: pos, File: file, Parent: parent, Role: c.role, IsHandler: c.handlers}
	attrs := TaskKeys
	if c.handlers {
		attrs = HandlerKeys
	}
	get := func(key string) (*yaml.Node, bool) {
		for _, p := range ps {
			if p.Key == key {
				return p.V, true
			}
		}
		return nil, false
	}
	action := ""
	var argKeys []string
	args := map[string]any{}
	merge := func(keys []string, m map[string]any) {
		for _, k := range keys {
			if _, ok := args[k]; !ok {
				argKeys = append(argKeys, k)
			}
			args[k] = m[k]
		}
	}
	// args: are merged first; inline arguments win.
	var extraKeys []string
	extra := map[string]any{}
	if an, ok := get("args"); ok && !isNull(an) {
		an = deref(an)
		switch an.Kind {
		case yaml.MappingNode:
			for _, p := range pairs(an) {
				extraKeys = append(extraKeys, p.Key)
				extra[p.Key] = toValue(p.V, file)
			}
		case yaml.ScalarNode:
			s := str(toValue(an, file))
			if !isTemplate(s) {
				return nil, perr("Complex args containing variables cannot use bare variables (without Jinja2 delimiters), and must use the full variable style ('{{var_name}}')")
			}
			extraKeys = []string{"_variable_params"}
			extra["_variable_params"] = s
		default:
			return nil, perr(`Complex args must be a dictionary or variable string ("{{var}}").`)
		}
	}
	normalize := func(thing *yaml.Node, oldStyle bool, name string) error {
		merge(extraKeys, extra)
		thing = deref(thing)
		v := toValue(thing, file)
		var keys []string
		m := map[string]any{}
		if oldStyle {
			switch tv := v.(type) {
			case string:
				mod, rest, err := splitModuleString(tv)
				if err != nil {
					return perr("%s", err.Error())
				}
				action = mod
				keys, m, err = ParseKV(rest, isFreeform(mod))
				if err != nil {
					return perr("%s", err.Error())
				}
			default:
				if thing == nil || thing.Kind != yaml.MappingNode {
					return perr("unexpected parameter type in action: %s", pyClass(v))
				}
				for _, p := range pairs(thing) {
					if p.Key == "module" {
						mod, rest, err := splitModuleString(str(toValue(p.V, file)))
						if err != nil {
							return perr("%s", err.Error())
						}
						action = mod
						k2, m2, err := ParseKV(rest, isFreeform(mod))
						if err != nil {
							return perr("%s", err.Error())
						}
						for _, k := range k2 {
							if _, ok := m[k]; !ok {
								keys = append(keys, k)
							}
							m[k] = m2[k]
						}
						continue
					}
					if _, ok := m[p.Key]; !ok {
						keys = append(keys, p.Key)
					}
					m[p.Key] = toValue(p.V, file)
				}
				if action == "" {
					return perr("no module/action detected in task.")
				}
			}
			if a, ok := m["args"]; ok {
				delete(m, "args")
				keys = remove(keys, "args")
				var ak []string
				am := map[string]any{}
				switch at := a.(type) {
				case string:
					ak, am, _ = ParseKV(at, false)
				default:
					if d, ok := toDict(a); ok {
						ak, am = d.keys, d.m
					}
				}
				for _, k := range ak {
					if _, ok := m[k]; !ok {
						keys = append(keys, k)
					}
					m[k] = am[k]
				}
			}
		} else {
			action = name
			switch tv := v.(type) {
			case nil:
			case string:
				var err error
				keys, m, err = ParseKV(tv, isFreeform(name))
				if err != nil {
					return perr("%s", err.Error())
				}
			default:
				if thing.Kind != yaml.MappingNode {
					return perr("unexpected parameter type in action: %s", pyClass(v))
				}
				for _, p := range pairs(thing) {
					keys = append(keys, p.Key)
					m[p.Key] = toValue(p.V, file)
				}
			}
		}
		if !isFreeform(action) {
			for _, k := range keys {
				if strings.HasPrefix(k, "_ansible_") {
					return &diag.Error{Msg: fmt.Sprintf("invalid parameter specified for action '%s': '%s'", action, k), Code: 1}
				}
			}
		}
		merge(keys, m)
		return nil
	}
	if an, ok := get("action"); ok {
		if err := normalize(an, true, ""); err != nil {
			return nil, err
		}
	}
	if ln, ok := get("local_action"); ok {
		if action != "" {
			return nil, perr("action and local_action are mutually exclusive")
		}
		if err := normalize(ln, true, ""); err != nil {
			return nil, err
		}
		t.LocalAction = true
		t.DelegateTo = "localhost"
	}
	var unknown []string
	for _, p := range ps {
		if attrs[p.Key] || p.Key == "listen" || p.Key == "static" || strings.HasPrefix(p.Key, "with_") {
			continue
		}
		if l.opts.KnownAction != nil && !isBuiltinTask(p.Key) && !l.knownIn(p.Key, ps, c, parent) {
			unknown = append(unknown, p.Key)
			continue
		}
		if action != "" {
			return nil, perr("conflicting action statements: %s, %s", action, p.Key)
		}
		if err := normalize(p.V, false, p.Key); err != nil {
			return nil, err
		}
	}
	if action == "" {
		if len(unknown) > 0 {
			err := perr("couldn't resolve module/action '%s'. This often indicates a misspelling, missing collection, or incorrect module path.", unknown[0])
			err.(*diag.Error).Note = l.opts.UnknownActionNote
			return nil, err
		}
		return nil, perr("no module/action detected in task.")
	}
	if rp, ok := args["_raw_params"]; ok && str(rp) != "" && !isRawParam(action) {
		s := str(rp)
		delete(args, "_raw_params")
		argKeys = remove(argKeys, "_raw_params")
		if !isTemplate(s) {
			return nil, perr("this task '%s' has extra params, which is only allowed in the following modules: %s", action, rawParamSimple)
		}
		args["_variable_params"] = s
		argKeys = append(argKeys, "_variable_params")
	}
	if isA(action, "command", "shell", "script", "win_command", "win_shell") {
		if cmd, ok := args["cmd"]; ok {
			if str(args["_raw_params"]) != "" {
				return nil, &diag.Error{Msg: "The 'cmd' argument cannot be used when other raw parameters are specified. Please put everything in one or the other place.", Pos: pos, Code: 1}
			}
			delete(args, "cmd")
			argKeys = remove(argKeys, "cmd")
			if _, ok := args["_raw_params"]; !ok {
				argKeys = append(argKeys, "_raw_params")
			}
			args["_raw_params"] = cmd
		}
	}
	t.Action = action
	t.Module = ShortName(action)
	t.Args = args
	t.ArgOrder = argKeys
	// Keywords.
	hasLoopKey := false
	for _, p := range ps {
		key := p.Key
		if key == "action" || key == "local_action" || key == "args" || key == action {
			continue
		}
		if strings.HasPrefix(key, "with_") {
			if t.Loop != nil || t.LoopWith != "" || hasLoopKey {
				return nil, &diag.Error{Msg: fmt.Sprintf("duplicate loop in task: %s", strings.TrimPrefix(key, "with_")), Pos: pos, Code: 1}
			}
			v := toValue(p.V, file)
			if v == nil {
				return nil, &diag.Error{Msg: fmt.Sprintf("you must specify a value when using %s", key), Pos: pos, Code: 1}
			}
			t.LoopWith = strings.TrimPrefix(key, "with_")
			t.Loop = v
			continue
		}
		if key == "delegate_to" && t.LocalAction {
			continue
		}
		if !attrs[key] {
			what := "Task"
			if c.handlers {
				what = "Handler"
			}
			inner := &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a %s", key, what), Pos: pos}
			return nil, perr("%s\nThis error can be suppressed as a warning using the \"invalid_task_attribute_failed\" configuration", inner.Error())
		}
		if ok, err := applyKeyword(&t.Keywords, key, p.V, file, "Task", pos); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		v := toValue(p.V, file)
		switch key {
		case "name":
			t.Name = str(v)
		case "register":
			t.Register = str(v)
		case "loop":
			// loop: after with_* silently replaces it, as in Ansible.
			hasLoopKey = true
			t.Loop = v
			t.LoopWith = ""
		case "loop_control":
			lc := &LoopControl{}
			if d, ok := toDict(v); ok {
				for _, k := range d.keys {
					val := d.m[k]
					switch k {
					case "loop_var":
						lc.LoopVar = str(val)
					case "index_var":
						lc.IndexVar = str(val)
					case "label":
						lc.Label = val
					case "pause":
						lc.Pause = val
					case "extended":
						lc.Extended = val
					case "extended_allitems":
						lc.ExtendedAllItems = val
					default:
						return nil, &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a LoopControl", k), Pos: posOf(p.V, file), Code: 4}
					}
				}
			}
			t.LoopControl = lc
		case "until":
			t.Until = v
		case "retries":
			t.Retries = v
		case "delay":
			t.Delay = v
		case "changed_when":
			t.ChangedWhen = listOf(v)
		case "failed_when":
			t.FailedWhen = listOf(v)
		case "notify":
			t.Notify = strList(v)
		case "listen":
			t.Listen = strList(v)
		case "async", "async_val":
			t.Async = v
		case "poll":
			t.Poll = v
		}
	}
	if err := checkIncludeKeywords(t, ps, c.handlers, pos); err != nil {
		return nil, err
	}
	if err := l.checkIncludeArgs(t, pos); err != nil {
		return nil, err
	}
	if err := loadApply(t, ps, file); err != nil {
		return nil, err
	}
	return t, nil
}

// knownIn reports whether action resolves, directly or through the
// collections keyword in force for the task being parsed (its own, then
// its blocks', its role's and the play's).
func (l *Loader) knownIn(action string, ps []kv, c *ctx, parent *Block) bool {
	if l.opts.KnownAction(action) {
		return true
	}
	if strings.Contains(action, ".") {
		return false
	}
	var colls []string
	for _, p := range ps {
		if p.Key == "collections" {
			colls = strList(toValue(p.V, c.file))
		}
	}
	for b := parent; len(colls) == 0 && b != nil; b = b.Parent {
		colls = b.Collections
	}
	if len(colls) == 0 && c.role != nil {
		colls = c.role.Collections
	}
	if len(colls) == 0 && c.play != nil {
		colls = c.play.Collections
	}
	for _, coll := range colls {
		if coll != "ansible.builtin" && coll != "ansible.legacy" && l.opts.KnownAction(coll+"."+action) {
			return true
		}
	}
	return false
}

// includeKeywords are the keywords include_tasks and include_role accept
// (Ansible's TaskInclude.VALID_INCLUDE_KEYWORDS); handlers add listen.
var includeKeywords = set("action args collections debugger ignore_errors loop loop_control loop_with name no_log register run_once tags timeout vars when")

// checkIncludeKeywords rejects keywords a dynamic include does not take.
func checkIncludeKeywords(t *Task, ps []kv, handlers bool, pos diag.Pos) error {
	if strings.Contains(t.Module, ".") || !isA(t.Action, "include_tasks", "include_role") {
		return nil
	}
	class := "TaskInclude"
	if isA(t.Action, "include_role") {
		class = "IncludeRole"
	} else if handlers {
		class = "HandlerTaskInclude"
	}
	bad := func(k string) error {
		return &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a %s", k, class), Pos: pos, Code: 4}
	}
	for _, p := range ps {
		k := p.Key
		switch {
		case k == t.Action || k == "action" || k == "local_action" || k == "args":
			if k == "local_action" {
				return bad("delegate_to")
			}
			continue
		case strings.HasPrefix(k, "with_"), includeKeywords[k], handlers && k == "listen":
			continue
		}
		return bad(k)
	}
	return nil
}

// loadApply reads the apply: argument of include_tasks/include_role into
// t.Apply (a block without tasks). A value that is not a mapping is a load
// error; an invalid block keyword is kept in t.ApplyErr, since Ansible
// only finds it when it runs the include.
func loadApply(t *Task, ps []kv, file string) error {
	a, ok := t.Args["apply"]
	if !ok || strings.Contains(t.Module, ".") || !isA(t.Action, "include_tasks", "include_role") {
		return nil
	}
	if _, isMap := toDict(a); !isMap {
		return &diag.Error{Msg: fmt.Sprintf("Expected a dict for apply but got %s instead", pyClass(a)), Pos: t.Pos, Code: 4}
	}
	n := findApplyNode(ps, t.Action)
	if n == nil {
		return nil
	}
	ds := posOf(n, file)
	b := &Block{Pos: ds, File: file, Role: t.Role}
	for _, p := range pairs(n) {
		if p.Key == "block" || p.Key == "rescue" || p.Key == "always" {
			continue // the apply block is only a parent: its task lists never run
		}
		if !BlockKeys[p.Key] {
			t.ApplyErr = &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a Block", p.Key), Pos: ds, Code: 4}
			return nil
		}
	}
	for _, p := range pairs(n) {
		if ok, err := applyKeyword(&b.Keywords, p.Key, p.V, file, "Block", ds); err != nil {
			t.ApplyErr = err
			return nil
		} else if !ok && p.Key == "name" {
			b.Name = str(toValue(p.V, file))
		}
	}
	if len(n.Content) > 0 {
		t.Apply = b
	}
	return nil
}

// findApplyNode finds the YAML mapping of apply: in a task's entries.
func findApplyNode(ps []kv, action string) *yaml.Node {
	look := func(n *yaml.Node) *yaml.Node {
		n = deref(n)
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		for _, p := range pairs(n) {
			if p.Key == "apply" {
				if v := deref(p.V); v != nil && v.Kind == yaml.MappingNode {
					return v
				}
			}
			if p.Key == "args" {
				if v := deref(p.V); v != nil && v.Kind == yaml.MappingNode {
					for _, q := range pairs(v) {
						if q.Key == "apply" {
							return deref(q.V)
						}
					}
				}
			}
		}
		return nil
	}
	for _, p := range ps {
		if p.Key == action || p.Key == "action" || p.Key == "local_action" || p.Key == "args" {
			if p.Key == "args" {
				if v := deref(p.V); v != nil && v.Kind == yaml.MappingNode {
					for _, q := range pairs(v) {
						if q.Key == "apply" {
							if x := deref(q.V); x != nil && x.Kind == yaml.MappingNode {
								return x
							}
						}
					}
				}
				continue
			}
			if x := look(p.V); x != nil {
				return x
			}
		}
	}
	return nil
}

// checkIncludeArgs validates the arguments of include/import tasks.
func (l *Loader) checkIncludeArgs(t *Task, pos diag.Pos) error {
	switch {
	case isA(t.Action, "include_tasks", "import_tasks", "include") && !strings.Contains(t.Module, "."):
		var bad []string
		for _, k := range t.ArgOrder {
			if k != "file" && k != "_raw_params" && k != "apply" {
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 && !isA(t.Action, "include") {
			return &diag.Error{Msg: fmt.Sprintf("Invalid options for %s: %s", t.Action, strings.Join(bad, ",")), Pos: pos, Code: 4}
		}
		if str(t.Args["_raw_params"]) == "" {
			f := t.Args["file"]
			delete(t.Args, "file")
			t.ArgOrder = remove(t.ArgOrder, "file")
			if f == nil || str(f) == "" {
				return &diag.Error{Msg: fmt.Sprintf("No file specified for %s", t.Action), Code: 4}
			}
			t.Args["_raw_params"] = f
			t.ArgOrder = append(t.ArgOrder, "_raw_params")
		}
		if a, ok := t.Args["apply"]; ok && a != nil && !isA(t.Action, "include_tasks") {
			return &diag.Error{Msg: fmt.Sprintf("Invalid options for %s: apply", t.Action), Pos: pos, Code: 4}
		}
	case isA(t.Action, "include_role", "import_role") && !strings.Contains(t.Module, "."):
		var bad []string
		for _, k := range t.ArgOrder {
			switch k {
			case "name", "role", "tasks_from", "vars_from", "defaults_from", "handlers_from", "allow_duplicates", "rolespec_validate", "apply", "public":
			default:
				bad = append(bad, k)
			}
		}
		if len(bad) > 0 {
			sort.Strings(bad)
			return &diag.Error{Msg: fmt.Sprintf("Invalid options for %s: %s", t.Action, strings.Join(bad, ",")), Pos: pos, Code: 4}
		}
		name := t.Args["name"]
		if name == nil {
			name = t.Args["role"]
		}
		if name == nil {
			return &diag.Error{Msg: fmt.Sprintf("'name' is a required field for %s.", t.Action), Pos: pos, Code: 4}
		}
		if a, ok := t.Args["apply"]; ok && a != nil && isA(t.Action, "import_role") {
			return &diag.Error{Msg: fmt.Sprintf("Invalid options for %s: apply", t.Action), Pos: pos, Code: 4}
		}
	}
	return nil
}

func splitModuleString(s string) (string, string, error) {
	toks, err := SplitArgs(s)
	if err != nil {
		return "", "", err
	}
	if len(toks) == 0 {
		return "", "", nil
	}
	if len(toks) > 1 {
		return strings.TrimSpace(toks[0]), strings.Join(toks[1:], " "), nil
	}
	return strings.TrimSpace(toks[0]), "", nil
}

func remove(list []string, s string) []string {
	out := list[:0:0]
	for _, x := range list {
		if x != s {
			out = append(out, x)
		}
	}
	return out
}

func strList(v any) []string {
	var out []string
	for _, x := range listOf(v) {
		out = append(out, str(x))
	}
	return out
}

// assertError is an internal shape error whose final wording depends on
// the section being loaded (Ansible's AnsibleAssertionError).
type assertError struct{ msg string }

func (e *assertError) Error() string { return e.msg }
