// Package vars resolves variables with Ansible's precedence. A Manager
// holds the run-wide stores (inventory, facts, set_fact/register results,
// include_vars, extra vars); Manager.Scope builds, for one host and one
// task, a lazy view that implements the templater's Vars interface: values
// are looked up layer by layer from the highest precedence down, and
// nothing is templated up front.
package vars

import (
	"sort"
	"strings"
	"sync"

	"octopus/engine/playbook"
	"octopus/engine/value"
)

// Vars is a lazy variable namespace (structurally identical to
// template.Vars): Lookup returns the raw value of a name.
type Vars interface {
	Lookup(name string) (any, bool)
	Names() []string
}

// Templater resolves templates inside a value; hostvars uses it to give
// another host's variables with their templates resolved.
type Templater interface {
	Template(v any, vars Vars) (any, error)
}

// Inventory is what the variable manager needs from the inventory.
type Inventory interface {
	// HostVars returns the host's merged inventory variables (group_vars
	// all, then groups by depth/priority, then host vars; inventory files
	// and group_vars/host_vars directories next to the inventory).
	HostVars(host string) *value.Dict
	// GroupNames returns the groups of host, sorted, without "all".
	GroupNames(host string) []string
	// Groups returns every group (including all and ungrouped) with its hosts.
	Groups() map[string][]string
	// HasHost reports whether host is in the inventory.
	HasHost(host string) bool
}

// An Inventory may also implement GroupOrder() []string (group names in
// creation order) so that the groups variable lists them as Ansible does;
// otherwise groups other than all/ungrouped are sorted by name.

// Version is the ansible_version value octopus reports.
var Version = value.DictOf("full", "2.14.18", "major", 2, "minor", 14, "revision", 18, "string", "2.14.18")

// Manager keeps variable stores for a whole run. It is safe for concurrent use.
type Manager struct {
	Inventory Inventory
	Templater Templater
	// Extra is --extra-vars (highest precedence).
	Extra *value.Dict
	// HashMerge selects hash_behaviour=merge (dicts merge across layers).
	HashMerge bool
	// Options are the CLI option vars (ansible_check_mode, ansible_diff_mode,
	// ansible_forks, ansible_verbosity, ansible_run_tags, ...), lowest magic.
	Options *value.Dict
	// PlaybookDir is playbook_dir.
	PlaybookDir string
	// Omit is the omit placeholder token.
	Omit string
	// PlaybookHostVars returns the playbook-adjacent group_vars/host_vars of
	// a host (may be nil).
	PlaybookHostVars func(host string) *value.Dict

	mu       sync.RWMutex
	facts    map[string]*value.Dict // fact cache (setup, cacheable set_fact)
	nonpers  map[string]*value.Dict // set_fact, register
	incvars  map[string]*value.Dict // include_vars
	playInfo *PlayInfo
	playAny  playLists // playInfo's lists as template values
	groups   groupsCache
}

// playLists are the PlayInfo lists converted once to []any.
type playLists struct{ hostsAll, hosts, batch, roleNames, depRoles, roleNamesAll []any }

// groupsCache keeps the groups variable's lists for one inventory
// generation (when the inventory has generations).
type groupsCache struct {
	ok    bool
	gen   uint64
	order []string
	lists map[string][]any
}

// generational is implemented by inventories that count their changes.
type generational interface{ Generation() uint64 }

// PlayInfo is the current play's host lists, for magic variables.
type PlayInfo struct {
	Name      string
	HostsAll  []string // ansible_play_hosts_all
	Hosts     []string // ansible_play_hosts (without failed/unreachable)
	Batch     []string // ansible_play_batch / play_hosts
	RoleNames []string // ansible_play_role_names
	DepRoles  []string // ansible_dependent_role_names
}

// NewManager returns a Manager with empty stores.
func NewManager(inv Inventory, t Templater) *Manager {
	return &Manager{Inventory: inv, Templater: t, Omit: "__omit_place_holder__b8d3334octopus",
		facts: map[string]*value.Dict{}, nonpers: map[string]*value.Dict{}, incvars: map[string]*value.Dict{}}
}

// SetPlayInfo replaces the current play's host lists (copied).
func (m *Manager) SetPlayInfo(p PlayInfo) {
	m.mu.Lock()
	defer m.mu.Unlock()
	cp := p
	m.playInfo = &cp
	seen := map[string]bool{}
	var all []string
	for _, n := range append(append([]string{}, p.DepRoles...), p.RoleNames...) {
		if !seen[n] {
			seen[n] = true
			all = append(all, n)
		}
	}
	m.playAny = playLists{strList(p.HostsAll), strList(p.Hosts), strList(p.Batch), strList(p.RoleNames), strList(p.DepRoles), strList(all)}
}

