package output

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"octopus/engine/value"
)

func TestDecimalString(t *testing.T) {
	// expected values are Python's str(Decimal(f)) and str(0 + Decimal(f))
	tests := []struct {
		f    float64
		max  int
		want string
	}{
		{0.1, 0, "0.1000000000000000055511151231257827021181583404541015625"},
		{0.1, 28, "0.1000000000000000055511151231"},
		{0.5, 0, "0.5"},
		{0.5, 28, "0.5"},
		{3.0, 0, "3"},
		{1e-7, 0, "9.99999999999999954748111825886258685613938723690807819366455078125E-8"},
		{1e-7, 28, "9.999999999999999547481118259E-8"},
		{2.7467749118804931640625, 28, "2.7467749118804931640625"},
		{123456.789, 0, "123456.789000000004307366907596588134765625"},
		{123456.789, 28, "123456.7890000000043073669076"},
		{0.000123, 28, "0.0001230000000000000081983031475"},
		{0, 0, "0"},
	}
	for _, tc := range tests {
		if got := decimalString(tc.f, tc.max); got != tc.want {
			t.Errorf("decimalString(%v, %d) = %q, want %q", tc.f, tc.max, got, tc.want)
		}
	}
}

func TestSplitExt(t *testing.T) {
	for in, want := range map[string]string{
		"site.yml": "site", "a.b.yaml": "a.b", ".hidden": ".hidden", "..x": "..x", "noext": "noext", "x.": "x",
	} {
		if got := splitExt(in); got != want {
			t.Errorf("splitExt(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTaskArgs(t *testing.T) {
	tests := []struct {
		args *value.Dict
		want string
	}{
		{nil, ""},
		{value.NewDict(0), ""},
		{value.DictOf("msg", "hello {{ x }}"), "msg=hello {{ x }}"},
		{value.DictOf("chdir", "/tmp", "_raw_params", "echo 1"), "chdir=/tmp, _raw_params=echo 1"},
		{value.DictOf("msg", []any{"a", "b"}, "n", 1, "b", true, "z", nil), "msg=['a', 'b'], n=1, b=True, z=None"},
		{value.DictOf("d", value.DictOf("k", "v")), "d={'k': 'v'}"},
	}
	for _, tc := range tests {
		if got := TaskArgs(tc.args); got != tc.want {
			t.Errorf("TaskArgs = %q, want %q", got, tc.want)
		}
	}
}

// fakeClock advances by step on every reading.
func fakeClock(step time.Duration) func() time.Time {
	now := time.Unix(1000, 0)
	return func() time.Time {
		now = now.Add(step)
		return now
	}
}

func newTestJUnit(t *testing.T, mod func(*JUnitOptions)) *JUnit {
	t.Helper()
	o := JUnitOptions{OutputDir: t.TempDir(), IncludeSetupTasks: true, HideTaskArguments: true,
		Now: fakeClock(250 * time.Millisecond)}
	if mod != nil {
		mod(&o)
	}
	j, err := NewJUnit(o)
	if err != nil {
		t.Fatal(err)
	}
	j.PlaybookStart("/p/site.yml")
	j.PlayStart(&Play{Name: "play1"})
	return j
}

func TestJUnitReportExact(t *testing.T) {
	j := newTestJUnit(t, nil)
	t1 := &Task{ID: 1, Name: "ok task", Action: "debug", Path: "/p/site.yml:3"}
	j.TaskStart(t1)
	j.HostResult(&Result{Host: "h1", Task: t1, Data: value.DictOf("msg", "a<b & \"c\"", "changed", false, "_ansible_verbose_always", true)})
	t2 := &Task{ID: 2, Name: "bad", Action: "command", Path: "/p/site.yml:5"}
	j.TaskStart(t2)
	j.HostResult(&Result{Host: "h1", Task: t2, Status: StatusFailed, Data: value.DictOf("changed", true, "msg", "non-zero\nreturn", "rc", 1)})
	j.HostResult(&Result{Host: "h2", Task: t2, Status: StatusSkipped, Data: value.DictOf("changed", false, "skip_reason", "Conditional result was False")})
	want := `<?xml version="1.0" ?>
<testsuites disabled="0" errors="0" failures="1" tests="3" time="1">
	<testsuite disabled="0" errors="0" failures="1" name="site" skipped="1" tests="3" time="1">
		<testcase classname="/p/site.yml:3" name="[h1] play1: ok task" time="0.25">
			<system-out>{
    &quot;changed&quot;: false,
    &quot;msg&quot;: &quot;a&lt;b &amp; \&quot;c\&quot;&quot;
}</system-out>
		</testcase>
		<testcase classname="/p/site.yml:5" name="[h1] play1: bad" time="0.25">
			<failure message="non-zero
return" type="failure">{
&quot;changed&quot;: true,
&quot;msg&quot;: &quot;non-zero\nreturn&quot;,
&quot;rc&quot;: 1
}</failure>
		</testcase>
		<testcase classname="/p/site.yml:5" name="[h2] play1: bad" time="0.5">
			<skipped>Conditional result was False</skipped>
		</testcase>
	</testsuite>
</testsuites>
`
	if got := j.Report(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
}

// oneCase runs a single task result through a junit callback and returns
// the report.
func oneCase(t *testing.T, mod func(*JUnitOptions), task *Task, r *Result) string {
	t.Helper()
	j := newTestJUnit(t, mod)
	j.TaskStart(task)
	r.Task = task
	if r.Host == "" {
		r.Host = "h1"
	}
	j.HostResult(r)
	return j.Report()
}

func TestJUnitCases(t *testing.T) {
	task := func(name string) *Task {
		return &Task{ID: 7, Name: name, Action: "command", Path: "/p/roles/r/tasks/main.yml:4",
			Args: value.DictOf("_raw_params", "echo hi", "chdir", "/tmp")}
	}
	str := func(s string) *string { return &s }
	tests := []struct {
		name    string
		mod     func(*JUnitOptions)
		task    *Task
		res     *Result
		want    []string // substrings that must appear
		notWant []string
	}{
		{"ok", nil, task("t"), &Result{Data: value.DictOf("changed", false)},
			[]string{`name="[h1] play1: t"`, "<system-out>{\n&quot;changed&quot;: false\n}</system-out>", `failures="0"`}, nil},
		{"args shown", func(o *JUnitOptions) { o.HideTaskArguments = false }, task("t"), &Result{Data: value.DictOf()},
			[]string{`name="[h1] play1: t _raw_params=echo hi, chdir=/tmp"`}, nil},
		{"args hidden by no_log", func(o *JUnitOptions) { o.HideTaskArguments = false },
			&Task{ID: 1, Name: "t", NoLog: true, Args: value.DictOf("a", 1)}, &Result{Data: value.DictOf()},
			[]string{`name="[h1] play1: t"`}, nil},
		{"failed rc", nil, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("rc", 2)},
			[]string{`<failure message="rc=2" type="failure">`, `failures="1"`}, nil},
		{"failed no rc", nil, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("x", 1)},
			[]string{`<failure message="rc=0" type="failure">`}, nil},
		{"failed msg null", nil, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("msg", nil)},
			[]string{`<failure type="failure">`}, nil},
		{"failed msg list", nil, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("msg", []any{"a", "b"})},
			[]string{`<failure message="['a', 'b']" type="failure">`}, nil},
		{"exception", nil, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("msg", "m", "exception", "Traceback\n  x\nValueError: bad\n")},
			[]string{`<error message="ValueError: bad" type="error">Traceback
  x
ValueError: bad
</error>`, `errors="1"`, `failures="0"`}, nil},
		{"ignored is ok", nil, task("t"), &Result{Status: StatusFailed, Ignored: true, Data: value.DictOf("msg", "m")},
			[]string{"<system-out>"}, []string{"<failure"}},
		{"fail on ignore", func(o *JUnitOptions) { o.FailOnIgnore = true }, task("t"), &Result{Status: StatusFailed, Ignored: true, Data: value.DictOf("msg", "m")},
			[]string{`<failure message="m"`}, nil},
		{"fail on change", func(o *JUnitOptions) { o.FailOnChange = true }, task("t"), &Result{Data: value.DictOf("changed", true)},
			[]string{`<failure message="rc=0"`}, nil},
		{"changed ok", nil, task("t"), &Result{Data: value.DictOf("changed", true)},
			[]string{"<system-out>"}, []string{"<failure"}},
		{"expected failure", nil, task("EXPECTED FAILURE x"), &Result{Status: StatusFailed, Data: value.DictOf("msg", "m")},
			[]string{"<system-out>"}, []string{"<failure"}},
		{"toggle ok", nil, task("TOGGLE RESULT x"), &Result{Data: value.DictOf("changed", false)},
			[]string{`<failure message="rc=0"`}, nil},
		{"toggle failed", nil, task("TOGGLE RESULT x"), &Result{Status: StatusFailed, Data: value.DictOf("msg", "m")},
			[]string{"<system-out>"}, []string{"<failure"}},
		{"skipped default", nil, task("t"), &Result{Status: StatusSkipped, Data: value.DictOf("changed", false)},
			[]string{"<skipped>skipped</skipped>", `skipped="1"`}, nil},
		{"unreachable ignored", nil, task("t"), &Result{Status: StatusUnreachable, Data: value.DictOf("msg", "x")},
			[]string{`tests="0"`, `time="0"`}, []string{"<testcase"}},
		{"prefix filters ok", func(o *JUnitOptions) { o.TestCasePrefix = "TEST" }, task("t"), &Result{Data: value.DictOf()},
			[]string{`tests="0"`}, nil},
		{"prefix keeps failures", func(o *JUnitOptions) { o.TestCasePrefix = "TEST" }, task("t"), &Result{Status: StatusFailed, Data: value.DictOf("msg", "m")},
			[]string{`tests="1"`, `<failure message="m"`}, nil},
		{"prefix match", func(o *JUnitOptions) { o.TestCasePrefix = "TEST" }, task("TEST a"), &Result{Data: value.DictOf()},
			[]string{`tests="1"`}, nil},
		{"task class", func(o *JUnitOptions) { o.TaskClass = true }, task("t"), &Result{Data: value.DictOf()},
			[]string{`classname="/p/roles/r/tasks/main"`}, nil},
		{"relative path", func(o *JUnitOptions) { o.TaskRelativePath = "/p/roles" }, task("t"), &Result{Data: value.DictOf()},
			[]string{`classname="r/tasks/main.yml:4"`}, nil},
		{"out of tree", func(o *JUnitOptions) { o.TaskRelativePath = "/q"; o.ReplaceOutOfTreePath = str("EXT/") }, task("t"), &Result{Data: value.DictOf()},
			[]string{`classname="EXT/main.yml:4"`}, nil},
		{"setup excluded", func(o *JUnitOptions) { o.IncludeSetupTasks = false }, &Task{ID: 3, Name: "setup", Action: "ansible.builtin.setup"}, &Result{Data: value.DictOf()},
			[]string{`tests="0"`}, nil},
		{"gather_facts is not setup", func(o *JUnitOptions) { o.IncludeSetupTasks = false }, &Task{ID: 3, Name: "Gathering Facts", Action: "gather_facts"}, &Result{Data: value.DictOf()},
			[]string{`tests="1"`, `name="[h1] play1: Gathering Facts"`}, nil},
		{"verbose indent", func(o *JUnitOptions) { o.Verbosity = 3 }, task("t"), &Result{Data: value.DictOf("changed", false, "invocation", value.DictOf("module_args", value.DictOf()))},
			[]string{"{\n    &quot;changed&quot;: false,\n    &quot;invocation&quot;: {\n        &quot;module_args&quot;: {}\n    }\n}"}, nil},
		{"no_log censored", nil, task("t"), &Result{Data: value.DictOf("censored", NoLogMsg, "changed", true, "_ansible_no_log", true)},
			[]string{"&quot;censored&quot;: &quot;the output has been hidden"}, []string{"_ansible_no_log"}},
		{"crlf in text", nil, task("t"), &Result{Status: StatusSkipped, Data: value.DictOf("skip_reason", "a\r\nb\rc")},
			[]string{"<skipped>a\nb\nc</skipped>"}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := oneCase(t, tc.mod, tc.task, tc.res)
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("missing %q in\n%s", w, got)
				}
			}
			for _, w := range tc.notWant {
				if strings.Contains(got, w) {
					t.Errorf("unexpected %q in\n%s", w, got)
				}
			}
		})
	}
}

