package vars

import (
	"fmt"
	"testing"

	"octopus/engine/playbook"
	"octopus/engine/template"
	"octopus/engine/value"
)

// benchInv is an inventory of n hosts in one group with 20 vars each.
type benchInv struct {
	hosts []string
	vars  map[string]*value.Dict
}

func newBenchInv(n int) *benchInv {
	inv := &benchInv{vars: map[string]*value.Dict{}}
	for i := 0; i < n; i++ {
		h := fmt.Sprintf("node%03d", i)
		inv.hosts = append(inv.hosts, h)
		d := value.NewDict(20)
		d.Set("ansible_host", fmt.Sprintf("10.0.%d.%d", i/250, i%250+1))
		for j := 0; j < 19; j++ {
			d.Set(fmt.Sprintf("hv%02d", j), fmt.Sprintf("value-{{ pv%02d }}", j))
		}
		inv.vars[h] = d
	}
	return inv
}

func (b *benchInv) HostVars(h string) *value.Dict { return b.vars[h] }
func (b *benchInv) GroupNames(string) []string    { return []string{"nodes"} }
func (b *benchInv) Groups() map[string][]string {
	return map[string][]string{"all": b.hosts, "ungrouped": {}, "nodes": b.hosts}
}
func (b *benchInv) HasHost(h string) bool { _, ok := b.vars[h]; return ok }

// Generation: the inventory never changes (as inventory.View reports it).
func (b *benchInv) Generation() uint64 { return 1 }

// BenchmarkPlay100x50 resolves and templates the arguments of a play of
// 50 tasks over 100 hosts (one op = one task on one host), the way the
// executor does: a Scope per host and task, then its arguments templated.
func BenchmarkPlay100x50(b *testing.B) {
	inv := newBenchInv(100)
	tpl := template.New(template.Options{})
	m := NewManager(inv, templater{tpl})
	play := &playbook.Play{}
	playVars := value.NewDict(30)
	for j := 0; j < 30; j++ {
		playVars.Set(fmt.Sprintf("pv%02d", j), fmt.Sprintf("p%d", j))
	}
	role := &playbook.Role{Name: "r", Defaults: pv("port", 8080, "pkg", "nginx", "conf", "/etc/{{ pkg }}")}
	for _, h := range inv.hosts {
		m.SetNonPersistent(h, value.DictOf("reg", value.DictOf("rc", 0, "stdout", "ok")))
	}
	m.SetPlayInfo(PlayInfo{HostsAll: inv.hosts, Hosts: inv.hosts, Batch: inv.hosts})
	tasks := make([]*playbook.Task, 50)
	for i := range tasks {
		tasks[i] = &playbook.Task{Keywords: playbook.Keywords{Vars: pv("tv", i)}}
	}
	args := value.DictOf("dest", "{{ conf }}/site{{ tv }}.conf", "line", "{{ hv03 }} {{ ansible_host }}:{{ port }}",
		"peer", "{{ hostvars[groups['nodes'][0]]['ansible_host'] }}", "when", "{{ reg.rc == 0 and inventory_hostname in ansible_play_hosts }}")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		host := inv.hosts[i%len(inv.hosts)]
		task := tasks[(i/len(inv.hosts))%len(tasks)]
		s := m.Scope(host, &Frame{Play: play, PlayVars: []*value.Dict{playVars}, Roles: []*playbook.Role{role}, Role: role, Task: task})
		if _, err := tpl.Template(args, s); err != nil {
			b.Fatal(err)
		}
	}
}

// templater adapts *template.Templar to Templater.
type templater struct{ t *template.Templar }

func (a templater) Template(v any, vars Vars) (any, error) { return a.t.Template(v, vars) }
