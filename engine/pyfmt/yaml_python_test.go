package pyfmt

import (
	"encoding/json"
	"math/rand"
	"os/exec"
	"strings"
	"testing"

	"octopus/engine/value"
)

// yamlScript dumps each case as Ansible does. Input: [mode, text] pairs;
// "inv" cases are YAML (so shared nodes stay shared) dumped as
// ansible-inventory does, "flow4" JSON dumped as to_yaml with
// default_flow_style=None, indent=4, "callback" JSON dumped by the yaml
// callback's dumper.
const yamlScript = `
import json, sys, yaml
sys.path.insert(0, "/usr/lib/python3/dist-packages")
out = []
cases = json.load(sys.stdin)
try:
    import ansible.plugins.callback.default
    from ansible_collections.community.general.plugins.callback.yaml import MyDumper
except Exception:
    MyDumper = None
for mode, text in cases:
    if mode == "inv":
        out.append(yaml.dump(yaml.load(text, Loader=yaml.CSafeLoader), Dumper=yaml.CSafeDumper, default_flow_style=False, allow_unicode=True))
    elif mode == "flow4":
        out.append(yaml.dump(json.loads(text), Dumper=yaml.CSafeDumper, default_flow_style=None, allow_unicode=True, indent=4))
    elif MyDumper is not None:
        out.append(yaml.dump(json.loads(text), Dumper=MyDumper, default_flow_style=False, allow_unicode=True, width=1000))
    else:
        out.append(None)
json.dump(out, sys.stdout)
`

// TestYAMLAgainstPython dumps random data with YAML and compares the text
// with libyaml's (the CSafeDumper Ansible uses) and with the yaml
// callback's dumper. For "inv" cases python reads our text back and dumps
// it again, which checks the anchors as well.
func TestYAMLAgainstPython(t *testing.T) {
	if testing.Short() {
		t.Skip("differential test against python3 skipped in -short mode")
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 not installed")
	}
	if exec.Command(py, "-c", "import yaml; yaml.CSafeDumper").Run() != nil {
		t.Skip("python3 yaml with libyaml not installed")
	}
	rng := rand.New(rand.NewSource(2))
	alpha := []string{"a", "b", " ", "  ", "-", ":", "#", "'", "\"", "\n", "\n\n", "yes", "1", ".", "é", "\u0085", "\U0001F600",
		"\t", "\r", "\x0b", "\x1c", "\x01", "x y", "~", "null", "[", "{", ",", "?", "!", "&", "*", "%", "@", "`", "|", ">", "word word word word "}
	str := func() string {
		var b strings.Builder
		for i := rng.Intn(7); i > 0; i-- {
			b.WriteString(alpha[rng.Intn(len(alpha))])
		}
		return b.String()
	}
	var shared []any
	var gen func(d int) any
	gen = func(d int) any {
		switch k := rng.Intn(10); {
		case k < 4 || d > 3:
			switch rng.Intn(6) {
			case 0:
				return rng.Intn(100) - 50
			case 1:
				return rng.Float64() * 1e5
			case 2:
				return rng.Intn(2) == 0
			case 3:
				return nil
			}
			return str()
		case k < 6:
			l := []any{}
			for i := rng.Intn(4); i > 0; i-- {
				l = append(l, gen(d+1))
			}
			return l
		case k < 7 && len(shared) > 0:
			return shared[rng.Intn(len(shared))]
		default:
			m := value.NewDict(0)
			for i := rng.Intn(4); i > 0; i-- {
				m.Set(str(), gen(d+1))
			}
			if rng.Intn(3) == 0 {
				shared = append(shared, m)
			}
			return m
		}
	}
	modes := map[string]YAMLOptions{
		"inv":      {Anchors: true, VaultTag: true},
		"flow4":    {Indent: 4, FlowStyle: true},
		"callback": {Width: 1000, VaultTag: true, LiteralMultiline: true},
	}
	var cases [][2]string
	var ours []string
	for i := 0; i < 1500; i++ {
		mode := []string{"inv", "flow4", "callback"}[i%3]
		shared = nil
		v := value.DictOf("root", gen(0), "k", str())
		got, err := YAML(v, modes[mode])
		if err != nil {
			t.Fatal(err)
		}
		text := got
		if mode != "inv" {
			text = JSONText(v, JSONOptions{})
		}
		cases = append(cases, [2]string{mode, text})
		ours = append(ours, got)
	}
	in, _ := json.Marshal(cases)
	cmd := exec.Command(py, "-c", yamlScript)
	cmd.Stdin = strings.NewReader(string(in))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want []*string
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	compared := 0
	for i, w := range want {
		if w == nil {
			continue
		}
		compared++
		if *w != ours[i] {
			t.Errorf("%s %q:\n got %q\nwant %q", cases[i][0], cases[i][1], ours[i], *w)
		}
	}
	t.Logf("%d cases compared with python", compared)
}