func TestJUnitIncludes(t *testing.T) {
	j := newTestJUnit(t, nil)
	inc := &Task{ID: 4, Name: "include_tasks", Action: "include_tasks", Path: "/p/site.yml:9", Include: true, Loop: true}
	j.TaskStart(inc)
	j.HostResult(&Result{Host: "h1", Task: inc, Data: value.DictOf("changed", false)})
	j.Include(&Include{File: "/p/inc.yml", Hosts: []string{"h1", "h2"}, Item: "a"})
	j.Include(&Include{File: "/p/inc.yml", Hosts: []string{"h1"}, Item: 2})
	inner := &Task{ID: 5, Name: "in include", Action: "debug", Path: "/p/inc.yml:1"}
	j.TaskStart(inner)
	j.Include(&Include{File: "/p/other.yml", Hosts: []string{"h2"}})
	got := j.Report()
	for _, w := range []string{
		`<testcase classname="/p/site.yml:9" name="[include] play1: include_tasks" time="`,
		"<system-out>/p/inc.yml (args={} vars={'item': 'a', '_ansible_item_label': 'a'}): [h1, h2]\n/p/inc.yml (args={} vars={'item': 2, '_ansible_item_label': 2}): [h1]</system-out>",
		`name="[include] play1: in include"`,
		"<system-out>/p/other.yml (args={} vars={}): [h2]</system-out>",
		`tests="3"`,
	} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}

