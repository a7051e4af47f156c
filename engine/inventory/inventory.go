// Package inventory loads Ansible inventories (INI, YAML/JSON, directories
// of them and "host1,host2," lists) exactly as ansible 2.14 does, resolves
// host patterns and --limit, and merges a host's inventory variables
// (inventory files, group_vars/ and host_vars/) in Ansible's order.
//
// Warnings Ansible would print are collected as data in Inventory.Warnings;
// callers print them with FormatWarning.
package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"octopus/engine/value"
)

// LocalhostNames are the names Ansible treats as the controller itself
// (C.LOCALHOST); one of them referenced but absent from the inventory
// becomes the implicit localhost.
var LocalhostNames = []string{"127.0.0.1", "localhost", "::1"}

// ImplicitPythonInterpreter is the ansible_python_interpreter given to the
// implicit localhost (Ansible uses the controller's sys.executable).
var ImplicitPythonInterpreter = "/usr/bin/python3"

func isLocalhostName(name string) bool {
	for _, n := range LocalhostNames {
		if n == name {
			return true
		}
	}
	return false
}

// Host is one inventory host.
type Host struct {
	// Name is the inventory hostname.
	Name string
	// Address is the name, or 127.0.0.1 for the implicit localhost.
	Address string
	// Vars are the variables set by inventory sources (host lines, YAML
	// host entries, inventory_file/inventory_dir, ansible_port from
	// host:port), in insertion order. group_vars/host_vars files are not
	// included; see Inventory.HostVarLayers.
	Vars *value.Dict
	// Groups lists every group the host belongs to, directly or through a
	// child group, including "all" (except for the implicit localhost).
	Groups []*Group
	// Implicit marks the implicit localhost (not part of "all").
	Implicit bool
}

// Group is one inventory group.
type Group struct {
	// Name of the group (invalid characters such as '-' are kept, as with
	// Ansible's default TRANSFORM_INVALID_GROUP_CHARS=never).
	Name string
	// Vars are the group's variables from inventory sources, in order.
	Vars *value.Dict
	// Hosts are the hosts listed directly in the group, in order.
	Hosts []*Host
	// Children are the direct child groups, in the order they were added.
	Children []*Group
	// Parents are the direct parent groups.
	Parents []*Group
	// Depth is the longest distance from "all" (Ansible's group.depth).
	Depth int
	// Priority is ansible_group_priority (default 1).
	Priority int

	hostSet map[*Host]bool
}

// Warnings collects warning messages once each, in the order raised,
// as Ansible's Display.warning de-duplicates them.
type Warnings struct {
	msgs []string
	seen map[string]bool
	next int
}

// Add records msg unless it was recorded already.
func (w *Warnings) Add(format string, args ...any) {
	msg := format
	if len(args) > 0 {
		msg = fmt.Sprintf(format, args...)
	}
	if w.seen == nil {
		w.seen = map[string]bool{}
	}
	if w.seen[msg] {
		return
	}
	w.seen[msg] = true
	w.msgs = append(w.msgs, msg)
}

// All returns every warning recorded so far.
func (w *Warnings) All() []string { return append([]string(nil), w.msgs...) }

// Take returns the warnings recorded since the previous Take.
func (w *Warnings) Take() []string {
	out := append([]string(nil), w.msgs[w.next:]...)
	w.next = len(w.msgs)
	return out
}

// Inventory is a loaded inventory.
type Inventory struct {
	// Sources are the inventory sources as given to Load (paths made
	// absolute, host lists unchanged).
	Sources []string
	// Warnings raised while loading and while matching patterns.
	Warnings Warnings
	// Localhost is the first localhost-like host or the implicit one once
	// created.
	Localhost *Host

	groups     map[string]*Group
	groupOrder []*Group
	hosts      map[string]*Host
	hostOrder  []*Host

	currentSource string
	subset        []string
	hasSubset     bool
	patternCache  map[string][]*Host
	fileCache     map[string]any
	foundCache    map[string][]string
	opts          Options
}

// New returns an empty inventory holding only the groups "all" and
// "ungrouped" (a child of "all").
func New() *Inventory {
	inv := &Inventory{groups: map[string]*Group{}, hosts: map[string]*Host{}}
	inv.AddGroup("all")
	inv.AddGroup("ungrouped")
	_ = inv.AddChild("all", "ungrouped")
	return inv
}

