package output

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/value"
)

func TestTree(t *testing.T) {
	tk := &Task{ID: 1, Name: "t", Action: "command"}
	tests := []struct {
		name      string
		verbosity int
		results   []*Result
		want      map[string]string // host file -> content; absent hosts have no file
	}{
		{"ok one line", 0, []*Result{{Host: "h1", Task: tk, Data: value.DictOf("rc", 0, "changed", true, "_ansible_no_log", false)}},
			map[string]string{"h1": `{"changed": true, "rc": 0}`}},
		{"last result wins", 0, []*Result{
			{Host: "h1", Task: tk, Data: value.DictOf("msg", "first")},
			{Host: "h2", Task: tk, Status: StatusFailed, Data: value.DictOf("msg", "boom")},
			{Host: "h1", Task: tk, Status: StatusUnreachable, Data: value.DictOf("msg", "gone", "unreachable", true)},
		}, map[string]string{"h1": `{"msg": "gone", "unreachable": true}`, "h2": `{"msg": "boom"}`}},
		{"skipped writes nothing", 0, []*Result{{Host: "h1", Task: tk, Status: StatusSkipped, Data: value.DictOf("skip_reason", "x")}},
			map[string]string{}},
		{"verbose always indents", 0, []*Result{{Host: "h1", Task: tk, Data: value.DictOf("msg", "é", "_ansible_verbose_always", true)}},
			map[string]string{"h1": "{\n    \"msg\": \"é\"\n}"}},
		{"-vvv indents and keeps invocation", 3, []*Result{{Host: "h1", Task: tk, Data: value.DictOf("invocation", value.DictOf(), "exception", "x")}},
			map[string]string{"h1": "{\n    \"invocation\": {}\n}"}},
		{"invocation and diff dropped", 0, []*Result{{Host: "h1", Task: tk, Data: value.DictOf("invocation", value.DictOf(), "diff", []any{}, "a", 1)}},
			map[string]string{"h1": `{"a": 1}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "tree")
			var warns []string
			tr := NewTree(dir, tc.verbosity, func(m string) { warns = append(warns, m) })
			for _, r := range tc.results {
				tr.HostResult(r)
			}
			got := map[string]string{}
			entries, _ := os.ReadDir(dir)
			for _, e := range entries {
				b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
				got[e.Name()] = string(b)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("files %q, want %q", got, tc.want)
			}
			if len(warns) > 0 {
				t.Errorf("warnings: %q", warns)
			}
		})
	}
}

func TestTreeWarnings(t *testing.T) {
	base := t.TempDir()
	file := filepath.Join(base, "afile")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	var warns []string
	tr := NewTree(filepath.Join(file, "sub"), 0, func(m string) { warns = append(warns, m) })
	tr.HostResult(&Result{Host: "h1", Task: &Task{}, Data: value.DictOf()})
	want := "Failure using method (v2_runner_on_ok) in callback plugin (tree): Unable to create local directories(" +
		filepath.Join(file, "sub") + "): [Errno 20] Not a directory: b'" + filepath.Join(file, "sub") + "'"
	if len(warns) != 1 || warns[0] != want {
		t.Errorf("warnings %q, want %q", warns, want)
	}
}

// recorder records the events it receives.
type recorder struct {
	Nop
	name string
	log  *[]string
}

func (r recorder) PlaybookStart(p string) { *r.log = append(*r.log, r.name+":start:"+p) }
func (r recorder) HostResult(res *Result) { *r.log = append(*r.log, r.name+":result:"+res.Host) }
func (r recorder) Stats(*Stats)           { *r.log = append(*r.log, r.name+":stats") }

func TestFanout(t *testing.T) {
	var log []string
	a, b := recorder{name: "a", log: &log}, recorder{name: "b", log: &log}
	if got := NewFanout(a, nil); !reflect.DeepEqual(got, Callback(a)) {
		t.Errorf("single callback not returned as is: %#v", got)
	}
	f := NewFanout(a, b)
	f.PlaybookStart("x.yml")
	f.HostResult(&Result{Host: "h1"})
	f.Warning("ignored by recorders")
	f.Stats(&Stats{})
	want := []string{"a:start:x.yml", "b:start:x.yml", "a:result:h1", "b:result:h1", "a:stats", "b:stats"}
	if !reflect.DeepEqual(log, want) {
		t.Errorf("events %q, want %q", log, want)
	}
}

func TestNewEnabled(t *testing.T) {
	tests := []struct {
		names     []string
		wantNames []string
		wantWarn  []string
	}{
		{nil, nil, nil},
		{[]string{"tree", "junit"}, []string{"junit", "tree"}, nil},
		{[]string{"ansible.builtin.junit", "junit", "ansible.legacy.tree"}, []string{"junit", "tree"}, nil},
		{[]string{"profile_tasks", "foo.bar.baz", " tree "}, []string{"tree"}, []string{"Skipping callback plugin 'foo.bar.baz', unable to load"}},
	}
	for _, tc := range tests {
		env := map[string]string{"JUNIT_OUTPUT_DIR": t.TempDir()}
		got, warns := NewEnabled(tc.names, EnabledOptions{TreeDir: t.TempDir(),
			Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
		var names []string
		for _, e := range got {
			names = append(names, e.Name)
			if e.Type != "aggregate" || e.Callback == nil {
				t.Errorf("%v: bad entry %+v", tc.names, e)
			}
		}
		if !reflect.DeepEqual(names, tc.wantNames) || !reflect.DeepEqual(warns, tc.wantWarn) {
			t.Errorf("%v: got %v %q, want %v %q", tc.names, names, warns, tc.wantNames, tc.wantWarn)
		}
	}
	// a junit output dir that cannot be made skips the callback with a warning
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o644)
	env := map[string]string{"JUNIT_OUTPUT_DIR": filepath.Join(file, "x")}
	got, warns := NewEnabled([]string{"junit"}, EnabledOptions{Getenv: func(k string) (string, bool) { v, ok := env[k]; return v, ok }})
	if len(got) != 0 || len(warns) != 1 || !strings.HasPrefix(warns[0], "Skipping callback 'junit', unable to load due to: [Errno 20] Not a directory: '") {
		t.Errorf("got %v %q", got, warns)
	}
}
