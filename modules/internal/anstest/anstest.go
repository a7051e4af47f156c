// Package anstest runs the same module tasks through real Ansible
// (ansible-playbook, connection local) and through octopus's native modules
// on twin temporary trees, then compares results and resulting files. All
// cases of a test go into one playbook so Ansible starts once.
package anstest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"

	"octopus/engine/connection/local"
	"octopus/engine/pyfmt"
	"octopus/engine/value"
	"octopus/internal/testutil"
	"octopus/modules"
)

// Step is one task of a case. String values in Args may contain "@D@",
// replaced by the case directory.
type Step struct {
	Module string
	Args   map[string]any
	Check  bool
	Diff   bool
}

// Case is a sequence of steps run in a fresh directory.
type Case struct {
	Name   string
	Setup  func(dir string) error // prepares the directory (run for both trees)
	Steps  []Step
	Ignore []string // result keys (dotted for nested) not compared
}

// Suite is a set of cases plus controller-side fixtures.
type Suite struct {
	Cases []Case
	Files map[string]string // controller files relative to the playbook dir (files/x, templates/y.j2)
	Vars  map[string]any    // play vars, given to the fake controller too
	// NoInvocation skips comparing each step's invocation (module_args as
	// the module reports them); Case.Ignore entries "invocation.x.y" leave
	// out parts of it.
	NoInvocation bool
}

// Controller is the fake controller used for octopus's side: files are
// found under Dir/<kind>/name or Dir/name; Render replaces "{{ var }}" with
// Vars (enough for simple templates).
type Controller struct {
	Dir  string
	Vars map[string]any
}