// playLists returns the current play's lists (shared: copy before handing out).
func (m *Manager) playLists() (*PlayInfo, playLists) {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.playInfo, m.playAny
}

// groupLists returns the groups variable's group names, in order, and
// host lists (shared: copy before handing out).
func (m *Manager) groupLists() ([]string, map[string][]any) {
	gi, cacheable := m.Inventory.(generational)
	var gen uint64
	if cacheable {
		gen = gi.Generation()
		m.mu.RLock()
		c := m.groups
		m.mu.RUnlock()
		if c.ok && c.gen == gen {
			return c.order, c.lists
		}
	}
	g := m.Inventory.Groups()
	names := make([]string, 0, len(g))
	for k := range g {
		names = append(names, k)
	}
	sort.Strings(names)
	if o, ok := m.Inventory.(interface{ GroupOrder() []string }); ok {
		names = o.GroupOrder()
	}
	// Ansible lists all and ungrouped first, then groups as created.
	order := make([]string, 0, len(g))
	lists := make(map[string][]any, len(g))
	for _, k := range append([]string{"all", "ungrouped"}, names...) {
		if hs, ok := g[k]; ok && lists[k] == nil {
			order = append(order, k)
			lists[k] = strList(hs)
		}
	}
	if cacheable {
		m.mu.Lock()
		m.groups = groupsCache{ok: true, gen: gen, order: order, lists: lists}
		m.mu.Unlock()
	}
	return order, lists
}

func (m *Manager) play() *PlayInfo {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.playInfo
}

func update(store map[string]*value.Dict, host string, kv *value.Dict, merge bool) {
	cur := store[host]
	next := value.NewDict(cur.Len() + kv.Len())
	for _, k := range cur.Keys() {
		v, _ := cur.Get(k)
		next.Set(k, v)
	}
	for _, k := range kv.Keys() {
		v, _ := kv.Get(k)
		if merge {
			if old, ok := next.Get(k); ok {
				v = Combine(old, v, true)
			}
		}
		next.Set(k, v)
	}
	store[host] = next
}

// SetFacts merges facts into host's fact cache (setup results keep their
// ansible_ prefixes; cacheable set_fact keys go in as they are).
func (m *Manager) SetFacts(host string, facts *value.Dict) {
	m.mu.Lock()
	defer m.mu.Unlock()
	update(m.facts, host, facts, false)
}

// Facts returns host's fact cache (do not modify).
func (m *Manager) Facts(host string) *value.Dict {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return m.facts[host]
}

// ClearFacts empties host's fact cache (meta: clear_facts).
func (m *Manager) ClearFacts(host string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.facts, host)
	delete(m.nonpers, host)
}

// SetNonPersistent stores set_fact / register results for host.
func (m *Manager) SetNonPersistent(host string, kv *value.Dict) {
	m.mu.Lock()
	defer m.mu.Unlock()
	update(m.nonpers, host, kv, m.HashMerge)
}

// SetIncludeVars stores include_vars results for host.
func (m *Manager) SetIncludeVars(host string, kv *value.Dict) {
	m.mu.Lock()
	defer m.mu.Unlock()
	update(m.incvars, host, kv, m.HashMerge)
}

// Frame is the play/task context of a scope. Every field may be nil.
type Frame struct {
	Play *playbook.Play
	// PlayVars are play vars, vars_prompt answers and vars_files contents
	// in that order (each layer lower than the next).
	PlayVars []*value.Dict
	// Roles are all roles of the play (their defaults and vars are exported).
	Roles []*playbook.Role
	// Role is the task's role and DepChain the roles that pulled it in
	// (outermost first).
	Role     *playbook.Role
	DepChain []*playbook.Role
	// BlockVars are the vars of the enclosing blocks (and include tasks),
	// outermost first.
	BlockVars []*playbook.Vars
	Task      *playbook.Task
	// IncludeParams are the params of the include_tasks/include_role that
	// brought the task in (outermost first).
	IncludeParams []*value.Dict
	// Loop holds item/index_var/ansible_loop and other per-item vars.
	Loop *value.Dict
	// Extra are additional per-task vars above everything but extra vars
	// (e.g. ansible_failed_task for rescue).
	Extra *value.Dict
}

// layer is one precedence level.
type layer struct {
	get   func(string) (any, bool)
	names func() []string
}

