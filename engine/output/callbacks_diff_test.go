package output_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/pmezard/go-difflib/difflib"
)

// This file compares the junit and tree callbacks (callbacks_enabled) with
// ansible-playbook's: the same playbooks run under both, and the XML
// report and per-host tree files must be equal once timings are blanked.

var (
	reXMLTime   = regexp.MustCompile(` time="[^"]*"`)
	reXMLStamps = regexp.MustCompile(`&quot;(delta|start|end)&quot;: &quot;[^&]*&quot;`)
	reJSONStamp = regexp.MustCompile(`"(delta|start|end)": "[^"]*"`)
	reGathered  = regexp.MustCompile(`(?s)(name="[^"]*: Gathering Facts" time="T">\n\t*<system-out>).*?(</system-out>)`)
	reReport    = regexp.MustCompile(`^([^/]+)-[0-9]+\.[0-9]+\.xml$`)
)

func normXML(s string) string {
	s = reXMLTime.ReplaceAllString(s, ` time="T"`)
	s = reXMLStamps.ReplaceAllString(s, "&quot;$1&quot;: &quot;X&quot;")
	// facts differ between ansible's setup module and octopus's
	return reGathered.ReplaceAllString(s, "${1}FACTS${2}")
}

func normJSON(s string) string { return reJSONStamp.ReplaceAllString(s, `"$1": "X"`) }

// callbackRun is what one run left behind.
type callbackRun struct {
	stdout  string
	code    int
	reports map[string]string // report name without the time -> XML
	tree    map[string]string
}