// FindFile resolves name like Ansible's search path for a playbook in Dir.
func (c *Controller) FindFile(kind, name string) (string, error) {
	if filepath.IsAbs(name) {
		if _, err := os.Stat(name); err != nil {
			return "", fmt.Errorf("Could not find or access '%s' on the Ansible Controller.", name)
		}
		return name, nil
	}
	for _, p := range []string{filepath.Join(c.Dir, kind, name), filepath.Join(c.Dir, name)} {
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("Could not find or access '%s'\nSearched in:\n\t%s\n\t%s on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option", name, filepath.Join(c.Dir, kind, name), filepath.Join(c.Dir, name))
}

var varRe = regexp.MustCompile(`\{\{\s*(\w+)\s*\}\}`)

// Render substitutes simple variables and applies the newline sequence.
func (c *Controller) Render(text string, opts modules.RenderOptions) (string, error) {
	out := varRe.ReplaceAllStringFunc(text, func(m string) string {
		name := varRe.FindStringSubmatch(m)[1]
		if v, ok := c.Vars[name]; ok {
			return pyfmt.Str(v)
		}
		if name == "template_path" {
			return opts.Path
		}
		return m
	})
	if nl := opts.NewlineSequence; nl != "" && nl != "\n" {
		out = strings.ReplaceAll(out, "\n", nl)
	}
	return out, nil
}

// HaveAnsible reports whether ansible-playbook is on PATH.
func HaveAnsible() bool {
	_, err := exec.LookPath("ansible-playbook")
	return err == nil
}

// Outcome is the pair of results of one step.
type Outcome struct {
	Case, Step       int
	Ansible, Octopus map[string]any
}

// Run executes the suite on both sides and reports every difference through
// t.Errorf. It returns the number of steps compared.
func Run(t *testing.T, s Suite) int {
	t.Helper()
	if !HaveAnsible() {
		t.Skip("ansible-playbook not installed")
	}
	if testing.Short() {
		t.Skip("differential test against ansible skipped in -short mode")
	}
	base := t.TempDir()
	ansBase, octBase := filepath.Join(base, "a"), filepath.Join(base, "o")
	for _, d := range []string{ansBase, octBase} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, content := range s.Files {
		p := filepath.Join(base, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, c := range s.Cases {
		for _, root := range []string{ansBase, octBase} {
			dir := filepath.Join(root, fmt.Sprintf("c%d", i))
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if c.Setup != nil {
				if err := c.Setup(dir); err != nil {
					t.Fatalf("%s: setup: %v", c.Name, err)
				}
			}
		}
	}
	// Ansible side.
	var tasks []any
	for i, c := range s.Cases {
		dir := filepath.Join(ansBase, fmt.Sprintf("c%d", i))
		for j, st := range c.Steps {
			task := value.NewDict(5)
			task.Set("name", fmt.Sprintf("c%d s%d", i, j))
			task.Set(st.Module, subst(st.Args, dir))
			task.Set("check_mode", st.Check)
			task.Set("diff", st.Diff)
			task.Set("ignore_errors", true)
			tasks = append(tasks, task)
		}
	}
	play := value.DictOf("hosts", "localhost", "connection", "local", "gather_facts", false, "tasks", tasks)
	if len(s.Vars) > 0 {
		play.Set("vars", s.Vars)
	}
	pb := filepath.Join(base, "pb.yml")
	if err := os.WriteFile(pb, []byte(pyfmt.JSON([]any{play})), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ansible-playbook", "-i", "localhost,", pb)
	cmd.Dir = base
	cmd.Env = append(os.Environ(), "ANSIBLE_STDOUT_CALLBACK=json", "ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=0",
		"ANSIBLE_LOCALHOST_WARNING=0", "ANSIBLE_DEPRECATION_WARNINGS=0", "ANSIBLE_PYTHON_INTERPRETER=auto_silent")
	ansResults := JSONResults(t, cmd, "localhost")
	// Octopus side.
	conn := local.New()
	ctrl := &Controller{Dir: base, Vars: s.Vars}
	n := 0
	for i, c := range s.Cases {
		dir := filepath.Join(octBase, fmt.Sprintf("c%d", i))
		for j, st := range c.Steps {
			name := fmt.Sprintf("c%d s%d", i, j)
			m, ok := modules.Lookup(st.Module)
			if !ok {
				t.Fatalf("module %s not registered", st.Module)
			}
			args, _ := subst(st.Args, dir).(map[string]any)
			req := &modules.Request{Args: args, Conn: conn, CheckMode: st.Check, DiffMode: st.Diff, Controller: ctrl, Host: "localhost", Vars: s.Vars, Action: st.Module}
			res, err := m.Run(context.Background(), req)
			if err != nil {
				res = modules.Result{"failed": true, "msg": "GO ERROR: " + err.Error()}
			}
			want := normalize(ansResults[name], base, c.Ignore)
			got := normalize(map[string]any(res), base, c.Ignore)
			n++
			if !reflect.DeepEqual(want, got) {
				t.Errorf("%s (%s step %d, %s %v):\n ansible: %s\n octopus: %s", c.Name, name, j, st.Module, st.Args, show(want), show(got))
			}
			if !s.NoInvocation {
				wi, gi := invocationOf(ansResults[name], base, c.Ignore), invocationOf(map[string]any(res), base, c.Ignore)
				if !reflect.DeepEqual(wi, gi) {
					t.Errorf("%s (%s step %d, %s %v): invocation differs:\n ansible: %s\n octopus: %s", c.Name, name, j, st.Module, st.Args, show(wi), show(gi))
				}
			}
		}
		if d := CompareTrees(filepath.Join(ansBase, fmt.Sprintf("c%d", i)), dir); d != "" {
			t.Errorf("%s: trees differ: %s", c.Name, d)
		}
	}
	t.Logf("compared %d steps in %d cases against ansible", n, len(s.Cases))
	return n
}

// JSONResults runs cmd, an ansible-playbook run with the json stdout
// callback, and returns host's result of each task of its first play by
// task name. Output that is not the callback's JSON fails the test.
func JSONResults(t testing.TB, cmd *exec.Cmd, host string) map[string]map[string]any {
	t.Helper()
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	_ = cmd.Run()
	var out struct {
		Plays []struct {
			Tasks []struct {
				Task  struct{ Name string }
				Hosts map[string]map[string]any
			}
		}
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil || len(out.Plays) == 0 {
		t.Fatalf("ansible-playbook output: %v\n%s\n%s", err, stdout.String(), stderr.String())
	}
	results := map[string]map[string]any{}
	for _, tk := range out.Plays[0].Tasks {
		results[tk.Task.Name] = tk.Hosts[host]
	}
	return results
}

// invocationOf is a result's invocation, normalized as results are, less
// the ignored "invocation.*" paths.
func invocationOf(r map[string]any, base string, ignore []string) any {
	inv, ok := r["invocation"]
	if !ok {
		return nil
	}
	plain := toPlain(inv)
	if m, ok := plain.(map[string]any); ok {
		for _, k := range ignore {
			if rest, ok := strings.CutPrefix(k, "invocation."); ok {
				deletePath(m, strings.Split(rest, "."))
			}
		}
	}
	return testutil.MapStrings(plain, func(s string) string {
		if tmpNameRe.MatchString(s) {
			return "@TMPNAME@"
		}
		s = tmpRe.ReplaceAllString(s, "@TMP@")
		s = strings.ReplaceAll(s, base, "@B@")
		return caseRe.ReplaceAllString(s, "/X/c$1")
	})
}

// subst puts dir in for @D@ in a step's arguments.
func subst(v any, dir string) any {
	return testutil.MapStrings(v, func(s string) string { return strings.ReplaceAll(s, "@D@", dir) })
}

var (
	timeRe   = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d{6})?$`)
	deltaRe  = regexp.MustCompile(`^\d+:\d\d:\d\d(\.\d{6})?$`)
	backupRe = regexp.MustCompile(`\.\d+\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d~`)
	tmpRe    = regexp.MustCompile(`(/[^ '"]*ansible-tmp-[^ '"/]*/source|/[^ '"]*/\.octopus-tmp-[0-9a-f]+|[^ '"]*/ansible-local-[^ '"]*)`)
	caseRe   = regexp.MustCompile(`/[ao]/c(\d+)`)
	// tmpNameRe is a file name of Python's tempfile (the copy action's content file).
	tmpNameRe = regexp.MustCompile(`^tmp[a-z0-9_]{8}$`)
)

// normalize prepares a result for comparison: JSON round trip, internal
// keys removed, base directories, timings, backup names and temp paths
// replaced by placeholders.
func normalize(r map[string]any, base string, ignore []string) any {
	if r == nil {
		return nil
	}
	m := toPlain(r).(map[string]any)
	for _, k := range []string{"invocation", "_ansible_no_log", "action", "warnings", "deprecations", "_ansible_verbose_always", "_ansible_verbose_override", "exception", "item", "ansible_loop_var"} {
		delete(m, k)
	}
	if f, ok := m["failed"].(bool); ok && !f {
		delete(m, "failed")
	}
	if af, ok := m["ansible_facts"].(map[string]any); ok {
		delete(af, "discovered_interpreter_python")
		if len(af) == 0 {
			delete(m, "ansible_facts")
		}
	}
	if _, ok := m["changed"]; !ok {
		m["changed"] = false
	}
	for _, k := range ignore {
		deletePath(m, strings.Split(k, "."))
	}
	return testutil.MapStrings(m, func(s string) string {
		s = tmpRe.ReplaceAllString(s, "@TMP@")
		s = strings.ReplaceAll(s, base, "@B@")
		s = caseRe.ReplaceAllString(s, "/X/c$1")
		s = backupRe.ReplaceAllString(s, ".BACKUP~")
		if i := strings.Index(s, "Valid booleans include: "); i >= 0 {
			s = s[:i] + "Valid booleans include: ..."
		}
		if timeRe.MatchString(s) {
			return "@TIME@"
		}
		if deltaRe.MatchString(s) {
			return "@DELTA@"
		}
		return s
	})
}

func deletePath(m map[string]any, path []string) {
	if len(path) == 1 {
		delete(m, path[0])
		return
	}
	switch sub := m[path[0]].(type) {
	case map[string]any:
		deletePath(sub, path[1:])
	case []any: // a key inside list elements: "files.mtime"
		for _, e := range sub {
			if em, ok := e.(map[string]any); ok {
				deletePath(em, path[1:])
			}
		}
	}
}

func toPlain(v any) any {
	b, err := json.Marshal(jsonable(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	var out any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	d.Decode(&out)
	return out
}

func jsonable(v any) any {
	switch x := v.(type) {
	case *value.Dict:
		m := map[string]any{}
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			m[k] = jsonable(e)
		}
		return m
	case map[string]any:
		m := map[string]any{}
		for k, e := range x {
			m[k] = jsonable(e)
		}
		return m
	case modules.Result:
		return jsonable(map[string]any(x))
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = jsonable(e)
		}
		return out
	}
	return v
}

func show(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// Tree describes a directory: relative path -> "type mode content-or-target".
// Backups whose names differ only in their time stamp and process id
// share one key: their descriptions are listed in sorted order.
func Tree(root string) (map[string]string, error) {
	all := map[string][]string{}
	err := filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = backupRe.ReplaceAllString(rel, ".BACKUP~")
		mode := fmt.Sprintf("%04o", fi.Mode().Perm()|setBits(fi.Mode()))
		var desc string
		switch {
		case fi.Mode()&os.ModeSymlink != 0:
			t, _ := os.Readlink(p)
			desc = "link " + strings.ReplaceAll(t, root, "@R@")
		case fi.IsDir():
			desc = "dir " + mode
		default:
			b, _ := os.ReadFile(p)
			desc = "file " + mode + " " + string(b)
		}
		all[rel] = append(all[rel], desc)
		return nil
	})
	out := make(map[string]string, len(all))
	for rel, descs := range all {
		sort.Strings(descs)
		out[rel] = strings.Join(descs, "\n--- and ---\n")
	}
	return out, err
}

func setBits(m os.FileMode) os.FileMode {
	var b os.FileMode
	if m&os.ModeSetuid != 0 {
		b |= 0o4000
	}
	if m&os.ModeSetgid != 0 {
		b |= 0o2000
	}
	if m&os.ModeSticky != 0 {
		b |= 0o1000
	}
	return b
}

// CompareTrees returns a description of the differences between two trees.
func CompareTrees(a, b string) string {
	ta, err1 := Tree(a)
	tb, err2 := Tree(b)
	if err1 != nil || err2 != nil {
		return fmt.Sprint(err1, err2)
	}
	var diffs []string
	keys := map[string]bool{}
	for k := range ta {
		keys[k] = true
	}
	for k := range tb {
		keys[k] = true
	}
	var sorted []string
	for k := range keys {
		sorted = append(sorted, k)
	}
	sort.Strings(sorted)
	for _, k := range sorted {
		if ta[k] != tb[k] {
			diffs = append(diffs, fmt.Sprintf("%s: ansible %q octopus %q", k, ta[k], tb[k]))
		}
	}
	return strings.Join(diffs, "; ")
}

// Hash returns a digest of a tree (content, modes, links) for check-mode tests.
func Hash(t *testing.T, root string) string {
	t.Helper()
	tr, err := Tree(root)
	if err != nil {
		t.Fatal(err)
	}
	return show(tr)
}