func dictLayer(d *value.Dict) layer {
	return layer{get: d.Get, names: d.Keys}
}

func pbVarsLayer(v *playbook.Vars) layer {
	return layer{get: v.Get, names: func() []string { return v.Keys }}
}

// Scope is the lazy variable view of one host for one task.
type Scope struct {
	m      *Manager
	host   string
	frame  *Frame
	layers []layer // lowest first
	// magic lists the magic variable names of this scope (see magicVar).
	magic []string
	over  *value.Dict // values set on the scope itself (Set)
}

// Scope returns the variables of host in frame (nil frame: host-level
// variables only, as hostvars[host] shows them).
func (m *Manager) Scope(host string, f *Frame) *Scope {
	if f == nil {
		f = &Frame{}
	}
	s := &Scope{m: m, host: host, frame: f}
	add := func(d *value.Dict) {
		if d.Len() > 0 {
			s.layers = append(s.layers, dictLayer(d))
		}
	}
	addV := func(v *playbook.Vars) {
		if v.Len() > 0 {
			s.layers = append(s.layers, pbVarsLayer(v))
		}
	}
	// role defaults: all play roles, then the task's role with its chain
	for _, r := range f.Roles {
		roleDefaults(r, addV)
	}
	if f.Role != nil {
		for _, r := range f.DepChain {
			addV(r.Defaults)
		}
		roleDefaults(f.Role, addV)
	}
	// inventory
	if m.Inventory != nil {
		add(m.Inventory.HostVars(host))
	}
	if m.PlaybookHostVars != nil {
		add(m.PlaybookHostVars(host))
	}
	// facts
	m.mu.RLock()
	facts, nonpers, incvars := m.facts[host], m.nonpers[host], m.incvars[host]
	m.mu.RUnlock()
	if facts.Len() > 0 {
		add(facts)
		af := NamespaceFacts(facts)
		s.layers = append(s.layers, layer{
			get: func(k string) (any, bool) {
				if k == "ansible_facts" {
					return af, true
				}
				return nil, false
			},
			names: func() []string { return []string{"ansible_facts"} }})
	}
	// play
	if f.Play != nil {
		addV(f.Play.ImportVars)
	}
	for _, d := range f.PlayVars {
		add(d)
	}
	// role vars exported by all play roles
	for _, r := range f.Roles {
		roleVars(r, addV)
	}
	if f.Role != nil {
		for _, r := range f.DepChain {
			addV(r.RoleVars)
			addV(r.Vars)
		}
		roleVars(f.Role, addV)
	}
	// block and task vars
	for _, v := range f.BlockVars {
		addV(v)
	}
	if f.Task != nil {
		addV(f.Task.Vars)
	}
	add(incvars)
	add(nonpers)
	if f.Role != nil {
		for _, r := range f.DepChain {
			addV(r.Params)
		}
		addV(f.Role.Params)
	}
	for _, d := range f.IncludeParams {
		add(d)
	}
	add(f.Loop)
	add(f.Extra)
	add(m.Extra)
	s.magic = s.magicNames()
	return s
}

func roleDefaults(r *playbook.Role, addV func(*playbook.Vars)) {
	for _, d := range r.Deps {
		roleDefaults(d, addV)
	}
	addV(r.Defaults)
}

func roleVars(r *playbook.Role, addV func(*playbook.Vars)) {
	for _, d := range r.Deps {
		roleVars(d, addV)
	}
	addV(r.RoleVars)
	addV(r.Vars)
}

// Host returns the scope's host.
func (s *Scope) Host() string { return s.host }

// Frame returns the scope's frame.
func (s *Scope) Frame() *Frame { return s.frame }

// Manager returns the scope's manager.
func (s *Scope) Manager() *Manager { return s.m }

// Set overrides name in this scope only (used for loop variables and
// ansible_failed_result).
func (s *Scope) Set(name string, v any) {
	if s.over == nil {
		s.over = value.NewDict(4)
	}
	s.over.Set(name, v)
}

// With returns a copy of the scope with extra values on top (the original
// is unchanged).
func (s *Scope) With(kv *value.Dict) *Scope {
	c := *s
	c.over = value.NewDict(s.over.Len() + kv.Len())
	for _, k := range s.over.Keys() {
		v, _ := s.over.Get(k)
		c.over.Set(k, v)
	}
	for _, k := range kv.Keys() {
		v, _ := kv.Get(k)
		c.over.Set(k, v)
	}
	return &c
}

