package output

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"time"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// JUnitOptions are the settings of ansible-core 2.14's junit callback,
// which reads them from the environment only (it has no ini keys).
type JUnitOptions struct {
	// OutputDir is JUNIT_OUTPUT_DIR (default ~/.ansible.log).
	OutputDir string
	// TaskClass (JUNIT_TASK_CLASS=true) strips ".yml:LINE" from class names.
	TaskClass bool
	// TaskRelativePath (JUNIT_TASK_RELATIVE_PATH) makes class names
	// relative to this directory.
	TaskRelativePath string
	// ReplaceOutOfTreePath (JUNIT_REPLACE_OUT_OF_TREE_PATH) replaces the
	// directory of class names starting with "../"; nil when unset.
	ReplaceOutOfTreePath *string
	// FailOnChange (JUNIT_FAIL_ON_CHANGE=true) turns changed results into failures.
	FailOnChange bool
	// FailOnIgnore (JUNIT_FAIL_ON_IGNORE=true) keeps ignored failures as failures.
	FailOnIgnore bool
	// IncludeSetupTasks (JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT, false only
	// for "false") keeps setup tasks in the report.
	IncludeSetupTasks bool
	// HideTaskArguments (JUNIT_HIDE_TASK_ARGUMENTS, anything but "false")
	// leaves the task arguments out of test case names.
	HideTaskArguments bool
	// TestCasePrefix (JUNIT_TEST_CASE_PREFIX) records only tasks whose name
	// starts with it (and every failure).
	TestCasePrefix string
	// Verbosity is the -v count (at -vvv results are indented and keep
	// invocation and diff).
	Verbosity int
	// Now is the clock (time.Now when nil).
	Now func() time.Time
	// Warn reports a report that could not be written (may be nil).
	Warn func(msg string)
}

// JUnitOptionsFromEnv reads the JUNIT_* variables through getenv (as
// os.LookupEnv) with the plugin's defaults and its exact string tests.
func JUnitOptionsFromEnv(getenv func(string) (string, bool)) JUnitOptions {
	get := func(k, def string) string {
		if v, ok := getenv(k); ok {
			return v
		}
		return def
	}
	o := JUnitOptions{
		OutputDir:         get("JUNIT_OUTPUT_DIR", expandHome("~/.ansible.log")),
		TaskClass:         strings.ToLower(get("JUNIT_TASK_CLASS", "False")) == "true",
		TaskRelativePath:  get("JUNIT_TASK_RELATIVE_PATH", ""),
		FailOnChange:      strings.ToLower(get("JUNIT_FAIL_ON_CHANGE", "False")) == "true",
		FailOnIgnore:      strings.ToLower(get("JUNIT_FAIL_ON_IGNORE", "False")) == "true",
		IncludeSetupTasks: strings.ToLower(get("JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT", "True")) != "false",
		HideTaskArguments: strings.ToLower(get("JUNIT_HIDE_TASK_ARGUMENTS", "False")) != "false",
		TestCasePrefix:    get("JUNIT_TEST_CASE_PREFIX", ""),
	}
	if v, ok := getenv("JUNIT_REPLACE_OUT_OF_TREE_PATH"); ok {
		o.ReplaceOutOfTreePath = &v
	}
	return o
}

func expandHome(p string) string {
	if p == "~" || strings.HasPrefix(p, "~/") {
		if home, err := os.UserHomeDir(); err == nil {
			return home + p[1:]
		}
	}
	return p
}

// junitStatus is a host's outcome as the junit callback records it.
type junitStatus int

const (
	junitOK junitStatus = iota
	junitFailed
	junitSkipped
	junitIncluded
)

type junitHost struct {
	name    string
	status  junitStatus
	data    *value.Dict // nil for included
	include string      // included-file text
	finish  float64
}

type junitTask struct {
	name, path, play, action string
	start                    float64
	hosts                    []*junitHost
	byHost                   map[string]*junitHost
}

