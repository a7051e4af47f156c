package playbook

import (
	"errors"
	"fmt"
	"path/filepath"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
	"octopus/engine/pyfmt"
)

// ctx is what the task loader needs to know about where tasks come from.
type ctx struct {
	play     *Play
	file     string
	baseDir  string // play basedir
	role     *Role
	handlers bool
	// include is the import task (import_tasks/include) whose file is
	// being loaded; nil at the top of a file list.
	include *Task
	// includeDir is the directory of the file being loaded when it came
	// from an import (for nested relative imports).
	includeDir string
	// dynamic is set when loading below a run-time include (include_tasks,
	// include_role): a legacy task-level include there stays dynamic.
	dynamic bool
}

func (l *Loader) loadPlay(entry *yaml.Node, ps []kv, file, dir string, ic *importCtx) (*Play, error) {
	pos := posOf(entry, file)
	play := &Play{Pos: pos, File: file, BaseDir: dir}
	// 'user' is the deprecated spelling of remote_user.
	hasUser, hasRemote := false, false
	for _, p := range ps {
		hasUser = hasUser || p.Key == "user"
		hasRemote = hasRemote || p.Key == "remote_user"
	}
	if hasUser && hasRemote {
		return nil, &diag.Error{Msg: "both 'user' and 'remote_user' are set for this play. The use of 'user' is deprecated, and should be removed", Pos: pos, Code: 4}
	}
	for _, p := range ps {
		key := p.Key
		if key == "user" {
			key = "remote_user"
		}
		if !PlayKeys[key] {
			return nil, &diag.Error{Msg: fmt.Sprintf("'%s' is not a valid attribute for a Play", p.Key), Pos: pos, Code: 4}
		}
	}
	c := &ctx{play: play, file: file, baseDir: dir}
	var post []rawField
	var hostsNode *yaml.Node
	hasHosts := false
	// Ansible loads play attributes in a fixed order (which decides which
	// error is reported first); hosts is validated last.
	ps = sortByOrder(ps, playLoadOrder)
	for _, p := range ps {
		key := p.Key
		if key == "user" {
			key = "remote_user"
		}
		if ok, err := applyKeyword(&play.Keywords, key, p.V, file, "Play", pos); err != nil {
			return nil, err
		} else if ok {
			continue
		}
		v := toValue(p.V, file)
		switch key {
		case "name", "gather_facts", "force_handlers", "gather_timeout", "max_fail_percentage", "strategy", "order":
			post = append(post, rawField{key, v})
		}
		switch key {
		case "name":
			play.Name = str(v)
		case "hosts":
			hostsNode, hasHosts = p.V, true
		case "gather_facts":
			play.GatherFacts = v
		case "gather_subset":
			for _, s := range listOf(v) {
				if st, ok := s.(string); ok && strings.Contains(st, ",") {
					for _, x := range strings.Split(st, ",") {
						play.GatherSubset = append(play.GatherSubset, strings.TrimSpace(x))
					}
					continue
				}
				play.GatherSubset = append(play.GatherSubset, str(s))
			}
		case "gather_timeout":
			play.GatherTimeout = v
		case "fact_path":
			play.FactPath = str(v)
		case "vars_files":
			play.VarsFiles = listOf(v)
		case "vars_prompt":
			vp, err := loadVarsPrompt(p.V, file, pos)
			if err != nil {
				return nil, err
			}
			play.VarsPrompt = vp
		case "serial":
			play.Serial = listOf(v)
		case "strategy":
			play.Strategy = str(v)
		case "order":
			play.Order = str(v)
		case "max_fail_percentage":
			play.MaxFailPercent = v
		case "force_handlers":
			play.ForceHandlers = boolPtr(v)
		case "pre_tasks", "tasks", "post_tasks", "handlers":
			cc := *c
			cc.handlers = key == "handlers"
			blocks, err := l.loadBlocks(p.V, &cc, nil)
			if err != nil {
				var ae *assertError
				if errors.As(err, &ae) {
					if key == "tasks" {
						return nil, &diag.Error{Msg: "A malformed block was encountered while loading tasks: " + ae.msg, Pos: pos, Code: 4}
					}
					return nil, &diag.Error{Msg: "A malformed block was encountered while loading " + key, Pos: pos, Code: 4}
				}
				return nil, err
			}
			switch key {
			case "pre_tasks":
				play.PreTasks = blocks
			case "tasks":
				play.Tasks = blocks
			case "post_tasks":
				play.PostTasks = blocks
			default:
				play.Handlers = blocks
			}
		case "roles":
			roles, err := l.loadRoleList(p.V, c)
			if err != nil {
				return nil, err
			}
			play.Roles = roles
		}
	}
	if hasHosts {
		hosts, err := loadHosts(hostsNode, file, pos)
		if err != nil {
			return nil, err
		}
		play.HostsList = hosts
		play.Hosts = strings.Join(hosts, ",")
	}
	if ic != nil {
		play.ImportWhen = append([]any{}, ic.when...)
		play.ImportTags = append([]string{}, ic.tags...)
		play.ImportVars = ic.vars
		for _, t := range ic.tags {
			if !contains(play.Tags, t) {
				play.Tags = append(play.Tags, t)
			}
		}
		if ic.vars.Len() > 0 {
			if play.Vars == nil {
				play.Vars = &Vars{}
			}
			for _, k := range ic.vars.Keys {
				play.Vars.Set(k, ic.vars.Values[k])
			}
		}
	}
	l.post = append(l.post, func() error { return postValidate(play, post) })
	return play, nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func loadHosts(n *yaml.Node, file string, pos diag.Pos) ([]string, error) {
	v := toValue(n, file)
	switch t := v.(type) {
	case nil:
		return nil, &diag.Error{Msg: "Hosts list cannot be empty. Please check your playbook", Code: 4}
	case string:
		if t == "" {
			return nil, &diag.Error{Msg: "Hosts list cannot be empty. Please check your playbook", Code: 4}
		}
		return []string{t}, nil
	case []any:
		if len(t) == 0 {
			return nil, &diag.Error{Msg: "Hosts list cannot be empty. Please check your playbook", Code: 4}
		}
		var out []string
		for _, e := range t {
			switch s := e.(type) {
			case nil:
				return nil, &diag.Error{Msg: "Hosts list cannot contain values of 'None'. Please check your playbook", Code: 4}
			case string:
				out = append(out, s)
			default:
				return nil, &diag.Error{Msg: fmt.Sprintf("Hosts list contains an invalid host value: '%s'", pyfmt.Str(e)), Pos: pos, Code: 4}
			}
		}
		return out, nil
	}
	return nil, &diag.Error{Msg: "Hosts list must be a sequence or string. Please check your playbook.", Code: 4}
}

func loadVarsPrompt(n *yaml.Node, file string, pos diag.Pos) ([]*VarPrompt, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	var items []*yaml.Node
	if n.Kind == yaml.SequenceNode {
		items = n.Content
	} else {
		items = []*yaml.Node{n}
	}
	var out []*VarPrompt
	for _, it := range items {
		it = deref(it)
		if it.Kind != yaml.MappingNode {
			return nil, &diag.Error{Msg: fmt.Sprintf("variable files must contain either a dictionary of variables, or a list of dictionaries. Got: %s (%s)", pyfmt.Repr(toValue(n, file)), pyClass(toValue(n, file))), Code: 1}
		}
		vp := &VarPrompt{Private: true}
		hasName := false
		for _, p := range pairs(it) {
			hasName = hasName || p.Key == "name"
		}
		if !hasName {
			return nil, &diag.Error{Msg: "Invalid vars_prompt data structure, missing 'name' key", Pos: posOf(n, file), Code: 4}
		}
		for _, p := range pairs(it) {
			v := toValue(p.V, file)
			switch p.Key {
			case "name":
				vp.Name = str(v)
			case "prompt":
				vp.Prompt = str(v)
			case "default":
				vp.Default = v
			case "private":
				vp.Private = truthy(v)
			case "confirm":
				vp.Confirm = truthy(v)
			case "encrypt":
				vp.Encrypt = str(v)
			case "salt_size":
				if i, ok := v.(int); ok {
					vp.SaltSize = i
				}
			case "salt":
				vp.Salt = str(v)
			case "unsafe":
				vp.Unsafe = truthy(v)
			default:
				return nil, &diag.Error{Msg: fmt.Sprintf("Invalid vars_prompt data structure, found unsupported key '%s'", p.Key), Pos: posOf(n, file), Code: 4}
			}
		}
		hasPrompt := false
		for _, p := range pairs(it) {
			hasPrompt = hasPrompt || p.Key == "prompt"
		}
		if !hasPrompt {
			vp.Prompt = vp.Name // no prompt: the name is asked for
		}
		out = append(out, vp)
	}
	return out, nil
}

// truthy converts a value the way Ansible's boolean() filter does.
func truthy(v any) bool {
	switch t := v.(type) {
	case bool:
		return t
	case int:
		return t == 1
	case float64:
		return t == 1
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "y", "yes", "on", "1", "true", "t", "1.0":
			return true
		}
	}
	return false
}

