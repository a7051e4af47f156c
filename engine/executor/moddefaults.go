package executor

import (
	"fmt"
	"strings"

	"octopus/engine/playbook"
	"octopus/engine/value"
	"octopus/engine/vars"
	"octopus/modules"
)

// moduleDefaults returns the module_defaults that apply to action for
// task rt, templated for scope (Ansible's get_action_args_with_defaults:
// the lists of every level are merged outermost first, so the innermost
// level wins). It returns nil when none apply.
func (pr *playRun) moduleDefaults(rt *rtask, action string, scope vars.Vars) (*value.Dict, error) {
	ls := pr.levels(rt)
	merged := value.NewDict(0)
	for i := len(ls) - 1; i >= 0; i-- {
		for _, d := range ls[i].kw.ModuleDefaults {
			for _, k := range d.Keys() {
				v, _ := d.Get(k)
				merged.Set(k, v)
			}
		}
	}
	if merged.Len() == 0 {
		return nil, nil
	}
	t, err := pr.r.tpl.Template(merged, scope)
	if err != nil {
		return nil, err
	}
	md, _ := t.(*value.Dict)
	v, ok := md.Get(playbook.CanonicalAction(action))
	if !ok {
		return nil, nil
	}
	switch x := v.(type) {
	case *value.Dict:
		return x, nil
	case map[string]any:
		return toDict(x), nil
	}
	return nil, &defaultsTypeError{v}
}

// defaultsTypeError is a module_defaults entry that is not a mapping
// (Ansible fails the task with a Python AttributeError).
type defaultsTypeError struct{ v any }

func (e *defaultsTypeError) Error() string {
	return fmt.Sprintf("Unexpected failure during module execution: '%s' object has no attribute 'copy'", value.PyTypeName(e.v))
}

// withModuleDefaults merges the defaults for action under args (explicit
// arguments win) and drops omitted values.
func (pr *playRun) withModuleDefaults(rt *rtask, action string, scope vars.Vars, args map[string]any) (map[string]any, *value.Dict) {
	md, err := pr.moduleDefaults(rt, action, scope)
	if err != nil {
		if te, ok := err.(*defaultsTypeError); ok {
			return nil, value.DictOf("failed", true, "msg", te.Error(), "stdout", "", errMarker, true,
				"exception", fmt.Sprintf("Traceback (most recent call last):\nAttributeError: '%s' object has no attribute 'copy'", value.PyTypeName(te.v)))
		}
		return nil, failedResult(pr.errMsg(rt, err), false)
	}
	if md == nil {
		return args, nil
	}
	out := make(map[string]any, md.Len()+len(args))
	for _, k := range md.Keys() {
		v, _ := md.Get(k)
		if pr.r.tpl.IsOmit(v) {
			continue
		}
		out[k] = pr.removeOmit(v)
	}
	for k, v := range args {
		out[k] = v
	}
	return out, nil
}

// resolvedAction is the action a task runs: a short name that is not an
// ansible.builtin action resolves through the collections keyword in
// force (the innermost level that sets it) to the first collection that
// has it; otherwise the name stays as written.
func (pr *playRun) resolvedAction(rt *rtask) string {
	a := rt.Task.Action
	if strings.Contains(a, ".") || playbook.IsBuiltinAction(a) {
		return a
	}
	v, ok := pr.kw(rt, func(k *playbook.Keywords) (any, bool) { return k.Collections, len(k.Collections) > 0 })
	if !ok {
		return a
	}
	for _, c := range v.([]string) {
		if c == "ansible.builtin" || c == "ansible.legacy" {
			continue
		}
		if _, found := modules.Lookup(c + "." + a); found {
			return c + "." + a
		}
	}
	return a
}

// KnownAction reports whether a task action name resolves as it would in
// ansible-core 2.14 with octopus's modules: an ansible.builtin action
// (implemented or not), a builtin name Ansible routes to a collection, a
// registered module or an engine action. It suits
// playbook.LoadOptions.KnownAction, which then reports unknown actions at
// load time as Ansible does.
func KnownAction(name string) bool {
	if playbook.IsBuiltinAction(name) || playbook.CanonicalAction(name) != playbook.ShortName(name) {
		return true
	}
	if _, ok := modules.Lookup(name); ok {
		return true
	}
	short := playbook.ShortName(name)
	_, ok := actions[short]
	if !ok {
		_, ok = fallbackActions[short]
	}
	return ok && !strings.Contains(short, ".")
}
