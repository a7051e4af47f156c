package config

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// needAnsible skips the test when ansible-config is not installed.
func needAnsible(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ansible-config"); err != nil {
		t.Skip("ansible-config not installed (ansible-playbook not installed)")
	}
}

// copyDir copies a test case directory tree.
func copyDir(t *testing.T, src, dst string) {
	t.Helper()
	err := filepath.Walk(src, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		target := filepath.Join(dst, rel)
		if info.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(target, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// caseEnv builds the environment for a case: PATH, HOME and env.txt.
func caseEnv(t *testing.T, dir, home string) map[string]string {
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home, "LANG": "C.UTF-8"}
	f, err := os.Open(filepath.Join(dir, "env.txt"))
	if err != nil {
		return env
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if k, v, ok := strings.Cut(sc.Text(), "="); ok {
			env[k] = v
		}
	}
	return env
}

func envList(env map[string]string) []string {
	var l []string
	for k, v := range env {
		l = append(l, k+"="+v)
	}
	return l
}

type ansibleValue struct {
	Value  any
	Origin string
}

// ansibleDump runs "ansible-config dump -t all -f json" and indexes it by
// setting ID ("DEFAULT_FORKS", "connection/ssh/ssh_args").
func ansibleDump(t *testing.T, dir string, env map[string]string) (map[string]ansibleValue, string, error) {
	t.Helper()
	cmd := exec.Command("ansible-config", "dump", "-t", "all", "-f", "json")
	cmd.Dir = dir
	cmd.Env = envList(env)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, stderr.String(), err
	}
	var raw []map[string]json.RawMessage
	if err := json.Unmarshal(out, &raw); err != nil {
		t.Fatalf("ansible-config output: %v", err)
	}
	res := map[string]ansibleValue{}
	type item struct {
		Name   string
		Origin string
		Value  any
	}
	for _, r := range raw {
		if _, ok := r["name"]; ok {
			var it item
			b, _ := json.Marshal(r)
			json.Unmarshal(b, &it)
			res[it.Name] = ansibleValue{it.Value, it.Origin}
			continue
		}
		for group, body := range r {
			ptype := strings.ToLower(strings.TrimSuffix(group, "_PLUGINS"))
			var plugins []map[string][]item
			json.Unmarshal(body, &plugins)
			for _, p := range plugins {
				for pname, items := range p {
					for _, it := range items {
						res[ptype+"/"+pname+"/"+it.Name] = ansibleValue{it.Value, it.Origin}
					}
				}
			}
		}
	}
	return res, stderr.String(), nil
}

// normalise turns our typed values into what JSON decoding yields.
func normalise(v any) any {
	switch x := v.(type) {
	case int:
		return float64(x)
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return l
	}
	return v
}

// compareWithAnsible checks every known setting (value and origin) in dir
// against ansible-config and returns how many agreed out of how many.
func compareWithAnsible(t *testing.T, dir string, env map[string]string) (passed, total int) {
	t.Helper()
	want, stderr, err := ansibleDump(t, dir, env)
	if err != nil {
		t.Fatalf("ansible-config failed: %v\n%s", err, stderr)
	}
	c, _, err := Load(env, dir)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	if c.File != want["CONFIG_FILE"].Value && !(c.File == "" && want["CONFIG_FILE"].Value == nil) {
		t.Errorf("config file = %q, ansible %v", c.File, want["CONFIG_FILE"].Value)
	}
	for _, s := range Settings() {
		w, ok := want[s.ID]
		if !ok {
			t.Errorf("%s: not in ansible-config output", s.ID)
			continue
		}
		total++
		got, _ := c.Lookup(s.ID)
		gv := normalise(got.Value)
		wv := w.Value
		if s.Type == TypeTmpPath {
			if str, ok := wv.(string); ok {
				wv = filepath.Dir(str)
			}
		}
		if !reflect.DeepEqual(gv, wv) || got.Origin != w.Origin {
			t.Errorf("%s: got %#v (%s), ansible %#v (%s)", s.ID, gv, got.Origin, wv, w.Origin)
			continue
		}
		passed++
	}
	return passed, total
}

// TestAgainstAnsible compares every known setting (value and origin) with
// ansible-config for each case under testdata/cases.
func TestAgainstAnsible(t *testing.T) {
	needAnsible(t)
	cases, err := os.ReadDir("testdata/cases")
	if err != nil {
		t.Fatal(err)
	}
	total, passed := 0, 0
	for _, cs := range cases {
		t.Run(cs.Name(), func(t *testing.T) {
			root := t.TempDir()
			dir := filepath.Join(root, "work")
			home := filepath.Join(root, "home")
			os.MkdirAll(home, 0o755)
			copyDir(t, filepath.Join("testdata/cases", cs.Name()), dir)
			p, n := compareWithAnsible(t, dir, caseEnv(t, dir, home))
			passed += p
			total += n
		})
	}
	t.Logf("%d of %d setting values agree with ansible-config", passed, total)
}

// TestDeepopsConfig compares the settings of the original OpenI-Octopus
// deepops/ansible.cfg, extracted at test time from its mirror.
func TestDeepopsConfig(t *testing.T) {
	needAnsible(t)
	repo := os.Getenv("OCTOPUS_DEEPOPS_REPO")
	if repo == "" {
		repo = "/work/.mirror/open-intelligence+OpenI-Octopus/repo"
	}
	if _, err := os.Stat(repo); err != nil {
		t.Skipf("OpenI-Octopus mirror not found at %s", repo)
	}
	root := t.TempDir()
	archive := exec.Command("sh", "-c", `git -C "$1" archive b8d3334 deepops/ansible.cfg | tar -x -C "$2"`, "sh", repo, root)
	if out, err := archive.CombinedOutput(); err != nil {
		t.Skipf("cannot extract deepops/ansible.cfg: %v %s", err, out)
	}
	home := filepath.Join(root, "home")
	os.MkdirAll(home, 0o755)
	dir := filepath.Join(root, "deepops")
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home}
	p, n := compareWithAnsible(t, dir, env)
	c, _, err := Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	if c.Int("forks") != 25 || !c.Bool("pipelining") || c.Bool("host_key_checking") || c.String("stdout_callback") != "yaml" {
		t.Errorf("deepops settings: forks=%v pipelining=%v hkc=%v cb=%v", c.Get("forks"), c.Get("pipelining"), c.Get("host_key_checking"), c.Get("stdout_callback"))
	}
	t.Logf("%d of %d deepops setting values agree with ansible-config", p, n)
}