func TestJUnitDuplicateKeepsFirst(t *testing.T) {
	j := newTestJUnit(t, nil)
	tk := &Task{ID: 1, Name: "t", Action: "debug"}
	j.TaskStart(tk)
	j.TaskStart(tk) // a second start keeps the first record
	j.HostResult(&Result{Host: "h1", Task: tk, Data: value.DictOf("msg", "first")})
	j.HostResult(&Result{Host: "h1", Task: tk, Data: value.DictOf("msg", "second")})
	got := j.Report()
	if !strings.Contains(got, "first") || strings.Contains(got, "second") || !strings.Contains(got, `tests="1"`) {
		t.Errorf("report:\n%s", got)
	}
}

func TestJUnitWritesFile(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sub", "dir")
	j, err := NewJUnit(JUnitOptions{OutputDir: dir, Now: func() time.Time { return time.Unix(1700000000, 500000000) }})
	if err != nil {
		t.Fatal(err)
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		t.Fatalf("output dir not created at load: %v", err)
	}
	j.PlaybookStart("books/my.play.yml")
	j.Stats(&Stats{})
	want := filepath.Join(dir, "my.play-1700000000.5.xml")
	if j.LastReport != want {
		t.Fatalf("report path %q, want %q", j.LastReport, want)
	}
	data, err := os.ReadFile(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != "<?xml version=\"1.0\" ?>\n<testsuites disabled=\"0\" errors=\"0\" failures=\"0\" tests=\"0\" time=\"0\">\n\t<testsuite disabled=\"0\" errors=\"0\" failures=\"0\" name=\"my.play\" skipped=\"0\" tests=\"0\" time=\"0\"/>\n</testsuites>\n" {
		t.Errorf("empty report:\n%s", data)
	}
}

func TestJUnitOptionsFromEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want func(JUnitOptions) bool
	}{
		{map[string]string{}, func(o JUnitOptions) bool {
			return strings.HasSuffix(o.OutputDir, "/.ansible.log") && !o.TaskClass && o.IncludeSetupTasks &&
				!o.HideTaskArguments && o.ReplaceOutOfTreePath == nil && !o.FailOnChange && !o.FailOnIgnore
		}},
		// only "true" turns the boolean options on ...
		{map[string]string{"JUNIT_TASK_CLASS": "yes", "JUNIT_FAIL_ON_CHANGE": "TRUE", "JUNIT_FAIL_ON_IGNORE": "1"},
			func(o JUnitOptions) bool { return !o.TaskClass && o.FailOnChange && !o.FailOnIgnore }},
		// ... and only "false" turns these off / shows arguments
		{map[string]string{"JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT": "no", "JUNIT_HIDE_TASK_ARGUMENTS": "no"},
			func(o JUnitOptions) bool { return o.IncludeSetupTasks && o.HideTaskArguments }},
		{map[string]string{"JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT": "False", "JUNIT_HIDE_TASK_ARGUMENTS": "FALSE"},
			func(o JUnitOptions) bool { return !o.IncludeSetupTasks && !o.HideTaskArguments }},
		{map[string]string{"JUNIT_OUTPUT_DIR": "rel/dir", "JUNIT_REPLACE_OUT_OF_TREE_PATH": "", "JUNIT_TEST_CASE_PREFIX": "T_", "JUNIT_TASK_RELATIVE_PATH": "/x"},
			func(o JUnitOptions) bool {
				return o.OutputDir == "rel/dir" && o.ReplaceOutOfTreePath != nil && *o.ReplaceOutOfTreePath == "" &&
					o.TestCasePrefix == "T_" && o.TaskRelativePath == "/x"
			}},
	}
	for i, tc := range tests {
		o := JUnitOptionsFromEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
		if !tc.want(o) {
			t.Errorf("case %d: %+v", i, o)
		}
	}
}

