package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// varsExtensions are the extensions host_group_vars accepts (besides none).
var varsExtensions = []string{".yml", ".yaml", ".json"}

// VarLayers are the pieces of a host's inventory variables, lowest
// precedence first, as VariableManager.get_vars combines them with the
// default VARIABLE_PRECEDENCE. "Play" layers come from group_vars/ and
// host_vars/ beside the playbook (or ansible-inventory's --playbook-dir).
type VarLayers struct {
	AllInventory           *value.Dict // vars of group "all" from inventory sources
	GroupsInventory        *value.Dict // other groups' inventory vars, by depth, priority, name
	AllPluginsInventory    *value.Dict // group_vars/all beside the inventory sources
	AllPluginsPlay         *value.Dict // group_vars/all beside the playbook
	GroupsPluginsInventory *value.Dict // group_vars/<group> beside the inventory sources
	GroupsPluginsPlay      *value.Dict // group_vars/<group> beside the playbook
	Host                   *value.Dict // the host's own inventory vars
	HostPluginsInventory   *value.Dict // host_vars/<host> beside the inventory sources
	HostPluginsPlay        *value.Dict // host_vars/<host> beside the playbook
}

// Ordered returns the layers in precedence order (lowest first).
func (l *VarLayers) Ordered() []*value.Dict {
	return []*value.Dict{l.AllInventory, l.GroupsInventory, l.AllPluginsInventory, l.AllPluginsPlay,
		l.GroupsPluginsInventory, l.GroupsPluginsPlay, l.Host, l.HostPluginsInventory, l.HostPluginsPlay}
}

// Merged combines the layers (a later layer replaces top-level keys; a
// replaced key keeps its first position, as Python's dict update does).
func (l *VarLayers) Merged() *value.Dict {
	out := value.NewDict(16)
	for _, d := range l.Ordered() {
		Combine(out, d)
	}
	return out
}

// Combine copies every key of src into dst (Ansible's combine_vars with
// the default hash_behaviour=replace).
func Combine(dst, src *value.Dict) {
	for _, k := range src.Keys() {
		v, _ := src.Get(k)
		dst.Set(k, v)
	}
}

// HostGroups returns the host's groups except "all", sorted by depth,
// priority and name (the order their vars are merged).
func (h *Host) HostGroups() []*Group {
	var gs []*Group
	for _, g := range h.Groups {
		if g.Name != "all" {
			gs = append(gs, g)
		}
	}
	return SortGroups(gs)
}

// HostVarLayers computes the pieces of h's inventory variables. playDirs
// are the directories searched for playbook-level group_vars/host_vars
// (the playbook's directory; ansible-inventory uses the current directory).
func (inv *Inventory) HostVarLayers(h *Host, playDirs []string) (*VarLayers, error) {
	all := inv.groups["all"]
	groups := h.HostGroups()
	l := &VarLayers{AllInventory: all.Vars.Copy(), GroupsInventory: value.NewDict(8), Host: h.Vars.Copy()}
	for _, g := range groups {
		Combine(l.GroupsInventory, g.Vars)
	}
	var err error
	srcDirs := inv.sourceDirs()
	if l.AllPluginsInventory, err = inv.VarsFromDirs(srcDirs, []*Group{all}, nil); err != nil {
		return nil, err
	}
	if l.AllPluginsPlay, err = inv.VarsFromDirs(playDirs, []*Group{all}, nil); err != nil {
		return nil, err
	}
	if l.GroupsPluginsInventory, err = inv.VarsFromDirs(srcDirs, groups, nil); err != nil {
		return nil, err
	}
	if l.GroupsPluginsPlay, err = inv.VarsFromDirs(playDirs, groups, nil); err != nil {
		return nil, err
	}
	if l.HostPluginsInventory, err = inv.VarsFromDirs(srcDirs, nil, h); err != nil {
		return nil, err
	}
	if l.HostPluginsPlay, err = inv.VarsFromDirs(playDirs, nil, h); err != nil {
		return nil, err
	}
	return l, nil
}

// HostVars returns h's merged inventory variables in Ansible's order (see
// HostVarLayers); magic variables are not included.
func (inv *Inventory) HostVars(h *Host, playDirs []string) (*value.Dict, error) {
	l, err := inv.HostVarLayers(h, playDirs)
	if err != nil {
		return nil, err
	}
	return l.Merged(), nil
}

