package template

import (
	"flag"
	"fmt"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

const haproxyTemplate = `global
    maxconn 4096
{% for host in groups['kube-master-node'] %}
    server {{ host }} {{ hostvars[host].ansible_ssh_host }}:6443 check{% if hostvars[host].backup | default(false) %} backup{% endif %}

{% endfor %}
`

func haproxyVars(n int) MapVars {
	hosts := make([]any, n)
	hv := value.NewDict(n)
	for i := 0; i < n; i++ {
		name := fmt.Sprintf("master%02d", i)
		hosts[i] = name
		hv.Set(name, value.DictOf("ansible_ssh_host", fmt.Sprintf("10.0.%d.%d", i/250, i%250+1), "backup", i%10 == 0))
	}
	return MapVars{"groups": value.DictOf("kube-master-node", hosts), "hostvars": hv}
}

// BenchmarkHaproxyLoop renders a haproxy.cfg-style loop over 50 hosts.
func BenchmarkHaproxyLoop(b *testing.B) {
	tpl := New(Options{})
	vars := haproxyVars(50)
	for i := 0; i < b.N; i++ {
		if _, err := tpl.Render(haproxyTemplate, vars, RenderOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestHaproxyVsPython compares against Python's Jinja2 on the same
// template; it runs only with -bench and prints the speed ratio.
func TestHaproxyVsPython(t *testing.T) {
	if f := flag.Lookup("test.bench"); f == nil || f.Value.String() == "" {
		t.Skip("comparison with Python Jinja2 runs only with -bench")
	}
	if _, err := exec.LookPath("python3"); err != nil {
		t.Skip("python3 not installed")
	}
	tpl := New(Options{})
	vars := haproxyVars(50)
	goOut, err := tpl.Render(haproxyTemplate, vars, RenderOptions{})
	if err != nil {
		t.Fatal(err)
	}
	res := testing.Benchmark(BenchmarkHaproxyLoop)
	goNs := float64(res.NsPerOp())
	varsJSON, _ := toJSON(normalizeJSON(value.DictOf("groups", vars["groups"], "hostvars", vars["hostvars"])), pyfmt.JSONOptions{})
	script := `
import json, sys, time, jinja2
v = json.loads(sys.argv[1]); src = sys.argv[2]
env = jinja2.Environment(trim_blocks=True, keep_trailing_newline=True)
t = env.from_string(src)
out = t.render(**v)
n = 0; start = time.perf_counter()
while time.perf_counter() - start < 1.0:
    t.render(**v); n += 1
print(int((time.perf_counter() - start) / n * 1e9))
sys.stdout.write(out)
`
	cmd := exec.Command("python3", "-c", script, varsJSON, haproxyTemplate)
	out, err := cmd.Output()
	if err != nil {
		t.Skipf("python3 jinja2 unavailable: %v", err)
	}
	first, pyOut, _ := strings.Cut(string(out), "\n")
	pyNs, _ := strconv.ParseFloat(first, 64)
	if pyOut != goOut {
		t.Errorf("output differs from Python Jinja2:\n go: %q\n py: %q", goOut, pyOut)
	}
	t.Logf("haproxy loop (50 hosts): Go %v/op, Python Jinja2 %v/op (render only, template precompiled), ratio py/go = %.2f",
		time.Duration(goNs), time.Duration(pyNs), pyNs/goNs)
}

// BenchmarkTaskArgs templates typical task arguments (no statements).
func BenchmarkTaskArgs(b *testing.B) {
	tpl := New(Options{})
	vars := MapVars{"pkg": "nginx", "ver": "1.2", "opts": []any{"a", "b"}, "dest": "/etc/{{ pkg }}"}
	args := value.DictOf("name", "{{ pkg }}={{ ver }}", "state", "present", "flags", "{{ opts | join(',') }}", "path", "{{ dest }}/conf.d")
	for i := 0; i < b.N; i++ {
		if _, err := tpl.Template(args, vars); err != nil {
			b.Fatal(err)
		}
	}
}
