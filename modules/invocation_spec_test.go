package modules

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"octopus/modules/internal/argspec"
)

// ansibleSpecs maps the Python module (as testdata/dumpspec.py names it) to
// the octopus spec that must declare the same options.
var ansibleSpecs = []struct {
	py   string
	spec *argspec.Spec
}{
	{"apt", &aptSpec},
	{"apt_key", &aptKeySpec},
	{"apt_repository", &aptRepoSpec},
	{"ansible_collections.ansible.posix.plugins.modules.authorized_key", &authorizedKeySpec},
	{"blockinfile", &blockinfileSpec},
	{"command", &commandSpec},
	{"copy", &copySpec},
	{"cron", &cronSpec},
	{"file", &fileSpec},
	{"find", &findSpec},
	{"get_url", &getURLSpec},
	{"getent", &getentSpec},
	{"group", &groupSpec},
	{"hostname", &hostnameSpec},
	{"known_hosts", &knownHostsSpec},
	{"lineinfile", &lineinfileSpec},
	{"ansible_collections.community.general.plugins.modules.modprobe", &modprobeSpec},
	{"ansible_collections.ansible.posix.plugins.modules.mount", &mountSpec},
	{"package_facts", &packageFactsSpec},
	{"ping", &pingSpec},
	{"replace", &replaceSpec},
	{"service", &serviceSpec},
	{"service_facts", &serviceFactsSpec},
	{"setup", &setupSpec},
	{"slurp", &slurpSpec},
	{"stat", &statSpec},
	{"ansible_collections.ansible.posix.plugins.modules.sysctl", &sysctlSpec},
	{"systemd", &systemdSpec},
	{"tempfile", &tempfileSpec},
	{"ansible_collections.community.general.plugins.modules.timezone", &timezoneSpec},
	{"unarchive", &unarchiveSpec},
	{"uri", &uriSpec},
	{"user", &userSpec},
	{"wait_for", &waitForSpec},
}

// specEntry is one option as dumpspec.py prints it.
type specEntry struct {
	Type     string `json:"type"`
	Default  any    `json:"default"`
	Aliases  []any  `json:"aliases"`
	NoLog    *bool  `json:"no_log"`
	Elements string `json:"elements"`
	Choices  []any  `json:"choices"`
}

// octopusEntry renders o the way dumpspec.py renders Ansible's option.
func octopusEntry(o argspec.Option) specEntry {
	e := specEntry{Type: o.Type, Default: o.Default, Elements: o.Elements, Choices: o.Choices}
	if e.Type == "" {
		e.Type = "str"
	}
	for _, a := range o.Aliases {
		e.Aliases = append(e.Aliases, a)
	}
	switch {
	case o.NoLog:
		t := true
		e.NoLog = &t
	case o.LogOK:
		f := false
		e.NoLog = &f
	}
	return e
}

// norm makes an entry comparable: JSON round trip, aliases and choices sorted.
func norm(e specEntry) string {
	if e.Type == "" {
		e.Type = "str"
	}
	// sorted copies: the slices may be a spec's own (its order shows in messages)
	sortAny := func(l []any) []any {
		c := append([]any(nil), l...)
		sort.Slice(c, func(i, j int) bool { return fmt.Sprint(c[i]) < fmt.Sprint(c[j]) })
		return c
	}
	e.Aliases = sortAny(e.Aliases)
	e.Choices = sortAny(e.Choices)
	b, _ := json.Marshal(e)
	var x any
	_ = json.Unmarshal(b, &x)
	b, _ = json.Marshal(x)
	return string(b)
}

// TestSpecsMatchAnsible checks that every module declares exactly the
// options of Ansible 2.14's argument spec (names, types, defaults, aliases,
// no_log, elements, choices), so invocation.module_args lists the same keys.
func TestSpecsMatchAnsible(t *testing.T) {
	py := ansiblePython()
	if py == "" {
		t.Skip("ansible-playbook (and its python with the ansible package) not installed")
	}
	names := make([]string, len(ansibleSpecs))
	for i, s := range ansibleSpecs {
		names[i] = s.py
	}
	out, err := exec.Command(py, append([]string{"testdata/dumpspec.py"}, names...)...).Output()
	if err != nil {
		t.Fatalf("dumpspec: %v", err)
	}
	var all map[string]map[string]specEntry
	if err := json.Unmarshal(out, &all); err != nil {
		t.Fatalf("dumpspec output: %v", err)
	}
	for _, s := range ansibleSpecs {
		want := all[s.py]
		got := map[string]specEntry{}
		for _, o := range s.spec.Options {
			got[o.Name] = octopusEntry(o)
		}
		var diffs []string
		for name, w := range want {
			if s.py == "user" && name == "ssh_key_comment" {
				// Ansible's default is computed on the target
				// ("ansible-generated on HOSTNAME"); runUser fills it.
				w.Default = nil
			}
			g, ok := got[name]
			if !ok {
				diffs = append(diffs, "missing "+name+" "+norm(w))
				continue
			}
			if norm(g) != norm(w) {
				diffs = append(diffs, fmt.Sprintf("%s: octopus %s, ansible %s", name, norm(g), norm(w)))
			}
		}
		for name := range got {
			if _, ok := want[name]; !ok {
				diffs = append(diffs, "extra "+name)
			}
		}
		sort.Strings(diffs)
		if len(diffs) > 0 {
			t.Errorf("%s:\n  %s", s.spec.Module, strings.Join(diffs, "\n  "))
		}
	}
}

// ansiblePython is the interpreter ansible-playbook runs under ("" if none).
func ansiblePython() string {
	var cands []string
	if ap, err := exec.LookPath("ansible-playbook"); err == nil {
		if b, err := os.ReadFile(ap); err == nil {
			line, _, _ := strings.Cut(string(b), "\n")
			if f := strings.Fields(strings.TrimPrefix(line, "#!")); len(f) > 0 {
				cands = append(cands, f[0])
			}
		}
	}
	cands = append(cands, "python3")
	for _, c := range cands {
		if exec.Command(c, "-c", "import ansible.module_utils.basic").Run() == nil {
			return c
		}
	}
	return ""
}
