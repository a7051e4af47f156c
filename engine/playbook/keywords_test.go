package playbook

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/diag"
)

// loadString writes a playbook to a temporary file and loads it.
func loadString(t *testing.T, yml string) (*Playbook, string, error) {
	t.Helper()
	f := filepath.Join(t.TempDir(), "pb.yml")
	if err := os.WriteFile(f, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := Load(f, LoadOptions{})
	return pb, f, err
}

// TestKeywordLoadErrors checks the load-time errors of apply,
// include keywords and module_defaults against Ansible's wording
// (messages and exit codes taken from ansible-playbook 2.14 runs).
func TestKeywordLoadErrors(t *testing.T) {
	play := "- hosts: all\n  gather_facts: no\n  tasks:\n"
	cases := []struct {
		name, tasks, want string
		pos               bool
	}{
		{"apply on import_tasks", "    - import_tasks:\n        file: x.yml\n        apply: {tags: a}\n", "Invalid options for import_tasks: apply", true},
		{"apply on import_role", "    - import_role:\n        name: x\n        apply: {tags: a}\n", "Invalid options for import_role: apply", true},
		{"apply not a dict", "    - include_tasks:\n        file: x.yml\n        apply: 3\n", "Expected a dict for apply but got <class 'int'> instead", true},
		{"apply null", "    - include_tasks:\n        file: x.yml\n        apply:\n", "Expected a dict for apply but got <class 'NoneType'> instead", true},
		{"become on include_role", "    - include_role:\n        name: x\n      become: true\n", "'become' is not a valid attribute for a IncludeRole", true},
		{"environment on include_tasks", "    - include_tasks: x.yml\n      environment: {A: b}\n", "'environment' is not a valid attribute for a TaskInclude", true},
		{"local_action include", "    - local_action: include_tasks x.yml\n", "'delegate_to' is not a valid attribute for a TaskInclude", true},
		{"module_defaults unknown module", "    - ping:\n      module_defaults: {nosuchmod: {a: 1}}\n", "Could not resolve action ansible.legacy.nosuchmod in module_defaults", false},
		{"module_defaults unknown builtin", "    - ping:\n      module_defaults: {ansible.builtin.nosuch: {a: 1}}\n", "Could not resolve action ansible.builtin.nosuch in module_defaults", false},
		{"module_defaults builtin group", "    - ping:\n      module_defaults: {group/foo: {a: 1}}\n", "Error loading module_defaults: could not resolve the module_defaults group ansible.builtin.foo", false},
		{"module_defaults group of an absent collection", "    - ping:\n      module_defaults: {group/community.kubernetes.k8s: {a: 1}}\n", "could not resolve the module_defaults group community.kubernetes.k8s", false},
		{"module_defaults fq group", "    - ping:\n      module_defaults: {group/nosuch.coll.grp: {a: 1}}\n", "could not resolve the module_defaults group nosuch.coll.grp", false},
		{"module_defaults shape", "    - ping:\n      module_defaults: [1]\n", "The field 'module_defaults' is supposed to be a dictionary or list of dictionaries", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, f, err := loadString(t, play+c.tasks)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("error %v, want %q", err, c.want)
			}
			if got := diag.ExitCode(err); got != 4 {
				t.Errorf("exit code %d, want 4", got)
			}
			if has := strings.Contains(err.Error(), "The error appears to be in '"+f+"'"); has != c.pos {
				t.Errorf("position shown = %v, want %v:\n%v", has, c.pos, err)
			}
		})
	}
}

// TestApplyAndModuleDefaultsLoad checks what the loader keeps of apply
// and module_defaults.
func TestApplyAndModuleDefaultsLoad(t *testing.T) {
	pb, _, err := loadString(t, `- hosts: all
  module_defaults:
    command: {chdir: /tmp}
    ansible.builtin.file: {state: directory}
  tasks:
    - include_tasks:
        file: x.yml
        apply:
          tags: [a, b]
          when: x
          vars: {v: 1}
          become: true
    - include_role:
        name: r
        apply:
          bogus: 1
    - ping:
      module_defaults: [{ping: {data: a}}, {ansible.legacy.ping: {data: b}}]
`)
	if err != nil {
		t.Fatal(err)
	}
	p := pb.Plays[0]
	if len(p.ModuleDefaults) != 1 || strings.Join(p.ModuleDefaults[0].Keys(), ",") != "command,file" {
		t.Errorf("play module_defaults = %v", p.ModuleDefaults)
	}
	tasks := p.Tasks[0].Block
	inc := tasks[0].(*Task)
	if inc.Apply == nil || strings.Join(inc.Apply.Tags, ",") != "a,b" || len(inc.Apply.When) != 1 ||
		inc.Apply.Become == nil || !*inc.Apply.Become || inc.Apply.Vars.Len() != 1 || inc.ApplyErr != nil {
		t.Errorf("apply = %+v (err %v)", inc.Apply, inc.ApplyErr)
	}
	role := tasks[1].(*Task)
	if role.ApplyErr == nil || !strings.Contains(role.ApplyErr.Error(), "'bogus' is not a valid attribute for a Block") {
		t.Errorf("apply error = %v", role.ApplyErr)
	}
	ping := tasks[2].(*Task)
	if len(ping.ModuleDefaults) != 2 || ping.ModuleDefaults[1].Keys()[0] != "ping" {
		t.Errorf("task module_defaults = %v", ping.ModuleDefaults)
	}
}

// TestCollectionsResolveActions: with KnownAction set, a short action
// name resolves through the collections keyword of the task, its blocks
// or the play; without it the loader reports Ansible's error.
func TestCollectionsResolveActions(t *testing.T) {
	known := func(n string) bool { return n == "debug" || n == "my.coll.mod" }
	cases := []struct {
		name, yml string
		ok        bool
	}{
		{"play", "- hosts: all\n  collections: [nosuch.x, my.coll]\n  tasks:\n    - mod: a=1\n", true},
		{"block", "- hosts: all\n  tasks:\n    - block:\n        - mod: a=1\n      collections: my.coll\n", true},
		{"task", "- hosts: all\n  tasks:\n    - mod: a=1\n      collections: [my.coll]\n", true},
		{"builtin only", "- hosts: all\n  collections: [ansible.builtin]\n  tasks:\n    - mod: a=1\n", false},
		{"none", "- hosts: all\n  tasks:\n    - mod: a=1\n", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := filepath.Join(t.TempDir(), "pb.yml")
			if err := os.WriteFile(f, []byte(c.yml), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Load(f, LoadOptions{KnownAction: known})
			if c.ok && err != nil {
				t.Fatalf("unexpected error: %v", err)
			}
			if !c.ok && (err == nil || !strings.Contains(err.Error(), "couldn't resolve module/action 'mod'")) {
				t.Fatalf("error %v, want couldn't resolve", err)
			}
		})
	}
}

func TestCanonicalAction(t *testing.T) {
	cases := map[string]string{
		"command": "command", "ansible.builtin.command": "command", "ansible.legacy.command": "command",
		"sysctl": "ansible.posix.sysctl", "ansible.legacy.sysctl": "ansible.posix.sysctl",
		"ansible.posix.sysctl": "ansible.posix.sysctl", "my.coll.mod": "my.coll.mod",
	}
	for in, want := range cases {
		if got := CanonicalAction(in); got != want {
			t.Errorf("CanonicalAction(%q) = %q, want %q", in, got, want)
		}
	}
}