// SourceVars returns the group_vars/host_vars beside the inventory sources
// for the given groups (in order) and host (may be nil).
func (inv *Inventory) SourceVars(groups []*Group, host *Host) (*value.Dict, error) {
	return inv.VarsFromDirs(inv.sourceDirs(), groups, host)
}

// VarsFromDirs loads group_vars/<group> for each group (in the given order)
// then host_vars/<host> (when host is not nil) from each directory in turn,
// as the host_group_vars plugin does; the playbook layer calls it with the
// playbook directory.
func (inv *Inventory) VarsFromDirs(dirs []string, groups []*Group, host *Host) (*value.Dict, error) {
	out := value.NewDict(8)
	for _, dir := range dirs {
		for _, g := range groups {
			if err := inv.loadEntityVars(out, dir, "group_vars", g.Name); err != nil {
				return nil, err
			}
		}
		if host != nil {
			if err := inv.loadEntityVars(out, dir, "host_vars", host.Name); err != nil {
				return nil, err
			}
		}
	}
	return out, nil
}

func (inv *Inventory) loadEntityVars(out *value.Dict, dir, subdir, name string) error {
	if strings.HasPrefix(name, string(os.PathSeparator)) {
		return nil
	}
	opath := filepath.Join(dir, subdir)
	if abs, err := filepath.Abs(opath); err == nil {
		opath = abs
	}
	if real, err := filepath.EvalSymlinks(opath); err == nil {
		opath = real
	}
	key := name + "." + opath
	if inv.foundCache == nil {
		inv.foundCache = map[string][]string{}
	}
	found, cached := inv.foundCache[key]
	if !cached {
		st, err := os.Stat(opath)
		if err != nil {
			return nil
		}
		if !st.IsDir() {
			inv.Warnings.Add("Found %s that is not a directory, skipping: %s", subdir, opath)
			return nil
		}
		found = findVarsFiles(opath, name)
		inv.foundCache[key] = found
	}
	for _, f := range found {
		data, err := inv.loadVarsFile(f)
		if err != nil {
			return err
		}
		if isEmptyPy(data) {
			continue
		}
		d, ok := data.(*value.Dict)
		if !ok {
			return fmt.Errorf("failed to combine variables, expected dicts but got a 'dict' and a '%s': \n%s\n%s", value.PyTypeName(data), "{}", pyfmt.Repr(data))
		}
		Combine(out, d)
	}
	return nil
}

func (inv *Inventory) loadVarsFile(path string) (any, error) {
	if inv.fileCache == nil {
		inv.fileCache = map[string]any{}
	}
	if v, ok := inv.fileCache[path]; ok {
		return v, nil
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("Could not read %s: %v", path, err)
	}
	if inv.opts.Decrypt != nil {
		if raw, err = inv.opts.Decrypt(raw, path); err != nil {
			return nil, err
		}
	}
	v, err := loadDataFile(path, raw)
	if err != nil {
		return nil, err
	}
	inv.fileCache[path] = v
	return v, nil
}

// findVarsFiles is DataLoader.find_vars_files: the first of <name>,
// <name>.yml, <name>.yaml, <name>.json that exists; a directory is read
// recursively in sorted order.
func findVarsFiles(dir, name string) []string {
	base := filepath.Join(dir, name)
	for _, ext := range append([]string{""}, varsExtensions...) {
		p := base + ext
		st, err := os.Stat(p)
		if err != nil {
			continue
		}
		if st.IsDir() {
			return dirVarsFiles(p)
		}
		return []string{p}
	}
	return nil
}

func dirVarsFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	var out []string
	for _, n := range names {
		if strings.HasPrefix(n, ".") || strings.HasSuffix(n, "~") {
			continue
		}
		full := filepath.Join(dir, n)
		ext := filepath.Ext(n)
		st, err := os.Stat(full)
		if err != nil {
			continue
		}
		if st.IsDir() && ext == "" {
			out = append(out, dirVarsFiles(full)...)
		} else if st.Mode().IsRegular() && (ext == "" || contains(varsExtensions, ext)) {
			out = append(out, full)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