func TestPrettyXML(t *testing.T) {
	root := &xmlElem{tag: "a"}
	root.attr("x", "1\t<2>\n&\"")
	b := root.add(&xmlElem{tag: "b", text: "t"})
	b.attr("y", "")
	root.add(&xmlElem{tag: "c"})
	want := "<?xml version=\"1.0\" ?>\n<a x=\"1\t&lt;2&gt;\n&amp;&quot;\">\n\t<b y=\"\">t</b>\n\t<c/>\n</a>\n"
	if got := prettyXML(root); got != want {
		t.Errorf("got %q want %q", got, want)
	}
}

func TestJUnitTaskIDsRestartPerPlaybook(t *testing.T) {
	j := newTestJUnit(t, nil)
	j.TaskStart(&Task{ID: 1, Name: "a"})
	j.HostResult(&Result{Host: "h1", Task: &Task{ID: 1, Name: "a"}, Data: value.DictOf()})
	j.PlaybookStart("/p/second.yml")
	j.PlayStart(&Play{Name: "play2"})
	j.TaskStart(&Task{ID: 1, Name: "b"})
	j.HostResult(&Result{Host: "h1", Task: &Task{ID: 1, Name: "b"}, Data: value.DictOf()})
	got := j.Report()
	for _, w := range []string{`name="second"`, `tests="2"`, `name="[h1] play1: a"`, `name="[h1] play2: b"`} {
		if !strings.Contains(got, w) {
			t.Errorf("missing %q in\n%s", w, got)
		}
	}
}
