package playbook

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
)

// RoleOptions select what LoadRole loads (include_role's *_from options)
// and where the role is searched.
type RoleOptions struct {
	TasksFrom, VarsFrom, DefaultsFrom, HandlersFrom string
	// Play is the play the role runs in; its BaseDir is searched first.
	// When nil, BaseDir is used.
	Play    *Play
	BaseDir string
	// Pos is the include_role task's position, for errors.
	Pos diag.Pos
	// Via is the include_role task, recorded on the role.
	Via *Task
	// Vars are variables for templating the role name.
	Vars map[string]any
}

// LoadRole loads role name (with its dependencies) for a run-time
// include_role.
func (l *Loader) LoadRole(name string, opts RoleOptions) (r *Role, err error) {
	defer guard(&err)
	base := opts.BaseDir
	if opts.Play != nil && opts.Play.BaseDir != "" {
		base = opts.Play.BaseDir
	}
	c := &ctx{play: opts.Play, file: opts.Pos.File, baseDir: base, dynamic: true}
	from := map[string]string{"tasks": opts.TasksFrom, "vars": opts.VarsFrom, "defaults": opts.DefaultsFrom, "handlers": opts.HandlersFrom}
	name, err = l.template(name, opts.Vars, opts.Pos)
	if err != nil {
		return nil, err
	}
	r, err = l.loadRole(name, nil, opts.Pos, c, "", nil, opts.Via, from)
	if err != nil {
		return nil, err
	}
	r.Public = false
	return r, nil
}

// LoadTasksFile loads a task file for a run-time include_tasks; relative
// imports inside it resolve against its directory.
func (l *Loader) LoadTasksFile(path string) ([]*Block, error) {
	return l.LoadTasksFileIn(path, nil, nil, false)
}

// LoadTasksFileIn loads a task (or, with handlers set, handler) file in the
// context of play and role (either may be nil).
func (l *Loader) LoadTasksFileIn(path string, play *Play, role *Role, handlers bool) (blocks []*Block, err error) {
	defer guard(&err)
	root, err := l.readYAML(path)
	if err != nil {
		if isNotExist(err) {
			return nil, &diag.Error{Msg: fmt.Sprintf("Could not find or access '%s' on the Ansible Controller.", path), Code: 1}
		}
		return nil, err
	}
	if root == nil {
		return nil, nil
	}
	if deref(root).Kind != yaml.SequenceNode {
		return nil, &diag.Error{Msg: "included task files must contain a list of tasks", Pos: posOf(root, path), Code: 4}
	}
	base := filepath.Dir(path)
	if play != nil && play.BaseDir != "" {
		base = play.BaseDir
	}
	c := &ctx{play: play, file: path, baseDir: base, role: role, handlers: handlers, includeDir: filepath.Dir(path), dynamic: true}
	return l.loadBlocks(root, c, nil)
}