// JUnit is ansible's junit aggregate callback: it collects every task's
// per-host outcome and writes <playbook>-<time>.xml to OutputDir when a
// playbook's stats arrive.
type JUnit struct {
	Nop
	o JUnitOptions

	mu       sync.Mutex
	playbook string
	play     string
	tasks    []*junitTask
	// byID indexes tasks by playbook run and task ID (IDs restart with
	// each playbook, but ansible's task uuids do not).
	byID  map[junitKey]*junitTask
	books int
	// LastReport is the path of the last report written.
	LastReport string
}

// NewJUnit returns the junit callback, creating OutputDir as the plugin
// does when it loads.
func NewJUnit(o JUnitOptions) (*JUnit, error) {
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := pyMakedirs(o.OutputDir); err != nil {
		return nil, err
	}
	return &JUnit{o: o, byID: map[junitKey]*junitTask{}}, nil
}

func (j *JUnit) now() float64 { return float64(j.o.Now().UnixNano()) / 1e9 }

// PlaybookStart implements Callback.
func (j *JUnit) PlaybookStart(path string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.playbook = splitExt(filepath.Base(path))
	j.books++
}

type junitKey struct {
	book int
	id   uint64
}

// splitExt is os.path.splitext(name)[0] for a base name: leading dots do
// not start an extension.
func splitExt(name string) string {
	i := strings.LastIndex(name, ".")
	if i <= 0 || strings.Trim(name[:i], ".") == "" {
		return name
	}
	return name[:i]
}

// PlayStart implements Callback.
func (j *JUnit) PlayStart(p *Play) {
	if p == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.play = p.Name
}

// TaskStart implements Callback.
func (j *JUnit) TaskStart(t *Task) {
	if t == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.startTask(t)
}

// TaskArgs renders a task's arguments as the junit callback appends them
// to test case names: "k=v" with Python str() values, joined by ", ".
func TaskArgs(args *value.Dict) string {
	if args == nil {
		return ""
	}
	parts := make([]string, 0, args.Len())
	for _, k := range args.Keys() {
		v, _ := args.Get(k)
		parts = append(parts, k+"="+pyfmt.Str(v))
	}
	return strings.Join(parts, ", ")
}

func (j *JUnit) startTask(t *Task) *junitTask {
	key := junitKey{j.books, t.ID}
	if td, ok := j.byID[key]; ok {
		return td
	}
	name := strings.TrimSpace(t.Name)
	if !t.NoLog && !j.o.HideTaskArguments {
		if a := TaskArgs(t.Args); a != "" {
			name += " " + a
		}
	}
	td := &junitTask{name: name, path: t.Path, play: j.play, action: t.Action, start: j.now(),
		byHost: map[string]*junitHost{}}
	j.byID[key] = td
	j.tasks = append(j.tasks, td)
	return td
}