// TestErrorsAgainstAnsible compares error texts for bad configurations.
func TestErrorsAgainstAnsible(t *testing.T) {
	needAnsible(t)
	cases := []struct {
		name, cfg string
		env       map[string]string
	}{
		{"dup option", "[defaults]\nforks=1\nforks=2\n", nil},
		{"dup section", "[defaults]\n[x]\n[x]\n", nil},
		{"no section", "forks = 5\n", nil},
		{"parse errors", "[defaults]\ngarbage\nforks=1\nmore garbage\n", nil},
		{"bad int", "[defaults]\nforks = abc\n", nil},
		{"bad int env", "", map[string]string{"ANSIBLE_TIMEOUT": "1.5"}},
		{"bad choice", "[defaults]\nhash_behaviour = deep\n", nil},
		{"bad choice quoted", "[defaults]\ngathering = \"explicit\\\"\n", nil},
		{"bad plugin int", "[ssh_connection]\nretries = many\n", nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			home := t.TempDir()
			if tc.cfg != "" {
				os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte(tc.cfg), 0o644)
			}
			env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home}
			for k, v := range tc.env {
				env[k] = v
			}
			_, stderr, err := ansibleDump(t, dir, env)
			if err == nil {
				t.Fatalf("ansible-config accepted the case")
			}
			_, _, myErr := Load(env, dir)
			if myErr == nil {
				t.Fatalf("Load accepted the case; ansible said %s", stderr)
			}
			if !strings.Contains(stderr, myErr.Error()) {
				t.Errorf("error differs:\n got: %s\nansible: %s", myErr, stderr)
			}
		})
	}
}