// Group returns the named group, or nil.
func (inv *Inventory) Group(name string) *Group { return inv.groups[name] }

// Groups returns every group in the order they were created.
func (inv *Inventory) Groups() []*Group { return append([]*Group(nil), inv.groupOrder...) }

// GroupNames returns the group names sorted (Ansible's list_groups).
func (inv *Inventory) GroupNames() []string {
	out := make([]string, 0, len(inv.groupOrder))
	for _, g := range inv.groupOrder {
		out = append(out, g.Name)
	}
	sort.Strings(out)
	return out
}

// Host returns the named host; a localhost-like name absent from the
// inventory returns the implicit localhost (created on first use).
func (inv *Inventory) Host(name string) *Host {
	if h := inv.hosts[name]; h != nil {
		return h
	}
	if isLocalhostName(name) {
		return inv.implicitLocalhost(name)
	}
	return nil
}

// AllHosts returns every host in the order it was first added.
func (inv *Inventory) AllHosts() []*Host { return append([]*Host(nil), inv.hostOrder...) }

func (inv *Inventory) implicitLocalhost(name string) *Host {
	if inv.Localhost != nil {
		return inv.Localhost
	}
	h := &Host{Name: name, Address: "127.0.0.1", Vars: value.NewDict(2), Implicit: true}
	h.Vars.Set("ansible_python_interpreter", ImplicitPythonInterpreter)
	h.Vars.Set("ansible_connection", "local")
	inv.Localhost = h
	return h
}

// hasInvalidGroupChars matches Ansible's INVALID_VARIABLE_NAMES
// (^[\d\W]|[^\w]): a leading digit or any non-word character.
func hasInvalidGroupChars(name string) bool {
	for i, r := range name {
		if !isWordRune(r) || i == 0 && unicode.IsDigit(r) {
			return true
		}
	}
	return false
}

// checkGroupName records Ansible's warning for group names with characters
// that are invalid in variable names.
func (inv *Inventory) checkGroupName(name string) {
	if name != "" && hasInvalidGroupChars(name) {
		inv.Warnings.Add("Invalid characters were found in group names but not replaced, use -vvvv to see details")
	}
}

// AddGroup adds a group unless it exists, returning it.
func (inv *Inventory) AddGroup(name string) *Group {
	if g := inv.groups[name]; g != nil {
		return g
	}
	inv.checkGroupName(name)
	g := &Group{Name: name, Vars: value.NewDict(0), Priority: 1}
	inv.groups[name] = g
	inv.groupOrder = append(inv.groupOrder, g)
	inv.patternCache = nil
	return g
}

// AddHost adds a host (when new) and puts it in group (when not empty).
// A port, when set, becomes ansible_port.
func (inv *Inventory) AddHost(name, group string, port int, hasPort bool) (*Host, error) {
	if name == "" {
		return nil, fmt.Errorf("Invalid empty host name provided: %s", name)
	}
	var g *Group
	if group != "" {
		if g = inv.groups[group]; g == nil {
			return nil, fmt.Errorf("Could not find group %s in inventory", group)
		}
	}
	h := inv.hosts[name]
	if h == nil {
		h = &Host{Name: name, Address: name, Vars: value.NewDict(2)}
		if hasPort && port != 0 {
			h.Vars.Set("ansible_port", port)
		}
		inv.hosts[name] = h
		inv.hostOrder = append(inv.hostOrder, h)
		if inv.currentSource != "" {
			h.Vars.Set("inventory_file", inv.currentSource)
			h.Vars.Set("inventory_dir", sourceBasedir(inv.currentSource))
		} else {
			h.Vars.Set("inventory_file", nil)
			h.Vars.Set("inventory_dir", nil)
		}
		if isLocalhostName(name) {
			if inv.Localhost == nil {
				inv.Localhost = h
			} else {
				inv.Warnings.Add("A duplicate localhost-like entry was found (%s). First found localhost was %s", name, inv.Localhost.Name)
			}
		}
	}
	if g != nil {
		g.addHost(h)
		inv.patternCache = nil
	}
	return h, nil
}