// HostResult implements Callback.
func (j *JUnit) HostResult(r *Result) {
	if r == nil || r.Task == nil {
		return
	}
	var st junitStatus
	switch r.Status {
	case StatusOK:
		st = junitOK
	case StatusSkipped:
		st = junitSkipped
	case StatusFailed:
		st = junitFailed
		if r.Ignored && !j.o.FailOnIgnore {
			st = junitOK
		}
	default:
		return // the plugin ignores unreachable hosts
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	td := j.startTask(r.Task)
	// a deep copy: the report is built at the end, from results as they were
	data := value.NewDict(0)
	if r.Data != nil {
		data = deepCopy(r.Data).(*value.Dict)
	}
	if j.o.FailOnChange && st == junitOK {
		if ch, _ := data.Get("changed"); ch == true {
			st = junitFailed
		}
	}
	j.finish(td, &junitHost{name: r.Host, status: st, data: data})
}

func (j *JUnit) finish(td *junitTask, h *junitHost) {
	switch {
	case h.status == junitFailed && strings.Contains(td.name, "EXPECTED FAILURE"):
		h.status = junitOK
	case strings.Contains(td.name, "TOGGLE RESULT"):
		if h.status == junitFailed {
			h.status = junitOK
		} else if h.status == junitOK {
			h.status = junitFailed
		}
	}
	if !strings.HasPrefix(td.name, j.o.TestCasePrefix) && h.status != junitFailed {
		return
	}
	h.finish = j.now()
	if old, ok := td.byHost[h.name]; ok {
		// a second report for a host: only includes are merged (the
		// plugin raises on any other duplicate and keeps the first)
		if h.status == junitIncluded {
			h.include = old.include + "\n" + h.include
			*old = *h
		}
		return
	}
	td.byHost[h.name] = h
	td.hosts = append(td.hosts, h)
}

// lastTask is the task an include belongs to: the most recent one.
func (j *JUnit) lastTask() *junitTask {
	if len(j.tasks) == 0 {
		return nil
	}
	return j.tasks[len(j.tasks)-1]
}

// Include implements Callback: the plugin records a test case for host
// "include" whose output is the included file's repr.
func (j *JUnit) Include(inc *Include) {
	if inc == nil {
		return
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	td := j.lastTask()
	if td == nil {
		return
	}
	vars := value.NewDict(2)
	if inc.Item != nil {
		vars.Set("item", inc.Item)
		vars.Set("_ansible_item_label", inc.Item)
	}
	hosts := "[" + strings.Join(inc.Hosts, ", ") + "]"
	text := fmt.Sprintf("%s (args={} vars=%s): %s", inc.File, pyfmt.Repr(vars), hosts)
	j.finish(td, &junitHost{name: "include", status: junitIncluded, include: text})
}

// Stats implements Callback: it writes the report.
func (j *JUnit) Stats(*Stats) {
	j.mu.Lock()
	defer j.mu.Unlock()
	report := j.report()
	name := fmt.Sprintf("%s-%s.xml", j.playbook, pyfmt.Float(j.now()))
	path := filepath.Join(j.o.OutputDir, name)
	if !validXMLText(report) {
		j.warn("Failure using method (v2_playbook_on_stats) in callback plugin (junit): not well-formed (invalid token)")
		return
	}
	if err := os.WriteFile(path, []byte(report), 0o666); err != nil {
		j.warn(fmt.Sprintf("Failure using method (v2_playbook_on_stats) in callback plugin (junit): %s", pyOSError(err, false)))
		return
	}
	j.LastReport = path
}

func (j *JUnit) warn(msg string) {
	if j.o.Warn != nil {
		j.o.Warn(msg)
	}
}

// setupActions are ansible's C._ACTION_SETUP.
var setupActions = map[string]bool{"setup": true, "ansible.builtin.setup": true, "ansible.legacy.setup": true}

var taskClassRe = regexp.MustCompile(`\.yml:[0-9]+$`)

// Report renders the results collected so far as the plugin's XML text.
func (j *JUnit) Report() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.report()
}

func (j *JUnit) report() string {
	var cases []*xmlElem
	var total float64
	var haveTime bool
	errors, failures, skipped := 0, 0, 0
	for _, td := range j.tasks {
		if setupActions[td.action] && !j.o.IncludeSetupTasks {
			continue
		}
		for _, h := range td.hosts {
			c, kind, dur := j.testCase(td, h)
			cases = append(cases, c)
			switch kind {
			case "error":
				errors++
			case "failure":
				failures++
			case "skipped":
				skipped++
			}
			if dur != 0 {
				total += dur
				haveTime = true
			}
		}
	}
	suiteTime := "0"
	if haveTime {
		suiteTime = decimalString(total, 0)
	}
	suitesTime := "0"
	if haveTime {
		suitesTime = decimalString(total, 28)
	}
	n := fmt.Sprint(len(cases))
	root := &xmlElem{tag: "testsuites"}
	root.attr("disabled", "0")
	root.attr("errors", fmt.Sprint(errors))
	root.attr("failures", fmt.Sprint(failures))
	root.attr("tests", n)
	root.attr("time", suitesTime)
	suite := root.add(&xmlElem{tag: "testsuite"})
	suite.attr("disabled", "0")
	suite.attr("errors", fmt.Sprint(errors))
	suite.attr("failures", fmt.Sprint(failures))
	suite.attr("name", j.playbook)
	suite.attr("skipped", fmt.Sprint(skipped))
	suite.attr("tests", n)
	suite.attr("time", suiteTime)
	suite.children = cases
	return prettyXML(root)
}

// dump is the plugin's _dump_results(result, indent=0).
func (j *JUnit) dump(res *value.Dict) string {
	indent := -1 // json.dumps(indent=0)
	if va, _ := res.Get("_ansible_verbose_always"); va == true || j.o.Verbosity > 2 {
		indent = 4
	}
	return pyfmt.JSONText(Abridge(res, j.o.Verbosity), pyfmt.JSONOptions{Indent: indent, SortKeys: true})
}

func (j *JUnit) className(path string) string {
	cls := path
	if j.o.TaskRelativePath != "" && path != "" {
		if rel, err := relPath(path, j.o.TaskRelativePath); err == nil {
			cls = rel
		}
	}
	if j.o.ReplaceOutOfTreePath != nil && strings.HasPrefix(cls, "../") {
		cls = *j.o.ReplaceOutOfTreePath + filepath.Base(cls)
	}
	if j.o.TaskClass {
		cls = taskClassRe.ReplaceAllString(cls, "")
	}
	return cls
}

// relPath is os.path.relpath(path, start).
func relPath(path, start string) (string, error) {
	ap, err := filepath.Abs(path)
	if err != nil {
		return "", err
	}
	as, err := filepath.Abs(start)
	if err != nil {
		return "", err
	}
	return filepath.Rel(as, ap)
}

// testCase builds one <testcase>; kind is "error", "failure", "skipped"
// or "" and dur the case's time.
func (j *JUnit) testCase(td *junitTask, h *junitHost) (*xmlElem, string, float64) {
	dur := h.finish - td.start
	c := &xmlElem{tag: "testcase"}
	c.attr("classname", j.className(td.path))
	c.attr("name", fmt.Sprintf("[%s] %s: %s", h.name, td.play, td.name))
	c.attr("time", pyfmt.Float(dur))
	text := func(tag, t string) {
		if t != "" {
			c.add(&xmlElem{tag: tag, text: t})
		}
	}
	if h.status == junitIncluded {
		text("system-out", h.include)
		return c, "", dur
	}
	res := h.data
	switch h.status {
	case junitOK:
		text("system-out", j.dump(res))
		return c, "", dur
	case junitFailed:
		if e, ok := res.Get("exception"); ok {
			out := pyfmt.Str(e)
			lines := strings.Split(strings.TrimSpace(out), "\n")
			el := c.add(&xmlElem{tag: "error", text: out})
			el.attr("message", lines[len(lines)-1])
			el.attr("type", "error")
			return c, "error", dur
		}
		el := c.add(&xmlElem{tag: "failure", text: j.dump(res)})
		if m, ok := res.Get("msg"); ok {
			if m != nil {
				el.attr("message", pyfmt.Str(m))
			}
		} else {
			rc, ok := res.Get("rc")
			if !ok {
				rc = 0
			}
			el.attr("message", "rc="+pyfmt.Str(rc))
		}
		el.attr("type", "failure")
		return c, "failure", dur
	case junitSkipped:
		msg := "skipped"
		if sr, ok := res.Get("skip_reason"); ok {
			msg = pyfmt.Str(sr)
		}
		if msg != "" {
			text("skipped", msg)
			return c, "skipped", dur
		}
	}
	return c, "", dur
}

// deepCopy copies dicts and lists recursively.
func deepCopy(v any) any {
	switch t := v.(type) {
	case *value.Dict:
		out := value.NewDict(t.Len())
		for _, k := range t.Keys() {
			x, _ := t.Get(k)
			out.Set(k, deepCopy(x))
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = deepCopy(x)
		}
		return out
	}
	return v
}

func lookupEnv(k string) (string, bool) { return os.LookupEnv(k) }