func (l *Loader) loadRoleList(n *yaml.Node, c *ctx) ([]*Role, error) {
	n = deref(n)
	if isNull(n) {
		return nil, nil
	}
	if n.Kind != yaml.SequenceNode {
		return nil, &diag.Error{Msg: "A malformed role declaration was encountered.", Pos: c.playPos(), Code: 4}
	}
	var out []*Role
	for _, e := range n.Content {
		r, err := l.roleEntry(deref(e), c, "", nil)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, nil
}

// roleEntry loads a roles: or dependencies: entry (a name, or a mapping
// with role:/name:, keywords and params).
func (l *Loader) roleEntry(e *yaml.Node, c *ctx, roleBasedir string, from *Role) (*Role, error) {
	pos := posOf(e, c.file)
	var name string
	switch e.Kind {
	case yaml.ScalarNode:
		name = str(toValue(e, c.file))
	case yaml.MappingNode:
		ps := pairs(e)
		var rn, nn *yaml.Node
		for _, p := range ps {
			if p.Key == "role" {
				rn = p.V
			} else if p.Key == "name" {
				nn = p.V
			}
		}
		if rn == nil {
			rn = nn
		}
		if rn == nil || isNull(rn) {
			return nil, &diag.Error{Msg: "role definitions must contain a role name", Pos: pos, Code: 1}
		}
		name = str(toValue(rn, c.file))
	default:
		return nil, &diag.Error{Msg: "A malformed role declaration was encountered.", Pos: pos, Code: 4}
	}
	vars := l.varsFor(c, nil)
	name, err := l.template(name, vars, pos)
	if err != nil {
		return nil, err
	}
	r, err := l.loadRole(name, e, pos, c, roleBasedir, from, nil, nil)
	if err != nil {
		return nil, err
	}
	return r, nil
}

// findRole searches the role directories in Ansible's order.
func (l *Loader) findRole(name, baseDir, roleBasedir string) (string, string, []string) {
	search := []string{filepath.Join(baseDir, "roles")}
	search = append(search, l.opts.RolesPath...)
	if roleBasedir != "" {
		search = append(search, roleBasedir)
	}
	search = append(search, baseDir)
	for _, dir := range search {
		p := filepath.Join(dir, name)
		if st, err := os.Stat(p); err == nil && st.IsDir() {
			return name, p, search
		}
	}
	p := name
	if strings.HasPrefix(p, "~") {
		if h, err := homeDir(); err == nil {
			p = filepath.Join(h, p[1:])
		}
	}
	if abs, err := filepath.Abs(p); err == nil {
		if st, err := os.Stat(abs); err == nil && st.IsDir() {
			return filepath.Base(name), abs, search
		}
	}
	return "", "", search
}

// loadRole loads the role name. e is the entry node (nil for
// import_role/include_role, whose keywords live on the task).
func (l *Loader) loadRole(name string, e *yaml.Node, pos diag.Pos, c *ctx, roleBasedir string, from *Role, via *Task, fromFiles map[string]string) (*Role, error) {
	rname, path, search := l.findRole(name, c.baseDir, roleBasedir)
	if path == "" {
		if roleBasedir != "" {
			// For meta dependencies the collection search list
			// (ansible.legacy) comes first in Ansible's message.
			search = append([]string{"ansible.legacy"}, search...)
		}
		e := &diag.Error{Msg: fmt.Sprintf("the role '%s' was not found in %s", name, strings.Join(search, ":")), Pos: pos, Code: 1}
		if !pos.IsValid() {
			e.NoContext = true
		}
		return nil, e
	}
	r := &Role{Pos: pos, Name: rname, Path: path, Params: &Vars{}, From: from, Via: via, Public: true}
	if e != nil && e.Kind == yaml.MappingNode {
		for _, p := range pairs(e) {
			if p.Key == "role" || p.Key == "name" {
				continue
			}
			if RoleEntryKeys[p.Key] {
				if _, err := applyKeyword(&r.Keywords, p.Key, p.V, c.file, "Role", pos); err != nil {
					return nil, err
				}
				continue
			}
			r.Params.Set(p.Key, toValue(p.V, c.file))
		}
	}
	rc := &ctx{play: c.play, baseDir: c.baseDir, role: r, dynamic: c.dynamic}
	// defaults and vars
	for _, sub := range []string{"defaults", "vars"} {
		f, root, err := l.readRoleFile(path, sub, fromFiles[sub])
		if err != nil {
			return nil, err
		}
		if f == "" {
			continue
		}
		vars := &Vars{}
		if root != nil {
			if deref(root).Kind != yaml.MappingNode {
				return nil, &diag.Error{Msg: fmt.Sprintf("The %s/main.yml file for role '%s' must contain a dictionary of variables", sub, rname), Pos: posOf(root, f), Code: 4}
			}
			for _, p := range pairs(root) {
				vars.Set(p.Key, toValue(p.V, f))
			}
		}
		if sub == "defaults" {
			r.Defaults = vars
		} else {
			r.RoleVars = vars
		}
	}
	// meta
	if f := resolveMain(filepath.Join(path, "meta"), ""); f != "" {
		root, err := l.readYAML(f)
		if err != nil {
			return nil, err
		}
		if root != nil {
			r.Meta = toValue(root, f)
			if deref(root).Kind != yaml.MappingNode {
				return nil, &diag.Error{Msg: fmt.Sprintf("the 'meta/main.yml' for role %s is not a dictionary", rname), Pos: posOf(root, f), Code: 4}
			}
			for _, p := range pairs(root) {
				switch p.Key {
				case "allow_duplicates":
					r.AllowDuplicates = truthy(toValue(p.V, f))
				case "collections":
					// the role's collection search list for its tasks
					if len(r.Collections) == 0 {
						r.Collections = strList(toValue(p.V, f))
					}
				case "dependencies":
					dn := deref(p.V)
					if isNull(dn) {
						continue
					}
					if dn.Kind != yaml.SequenceNode {
						return nil, &diag.Error{Msg: "Expected role dependencies to be a list.", Pos: posOf(dn, f), Code: 4}
					}
					dc := &ctx{play: c.play, baseDir: c.baseDir, file: f, role: r, dynamic: c.dynamic}
					for _, de := range dn.Content {
						dep, err := l.roleEntry(deref(de), dc, filepath.Dir(path), r)
						if err != nil {
							return nil, err
						}
						r.Deps = append(r.Deps, dep)
					}
				}
			}
		}
	}
	// tasks and handlers
	for _, sub := range []string{"tasks", "handlers"} {
		f, root, err := l.readRoleFile(path, sub, fromFiles[sub])
		if err != nil {
			return nil, err
		}
		if f == "" {
			continue
		}
		if root == nil {
			continue
		}
		if deref(root).Kind != yaml.SequenceNode {
			return nil, &diag.Error{Msg: fmt.Sprintf("The %s/main.yml file for role '%s' must contain a list of tasks", sub, rname), Pos: posOf(root, f), Code: 4}
		}
		cc := *rc
		cc.file = f
		cc.handlers = sub == "handlers"
		blocks, err := l.loadBlocks(root, &cc, nil)
		if err != nil {
			return nil, err
		}
		if sub == "tasks" {
			r.Tasks = blocks
		} else {
			r.Handlers = blocks
		}
	}
	return r, nil
}

// readRoleFile finds and reads the role's file for sub (defaults, vars,
// tasks, handlers): main, or the file named by from (tasks_from and its
// kin). f is "" when the role has no such file; a from file that cannot be
// found is an error.
func (l *Loader) readRoleFile(path, sub, from string) (f string, root *yaml.Node, err error) {
	f = resolveMain(filepath.Join(path, sub), from)
	if f == "" {
		if from != "" {
			return "", nil, &diag.Error{Msg: fmt.Sprintf("Could not find specified file in role: %s/%s", sub, from), Code: 4}
		}
		return "", nil, nil
	}
	root, err = l.readYAML(f)
	if err != nil {
		return "", nil, err
	}
	return f, root, nil
}

// resolveMain finds dir/main (or dir/<from>) with Ansible's extensions.
func resolveMain(dir, from string) string {
	main := "main"
	if from != "" {
		main = from
	}
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		return ""
	}
	for _, ext := range []string{"", ".yml", ".yaml", ".json"} {
		p := filepath.Join(dir, main+ext)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
	}
	return ""
}

