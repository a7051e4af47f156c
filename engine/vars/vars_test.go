package vars

import (
	"testing"

	"octopus/engine/playbook"
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
