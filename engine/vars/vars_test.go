package vars

import (
	"slices"
	"testing"

	"octopus/engine/playbook"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

type fakeInv map[string]*value.Dict

func (f fakeInv) HostVars(h string) *value.Dict { return f[h] }
func (f fakeInv) GroupNames(h string) []string  { return []string{"web"} }
func (f fakeInv) Groups() map[string][]string {
	return map[string][]string{"all": {"h1", "h2"}, "web": {"h1"}}
}
func (f fakeInv) HasHost(h string) bool { _, ok := f[h]; return ok }

func pv(kv ...any) *playbook.Vars {
	v := &playbook.Vars{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i].(string), kv[i+1])
	}
	return v
}

func TestPrecedence(t *testing.T) {
	inv := fakeInv{"h1": value.DictOf("x", "inv", "y", "inv", "d", value.DictOf("a", 1)), "h2": value.DictOf()}
	m := NewManager(inv, nil)
	role := &playbook.Role{Name: "r", Defaults: pv("x", "default", "z", "default"), RoleVars: pv("rv", "role")}
	play := &playbook.Play{}
	task := &playbook.Task{Keywords: playbook.Keywords{Vars: pv("t", "task", "y", "task")}}
	m.SetNonPersistent("h1", value.DictOf("sf", "setfact", "t", "setfact"))
	m.Extra = value.DictOf("e", "extra", "sf", "extra")
	s := m.Scope("h1", &Frame{Play: play, PlayVars: []*value.Dict{value.DictOf("y", "play", "p", "play")}, Roles: []*playbook.Role{role}, Role: role, Task: task})
	tests := map[string]any{
		"x": "inv", "z": "default", "y": "task", "p": "play", "rv": "role", "t": "setfact",
		"sf": "extra", "e": "extra", "inventory_hostname": "h1", "role_name": "r",
	}
	for k, want := range tests {
		got, ok := s.Lookup(k)
		if !ok || got != want {
			t.Errorf("%s = %v (%v), want %v", k, got, ok, want)
		}
	}
	if _, ok := s.Lookup("nope"); ok {
		t.Error("undefined name found")
	}
	hv, _ := s.Lookup("hostvars")
	h1, ok := hv.(*HostVars).Lookup("h1")
	if !ok {
		t.Fatal("hostvars[h1] missing")
	}
	if v, _ := h1.(*HostScope).Lookup("sf"); v != "extra" {
		t.Errorf("hostvars[h1].sf = %v", v)
	}
	if _, ok := h1.(*HostScope).Lookup("p"); ok {
		t.Error("hostvars must not see play vars")
	}
}

func TestHashMerge(t *testing.T) {
	inv := fakeInv{"h1": value.DictOf("d", value.DictOf("a", 1, "b", 1))}
	m := NewManager(inv, nil)
	m.HashMerge = true
	m.SetNonPersistent("h1", value.DictOf("d", value.DictOf("b", 2, "c", 3)))
	v, _ := m.Scope("h1", nil).Lookup("d")
	d := v.(*value.Dict)
	if a, _ := d.Get("a"); a != 1 {
		t.Errorf("a = %v", a)
	}
	if b, _ := d.Get("b"); b != 2 {
		t.Errorf("b = %v", b)
	}
}

func TestFactsNamespace(t *testing.T) {
	m := NewManager(fakeInv{"h1": value.DictOf()}, nil)
	m.SetFacts("h1", value.DictOf("ansible_os_family", "Debian"))
	s := m.Scope("h1", nil)
	if v, _ := s.Lookup("ansible_os_family"); v != "Debian" {
		t.Errorf("top-level fact = %v", v)
	}
	af, _ := s.Lookup("ansible_facts")
	if v, _ := af.(*value.Dict).Get("os_family"); v != "Debian" {
		t.Errorf("ansible_facts.os_family = %v", v)
	}
}

// genInv is an inventory whose groups change with its generation.
type genInv struct {
	fakeInv
	gen    uint64
	groups map[string][]string
}

func (g *genInv) Groups() map[string][]string { return g.groups }
func (g *genInv) Generation() uint64          { return g.gen }

func TestMagicVars(t *testing.T) {
	inv := &genInv{fakeInv: fakeInv{"h1": value.DictOf(), "h2": value.DictOf()},
		groups: map[string][]string{"all": {"h1", "h2"}, "web": {"h1"}, "ungrouped": {}}}
	m := NewManager(inv, nil)
	m.SetPlayInfo(PlayInfo{Name: "p", HostsAll: []string{"h1", "h2"}, Hosts: []string{"h1"}, Batch: []string{"h1", "h2"},
		RoleNames: []string{"r", "dep"}, DepRoles: []string{"dep"}})
	role := &playbook.Role{Name: "ns.coll.r", Path: "/roles/r"}
	s := m.Scope("h1", &Frame{Play: &playbook.Play{}, Role: role, DepChain: []*playbook.Role{{Name: "outer"}}})
	str := func(name string) string {
		v, ok := s.Lookup(name)
		if !ok {
			t.Fatalf("%s undefined", name)
		}
		return pyfmt.Repr(v)
	}
	for name, want := range map[string]string{
		"groups":                    "{'all': ['h1', 'h2'], 'ungrouped': [], 'web': ['h1']}",
		"group_names":               "['web']",
		"ansible_play_hosts":        "['h1']",
		"ansible_play_hosts_all":    "['h1', 'h2']",
		"play_hosts":                "['h1', 'h2']",
		"ansible_play_name":         "'p'",
		"ansible_role_names":        "['dep', 'r']",
		"role_name":                 "'r'",
		"ansible_role_name":         "'ns.coll.r'",
		"role_path":                 "'/roles/r'",
		"ansible_parent_role_names": "['outer']",
		"inventory_hostname_short":  "'h1'",
	} {
		if got := str(name); got != want {
			t.Errorf("%s = %s, want %s", name, got, want)
		}
	}
	// handed-out lists are copies: a template changing one changes nothing else
	l, _ := s.Lookup("ansible_play_hosts")
	l.([]any)[0] = "changed"
	g, _ := s.Lookup("groups")
	all, _ := g.(*value.Dict).Get("all")
	all.([]any)[0] = "changed"
	if got := str("ansible_play_hosts") + str("groups"); got != "['h1']{'all': ['h1', 'h2'], 'ungrouped': [], 'web': ['h1']}" {
		t.Errorf("shared lists were modified: %s", got)
	}
	// the groups are read again when the inventory's generation changes
	inv.groups = map[string][]string{"all": {"h1", "h2", "h3"}}
	if got := str("groups"); got != "{'all': ['h1', 'h2']"+", 'ungrouped': [], 'web': ['h1']}" {
		t.Errorf("groups re-read within a generation: %s", got)
	}
	inv.gen++
	if got := str("groups"); got != "{'all': ['h1', 'h2', 'h3']}" {
		t.Errorf("groups after a change = %s", got)
	}
	names := s.Names()
	for _, n := range []string{"groups", "ansible_play_batch", "role_path", "hostvars"} {
		if !slices.Contains(names, n) {
			t.Errorf("Names() lacks %s", n)
		}
	}
	// no play, no role: those magic variables are not defined
	bare := m.Scope("h1", nil)
	for _, n := range []string{"ansible_play_hosts", "role_name"} {
		if _, ok := bare.Lookup(n); ok || slices.Contains(bare.Names(), n) {
			t.Errorf("%s defined without a play or role", n)
		}
	}
}
