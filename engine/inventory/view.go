package inventory

import (
	"sync"

	"octopus/engine/value"
)

// View is a name-based, concurrency-safe view of an Inventory, the form the
// executor and the variable manager consume. It caches each host's merged
// inventory variables until the inventory changes (add_host, group_by,
// refresh_inventory).
type View struct {
	mu       sync.Mutex
	inv      *Inventory
	opts     Options
	playDirs []string
	cache    map[string]*value.Dict
	errs     map[string]error // hosts whose vars files failed to load
	warn     func(string)
	gen      uint64              // bumped whenever the inventory changes
	groups   map[string][]string // Groups() of this generation, nil until asked
}

// Generation is a counter that changes whenever the inventory does
// (add_host, group_by, refresh_inventory): values derived from the
// inventory may be cached while it stays the same.
func (v *View) Generation() uint64 {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.gen
}

// changed drops what was cached about the inventory; v.mu is held.
func (v *View) changed() {
	v.cache = map[string]*value.Dict{}
	v.groups = nil
	v.gen++
}

// SetWarn makes Hosts print the warnings pattern matching raises (an
// unmatched pattern, once per run) through warn as they arise, before the
// play that asked for them starts.
func (v *View) SetWarn(warn func(string)) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.warn = warn
}

// NewView wraps inv. playDirs are the playbook directories whose
// group_vars/ and host_vars/ apply on top of the inventory's own.
func NewView(inv *Inventory, opts Options, playDirs []string) *View {
	return &View{inv: inv, opts: opts, playDirs: playDirs, cache: map[string]*value.Dict{}}
}

// Inventory returns the wrapped inventory.
func (v *View) Inventory() *Inventory {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.inv
}

// HostVars returns the host's merged inventory variables, or nil for an
// unknown host. A load error of a vars file yields the variables read so far.
func (v *View) HostVars(host string) *value.Dict {
	d, _ := v.hostVars(host)
	return d
}

// HostVarsErr loads the host's variables and returns the error of loading
// its group_vars/host_vars files (bad YAML, a vault that cannot be
// decrypted), which Ansible reports when the host's first task needs its
// variables. The error is remembered until Refresh.
func (v *View) HostVarsErr(host string) error {
	_, err := v.hostVars(host)
	return err
}

func (v *View) hostVars(host string) (*value.Dict, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if d, ok := v.cache[host]; ok {
		return d, v.errs[host]
	}
	h := v.inv.Host(host)
	if h == nil {
		return nil, nil
	}
	d, err := v.inv.HostVars(h, v.playDirs)
	if err != nil || d == nil {
		d = value.NewDict(0)
	}
	v.cache[host] = d
	if err != nil {
		if v.errs == nil {
			v.errs = map[string]error{}
		}
		v.errs[host] = err
	}
	return d, err
}

// GroupNames returns the groups of host, sorted, without "all".
func (v *View) GroupNames(host string) []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if h := v.inv.Host(host); h != nil {
		return h.GroupNames()
	}
	return nil
}

// Groups returns every group with the names of all its hosts.
func (v *View) Groups() map[string][]string {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.groups == nil {
		v.groups = map[string][]string{}
		for _, g := range v.inv.Groups() {
			hosts := g.AllHosts()
			names := make([]string, len(hosts))
			for i, h := range hosts {
				names[i] = h.Name
			}
			v.groups[g.Name] = names
		}
	}
	out := make(map[string][]string, len(v.groups))
	for k, names := range v.groups {
		out[k] = append([]string(nil), names...)
	}
	return out
}

// GroupOrder returns the group names in inventory order.
func (v *View) GroupOrder() []string {
	v.mu.Lock()
	defer v.mu.Unlock()
	groups := v.inv.Groups()
	out := make([]string, len(groups))
	for i, g := range groups {
		out[i] = g.Name
	}
	return out
}

// HasHost reports whether host is in the inventory.
func (v *View) HasHost(host string) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.inv.Host(host) != nil
}

// Hosts returns the names of the hosts matching pattern, in inventory order.
func (v *View) Hosts(pattern string) ([]string, error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	hosts, err := v.inv.Hosts(pattern)
	if v.warn != nil {
		for _, w := range v.inv.Warnings.Take() {
			v.warn(w)
		}
	}
	names := make([]string, len(hosts))
	for i, h := range hosts {
		names[i] = h.Name
	}
	return names, err
}

// AddHost adds (or updates) host in all and in groups, with vars (add_host).
func (v *View) AddHost(name string, groups []string, vars *value.Dict) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.changed()
	v.errs = nil
	if _, err := v.inv.AddHost(name, "all", 0, false); err != nil {
		return err
	}
	for _, g := range groups {
		v.inv.AddGroup(g)
		if _, err := v.inv.AddHost(name, g, 0, false); err != nil {
			return err
		}
	}
	for _, k := range vars.Keys() {
		val, _ := vars.Get(k)
		if err := v.inv.SetVariable(name, k, val); err != nil {
			return err
		}
	}
	v.inv.Reconcile()
	return nil
}

// AddHostToGroup puts host into group, creating the group and making it a
// child of parents (group_by).
func (v *View) AddHostToGroup(host, group string, parents []string) error {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.changed()
	v.errs = nil
	v.inv.AddGroup(group)
	for _, p := range parents {
		v.inv.AddGroup(p)
		if err := v.inv.AddChild(p, group); err != nil {
			return err
		}
	}
	if _, err := v.inv.AddHost(host, group, 0, false); err != nil {
		return err
	}
	v.inv.Reconcile()
	return nil
}

// Refresh reloads the inventory from its sources (meta: refresh_inventory).
func (v *View) Refresh() error {
	v.mu.Lock()
	defer v.mu.Unlock()
	inv, err := LoadWithOptions(v.inv.Sources, v.opts)
	if err != nil {
		return err
	}
	v.inv = inv
	v.changed()
	v.errs = nil
	return nil
}