// TestWorldWritableCwd checks that ./ansible.cfg in a world-writable
// directory is ignored with Ansible's warning.
func TestWorldWritableCwd(t *testing.T) {
	needAnsible(t)
	dir := t.TempDir()
	home := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte("[defaults]\nforks = 7\n"), 0o644)
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home}
	cmd := exec.Command("ansible-playbook", "--version")
	cmd.Dir = dir
	cmd.Env = envList(env)
	out, _ := cmd.CombinedOutput()
	c, warns, err := Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "  "+c.VersionLine()+"\n") {
		t.Errorf("version line %q not in ansible output:\n%s", c.VersionLine(), out)
	}
	if len(warns) != 1 {
		t.Fatalf("warnings = %q", warns)
	}
	flat := strings.Join(strings.Fields(string(out)), "")
	if !strings.Contains(flat, strings.Join(strings.Fields(warns[0]), "")) {
		t.Errorf("warning %q not in ansible output:\n%s", warns[0], out)
	}
	if c.Int("forks") != 5 {
		t.Errorf("forks = %d, want the default 5", c.Int("forks"))
	}
	// ANSIBLE_CONFIG naming that file: used, no warning.
	env["ANSIBLE_CONFIG"] = filepath.Join(dir, "ansible.cfg")
	c, warns, err = Load(env, dir)
	if err != nil || len(warns) != 0 || c.Int("forks") != 7 {
		t.Errorf("with ANSIBLE_CONFIG: forks=%d warns=%q err=%v", c.Int("forks"), warns, err)
	}
}

// TestDumpAgainstAnsible compares Dump(true) lines with
// "ansible-config dump --only-changed" for the OpenI case.
func TestDumpAgainstAnsible(t *testing.T) {
	needAnsible(t)
	dir := t.TempDir()
	home := t.TempDir()
	copyDir(t, "testdata/cases/openi", dir)
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home}
	cmd := exec.Command("ansible-config", "dump", "--only-changed")
	cmd.Dir = dir
	cmd.Env = envList(env)
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	c, _, err := Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	known := map[string]bool{"CONFIG_FILE": true}
	for _, s := range Settings() {
		known[s.ID] = true
	}
	var want []string
	for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		name, _, _ := strings.Cut(l, "(")
		if known[name] && name != "DEFAULT_LOCAL_TMP" {
			want = append(want, l)
		}
	}
	var got []string
	for _, l := range strings.Split(strings.TrimSpace(c.Dump(true)), "\n") {
		if !strings.HasPrefix(l, "DEFAULT_LOCAL_TMP(") {
			got = append(got, l)
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("dump differs:\n got:\n%s\nansible:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestDeprecationsAgainstAnsible runs a trivial playbook with deprecated
// settings and checks each reported deprecation text.
func TestDeprecationsAgainstAnsible(t *testing.T) {
	needAnsible(t)
	dir := t.TempDir()
	home := t.TempDir()
	os.WriteFile(filepath.Join(dir, "ansible.cfg"), []byte("[defaults]\ncallback_whitelist = timer\ngather_timeout = 5\nfact_path = /x\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "p.yml"), []byte("- hosts: localhost\n  gather_facts: false\n  tasks: []\n"), 0o644)
	env := map[string]string{"PATH": os.Getenv("PATH"), "HOME": home, "ANSIBLE_CALLBACK_WHITELIST": "timer"}
	cmd := exec.Command("ansible-playbook", "-i", "localhost,", "p.yml")
	cmd.Dir = dir
	cmd.Env = envList(env)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c, _, err := Load(env, dir)
	if err != nil {
		t.Fatal(err)
	}
	deps := c.Deprecations()
	// Ansible wraps the text; compare without whitespace, in order.
	flat := strings.Join(strings.Fields(string(out)), "")
	if got := strings.Count(string(out), "[DEPRECATION WARNING]"); got != len(deps) {
		t.Errorf("%d deprecations, ansible printed %d:\n%s", len(deps), got, out)
	}
	pos := 0
	for _, d := range deps {
		want := strings.Join(strings.Fields("[DEPRECATION WARNING]: "+d.Message()+". This feature will be removed from ansible-core in version "+d.Version+"."), "")
		i := strings.Index(flat[pos:], want)
		if i < 0 {
			t.Errorf("not found in order: %q\n%s", d.Message(), out)
			continue
		}
		pos += i + len(want)
	}
}
