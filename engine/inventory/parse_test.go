package inventory

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"octopus/engine/value"
)

func TestPyLiteral(t *testing.T) {
	tests := []struct {
		in   string
		want any // nil with ok=false means "stays the raw string"
		ok   bool
	}{
		{"42", 42, true},
		{"-7", -7, true},
		{"+3", 3, true},
		{"1_000", 1000, true},
		{"0x1F", 31, true},
		{"0o17", 15, true},
		{"0b101", 5, true},
		{"010", nil, false},
		{"00", 0, true},
		{"3.25", 3.25, true},
		{"1e3", 1000.0, true},
		{".5", 0.5, true},
		{"True", true, true},
		{"False", false, true},
		{"None", nil, true},
		{"yes", nil, false},
		{"'quoted'", "quoted", true},
		{`"a" 'b'`, "ab", true},
		{`b'bytes'`, "bytes", true},
		{`r'\n'`, `\n`, true},
		{`'\x41\u00e9\n'`, "Aé\n", true},
		{`f'x'`, nil, false},
		{"[1, 'two', 3.0]", []any{1, "two", 3.0}, true},
		{"(1, 2)", []any{1, 2}, true},
		{"1, 2", []any{1, 2}, true},
		{"(1)", 1, true},
		{"[]", []any{}, true},
		{"[1,]", []any{1}, true},
		{"{'a': 1, 'b': [True]}", value.DictOf("a", 1, "b", []any{true}), true},
		{"{}", value.NewDict(0), true},
		{"1 # comment", 1, true},
		{"hello world", nil, false},
		{"1+2", nil, false},
		{"1j", nil, false},
		{"[1, 2", nil, false},
		{"'unterminated", nil, false},
		{"{[1]: 2}", nil, false},
		{"  5", 5, true},
		{"", nil, false},
		{"--5", 5, true},
	}
	for _, tt := range tests {
		got, err := pyLiteral(tt.in)
		if (err == nil) != tt.ok {
			t.Errorf("pyLiteral(%q) err=%v, want ok=%v", tt.in, err, tt.ok)
			continue
		}
		if tt.ok && !equalValue(got, tt.want) {
			t.Errorf("pyLiteral(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		if !tt.ok && parsePyValue(tt.in) != tt.in {
			t.Errorf("parsePyValue(%q) did not keep the raw string", tt.in)
		}
	}
}

func equalValue(a, b any) bool {
	da, okA := a.(*value.Dict)
	db, okB := b.(*value.Dict)
	if okA || okB {
		if !okA || !okB || !reflect.DeepEqual(da.Keys(), db.Keys()) && da.Len()+db.Len() > 0 {
			return false
		}
		for _, k := range da.Keys() {
			x, _ := da.Get(k)
			y, _ := db.Get(k)
			if !equalValue(x, y) {
				return false
			}
		}
		return true
	}
	la, okA := a.([]any)
	lb, okB := b.([]any)
	if okA || okB {
		if !okA || !okB || len(la) != len(lb) {
			return false
		}
		for i := range la {
			if !equalValue(la[i], lb[i]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}

func TestShlexSplit(t *testing.T) {
	tests := []struct {
		in   string
		want []string
		err  string
	}{
		{"h1 a=1 b=2", []string{"h1", "a=1", "b=2"}, ""},
		{`h "k=has space" k2='x y'`, []string{"h", "k=has space", "k2=x y"}, ""},
		{`h k="a \"q\" \n"`, []string{"h", `k=a "q" \n`}, ""},
		{`h k=v # comment here`, []string{"h", "k=v"}, ""},
		{`h k=v#tail`, []string{"h", "k=v"}, ""},
		{`h k=''`, []string{"h", "k="}, ""},
		{`h ""`, []string{"h", ""}, ""},
		{`a\ b`, []string{"a b"}, ""},
		{`h "unclosed`, nil, "No closing quotation"},
		{`h \`, nil, "No escaped character"},
	}
	for _, tt := range tests {
		got, err := shlexSplit(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("shlexSplit(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("shlexSplit(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestExpandHostPattern(t *testing.T) {
	tests := []struct {
		in    string
		hosts []string
		port  int
		err   string
	}{
		{"web[01:03]", []string{"web01", "web02", "web03"}, 0, ""},
		{"db-[a:c]", []string{"db-a", "db-b", "db-c"}, 0, ""},
		{"s[1:10:3]", []string{"s1", "s4", "s7", "s10"}, 0, ""},
		{"n[1:2]-[x:y]", []string{"n1-x", "n1-y", "n2-x", "n2-y"}, 0, ""},
		{"h[:2]", []string{"h0", "h1", "h2"}, 0, ""},
		{"host:2222", []string{"host"}, 2222, ""},
		{"[10.0.0.5]:22", []string{"10.0.0.5"}, 22, ""},
		{"[2001:db8::1]:2222", []string{"2001:db8::1"}, 2222, ""},
		{"fe80::1", []string{"fe80::1"}, 0, ""},
		{"web[1:3].example.com:80", []string{"web1.example.com", "web2.example.com", "web3.example.com"}, 80, ""},
		{"h[01:3]", nil, 0, "host range must specify equal-length begin and end formats"},
		{"h[1:]", nil, 0, "host range must specify end value"},
		{"h[c:a]", nil, 0, "host range must have begin <= end"},
		{"[bad", nil, 0, "not enough values to unpack (expected 3, got 2)"},
		{"h[1:2:3:4]", nil, 0, "host range must be begin:end or begin:end:step"},
		{"h[x:1]", nil, 0, "invalid literal for int() with base 10: 'x'"},
	}
	for _, tt := range tests {
		hosts, port, _, err := expandHostPattern(tt.in)
		if tt.err != "" {
			if err == nil || err.Error() != tt.err {
				t.Errorf("expandHostPattern(%q) err = %v, want %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || !reflect.DeepEqual(hosts, tt.hosts) || port != tt.port {
			t.Errorf("expandHostPattern(%q) = %q, %d, %v; want %q, %d", tt.in, hosts, port, err, tt.hosts, tt.port)
		}
	}
}

func TestSplitPattern(t *testing.T) {
	tests := map[string][]string{
		"a,b[1], c[2:3] , d": {"a", "b[1]", "c[2:3]", "d"},
		"a:b:!c":             {"a", "b", "!c"},
		"web[1:2]:&db":       {"web[1:2]", "&db"},
		"host:22":            {"host:22"},
		"fe80::1":            {"fe80::1"},
		"all":                {"all"},
		" ":                  nil,
	}
	for in, want := range tests {
		if got := SplitPattern(in); !reflect.DeepEqual(got, want) {
			t.Errorf("SplitPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFnmatchTranslate(t *testing.T) {
	tests := []struct {
		pat, name string
		want      bool
	}{
		{"web*", "web01", true},
		{"web*", "xweb", false},
		{"w?b", "web", true},
		{"[ab]*", "beta", true},
		{"[!ab]*", "beta", false},
		{"a.b", "axb", false},
		{"~w.b", "webx", true},
		{"~eb", "web", false},
	}
	for _, tt := range tests {
		re, err := compilePattern(tt.pat)
		if err != nil {
			t.Fatalf("compilePattern(%q): %v", tt.pat, err)
		}
		if got := re.MatchString(tt.name); got != tt.want {
			t.Errorf("%q matches %q = %v, want %v", tt.pat, tt.name, got, tt.want)
		}
	}
}

func TestFormatWarning(t *testing.T) {
	tests := map[string]string{
		"Invalid characters were found in group names but not replaced, use -vvvv to see details": "[WARNING]: Invalid characters were found in group names but not replaced, use\n-vvvv to see details\n",
		"short":                          "[WARNING]: short\n",
		"\n* Failed to parse x with ini": "[WARNING]:  * Failed to parse x with ini\n",
	}
	for in, want := range tests {
		if got := FormatWarning(in); got != want {
			t.Errorf("FormatWarning(%q) = %q, want %q", in, got, want)
		}
	}
}

func writeFiles(t *testing.T, files map[string]string) string {
	dir := t.TempDir()
	for name, body := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLoadINIStructure(t *testing.T) {
	dir := writeFiles(t, map[string]string{"hosts": `
top
[a-b]
h1 x=1 y="[1, 2]"
[c:children]
a-b
d
[d]
h2
[c:vars]
cv='s'
`})
	inv, err := Load([]string{filepath.Join(dir, "hosts")})
	if err != nil {
		t.Fatal(err)
	}
	if w := inv.Warnings.All(); len(w) != 1 || !strings.Contains(w[0], "Invalid characters were found in group names but not replaced") {
		t.Errorf("warnings = %q", w)
	}
	c := inv.Group("c")
	if c == nil || len(c.Children) != 2 || c.Children[0].Name != "a-b" || c.Children[1].Name != "d" {
		t.Fatalf("group c children wrong: %+v", c)
	}
	if inv.Group("a-b").Depth != 2 || c.Depth != 1 {
		t.Errorf("depths: a-b=%d c=%d", inv.Group("a-b").Depth, c.Depth)
	}
	h1 := inv.Host("h1")
	if v, _ := h1.Vars.Get("y"); !equalValue(v, []any{1, 2}) {
		t.Errorf("h1.y = %#v", v)
	}
	if got := h1.GroupNames(); !reflect.DeepEqual(got, []string{"a-b", "c"}) {
		t.Errorf("group_names = %q", got)
	}
	if got := hostNames(inv.Group("ungrouped").Hosts); !reflect.DeepEqual(got, []string{"top"}) {
		t.Errorf("ungrouped = %q", got)
	}
	vars, err := inv.HostVars(h1, nil)
	if err != nil {
		t.Fatal(err)
	}
	if v, _ := vars.Get("cv"); v != "s" {
		t.Errorf("cv = %#v", v)
	}
}

func hostNames(hs []*Host) []string {
	var out []string
	for _, h := range hs {
		out = append(out, h.Name)
	}
	return out
}

func TestVarPrecedence(t *testing.T) {
	dir := writeFiles(t, map[string]string{
		"inv/hosts": `h1 v=host
[a]
h1
[b]
h1
[p:children]
a
[a:vars]
v=a
ga=1
[b:vars]
v=b
ansible_group_priority=10
[all:vars]
v=all
first=all
`,
		"inv/group_vars/all.yml":  "v: gv_all\nfile_all: 1\n",
		"inv/group_vars/a.yml":    "v: gv_a\n",
		"inv/host_vars/h1":        "hv: 1\n",
		"play/group_vars/all.yml": "v: play_all\n",
		"play/group_vars/b/x.yml": "v: play_b\n",
		"play/host_vars/h1.json":  `{"v": "play_host_json"}`,
	})
	inv, err := Load([]string{filepath.Join(dir, "inv/hosts")})
	if err != nil {
		t.Fatal(err)
	}
	h := inv.Host("h1")
	l, err := inv.HostVarLayers(h, []string{filepath.Join(dir, "play")})
	if err != nil {
		t.Fatal(err)
	}
	get := func(d *value.Dict, k string) any { v, _ := d.Get(k); return v }
	checks := []struct {
		layer *value.Dict
		want  any
	}{
		{l.AllInventory, "all"},
		// p (depth 1, priority 1), b (depth 1, priority 10), a (depth 2): a wins.
		{l.GroupsInventory, "a"},
		{l.AllPluginsInventory, "gv_all"},
		{l.AllPluginsPlay, "play_all"},
		{l.GroupsPluginsInventory, "gv_a"},
		{l.GroupsPluginsPlay, "play_b"},
		{l.Host, "host"},
		{l.HostPluginsPlay, "play_host_json"},
	}
	for i, c := range checks {
		if got := get(c.layer, "v"); got != c.want {
			t.Errorf("layer %d: v = %#v, want %#v", i, got, c.want)
		}
	}
	merged := l.Merged()
	if got := get(merged, "v"); got != "play_host_json" {
		t.Errorf("merged v = %#v", got)
	}
	if keys := merged.Keys(); keys[0] != "v" || keys[1] != "first" {
		t.Errorf("merged key order = %q", keys)
	}
	if names := []string{h.HostGroups()[0].Name, h.HostGroups()[1].Name, h.HostGroups()[2].Name}; !reflect.DeepEqual(names, []string{"p", "b", "a"}) {
		t.Errorf("HostGroups order = %q", names)
	}
}

func TestHostListAndLimit(t *testing.T) {
	dir := writeFiles(t, map[string]string{"limit": "b\n\nc\n"})
	inv, err := Load([]string{"a,b:2200,c"})
	if err != nil {
		t.Fatal(err)
	}
	if p, _ := inv.Host("b").Vars.Get("ansible_port"); p != 2200 {
		t.Errorf("b ansible_port = %#v", p)
	}
	if err := inv.SetLimit("@" + filepath.Join(dir, "limit")); err != nil {
		t.Fatal(err)
	}
	hs, err := inv.Hosts("all")
	if err != nil || !reflect.DeepEqual(hostNames(hs), []string{"b", "c"}) {
		t.Errorf("limited hosts = %q, %v", hostNames(hs), err)
	}
	if err := inv.SetLimit("@" + filepath.Join(dir, "nope")); err == nil || !strings.Contains(err.Error(), "Unable to find limit file") {
		t.Errorf("missing limit file err = %v", err)
	}
}

func TestImplicitLocalhost(t *testing.T) {
	inv, err := Load([]string{filepath.Join(t.TempDir(), "missing")})
	if err != nil {
		t.Fatal(err)
	}
	w := inv.Warnings.All()
	if len(w) != 2 || !strings.HasPrefix(w[0], "Unable to parse ") || w[1] != "No inventory was parsed, only implicit localhost is available" {
		t.Errorf("warnings = %q", w)
	}
	hs, err := inv.HostList("", "all")
	if err != nil || len(hs) != 0 {
		t.Errorf("HostList(all) = %v, %v", hs, err)
	}
	if w := inv.Warnings.Take(); !strings.HasPrefix(w[len(w)-1], "provided hosts list is empty") {
		t.Errorf("missing empty-hosts warning: %q", w)
	}
	hs, err = inv.HostList("", "localhost")
	if err != nil || len(hs) != 1 || !hs[0].Implicit {
		t.Fatalf("HostList(localhost) = %v, %v", hs, err)
	}
	if c, _ := hs[0].Vars.Get("ansible_connection"); c != "local" {
		t.Errorf("implicit localhost connection = %v", c)
	}
}

// TestNoPanics feeds malformed inputs to every parser; none may panic.
func TestNoPanics(t *testing.T) {
	inputs := []string{"", "[", "]", "[]", "[:]", "[a:b:c:d]", "h[", "h]", "h[1:2", "h[a:zz]", "h[9999999999:1]",
		"[g:children]\n[g]", "h1 =", "h1 a", "h1 'x", "\x00\xff\xfe", "---", "{]", "all: [", "all:\n  hosts: 5",
		"all:\n  children: [a]", "- a\n- b", "a: &x [*x]", "h[0:5:0]", "h[a:c:0]", "h[1:3:-1]", ":::", "[g:vars]\n=", "\n\n[",
		"h1 x=\"{'a': [1, {'b': (2,)}]}\"", "h1 x=[[[[[[[[[[", "h1 x=" + strings.Repeat("(", 500)}
	dir := t.TempDir()
	for i, in := range inputs {
		for _, ext := range []string{"", ".yml", ".ini", ".json"} {
			p := filepath.Join(dir, "f"+string(rune('a'+i%26))+ext)
			_ = os.WriteFile(p, []byte(in), 0o644)
			inv, err := Load([]string{p})
			if err == nil {
				for _, pat := range []string{in, "all", "~[", "[", "a[1:", "!", "&"} {
					_, _ = inv.Hosts(pat)
				}
			}
		}
		_, _ = pyLiteral(in)
		_, _ = shlexSplit(in)
		_, _, _, _ = expandHostPattern(in)
		_ = SplitPattern(in)
	}
}