// sourceBasedir is Ansible's basedir(): the directory of a file source, the
// source itself when a directory, nil for anything else (host lists).
func sourceBasedir(src string) any {
	st, err := os.Stat(src)
	switch {
	case err != nil:
		return nil
	case st.IsDir():
		return src
	}
	d, err := filepath.Abs(filepath.Dir(src))
	if err != nil {
		return nil
	}
	return d
}

// AddChild makes child (a group or, failing that, a host) a member of group.
func (inv *Inventory) AddChild(group, child string) error {
	g := inv.groups[group]
	if g == nil {
		return fmt.Errorf("%s is not a known group", group)
	}
	inv.patternCache = nil
	if c := inv.groups[child]; c != nil {
		return g.addChildGroup(c)
	}
	if h := inv.hosts[child]; h != nil {
		g.addHost(h)
		return nil
	}
	return fmt.Errorf("%s is not a known host nor group", child)
}

// SetVariable sets a variable on the named group or host. For groups,
// ansible_group_priority sets the priority instead.
func (inv *Inventory) SetVariable(entity, key string, val any) error {
	if g := inv.groups[entity]; g != nil {
		if key == "ansible_group_priority" {
			p, err := pyIntOf(val)
			if err != nil {
				return err
			}
			g.Priority = p
			return nil
		}
		g.Vars.Set(key, val)
		return nil
	}
	if h := inv.hosts[entity]; h != nil {
		h.Vars.Set(key, val)
		return nil
	}
	return fmt.Errorf("Could not identify group or host named %s", entity)
}

func pyIntOf(v any) (int, error) {
	switch t := v.(type) {
	case int:
		return t, nil
	case float64:
		return int(t), nil
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	case string:
		return pyInt(t)
	}
	return 0, fmt.Errorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", value.PyTypeName(v))
}

// ancestors returns every ancestor of g (not g itself).
func (g *Group) ancestors() []*Group {
	seen := map[*Group]bool{}
	var out []*Group
	queue := append([]*Group(nil), g.Parents...)
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		out = append(out, p)
		queue = append(queue, p.Parents...)
	}
	return out
}

// Descendants returns g's descendant groups breadth first (children in
// order, then their children), without duplicates; includeSelf puts g first.
func (g *Group) Descendants(includeSelf bool) []*Group {
	seen := map[*Group]bool{g: true}
	var out []*Group
	if includeSelf {
		out = append(out, g)
	}
	level := []*Group{g}
	for len(level) > 0 {
		var next []*Group
		for _, x := range level {
			for _, c := range x.Children {
				if !seen[c] {
					seen[c] = true
					out = append(out, c)
					next = append(next, c)
				}
			}
		}
		level = next
	}
	return out
}

func (g *Group) addChildGroup(c *Group) error {
	if g == c {
		return fmt.Errorf("can't add group to itself")
	}
	for _, x := range g.Children {
		if x == c {
			return nil
		}
	}
	gAnc := g.ancestors()
	for _, a := range gAnc {
		if a == c {
			return fmt.Errorf("Adding group '%s' as child to '%s' creates a recursive dependency loop.", c.Name, g.Name)
		}
	}
	g.Children = append(g.Children, c)
	if g.Depth+1 > c.Depth {
		c.Depth = g.Depth + 1
	}
	c.fixChildDepth()
	isParent := false
	for _, p := range c.Parents {
		if p.Name == g.Name {
			isParent = true
		}
	}
	if !isParent {
		c.Parents = append(c.Parents, g)
		newAnc := append([]*Group{g}, gAnc...)
		for _, h := range c.AllHosts() {
			for _, a := range newAnc {
				h.addGroupOnly(a)
			}
		}
	}
	return nil
}

func (g *Group) fixChildDepth() {
	for _, c := range g.Children {
		if c.Depth < g.Depth+1 {
			c.Depth = g.Depth + 1
			c.fixChildDepth()
		}
	}
}

func (g *Group) addHost(h *Host) {
	if g.hostSet == nil {
		g.hostSet = map[*Host]bool{}
	}
	if g.hostSet[h] {
		return
	}
	g.hostSet[h] = true
	g.Hosts = append(g.Hosts, h)
	for _, a := range g.ancestors() {
		h.addGroupOnly(a)
	}
	h.addGroupOnly(g)
}

func (g *Group) removeHost(h *Host) {
	for i, x := range g.Hosts {
		if x == h {
			g.Hosts = append(g.Hosts[:i:i], g.Hosts[i+1:]...)
			delete(g.hostSet, h)
			h.removeGroup(g)
			return
		}
	}
}

