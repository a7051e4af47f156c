package playbook

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/diag"
)

func TestSplitArgsAndParseKV(t *testing.T) {
	cases := []struct {
		in       string
		checkRaw bool
		want     map[string]any
	}{
		{`a=b c="foo bar"`, false, map[string]any{"a": "b", "c": "foo bar"}},
		{`echo hi creates=/x`, true, map[string]any{"_raw_params": "echo hi", "creates": "/x"}},
		{`echo a=b`, true, map[string]any{"_raw_params": "echo a=b"}},
		{`msg="{{ a }} b" x='y z'`, false, map[string]any{"msg": "{{ a }} b", "x": "y z"}},
		{`msg={{ a | default('x y') }}`, false, map[string]any{"msg": "{{ a | default('x y') }}"}},
		{"file.yml", false, map[string]any{"_raw_params": "file.yml"}},
	}
	for _, c := range cases {
		_, got, err := ParseKV(c.in, c.checkRaw)
		if err != nil {
			t.Fatalf("%q: %v", c.in, err)
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("ParseKV(%q) = %#v, want %#v", c.in, got, c.want)
		}
	}
	if _, err := SplitArgs(`a="unclosed`); err == nil {
		t.Error("unbalanced quote accepted")
	}
}

func TestLoadBasic(t *testing.T) {
	pb, err := Load("testdata/basic/site.yml", LoadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(pb.Plays) != 1 {
		t.Fatalf("plays = %d", len(pb.Plays))
	}
	p := pb.Plays[0]
	if p.Hosts != "a,b" || !reflect.DeepEqual(p.HostsList, []string{"a", "b"}) || p.Pos.Line != 1 || p.Pos.Col != 3 {
		t.Errorf("play = %q %v %v", p.Hosts, p.HostsList, p.Pos)
	}
	if len(p.Roles) != 1 || p.Roles[0].Name != "r" || len(p.Roles[0].Deps) != 1 || p.Roles[0].Deps[0].From != p.Roles[0] {
		t.Fatalf("roles = %+v", p.Roles)
	}
	if v, _ := p.Roles[0].Params.Get("p"); v != 2 {
		t.Errorf("role param p = %v", v)
	}
	var tasks []*Task
	for _, b := range p.Tasks {
		for _, it := range b.Block {
			if tk, ok := it.(*Task); ok {
				tasks = append(tasks, tk)
			} else if bb, ok := it.(*Block); ok {
				for _, it2 := range bb.Block {
					tasks = append(tasks, it2.(*Task))
				}
			}
		}
	}
	if len(tasks) != 5 {
		t.Fatalf("tasks = %d", len(tasks))
	}
	sh := tasks[0]
	if sh.Action != "shell" || sh.Args["_raw_params"] != "echo hi" || sh.Args["chdir"] != "/tmp" || sh.Args["creates"] != "/x" || sh.Pos.Line != 7 {
		t.Errorf("shell task = %+v", sh)
	}
	inc := tasks[1]
	if inc.Name != "inc" || !reflect.DeepEqual(inc.InheritedTags(), []string{"it"}) {
		t.Errorf("imported task = %q tags %v", inc.Name, inc.InheritedTags())
	}
	if tasks[2].Action != "include_role" {
		t.Errorf("include_role = %q", tasks[2].Action)
	}
	if tasks[3].LoopWith != "items" || tasks[3].Loop == nil {
		t.Errorf("with_items = %q %v", tasks[3].LoopWith, tasks[3].Loop)
	}
	if !tasks[4].LocalAction || tasks[4].DelegateTo != "localhost" || tasks[4].Action != "command" {
		t.Errorf("local_action = %+v", tasks[4])
	}
	d := p.Roles[0].Deps[0].Tasks[0].Block[0].(*Task)
	if !reflect.DeepEqual(d.InheritedTags(), []string{"rt"}) {
		t.Errorf("dependency tags = %v", d.InheritedTags())
	}
}

func TestLoadErrors(t *testing.T) {
	cases := []struct {
		yaml, want string
		code       int
	}{
		{"- hosts: all\n  bogus: 1\n", "'bogus' is not a valid attribute for a Play", 4},
		{"- hosts: all\n  tasks:\n    - shell: ls\n      command: ls\n", "conflicting action statements: shell, command", 4},
		{"- hosts: all\n  tasks:\n    - name: x\n", "no module/action detected in task.", 4},
		{"- hosts: all\n  roles: [nope]\n", "the role 'nope' was not found in", 1},
		{"- hosts: all\n  tasks:\n    - name: a: b\n", "mapping values are not allowed in this context", 4},
		{"- hosts: all\n  tasks:\n    - include_role: {name: nope}\n", "", 0},
	}
	dir := t.TempDir()
	for i, c := range cases {
		f := filepath.Join(dir, "pb.yml")
		if err := os.WriteFile(f, []byte(c.yaml), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(f, LoadOptions{})
		if c.want == "" {
			if err != nil {
				t.Errorf("case %d: unexpected error %v", i, err)
			}
			continue
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("case %d: error %v, want %q", i, err, c.want)
			continue
		}
		if got := diag.ExitCode(err); got != c.code {
			t.Errorf("case %d: exit code %d, want %d", i, got, c.code)
		}
		if !strings.Contains(err.Error(), "The error appears to be in '"+f+"'") {
			t.Errorf("case %d: no position in %v", i, err)
		}
	}
}

func TestNoPanicOnGarbage(t *testing.T) {
	dir := t.TempDir()
	for i, s := range []string{"- 1\n", "- [a]\n", "- hosts: all\n  tasks: 3\n", "- hosts: all\n  tasks: [1]\n", "- hosts: all\n  roles: [{}]\n", "- hosts: all\n  tasks:\n    - block: 3\n", "- hosts: all\n  vars: 3\n", "- hosts: all\n  tasks:\n    - action: 5\n", "- hosts: all\n  tasks:\n    - args: [1]\n      ping:\n"} {
		f := filepath.Join(dir, "g.yml")
		if err := os.WriteFile(f, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		_, err := Load(f, LoadOptions{})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Errorf("case %d panicked: %v", i, err)
		}
	}
}

func TestDuplicateKeyWarningAndExtraVars(t *testing.T) {
	dir := t.TempDir()
	pb := "- import_playbook: \"{{ which }}.yml\"\n"
	sub := "- hosts: all\n  tasks:\n    - name: a\n      name: b\n      ping:\n"
	if err := os.WriteFile(filepath.Join(dir, "pb.yml"), []byte(pb), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "sub.yml"), []byte(sub), 0o644); err != nil {
		t.Fatal(err)
	}
	var warns []string
	p, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{ExtraVars: map[string]any{"which": "sub"}, Warn: func(m string) { warns = append(warns, m) }})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Plays) != 1 || p.Plays[0].File != filepath.Join(dir, "sub.yml") {
		t.Fatalf("plays = %+v", p.Plays)
	}
	want := "While constructing a mapping from " + filepath.Join(dir, "sub.yml") + ", line 3, column 7, found a duplicate dict key (name). Using last defined value only."
	if len(warns) != 1 || warns[0] != want {
		t.Errorf("warnings = %q", warns)
	}
	task := p.Plays[0].Tasks[0].Block[0].(*Task)
	if task.Name != "b" {
		t.Errorf("duplicate key: name = %q, want last value", task.Name)
	}
	if _, err := Load(filepath.Join(dir, "pb.yml"), LoadOptions{}); err == nil || !strings.Contains(err.Error(), "'which' is undefined") {
		t.Errorf("undefined import var: %v", err)
	}
}

func TestRunTimeLoads(t *testing.T) {
	l := NewLoader(LoadOptions{})
	pb, err := l.Load("testdata/basic/site.yml")
	if err != nil {
		t.Fatal(err)
	}
	r, err := l.LoadRole("r", RoleOptions{Play: pb.Plays[0]})
	if err != nil {
		t.Fatal(err)
	}
	if r.Name != "r" || len(r.Deps) != 1 || len(RoleBlocks(r)) != 2 || r.Public {
		t.Errorf("role = %+v", r)
	}
	if _, err := l.LoadRole("nope", RoleOptions{Play: pb.Plays[0]}); err == nil || !strings.Contains(err.Error(), "the role 'nope' was not found in "+filepath.Join(pb.Dir, "roles")) {
		t.Errorf("missing role: %v", err)
	}
	blocks, err := l.LoadTasksFile(filepath.Join(pb.Dir, "inc.yml"))
	if err != nil || len(blocks) != 1 || blocks[0].Block[0].(*Task).Name != "inc" {
		t.Errorf("LoadTasksFile = %v, %v", blocks, err)
	}
}