// pathDwim resolves a path against basedir as Ansible's loader does.
func pathDwim(base, p string) string {
	if strings.HasPrefix(p, "~") {
		if home, err := homeDir(); err == nil {
			p = filepath.Join(home, strings.TrimPrefix(p, "~"))
		}
	}
	if filepath.IsAbs(p) {
		return filepath.Clean(p)
	}
	return filepath.Join(base, p)
}

// playLoadOrder is the order in which Ansible loads play attributes.
var playLoadOrder = strings.Fields("collections vars vars_files roles tags name connection port remote_user module_defaults environment no_log run_once ignore_errors ignore_unreachable check_mode diff any_errors_fatal throttle timeout debugger become become_method become_user become_flags become_exe gather_facts gather_subset gather_timeout fact_path vars_prompt force_handlers max_fail_percentage serial strategy order handlers pre_tasks post_tasks tasks hosts")

// sortByOrder orders mapping keys by their index in order (stable; keys
// not listed keep their place at the end).
func sortByOrder(ps []kv, order []string) []kv {
	idx := map[string]int{}
	for i, k := range order {
		idx[k] = i
	}
	out := append([]kv(nil), ps...)
	rank := func(k string) int {
		if k == "user" {
			k = "remote_user"
		}
		if i, ok := idx[k]; ok {
			return i
		}
		return len(order)
	}
	sort.SliceStable(out, func(i, j int) bool { return rank(out[i].Key) < rank(out[j].Key) })
	return out
}