func collect(t *testing.T, jdir, tdir string) callbackRun {
	t.Helper()
	var r callbackRun
	ents, _ := os.ReadDir(jdir)
	r.reports = map[string]string{}
	for _, e := range ents {
		m := reReport.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("report file name %q is not <playbook>-<time>.xml", e.Name())
			continue
		}
		b, err := os.ReadFile(filepath.Join(jdir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		r.reports[m[1]] = string(b)
	}
	r.tree = map[string]string{}
	ents, _ = os.ReadDir(tdir)
	for _, e := range ents {
		b, _ := os.ReadFile(filepath.Join(tdir, e.Name()))
		r.tree[e.Name()] = string(b)
	}
	return r
}

func callbackEnv(jdir, tdir string, extra map[string]string) map[string]string {
	env := map[string]string{
		"ANSIBLE_CALLBACKS_ENABLED":          "junit,tree",
		"JUNIT_OUTPUT_DIR":                   jdir,
		"ANSIBLE_CALLBACK_TREE_DIR":          tdir,
		"ANSIBLE_NOCOLOR":                    "1",
		"ANSIBLE_RETRY_FILES_ENABLED":        "0",
		"ANSIBLE_HOST_KEY_CHECKING":          "0",
		"ANSIBLE_LOCALHOST_WARNING":          "0",
		"ANSIBLE_DEPRECATION_WARNINGS":       "0",
		"ANSIBLE_INVENTORY_UNPARSED_WARNING": "0",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func runAnsibleCallbacks(t *testing.T, dir string, args []string, extra map[string]string) callbackRun {
	t.Helper()
	tmp := t.TempDir()
	jdir, tdir := filepath.Join(tmp, "junit"), filepath.Join(tmp, "tree")
	cmd := exec.Command("ansible-playbook", args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range callbackEnv(jdir, tdir, extra) {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	r := collect(t, jdir, tdir)
	r.stdout, r.code = out.String(), code
	return r
}

// TestMain removes the octopus binary built for the differential test.
func TestMain(m *testing.M) {
	code := m.Run()
	if octoBin != "" {
		os.RemoveAll(filepath.Dir(octoBin))
	}
	os.Exit(code)
}

var (
	buildOnce sync.Once
	octoBin   string
	buildErr  error
)

// octopusBinary builds cmd/octopus once and returns an "ansible-playbook"
// link to it (a separate process per run: the CLI keeps flag state in
// package variables).
func octopusBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "octopus-callbacks-")
		if err != nil {
			buildErr = err
			return
		}
		bin := filepath.Join(dir, "octopus")
		out, err := exec.Command("go", "build", "-o", bin, "octopus/cmd/octopus").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
			return
		}
		octoBin = filepath.Join(dir, "ansible-playbook")
		buildErr = os.Symlink("octopus", octoBin)
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return octoBin
}

// runOctopus runs octopus in dir; enable=false leaves callbacks_enabled
// empty (to check that stdout does not change).
func runOctopus(t *testing.T, dir string, args []string, extra map[string]string, enable bool) callbackRun {
	t.Helper()
	tmp := t.TempDir()
	jdir, tdir := filepath.Join(tmp, "junit"), filepath.Join(tmp, "tree")
	env := callbackEnv(jdir, tdir, extra)
	if !enable {
		env["ANSIBLE_CALLBACKS_ENABLED"] = ""
	}
	cmd := exec.Command(octopusBinary(t), args...)
	cmd.Dir = dir
	cmd.Env = os.Environ()
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	code := 0
	if err := cmd.Run(); err != nil {
		ee, ok := err.(*exec.ExitError)
		if !ok {
			t.Fatal(err)
		}
		code = ee.ExitCode()
	}
	if !enable {
		return callbackRun{stdout: out.String(), code: code}
	}
	r := collect(t, jdir, tdir)
	r.stdout, r.code = out.String(), code
	return r
}

func diffText(a, b string) string {
	d, _ := difflib.GetUnifiedDiffString(difflib.UnifiedDiff{A: difflib.SplitLines(a), B: difflib.SplitLines(b),
		FromFile: "ansible", ToFile: "octopus", Context: 2})
	return d
}

func TestCallbacksDifferential(t *testing.T) {
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed: skipping the junit/tree differential test")
	}
	dir, err := filepath.Abs("testdata/callbacks")
	if err != nil {
		t.Fatal(err)
	}
	hide := map[string]string{"JUNIT_HIDE_TASK_ARGUMENTS": "true"}
	with := func(m map[string]string) map[string]string {
		out := map[string]string{"JUNIT_HIDE_TASK_ARGUMENTS": "true"}
		for k, v := range m {
			out[k] = v
		}
		return out
	}
	tests := []struct {
		name string
		args []string
		env  map[string]string
	}{
		{"site", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "site.yml")}, hide},
		{"site options", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "site.yml")},
			with(map[string]string{"JUNIT_FAIL_ON_CHANGE": "true", "JUNIT_FAIL_ON_IGNORE": "true", "JUNIT_TASK_CLASS": "true"})},
		{"site paths and prefix", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "site.yml")},
			with(map[string]string{"JUNIT_TASK_RELATIVE_PATH": filepath.Join(dir, "roles"), "JUNIT_REPLACE_OUT_OF_TREE_PATH": "OUT/",
				"JUNIT_TEST_CASE_PREFIX": "loop"})},
		{"roles, no_log, unreachable", []string{"-i", "inv2.ini", "-f", "1", filepath.Join(dir, "two.yml")}, hide},
		{"actions -vvv", []string{"-i", "inv.ini", "-f", "1", "-vvv", filepath.Join(dir, "actions.yml")}, hide},
		{"gather facts", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "facts.yml")},
			with(map[string]string{"JUNIT_INCLUDE_SETUP_TASKS_IN_REPORT": "false"})},
		{"two playbooks", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "first.yml"), filepath.Join(dir, "second.yml")}, hide},
		{"task arguments", []string{"-i", "inv.ini", "-f", "1", filepath.Join(dir, "site.yml")}, nil},
	}
	passed := 0
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			want := runAnsibleCallbacks(t, dir, tc.args, tc.env)
			got := runOctopus(t, dir, tc.args, tc.env, true)
			if got.code != want.code {
				t.Errorf("exit code %d, ansible %d", got.code, want.code)
			}
			if len(got.reports) != len(want.reports) || len(want.reports) == 0 {
				t.Errorf("%d reports, ansible %d", len(got.reports), len(want.reports))
			}
			for name, w := range want.reports {
				if a, b := normXML(w), normXML(got.reports[name]); a != b {
					d := diffText(a, b)
					t.Errorf("junit report %s differs:\n%s", name, d)
				}
			}
			if len(got.tree) != len(want.tree) {
				t.Errorf("tree files %d, ansible %d", len(got.tree), len(want.tree))
			}
			for h, w := range want.tree {
				if a, b := normJSON(w), normJSON(got.tree[h]); a != b {
					t.Errorf("tree file %s differs:\n%s", h, diffText(a+"\n", b+"\n"))
				}
			}
			// the stdout callback's output is the same without the aggregate callbacks
			plain := runOctopus(t, dir, tc.args, tc.env, false)
			// (compared as sorted lines: which host's loop items print first
			// may vary between two runs)
			if a, b := sortedLines(normJSON(plain.stdout)), sortedLines(normJSON(got.stdout)); a != b {
				t.Errorf("stdout changed by callbacks_enabled:\n%s", diffText(a, b))
			}
			if !t.Failed() {
				passed++
			}
		})
	}
	t.Logf("%d/%d junit+tree cases equal to ansible-playbook", passed, len(tests))
}

// sortedLines returns s's lines sorted, joined by newlines.
func sortedLines(s string) string {
	l := strings.Split(s, "\n")
	sort.Strings(l)
	return strings.Join(l, "\n")
}