// AllHosts returns the hosts of g and its descendants in Ansible's order
// (g's own hosts, then each descendant's), without duplicates; "all" leaves
// out the implicit localhost.
func (g *Group) AllHosts() []*Host {
	seen := map[*Host]bool{}
	var out []*Host
	for _, kid := range g.Descendants(true) {
		for _, h := range kid.Hosts {
			if seen[h] {
				continue
			}
			seen[h] = true
			if g.Name == "all" && h.Implicit {
				continue
			}
			out = append(out, h)
		}
	}
	return out
}

func (h *Host) addGroupOnly(g *Group) {
	for _, x := range h.Groups {
		if x == g {
			return
		}
	}
	h.Groups = append(h.Groups, g)
}

func (h *Host) removeGroup(g *Group) {
	idx := -1
	for i, x := range h.Groups {
		if x == g {
			idx = i
		}
	}
	if idx < 0 {
		return
	}
	h.Groups = append(h.Groups[:idx:idx], h.Groups[idx+1:]...)
	for _, old := range g.ancestors() {
		if old.Name == "all" {
			continue
		}
		still := false
		for _, cg := range h.Groups {
			for _, a := range cg.ancestors() {
				if a == old {
					still = true
				}
			}
		}
		if !still {
			h.removeGroup(old)
		}
	}
}

// GroupNames returns the sorted names of the host's groups except "all"
// (the group_names magic variable).
func (h *Host) GroupNames() []string {
	var out []string
	for _, g := range h.Groups {
		if g.Name != "all" {
			out = append(out, g.Name)
		}
	}
	sort.Strings(out)
	return out
}

// MagicVars returns inventory_hostname, inventory_hostname_short and
// group_names as Host.get_magic_vars does.
func (h *Host) MagicVars() *value.Dict {
	d := value.NewDict(3)
	d.Set("inventory_hostname", h.Name)
	short := h.Name
	if !reIPv4.MatchString(h.Name) && !reIPv6.MatchString(h.Name) {
		short, _, _ = strings.Cut(h.Name, ".")
	}
	d.Set("inventory_hostname_short", short)
	names := h.GroupNames()
	list := make([]any, len(names))
	for i, n := range names {
		list[i] = n
	}
	d.Set("group_names", list)
	return d
}

// SortGroups orders groups by depth, then priority, then name, as
// Ansible's sort_groups does.
func SortGroups(groups []*Group) []*Group {
	out := append([]*Group(nil), groups...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Depth != b.Depth {
			return a.Depth < b.Depth
		}
		if a.Priority != b.Priority {
			return a.Priority < b.Priority
		}
		return a.Name < b.Name
	})
	return out
}

// Reconcile applies Ansible's post-parse rules: top-level groups become
// children of "all", hosts in no other group go to "ungrouped" and hosts in
// another group leave it.
func (inv *Inventory) Reconcile() {
	all, ungrouped := inv.groups["all"], inv.groups["ungrouped"]
	for _, g := range inv.groupOrder {
		if g.Name != "all" && len(g.Parents) == 0 {
			_ = all.addChildGroup(g)
		}
	}
	for _, h := range inv.hostOrder {
		inUngrouped := false
		other := false
		for _, g := range h.Groups {
			if g == ungrouped {
				inUngrouped = true
			} else if g != all {
				other = true
			}
		}
		if inUngrouped {
			if other {
				ungrouped.removeHost(h)
			}
		} else if !h.Implicit && !other {
			ungrouped.addHost(h)
		}
	}
	for _, h := range inv.hostOrder {
		if g := inv.groups[h.Name]; g != nil {
			inv.Warnings.Add("Found both group and host with same name: %s", h.Name)
		}
	}
	inv.patternCache = nil
}

// GroupsMap returns the "groups" magic variable: every group name (in
// creation order) mapped to the names of its hosts, children included.
func (inv *Inventory) GroupsMap() *value.Dict {
	d := value.NewDict(len(inv.groupOrder))
	for _, g := range inv.groupOrder {
		hosts := g.AllHosts()
		names := make([]any, len(hosts))
		for i, h := range hosts {
			names[i] = h.Name
		}
		d.Set(g.Name, names)
	}
	return d
}