// Lookup implements Vars: the value of name at the highest precedence
// level that defines it (dicts merged across levels with hash_behaviour=merge).
func (s *Scope) Lookup(name string) (any, bool) {
	if v, ok := s.over.Get(name); ok {
		return v, true
	}
	if !s.m.HashMerge {
		for i := len(s.layers) - 1; i >= 0; i-- {
			if v, ok := s.layers[i].get(name); ok {
				return v, true
			}
		}
	} else {
		var out any
		found := false
		for _, l := range s.layers {
			if v, ok := l.get(name); ok {
				if found {
					out = Combine(out, v, true)
				} else {
					out = v
				}
				found = true
			}
		}
		if found {
			return out, true
		}
	}
	if v, ok := s.magicVar(name); ok {
		return v, true
	}
	if v, ok := s.m.Options.Get(name); ok {
		return v, true
	}
	return nil, false
}

// Names implements Vars: every defined name, sorted.
func (s *Scope) Names() []string {
	seen := map[string]bool{}
	for _, l := range s.layers {
		for _, k := range l.names() {
			seen[k] = true
		}
	}
	for _, k := range s.over.Keys() {
		seen[k] = true
	}
	for _, k := range s.magic {
		seen[k] = true
	}
	for _, k := range s.m.Options.Keys() {
		seen[k] = true
	}
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// Dict materialises the scope (raw values) as a Dict; for modules that want
// a plain map and for debugging. Magic variables hostvars and vars are left out.
func (s *Scope) Dict() *value.Dict {
	out := value.NewDict(64)
	for _, k := range s.Names() {
		if k == "hostvars" || k == "vars" {
			continue
		}
		v, _ := s.Lookup(k)
		out.Set(k, v)
	}
	return out
}

func strList(l []string) []any {
	out := make([]any, len(l))
	for i, s := range l {
		out[i] = s
	}
	return out
}

// copyList returns a fresh copy of a shared list (templates may mutate
// the lists they are given, as Python code may).
func copyList(l []any) []any { return append([]any{}, l...) }

var (
	magicAlways = []string{"inventory_hostname", "inventory_hostname_short", "playbook_dir", "omit",
		"ansible_version", "hostvars", "vars", "ansible_playbook_python", "ansible_config_file"}
	magicInventory = []string{"group_names", "groups"}
	magicPlay      = []string{"ansible_play_hosts_all", "ansible_play_hosts", "ansible_play_batch", "play_hosts",
		"ansible_play_name", "ansible_play_role_names", "role_names", "ansible_dependent_role_names", "ansible_role_names"}
	magicRole = []string{"role_name", "role_path", "ansible_role_name", "ansible_parent_role_names"}
)

// magicNames lists the magic variables defined in this scope.
func (s *Scope) magicNames() []string {
	n := magicAlways
	if s.m.Inventory != nil {
		n = append(n[:len(n):len(n)], magicInventory...)
	}
	if s.frame.Play != nil && s.m.play() != nil {
		n = append(n[:len(n):len(n)], magicPlay...)
	}
	if s.frame.Role != nil {
		n = append(n[:len(n):len(n)], magicRole...)
	}
	return n
}

// magicVar computes a magic variable (only when it is used).
func (s *Scope) magicVar(name string) (any, bool) {
	m, f := s.m, s.frame
	switch name {
	case "inventory_hostname":
		return s.host, true
	case "inventory_hostname_short":
		h, _, _ := strings.Cut(s.host, ".")
		return h, true
	case "playbook_dir":
		return m.PlaybookDir, true
	case "omit":
		return m.Omit, true
	case "ansible_version":
		return Version, true
	case "hostvars":
		return &HostVars{m: m}, true
	case "vars":
		return s, true
	case "ansible_playbook_python":
		return "/usr/bin/python3", true
	case "ansible_config_file":
		return nil, true
	case "group_names", "groups":
		if m.Inventory == nil {
			return nil, false
		}
		if name == "group_names" {
			return strList(m.Inventory.GroupNames(s.host)), true
		}
		order, lists := m.groupLists()
		d := value.NewDict(len(order))
		for _, k := range order {
			d.Set(k, copyList(lists[k]))
		}
		return d, true
	case "role_name", "role_path", "ansible_role_name", "ansible_parent_role_names":
		r := f.Role
		if r == nil {
			return nil, false
		}
		switch name {
		case "role_name":
			n := r.Name
			if i := strings.LastIndex(n, "."); i >= 0 && strings.Count(n, ".") >= 2 {
				n = n[i+1:]
			}
			return n, true
		case "role_path":
			return r.Path, true
		case "ansible_role_name":
			return r.Name, true
		}
		var out []string
		for i := len(f.DepChain) - 1; i >= 0; i-- {
			out = append(out, f.DepChain[i].Name)
		}
		return strList(out), true
	}
	if f.Play == nil {
		return nil, false
	}
	pi, pl := m.playLists()
	if pi == nil {
		return nil, false
	}
	switch name {
	case "ansible_play_hosts_all":
		return copyList(pl.hostsAll), true
	case "ansible_play_hosts":
		return copyList(pl.hosts), true
	case "ansible_play_batch", "play_hosts":
		return copyList(pl.batch), true
	case "ansible_play_name":
		return pi.Name, true
	case "ansible_play_role_names", "role_names":
		return copyList(pl.roleNames), true
	case "ansible_dependent_role_names":
		return copyList(pl.depRoles), true
	case "ansible_role_names":
		return copyList(pl.roleNamesAll), true
	}
	return nil, false
}

// NamespaceFacts returns the ansible_facts view of a fact cache: keys with
// their "ansible_" prefix removed.
func NamespaceFacts(facts *value.Dict) *value.Dict {
	out := value.NewDict(facts.Len())
	for _, k := range facts.Keys() {
		v, _ := facts.Get(k)
		out.Set(strings.TrimPrefix(k, "ansible_"), v)
	}
	return out
}

// Combine merges b over a: with recursive=true (hash_behaviour=merge) dicts
// merge key by key; otherwise b replaces a.
func Combine(a, b any, recursive bool) any {
	da, ok1 := a.(*value.Dict)
	db, ok2 := b.(*value.Dict)
	if !recursive || !ok1 || !ok2 {
		return b
	}
	out := da.Copy()
	for _, k := range db.Keys() {
		v, _ := db.Get(k)
		if old, ok := out.Get(k); ok {
			v = Combine(old, v, true)
		}
		out.Set(k, v)
	}
	return out
}

// HostVars is the lazy "hostvars" magic variable: Lookup(host) gives that
// host's variables (a *HostScope).
type HostVars struct{ m *Manager }

// Lookup implements Vars.
func (h *HostVars) Lookup(name string) (any, bool) {
	if h.m.Inventory == nil || !h.m.Inventory.HasHost(name) {
		return nil, false
	}
	return &HostScope{s: h.m.Scope(name, nil)}, true
}

// Names implements Vars: all inventory hosts.
func (h *HostVars) Names() []string {
	if h.m.Inventory == nil {
		return nil
	}
	all := h.m.Inventory.Groups()["all"]
	out := append([]string(nil), all...)
	return out
}

// HostScope is hostvars[host]: that host's variables with their templates
// resolved on access.
type HostScope struct{ s *Scope }

// Lookup implements Vars; the value is templated with the host's own variables.
func (h *HostScope) Lookup(name string) (any, bool) {
	v, ok := h.s.Lookup(name)
	if !ok {
		return nil, false
	}
	if h.s.m.Templater != nil {
		if _, isHV := v.(*HostVars); !isHV && v != Vars(h.s) {
			if t, err := h.s.m.Templater.Template(v, h.s); err == nil {
				return t, true
			}
		}
	}
	return v, true
}

// Names implements Vars.
func (h *HostScope) Names() []string { return h.s.Names() }

// Scope returns the underlying raw scope.
func (h *HostScope) Scope() *Scope { return h.s }

// Get implements the templater's Mapping interface (the "vars" variable).
func (s *Scope) Get(key string) (any, bool) { return s.Lookup(key) }

// Keys implements the templater's Mapping interface.
func (s *Scope) Keys() []string { return s.Names() }

// Get implements the templater's Mapping interface: hostvars[host].
func (h *HostVars) Get(key string) (any, bool) { return h.Lookup(key) }

// Keys implements the templater's Mapping interface.
func (h *HostVars) Keys() []string { return h.Names() }

// Get implements the templater's Mapping interface.
func (h *HostScope) Get(key string) (any, bool) { return h.Lookup(key) }

// Keys implements the templater's Mapping interface.
func (h *HostScope) Keys() []string { return h.Names() }

// LazyTemplated marks Scope as a lazily templated mapping for the templater.
func (s *Scope) LazyTemplated() {}

// LazyTemplated marks HostVars as a lazily templated mapping.
func (h *HostVars) LazyTemplated() {}

// LazyTemplated marks HostScope as a lazily templated mapping.
func (h *HostScope) LazyTemplated() {}