// RoleBlocks returns the blocks a role contributes to a task list: its
// dependencies' blocks (recursively) first, then its own tasks.
func RoleBlocks(r *Role) []*Block {
	var out []*Block
	for _, d := range r.Deps {
		out = append(out, RoleBlocks(d)...)
	}
	return append(out, r.Tasks...)
}

func (l *Loader) expandImportRole(n *yaml.Node, t *Task, c *ctx) ([]Item, error) {
	t.Static = true
	name := str(t.Args["name"])
	if name == "" {
		name = str(t.Args["role"])
	}
	// Ansible points at the role name's own position when it was written
	// as a YAML value (name: x), and gives no position for k=v strings.
	pos := diag.Pos{}
	for _, p := range pairs(n) {
		if p.Key == t.Action && deref(p.V).Kind == yaml.MappingNode {
			for _, q := range pairs(p.V) {
				if q.Key == "name" || q.Key == "role" {
					pos = posOf(q.V, c.file)
				}
			}
		}
	}
	name, err := l.template(name, l.varsFor(c, t), pos)
	if err != nil {
		return nil, err
	}
	from := map[string]string{}
	for _, k := range []string{"tasks", "vars", "defaults", "handlers"} {
		if v, ok := t.Args[k+"_from"]; ok {
			from[k] = str(v)
		}
	}
	r, err := l.loadRole(name, nil, pos, c, "", nil, t, from)
	if err != nil {
		return nil, err
	}
	if v, ok := t.Args["allow_duplicates"]; ok {
		r.AllowDuplicates = truthy(v)
	}
	if c.play != nil {
		c.play.ImportedRoles = append(c.play.ImportedRoles, r)
	}
	var out []Item
	for _, b := range RoleBlocks(r) {
		out = append(out, b)
	}
	return out, nil
}
