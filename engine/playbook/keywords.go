package playbook

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
	"octopus/engine/pyfmt"
)

func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}

// Keyword sets of each object, as ansible-core 2.14 defines them.
var (
	baseKeys = "any_errors_fatal become become_exe become_flags become_method become_user check_mode collections connection debugger diff environment ignore_errors ignore_unreachable module_defaults name no_log port remote_user run_once tags throttle timeout vars"
	// PlayKeys are the keys a play accepts.
	PlayKeys = set(baseKeys + " fact_path force_handlers gather_facts gather_subset gather_timeout handlers hosts max_fail_percentage order post_tasks pre_tasks roles serial strategy tasks vars_files vars_prompt")
	// BlockKeys are the keys a block accepts.
	BlockKeys = set(baseKeys + " always block delegate_facts delegate_to notify rescue when")
	// TaskKeys are the keywords of a task (keys that are never the action).
	TaskKeys = set(baseKeys + " action args async async_val changed_when delay delegate_facts delegate_to failed_when local_action loop loop_control loop_with notify poll register retries until when")
	// HandlerKeys are the keywords of a handler.
	HandlerKeys = set(baseKeys + " action args async async_val changed_when delay delegate_facts delegate_to failed_when listen local_action loop loop_control loop_with notify poll register retries until when")
	// RoleEntryKeys are the keywords of a roles: entry (others are params).
	RoleEntryKeys = set(baseKeys + " delegate_facts delegate_to role when")
	// ImportPlaybookKeys are the keys an import_playbook entry accepts.
	ImportPlaybookKeys = set("any_errors_fatal become become_exe become_flags become_method become_user check_mode connection debugger diff environment ignore_errors ignore_unreachable import_playbook module_defaults name no_log port remote_user run_once tags throttle timeout vars when")
)

// isA returns the canonical short name when action is name, ansible.builtin.name or ansible.legacy.name.
func isA(action string, names ...string) bool {
	short := strings.TrimPrefix(strings.TrimPrefix(action, "ansible.builtin."), "ansible.legacy.")
	for _, n := range names {
		if short == n {
			return true
		}
	}
	return false
}

// ShortName strips the ansible.builtin./ansible.legacy. prefix.
func ShortName(action string) string {
	return strings.TrimPrefix(strings.TrimPrefix(action, "ansible.builtin."), "ansible.legacy.")
}

// loadTags parses a tags: value (list, or comma-separated string).
func loadTags(n *yaml.Node, file string) ([]string, error) {
	v := toValue(n, file)
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		var out []string
		for _, x := range t {
			out = append(out, pyfmt.Str(x))
		}
		return out, nil
	case string:
		var out []string
		for _, p := range strings.Split(t, ",") {
			out = append(out, strings.TrimSpace(p))
		}
		return out, nil
	case int, float64, bool:
		// Ansible's Taggable rejects these; such scalars carry no
		// position in Ansible, so no context is shown.
		return nil, &diag.Error{Msg: "tags must be specified as a list", Code: 1}
	}
	return nil, &diag.Error{Msg: "tags must be specified as a list", Pos: posOf(n, file), Code: 1}
}

func boolPtr(v any) *bool {
	if b, ok := v.(bool); ok {
		return &b
	}
	return nil
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return pyfmt.Str(v)
}

// listOf normalises a scalar-or-list value to a list.
func listOf(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

// loadVars parses a vars: value (a mapping or a list of mappings).
func loadVars(n *yaml.Node, file, what string, ds diag.Pos) (*Vars, error) {
	n = deref(n)
	ds = posOf(n, file)
	out := &Vars{}
	if isNull(n) {
		return out, nil
	}
	add := func(m *yaml.Node) {
		for _, p := range pairs(m) {
			out.Set(p.Key, toValue(p.V, file))
		}
	}
	switch n.Kind {
	case yaml.MappingNode:
		add(n)
		return out, nil
	case yaml.SequenceNode:
		for _, e := range n.Content {
			e = deref(e)
			if e.Kind != yaml.MappingNode {
				return nil, &diag.Error{Msg: fmt.Sprintf("Vars in a %s must be specified as a dictionary, or a list of dictionaries", what), Pos: ds, Code: 4}
			}
			add(e)
		}
		return out, nil
	}
	return nil, &diag.Error{Msg: fmt.Sprintf("Vars in a %s must be specified as a dictionary, or a list of dictionaries", what), Pos: ds, Code: 4}
}

// applyKeyword stores a shared keyword on kw. It reports false for keys
// that are not shared keywords.
func applyKeyword(kw *Keywords, key string, n *yaml.Node, file, what string, ds diag.Pos) (bool, error) {
	v := toValue(n, file)
	switch key {
	case "become":
		kw.Become = boolPtr(v)
	case "become_user":
		kw.BecomeUser = str(v)
	case "become_method":
		kw.BecomeMethod = str(v)
	case "become_flags":
		kw.BecomeFlags = str(v)
	case "become_exe":
		kw.BecomeExe = str(v)
	case "remote_user":
		kw.RemoteUser = str(v)
	case "connection":
		kw.Connection = str(v)
	case "port":
		kw.Port = v
	case "environment":
		kw.Environment = listOf(v)
	case "no_log":
		kw.NoLog = v
	case "ignore_errors":
		kw.IgnoreErrors = v
	case "ignore_unreachable":
		kw.IgnoreUnreachable = v
	case "check_mode":
		kw.CheckMode = v
	case "diff":
		kw.Diff = v
	case "any_errors_fatal":
		kw.AnyErrorsFatal = boolPtr(v)
	case "run_once":
		kw.RunOnce = v
	case "delegate_to":
		kw.DelegateTo = str(v)
	case "delegate_facts":
		kw.DelegateFacts = boolPtr(v)
	case "throttle":
		kw.Throttle = v
	case "timeout":
		kw.Timeout = v
	case "module_defaults":
		md, err := loadModuleDefaults(v, nil)
		if err != nil {
			return true, err
		}
		kw.ModuleDefaults = md
	case "collections":
		kw.Collections = nil
		for _, c := range listOf(v) {
			kw.Collections = append(kw.Collections, str(c))
		}
	case "debugger":
		kw.Debugger = str(v)
	case "vars":
		vars, err := loadVars(n, file, what, ds)
		if err != nil {
			return true, err
		}
		kw.Vars = vars
	case "when":
		kw.When = listOf(v)
	case "tags":
		tags, err := loadTags(n, file)
		if err != nil {
			return true, err
		}
		kw.Tags = tags
	default:
		return false, nil
	}
	return true, nil
}
