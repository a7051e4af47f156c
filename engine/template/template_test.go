package template

import (
	"fmt"
	"strings"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

func testVars() MapVars {
	return MapVars{
		"s":      "Hello World",
		"n":      7,
		"f":      2.5,
		"l":      []any{3, 1, 2},
		"names":  []any{"b", "a", "c"},
		"d":      value.DictOf("z", 1, "a", 2),
		"users":  []any{value.DictOf("name", "bob", "age", 30), value.DictOf("name", "al", "age", 20)},
		"none":   nil,
		"t":      true,
		"hosts":  []any{"h1", "h2"},
		"res":    value.DictOf("changed", true, "failed", false, "rc", 0),
		"nested": "{{ s | lower }}",
	}
}

// TestExpressions checks filters, tests, operators and methods against
// Python/Ansible results (each expected value as Ansible prints it).
func TestExpressions(t *testing.T) {
	tpl := New(Options{BaseDir: "testdata"})
	cases := []struct{ in, want string }{
		// rendering and types
		{"{{ [1, none, 'a'] }}", "[1, None, 'a']"},
		{"{{ {'b': 1, 'a': [true, None]} }}", "{'b': 1, 'a': [True, None]}"},
		{"x{{ 1.0 }}", "x1.0"},
		{"x{{ 2 ** 3 }}", "x8"},
		{"x{{ 2 ** -1 }}", "x0.5"},
		{"x{{ 7 % 3 }} {{ -7 // 2 }}", "x1 -4"},
		{"x{{ '%s' % 'a' }} {{ '%.2f' % 3.14159 }} {{ '%05d' % 42 }}", "xa 3.14 00042"},
		{"x{{ ('a' if t else 'b') | upper }}", "xA"},
		{"x{{ 'a b  c'.split() | length }}", "x3"},
		{"x{{ 'a-b'.replace('-', '+') }}", "xa+b"},
		{"x{{ 1 in [1, 2] }} {{ 'z' in d }}", "xTrue True"},
		{"x{{ d.keys() | list }}", "x['z', 'a']"},
		{"{% for k, v in d.items() %}{{ k }}{{ v }}{% endfor %}", "z1a2"},
		{"x{{ nested }}", "xhello world"},
		{"x{{ s[0:5] }} {{ l[::-1] }}", "xHello [2, 1, 3]"},
		{"x{{ none }}", "x"},
		{"x{{ [none] }}", "x[None]"},
		{"x{{ 'abc' ~ 1 }}", "xabc1"},
		{"{% for k, v in {'a': none, 'b': 0}.items() %}{{ k }}={{ v }};{% endfor %}", "a=;b=0;"},
		{"{% for x in [1, 2, 3] %}{{ loop.index0 }}{{ loop.revindex0 }}{{ loop.length }}{% if loop.first %}F{% endif %},{% endfor %}", "023F,113,203,"},
		{"{% for a in [1, 2] %}{% for b in [3] %}{{ loop.depth }}{{ a }}{{ b }}{% endfor %}{% endfor %}", "113123"}, // Jinja2: depth counts recursive loop calls only,
		{"{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", "1"},
		{"x{{ dict(['a', 'b'] | zip([1, 2])) }} {{ dict([['k', 'v']], z=0) }}", "x{'a': 1, 'b': 2} {'k': 'v', 'z': 0}"},
		// filters
		{"x{{ l | sort }}", "x[1, 2, 3]"},
		{"x{{ l | max }} {{ l | min }} {{ l | sum }}", "x3 1 6"},
		{"x{{ names | sort | join(',') }}", "xa,b,c"},
		{"x{{ users | map(attribute='name') | join(' ') }}", "xbob al"},
		{"x{{ users | selectattr('age', 'gt', 25) | map(attribute='name') | list }}", "x['bob']"},
		{"x{{ [1, [2, [3]]] | flatten }}", "x[1, 2, 3]"},
		{"x{{ [1, [2, [3]]] | flatten(levels=1) }}", "x[1, 2, [3]]"},
		{"x{{ [1, 2] | union([2, 3]) }} {{ [1, 2] | symmetric_difference([2, 3]) }}", "x[1, 2, 3] [1, 3]"},
		{"x{{ d | dict2items }}", "x[{'key': 'z', 'value': 1}, {'key': 'a', 'value': 2}]"},
		{"x{{ {'a': {'b': 1, 'l': [1]}} | combine({'a': {'c': 2, 'l': [2]}}, recursive=True, list_merge='append') }}", "x{'a': {'b': 1, 'l': [1, 2], 'c': 2}}"},
		{"x{{ [1, 2] | zip(['a', 'b']) | list }}", "x[(1, 'a'), (2, 'b')]"},
		{"x{{ (1,) }} {{ (1, 2)[1:] }} {{ '%s' % [1] }}", "x(1,) (2,) [1]"},
		{"x{{ d | to_json }}", `x{"z": 1, "a": 2}`},
		{"x{{ d | to_nice_json }}", "x{\n    \"a\": 2,\n    \"z\": 1\n}"},
		{"x{{ 'é' | to_json }}", `x"\u00e9"`},
		{"x{{ {'a': [1, 2]} | to_yaml }}", "xa: [1, 2]\n"},
		{"x{{ 'a: [1, 2]' | from_yaml }}", "x{'a': [1, 2]}"},
		{"x{{ 'abc' | b64encode | b64decode }}", "xabc"},
		{"x{{ 'abc' | hash('sha256') }}", "xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
		{"x{{ 'abc' | checksum }}", "xa9993e364706816aba3e25717850c26c9cd0d89d"},
		{"x{{ '/a/b/c.txt' | dirname }} {{ '/a/b/c.txt' | splitext }}", "x/a/b ('/a/b/c', '.txt')"},
		{"x{{ 'it is' | quote }}", "x'it is'"},
		{"x{{ 'ab12cd' | regex_findall('[0-9]') }}", "x['1', '2']"},
		{"x{{ 'a.b' | regex_escape }}", `xa\.b`},
		{"x{{ 'foo bar' | regex_replace('(\\w+) (\\w+)', '\\2 \\1') }}", "xbar foo"},
		{"x{{ 'yes' | bool }} {{ 'off' | bool }}", "xTrue False"},
		{"x{{ '3.7' | float }} {{ '0x1F' | int(base=16) }}", "x3.7 31"},
		{"x{{ 1048576 | human_readable }}", "x1.00 MB"},
		{"x{{ '1K' | human_to_bytes }}", "x1024"},
		{"x{{ 'http://u:p@Host:8080/p?q=1#f' | urlsplit('hostname') }}", "xhost"},
		{"x{{ 'a' | comment }}", "x#\n# a\n#"},
		{"x{{ t | ternary('y', 'n') }}", "xy"},
		{"x{{ [1, 2, 1] | unique }}", "x[1, 2]"},
		{"x{{ 'abc' | center(7) }}x", "x  abc  x"},
		{"x{{ 'a\nb' | indent(2) }}", "xa\n  b"},
		{"x{{ n | type_debug }} {{ s | type_debug }}", "xint str"},
		{"x{{ ['a', 'b'] | map('extract', {'a': 1, 'b': 2}) | list }}", "x[1, 2]"},
		{"x{{ [3, 4] | batch(1) | list }}", "x[[3], [4]]"},
		{"x{{ users | groupby('age') | map('first') | list }}", "x[20, 30]"},
		{"x{{ 3.14159 | round(2) }} {{ -3 | abs }}", "x3.14 3"},
		{"x{{ '%Y' | strftime(0, utc=true) }}", "x1970"},
		// tests
		{"x{{ '1.10' is version('1.9', '>') }} {{ '1.2' is version('1.2', 'eq') }}", "xTrue True"},
		{"x{{ res is changed }} {{ res is failed }} {{ res is success }}", "xTrue False True"},
		{"x{{ 'abc' is match('a') }} {{ 'abc' is search('c$') }}", "xTrue True"},
		{"x{{ n is number }} {{ f is float }} {{ none is none }} {{ d is mapping }}", "xTrue True True True"},
		{"x{{ nope is undefined }} {{ [1] is subset([1, 2]) }}", "xTrue True"},
		{"x{{ [true, false] is any }} {{ [true, false] is all }}", "xTrue False"},
		// lookups
		{"x{{ lookup('file', 'hello.txt') }}", "xhello file"},
		{"x{{ lookup('csvfile', 'k2 file=data.csv delimiter=,') }}", "xv2"},
		{"x{{ lookup('ini', 'user section=sec file=conf.ini') }}", "xbob"},
		{"x{{ query('sequence', 'start=1 end=3 format=n%d') }}", "x['n1', 'n2', 'n3']"},
		{"x{{ lookup('template', 'list.j2') }}", "xh1\nh2\n"},
		{"x{{ query('items', [1, [2]]) }}", "x[1, 2]"},
		{"x{{ lookup('list', 'a', 'b') }}", "xa,b"},
		{"x{{ query('nested', ['a'], [1, 2]) }}", "x[['a', 1], ['a', 2]]"},
		{"x{{ query('together', [1, 2], ['a']) }}", "x[[1, 'a'], [2, None]]"},
		{"x{{ lookup('vars', 'n') }}", "x7"},
		{"x{{ lookup('pipe', 'echo hi') }}", "xhi"},
		{"x{{ lookup('first_found', ['missing.txt', 'hello.txt']) | basename }}", "xhello.txt"},
		{"x{{ lookup('config', 'DEFAULT_BECOME_USER') }}", "xroot"},
	}
	for _, c := range cases {
		got, err := tpl.String(c.in, testVars())
		if err != nil {
			t.Errorf("%s: error %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

// TestTemplateTypes checks Ansible's type conversion of results.
func TestTemplateTypes(t *testing.T) {
	tpl := New(Options{})
	vars := testVars()
	cases := []struct {
		in   any
		want string // repr of the result
		typ  string
	}{
		{"{{ n }}", "7", "int"},
		{"{{ n }}\n", "7", "int"}, // Python's "$" in SINGLE_VAR matches before a final newline
		{"{{ n }}\n\n", "'7\\n\\n'", "str"},
		{"{{ s }}\n", "'Hello World\\n'", "str"},
		{"{{ n + 1 }}", "'8'", "str"},
		{"{{ l }}", "[3, 1, 2]", "list"},
		{"{{ t }}", "True", "bool"},
		{"{{ 1 == 1 }}", "True", "bool"},
		{"{{ d | to_json }}", `'{"z": 1, "a": 2}'`, "str"},
		{"{{ none }}", "None", "none"},
		{"plain", "'plain'", "str"},
		{[]any{"{{ n }}", value.DictOf("k", "{{ s }}")}, "[7, {'k': 'Hello World'}]", "list"},
		{value.Unsafe("{{ n }}"), "'{{ n }}'", "AnsibleUnsafeText"},
	}
	for _, c := range cases {
		got, err := tpl.Template(c.in, vars)
		if err != nil {
			t.Errorf("%v: %v", c.in, err)
			continue
		}
		if pyfmt.Repr(got) != c.want || typeName(got) != c.typ && pyType(got) != c.typ {
			t.Errorf("%v: got %s (%s), want %s (%s)", c.in, pyfmt.Repr(got), typeName(got), c.want, c.typ)
		}
	}
	if v, err := tpl.Template("{{ lookup('pipe', 'echo {{ n }}') }}", vars); err != nil || v != value.Unsafe("{{ n }}") {
		t.Errorf("lookup result must be unsafe: got %#v, %v", v, err)
	}
	if v, err := tpl.Template("{{ omit }}", vars); err != nil || v != Omit {
		t.Errorf("omit: got %v, %v", v, err)
	}
	if v, err := tpl.Template("{{ undefined_x | default(omit) }}", vars); err != nil || v != Omit {
		t.Errorf("default(omit): got %v, %v", v, err)
	}
}

// TestErrors checks Ansible's error messages.
func TestErrors(t *testing.T) {
	tpl := New(Options{})
	vars := testVars()
	cases := []struct{ in, want string }{
		{"{{ nope }}", "'nope' is undefined"},
		{"{{ d.nope }}", "'dict object' has no attribute 'nope'"},

		{"{{ 'x' | nofilter }}", `template error while templating string: Could not load "nofilter": 'nofilter'. String: {{ 'x' | nofilter }}. Could not load "nofilter": 'nofilter'`},
		{"{{ 1 + 'a' }}", "Unexpected templating type error occurred on ({{ 1 + 'a' }}): unsupported operand type(s) for +: 'int' and 'str'. unsupported operand type(s) for +: 'int' and 'str'"},
		{"{{ 1 + }}", "template error while templating string: unexpected 'end of print statement'. String: {{ 1 + }}. unexpected 'end of print statement'"},
		{"{{ l[5] }}", "list object has no element 5"},
		{"{{ undef_x | mandatory }}", "Mandatory variable 'undef_x'  not defined."},
		{"{{ [1] | combine({}) }}", "failed to combine variables, expected dicts but got a 'int' and a 'dict': \n1\n{}"},
		{"{{ {'a': 1} | combine(2, {'b': 3}) }}", "failed to combine variables, expected dicts but got a 'int' and a 'dict': \n2\n{\"b\": 3}"},
	}
	for _, c := range cases {
		_, err := tpl.Template(c.in, vars)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s: got %v, want %s", c.in, err, c.want)
		}
	}
	_, err := tpl.Template("{{ nope }}", vars)
	if _, ok := err.(*UndefinedError); !ok {
		t.Errorf("want *UndefinedError, got %T", err)
	}
}

// TestCond checks when: semantics.
func TestCond(t *testing.T) {
	var warnings []string
	tpl := New(Options{Warn: func(s string) { warnings = append(warnings, s) }})
	vars := MapVars{"flag": "false", "b": false, "x": 3, "items": []any{"a"}}
	cases := []struct {
		conds []any
		want  bool
	}{
		{[]any{"flag"}, true},
		{[]any{"b"}, false},
		{[]any{"x > 2", "x < 5"}, true},
		{[]any{"x > 2", "x > 5"}, false},
		{[]any{true, "'a' in items"}, true},
		{[]any{"nope is defined and nope"}, false},
		{[]any{"nope is not defined"}, true},
		{[]any{"{{ x }} == 3"}, true},
		{[]any{"x is divisibleby(3)"}, true},
	}
	for _, c := range cases {
		got, err := tpl.Cond(c.conds, vars)
		if err != nil || got != c.want {
			t.Errorf("%v: got %v, %v; want %v", c.conds, got, err, c.want)
		}
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "conditional statements should not include jinja2 templating delimiters such as {{ }} or {% %}. Found: {{ x }} == 3") {
		t.Errorf("warnings: %q", warnings)
	}
	_, err := tpl.Cond([]any{"nope == 1"}, vars)
	want := "The conditional check 'nope == 1' failed. The error was: error while evaluating conditional (nope == 1): 'nope' is undefined. 'nope' is undefined"
	if err == nil || err.Error() != want {
		t.Errorf("undefined in cond: %v", err)
	}
}

// TestRender checks template-module rendering.
func TestRender(t *testing.T) {
	tpl := New(Options{})
	vars := MapVars{"hosts": []any{"a", "b"}}
	cases := []struct {
		text string
		opts RenderOptions
		want string
	}{
		{"{% for h in hosts %}\n{{ h }}\n{% endfor %}\n", RenderOptions{}, "a\nb\n"},
		{"{% for h in hosts %}\n{{ h }}\n{% endfor %}\n", RenderOptions{NoTrimBlocks: true}, "\na\n\nb\n"},
		{"  {% if true %}\nx\n  {% endif %}\n", RenderOptions{LStripBlocks: true}, "x\n"},
		{"[[ hosts[0] ]]\n", RenderOptions{VariableStart: "[[", VariableEnd: "]]"}, "a\n"},
		{"#jinja2: variable_start_string:'<<', variable_end_string:'>>'\n<< hosts[1] >>", RenderOptions{}, "b"},
		{"{{ hosts }}\n\n", RenderOptions{}, "['a', 'b']\n\n"},
		{"a\nb\n", RenderOptions{NewlineSequence: "\r\n"}, "a\r\nb\r\n"},
	}
	for _, c := range cases {
		got, err := tpl.Render(c.text, vars, c.opts)
		if err != nil || got != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.text, got, err, c.want)
		}
	}
}

// TestLookupList checks with_<lookup> expansion.
func TestLookupList(t *testing.T) {
	tpl := New(Options{})
	vars := MapVars{"users": []any{value.DictOf("name", "a", "keys", []any{"k1", "k2"})}, "groups": value.DictOf("all", []any{"h1", "h2", "h3"}, "web", []any{"h1", "h2"}, "db", []any{"h2"})}
	got, err := tpl.LookupList("subelements", []any{"{{ users }}", "keys"}, vars)
	if err != nil || len(got) != 2 || pyfmt.Repr(got[1]) != "({'name': 'a'}, 'k2')" {
		t.Errorf("subelements: %s %v", pyfmt.Repr(got), err)
	}
	got, err = tpl.LookupList("inventory_hostnames", "web:!db", vars)
	if err != nil || pyfmt.Repr(got) != "['h1']" {
		t.Errorf("inventory_hostnames: %s %v", pyfmt.Repr(got), err)
	}
	got, err = tpl.LookupList("dict", "{{ {'a': 1} }}", vars)
	if err != nil || pyfmt.Repr(got) != "[{'key': 'a', 'value': 1}]" {
		t.Errorf("dict: %s %v", pyfmt.Repr(got), err)
	}
	got, err = tpl.LookupList("indexed_items", []any{"a", "b"}, vars)
	if err != nil || pyfmt.Repr(got) != "[(0, 'a'), (1, 'b')]" {
		t.Errorf("indexed_items: %s %v", pyfmt.Repr(got), err)
	}
	if _, err := tpl.LookupList("url", "http://example.invalid/", vars); err == nil {
		t.Errorf("url lookup should fail without network")
	}
}

// TestLegacyTestFilters checks the opt-in pre-2.9 `result|failed` forms.
func TestLegacyTestFilters(t *testing.T) {
	var deps []string
	vars := MapVars{"r": value.DictOf("failed", true, "changed", false)}
	strict := New(Options{})
	if _, err := strict.Cond([]any{"r|failed"}, vars); err == nil || !strings.Contains(err.Error(), `Could not load "failed"`) {
		t.Errorf("default must reject r|failed like ansible 2.14, got %v", err)
	}
	legacy := New(Options{LegacyTestFilters: true, Deprecate: func(s string) { deps = append(deps, s) }})
	for _, c := range []struct {
		cond string
		want bool
	}{{"r|failed", true}, {"r|success", false}, {"r|changed", false}, {"r|skipped", false}} {
		got, err := legacy.Cond([]any{c.cond}, vars)
		if err != nil || got != c.want {
			t.Errorf("%s: got %v, %v", c.cond, got, err)
		}
	}
	if len(deps) != 4 || !strings.Contains(deps[0], "result is failed") {
		t.Errorf("deprecations: %q", deps)
	}
}

// lazyHost is a Mapping whose values are templated when read.
type lazyHost struct{ d *value.Dict }

func (l lazyHost) Get(k string) (any, bool) { return l.d.Get(k) }
func (l lazyHost) Keys() []string           { return l.d.Keys() }
func (l lazyHost) LazyTemplated()           {}

// TestLazyMapping checks that Mapping values are templated on access and
// that `in`, iteration and filters work on them.
func TestLazyMapping(t *testing.T) {
	tpl := New(Options{})
	hv := lazyHost{value.DictOf("h1", value.DictOf("ip", "{{ base }}.1"), "h2", value.DictOf("ip", "{{ base }}.2"))}
	vars := MapVars{"hostvars": hv, "base": "10.0.0"}
	cases := []struct{ in, want string }{
		{"{{ hostvars['h2'].ip }}", "10.0.0.2"},
		{"{{ 'h1' in hostvars }}", "True"},
		{"{{ hostvars | list }}", "['h1', 'h2']"},
		{"{{ ['h1', 'h2'] | map('extract', hostvars, 'ip') | join(',') }}", "10.0.0.1,10.0.0.2"},
		{"{% for h in hostvars %}{{ hostvars[h]['ip'] }};{% endfor %}", "10.0.0.1;10.0.0.2;"},
		{"{{ hostvars.h3 is defined }}", "False"},
	}
	for _, c := range cases {
		got, err := tpl.String(c.in, vars)
		if err != nil || got != c.want {
			t.Errorf("%s: got %q, %v; want %q", c.in, got, err, c.want)
		}
	}
}

// TestVarsMapping checks that `vars` holds the raw, untemplated values.
func TestVarsMapping(t *testing.T) {
	tpl := New(Options{})
	vars := MapVars{"s": "x", "d2": value.DictOf("k", "{{ s }}"), "item": "s"}
	got, err := tpl.Template("{{ vars['s'] }} {{ 's' in vars }} {{ vars.d2.k }} {{ item in vars }}", vars)
	if err != nil || got != value.Unsafe("x True {{ s }} True") && got != "x True {{ s }} True" {
		t.Errorf("got %#v, %v", got, err)
	}
}

// TestConcurrent renders from many goroutines with one Templar.
func TestConcurrent(t *testing.T) {
	tpl := New(Options{})
	done := make(chan error, 8)
	for g := 0; g < 8; g++ {
		go func(g int) {
			vars := MapVars{"n": g, "l": []any{1, 2, 3}}
			for i := 0; i < 50; i++ {
				got, err := tpl.Render("{% for x in l %}{{ x * n }},{% endfor %}", vars, RenderOptions{})
				if err != nil {
					done <- err
					return
				}
				if want := pyfmt.Repr(g) + "," + pyfmt.Repr(2*g) + "," + pyfmt.Repr(3*g) + ","; got != want {
					done <- fmt.Errorf("got %q want %q", got, want)
					return
				}
			}
			done <- nil
		}(g)
	}
	for g := 0; g < 8; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// TestPasswordLookup checks generation, persistence and length/chars options.
func TestPasswordLookup(t *testing.T) {
	tpl := New(Options{})
	p := t.TempDir() + "/pw/secret"
	first, err := tpl.String("{{ lookup('password', '"+p+" length=12 chars=digits') }}", nil)
	if err != nil || len(first) != 12 || strings.Trim(first, "0123456789") != "" {
		t.Fatalf("got %q, %v", first, err)
	}
	again, err := tpl.String("{{ lookup('password', '"+p+" length=12 chars=digits') }}", nil)
	if err != nil || again != first {
		t.Errorf("password not persisted: %q vs %q (%v)", again, first, err)
	}
	tmp, err := tpl.String("{{ lookup('password', '/dev/null length=5') }}", nil)
	if err != nil || len(tmp) != 5 {
		t.Errorf("/dev/null password: %q, %v", tmp, err)
	}
}

// TestGoTypes checks that plain Go values from callers are accepted.
func TestGoTypes(t *testing.T) {
	tpl := New(Options{})
	vars := MapVars{"m": map[string]any{"b": []string{"x", "y"}, "a": int64(3)}, "u": uint(2), "f": float32(1.5)}
	got, err := tpl.String("{{ m.b | join(',') }} {{ m.a + u }} {{ f }} {{ m }}", vars)
	if err != nil || got != "x,y 5 1.5 {'a': 3, 'b': ['x', 'y']}" {
		t.Errorf("got %q, %v", got, err)
	}
}

// TestBadInputNoPanic feeds malformed templates; each must return an error
// or a value, never panic.
func TestBadInputNoPanic(t *testing.T) {
	tpl := New(Options{})
	inputs := []string{"{{", "}}", "{%", "{% for %}", "{% for x in %}{% endfor %}", "{{ ( }}", "{{ [1, }}", "{{ {1: }}",
		"{{ 'a' | }}", "{{ x is }}", "{{ 1 if }}", "{% set %}", "{% macro %}", "{% include %}", "{{ '\\x' }}",
		"{{ a.b.c[1][2]() }}", "{{ range(10**9) | list }}", "{{ 'a' * -1 }}", "{% raw %}", "{# x", "{{ 1 / 0 }}",
		"{{ [] | first | upper }}", "{% for a, b, c in [1] %}{% endfor %}", "{{ lookup() }}", "{{ query('nosuch') }}"}
	for _, in := range inputs {
		func() {
			defer func() {
				if r := recover(); r != nil {
					t.Errorf("%q panicked: %v", in, r)
				}
			}()
			tpl.Template(in, MapVars{"x": 1})
			tpl.Render(in, MapVars{"x": 1}, RenderOptions{})
			tpl.Cond([]any{in}, MapVars{"x": 1})
		}()
	}
}

func TestSingleVar(t *testing.T) {
	for _, s := range []string{"{{ x }}", "{{x}}", "{{ x }}\n", "{{ x }}\n\n", "{{ x.y }}", "{{ }}", " {{ x }}", "{{ x }} ", "{{\tx_1\n}}", "{{ é }}", "{{ x }", "{{", "{{ a b }}", "{{ x }}}"} {
		m := singleVarRe.FindStringSubmatch(s)
		name, ok := singleVar(s)
		if ok != (m != nil) || ok && name != m[1] {
			t.Errorf("singleVar(%q) = %q, %v; regexp gives %q", s, name, ok, m)
		}
	}
}

func TestMaybeTemplate(t *testing.T) {
	for _, s := range []string{"", "{", "}", "a{", "{{", "x {% y", "{#", "{ {", "a{b{c", "{x{{", "{}", "}}{{"} {
		slow := strings.Contains(s, "{{") || strings.Contains(s, "{%") || strings.Contains(s, "{#")
		if got := maybeTemplate(s); got != slow {
			t.Errorf("maybeTemplate(%q) = %v, want %v", s, got, slow)
		}
	}
}
