package template

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// diffExprs are templated by real ansible-playbook (debug: msg=...) and
// by Templar; results must match in value and type.
var diffExprs = []string{
	"{{ [1, none, 'a'] }}",
	"{{ d }}",
	"{{ d | to_json }}",
	"{{ d | to_nice_yaml }}",
	"{{ d | to_yaml }}",
	"{{ 2 ** 3 }}",
	"{{ 7 / 2 }}",
	"{{ '%05.1f|%-4s|%x' % (3.14159, 'ab', 255) }}",
	"{{ ('a' if n > 3 else 'b') | upper }}",
	"{{ 'a  b c'.split() }}",
	"{{ l | sort(reverse=true) }}",
	"{{ users | map(attribute='name') | list }}",
	"{{ d | dict2items }}",
	"{{ d.items() | list }}",
	"{{ [1, [2, [3, [4]]]] | flatten(levels=2) }}",
	"{{ 'x' ~ n ~ f }}",
	"{{ f * 2 }}",
	"{{ 0.1 + 0.2 }}",
	"{{ 1e20 }}",
	"{{ n is version('1.2', '>=') }}",
	"{{ 'Hello World' | regex_replace('(\\w+) (\\w+)', '\\2 \\1') }}",
	"{{ s | title }} and {{ s | capitalize }}",
	"{{ {'b': 2, 'a': 1} | combine({'c': 3}) }}",
	"{{ 'é' | to_json }}",
	"{{ range(1, 10, 3) | list }}",
	"{{ l | unique | length }}",
	"{{ '1' == 1 }}",
	"{{ True }}",
	"{{ users | selectattr('age', '>', 25) | list }}",
	"{{ 'secret' | password_hash('sha256', 'abcdefgh') }}",
	"{{ lookup('sequence', 'start=1 end=5 stride=2') }}",
	"{{ query('dict', d) }}",
	"{{ '/etc/hosts' is file }}",
	"{{ 10 | random(seed='x') is number }}",
	"{{ 'a,b' | split(',') | join('-') }}",
	"{{ 1048576 | human_readable }}",
	"{{ 'http://host:81/x' | urlsplit }}",
	"{{ 'a\\tb' }}",
	"{{ [3, 1] | max }} {{ none }}",
	"{{ [1,2] | zip(['a','b']) | list }}",
	"{{ d | dictsort }}",
	"{{ 'abc'[::-1] }}",
	"{{ l[1:] }}",
	"{{ (l | first) + (l | last) }}",
	"{{ n // 2 }} {{ -n // 2 }} {{ n % 3 }}",
	"{{ s | wordcount }}",
	"{{ 'yes' | bool }}",
	"{{ '5' | int + 1 }}",
	"{{ 'a b' | quote }}",
	"{{ {'a': none} }}",
	// filters (second batch)
	"{{ 'k8s v1.27.3 rel' | regex_search('v(\\d+)\\.(\\d+)', '\\1', '\\2') }}",
	"{{ 'a1b22c333' | regex_findall('([a-z])(\\d+)') }}",
	"{{ 'Hello' | regex_replace('L', 'x', ignorecase=true) }}",
	"{{ 'a.b*c' | regex_escape }}",
	"{{ none | ternary('t', 'f', 'n') }}",
	"{{ {'a': [1]} | combine({'a': [2]}, list_merge='append') }}",
	"{{ {'a': [1, 2]} | combine({'a': [2, 3]}, list_merge='prepend_rp') }}",
	"{{ [1, none, [2, none]] | flatten }}",
	"{{ ['A', 'a', 'b'] | unique }}",
	"{{ ['b', 'A', 'a'] | sort }}",
	"{{ ['b', 'A', 'a'] | sort(case_sensitive=true) }}",
	"{{ users | max(attribute='age') }}",
	"{{ users | min(attribute='age') }}",
	"{{ ['1', '2'] | map('int') | sum }}",
	"{{ [1, 2, 3, 4] | select('even') | list }}",
	"{{ [1, 2, 3, 4] | reject('gt', 2) | list }}",
	"{{ users | groupby('age') }}",
	"{{ [1, 2, 3, 4, 5] | batch(2, 'x') | list }}",
	"{{ [1, 2, 3, 4, 5] | slice(2) | list }}",
	"{{ 'a\nb\n\nc' | indent(2, first=true, blank=true) }}",
	"{{ 'hello world foo bar' | truncate(11) }}",
	"{{ 'hello world foo bar baz qux' | wordwrap(10) }}",
	"{{ 'x' | center(6) }}|",
	"{{ '%s=%d' | format('a', 3) }}",
	"{{ {'a b': 'c&d'} | urlencode }}",
	"{{ 'a b/c' | urlencode }}",
	"{{ {'id': 'x', 'n': none} | xmlattr }}",
	"{{ 123456789 | filesizeformat }} {{ 1024 | filesizeformat(true) }}",
	"{{ {'é': 'ü'} | to_nice_json }}",
	"{{ 'a: [1, {b: c}]\nd: yes' | from_yaml }}",
	"{{ 'x\ny' | comment('c') }}",
	"{{ 'x' | comment('cblock') }}",
	"{{ 'x' | comment('xml') }}",
	"{{ 'example.com' | to_uuid }}",
	"{{ 2048 | human_readable(unit='K') }} {{ 10 | human_readable(isbits=true) }}",
	"{{ '2 GB' | human_to_bytes }} {{ '1.5K' | human_to_bytes }}",
	"{{ 'https://user:pw@www.Example.com:8080/p/a?x=1&y=2#frag' | urlsplit }}",
	"{{ '%Y-%m-%d %H:%M:%S' | strftime(86400, utc=true) }}",
	"{{ ('2024-03-01 10:11:12' | to_datetime) }}",
	"{{ {'a': 1} | dict2items(key_name='k', value_name='v') }}",
	"{{ [{'k': 'a', 'v': 1}] | items2dict(key_name='k', value_name='v') }}",
	"{{ [1, 2] | zip_longest(['a'], fillvalue='-') | list }}",
	"{{ [1, 2] | product(['a', 'b']) | list }}",
	"{{ [1, 2, 3] | permutations(2) | list }}",
	"{{ [1, 2, 3] | combinations(2) | list }}",
	"{{ 'C:\\x\\y.txt' | win_basename }} {{ 'C:\\x\\y.txt' | win_dirname }} {{ 'C:\\x' | win_splitdrive }}",
	"{{ ['/a', 'b', 'c'] | path_join }}",
	"{{ 'a/b.tar.gz' | splitext }} {{ '.bashrc' | splitext }}",
	"{{ 'a,b,c' | split(',', 1) }}",
	"{{ '1.2.3' is version('1.2', 'gt') }} {{ '1.0.0-rc1' is version('1.0.0', 'lt', version_type='semver') }}",
	"{{ users | dictsort if false else {'b': 1, 'a': 2} | dictsort(by='value') }}",
	"{{ [1, 2] | sum(start=10) }}",
	"{{ 2.5 | round }} {{ 3.14159 | round(2, 'floor') }} {{ 2.1 | round(0, 'ceil') }}",
	"{{ '0x1A' | int(base=16) }} {{ '12abc' | int }} {{ 'x' | float(1.5) }}",
	"{{ 'y' | bool }} {{ 'no' | bool }} {{ 0 | bool }} {{ 'foo' | bool }}",
	"{{ 'hello wORLD-foo' | title }} {{ 'hello wORLD-foo'.title() }} {{ '5'.zfill(3) }}",
	"{{ 'abc'.startswith(('x', 'a')) }} {{ 'a-b-c'.rsplit('-', 1) }} {{ 'abc'.find('c') }}",
	"{{ '%(a)s-%(b)03d' % {'a': 'x', 'b': 7} }}",
	"{{ [1, 2, 3, 4, 5][::-2] }} {{ [1, 2, 3][-2:] }} {{ 'hello'[1:-1] }}",
	"{{ 'b' in 'abc' }} {{ 2 in {'2': 1} }} {{ (1, 2) == [1, 2] }}",
	"{{ 10 / 4 }} {{ 10 // 4 }} {{ -7 % 3 }} {{ 2 ** 0.5 }} {{ 10 / 5 }}",
	"{{ 1 == 1.0 }} {{ true == 1 }} {{ '1' != 1 }} {{ [1] < [2] }}",
	"{{ l | map('string') | map('regex_replace', '^', 'n') | list }}",
	"{{ users | selectattr('name', 'match', '^b') | map(attribute='age') | first }}",
	"{{ users | map(attribute='missing', default='dflt') | list }}",
	"{{ {'a': 1}.get('b', 'x') }} {{ {'a': 1}.keys() | list }} {{ {'a': 1}.values() | list }}",
	"{{ lookup('items', [1, 2]) }} {{ query('indexed_items', ['a']) }}",
	"{{ [3, 1, 2] | sort | first }} {{ 'abc' | list }} {{ 'abc' | reverse }}",
	"{{ 'x' | string }}{{ 1 | string }}{{ none | string }}",
	"{{ [] | max | default('empty') }}",
	"{{ 'a' * 3 }} {{ [0] * 2 }} {{ 'a' ~ none }}",
	"{{ namespace(x=1).x }}",
	"{{ 'Über' | upper }} {{ 'ÀB' | lower }} {{ 'abc' | length }} {{ 'ü' | length }}",
	"{{ 1e3 }} {{ 1.0e-7 }} {{ 123.456e5 }} {{ 0.1 * 3 }} {{ 1/3 }}",
	"{{ ['a', 'b'] | join }} {{ [1, [2]] | join(',') }}",
	"{{ 'a b' | replace(' ', '') }} {{ 'aaa' | replace('a', 'b', 2) }}",
	"{{ '  x  ' | trim }}|{{ 'xxaxx' | trim('x') }}",
	"{{ '{\"a\": 1.0, \"b\": [true, null, \"s\"]}' | from_json }}",
	"{{ [1, 2] | to_json }} {{ 'x' | to_json }} {{ none | to_json }} {{ 1.5 | to_json }}",
	"{{ {'b': {'c': 1}, 'a': [1, {'d': none}]} | to_yaml }}",
	"{{ [{'a': 1}, [1, 2], 'x'] | to_nice_yaml }}",
	"{{ 'multi\nline' | to_yaml }} {{ 'key: val' | to_yaml }} {{ '' | to_yaml }}",
	"{{ [1, 2] | intersect([2]) | length }} {{ [[1]] | first | first }}",
}

// diffErrors fail in ansible-playbook; the message (before the source
// snippet) must equal ours.
var diffErrors = []string{
	"{{ nope }}",
	"{{ d.missing }}",
	"{{ d.zeta.y }}",
	"{{ l[10] }}",
	"{{ 1 + }}",
	"{{ 1 + 'a' }}",
	"{{ d | nofilter }}",
	"{{ d is notest }}",
	"{{ nested_undef }}",
	"{{ undef_x | mandatory }}",
	"{% if %}{% endif %}",
	"{{ lookup('file', '/nonexistent/x') }}",
	"{{ nope.attr | default('x') }}{{ other_undef }}",
	"{% if true %}x",
	"{% for x in l %}{% endif %}",
	"{% endif %}",
	"{% for x in l %}{% break %}{% endfor %}",
	"{% foo %}",
	"{% if n %}{% else %}{% elif n %}{% endif %}",
	"{{ l | map('nofilter') | list }}",
	"{{ 'a' is nosuchtest }}",
	"{{ 'x' }",
	"{{ }}",
	"{{ 1 2 }}",
	"{{ l[ }}",
	"{{ f(1) }}",
	"{{ n.split() }}",
	"{{ [1] + 'a' }}",
	"{{ {'a': 1} | combine([1]) }}",
	"{{ 'abc' | regex_search }}",
}

// diffConds are `when:` conditions; ansible's skip/run decision or error
// message must equal ours.
var diffConds = []string{
	"flag_str",
	"flag_bool",
	"n > 3 and s is search('wor')",
	"nope is defined and nope",
	"nope is not defined",
	"nope == 1",
	"'{{ s }}' in l",
	"l | length > 3",
	"d.zeta == 1",
	"users | selectattr('age', 'gt', 25) | list | length == 1",
	"res|failed",
	"res is failed",
	"s is match('\\w+ \\w+')",
	"none_var is none",
	"'hello' in s",
	"{{ flag_bool }}",
	"n is version('4', '>=')",
	"n > 'a'",
	"{{ n }} > 3",
	"missing_var | default(false)",
	"s",
	"''",
	"l",
	"res.changed or res.failed",
	"not res.changed and n == 5",
	"n in [1, 5] and 'x' not in l",
	"d | length == 2",
	"s | regex_search('wor')",
}

func diffVars() *value.Dict {
	return value.DictOf(
		"n", 5, "f", 1.5, "s", "hello world", "l", []any{3, 1, 2, 1},
		"d", value.DictOf("zeta", 1, "alpha", []any{true, nil}),
		"users", []any{value.DictOf("name", "bob", "age", 30), value.DictOf("name", "al", "age", 20)},
		"nested_undef", "{{ nope2 }}", "flag_str", "false", "flag_bool", false, "none_var", nil,
		"res", value.DictOf("failed", true, "changed", false),
	)
}

// requireAnsible skips a differential test when ansible-playbook is not
// installed or in -short mode.
func requireAnsible(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("ansible-playbook"); err != nil {
		t.Skip("ansible-playbook not installed")
	}
	if testing.Short() {
		t.Skip("differential test skipped in -short mode")
	}
}

// runPlaybookJSON runs tasks (YAML list items indented by two spaces) in
// a localhost play with vars, from dir, with ansible-playbook's json
// callback, and returns the parsed output.
func runPlaybookJSON(t *testing.T, dir string, vars *value.Dict, tasks string) any {
	t.Helper()
	varsJSON, _ := toJSON(vars, pyfmt.JSONOptions{})
	pb := "- hosts: localhost\n  gather_facts: false\n  vars: " + varsJSON + "\n  tasks:\n" + tasks
	pbPath := filepath.Join(dir, "pb.yml")
	if err := os.WriteFile(pbPath, []byte(pb), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("ansible-playbook", "-i", "localhost,", "-c", "local", pbPath)
	cmd.Env = append(os.Environ(), "ANSIBLE_STDOUT_CALLBACK=json", "ANSIBLE_NOCOLOR=1", "ANSIBLE_DEPRECATION_WARNINGS=0", "ANSIBLE_LOCALHOST_WARNING=0")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ansible-playbook: %v\n%s", err, out)
	}
	res, err := pyfmt.ParseJSON(string(out))
	if err != nil {
		t.Fatalf("parse json output: %v", err)
	}
	return res
}

func TestDifferentialAnsible(t *testing.T) {
	requireAnsible(t)
	dir := t.TempDir()
	var pb strings.Builder
	for _, e := range diffExprs {
		q, _ := toJSON(e, pyfmt.JSONOptions{})
		pb.WriteString("  - debug:\n      msg: " + q + "\n    ignore_errors: true\n")
	}
	for _, e := range diffErrors {
		q, _ := toJSON(e, pyfmt.JSONOptions{})
		pb.WriteString("  - debug:\n      msg: " + q + "\n    ignore_errors: true\n")
	}
	for _, c := range diffConds {
		q, _ := toJSON(c, pyfmt.JSONOptions{})
		pb.WriteString("  - debug:\n      msg: ran\n    when: " + q + "\n    ignore_errors: true\n")
	}
	res := runPlaybookJSON(t, dir, diffVars(), pb.String())
	tasks := pathGet(res, "plays", 0, "tasks").([]any)
	tpl := New(Options{})
	vars := dictVars(diffVars())
	pass := 0
	for i, e := range diffExprs {
		want := pathGet(tasks[i], "hosts", "localhost", "msg")
		got, err := tpl.Template(e, vars)
		if truthy(pathGet(tasks[i], "hosts", "localhost", "failed")) {
			w, _, _ := strings.Cut(toStr(want), "\n\nThe error appears")
			if err == nil || ArgsError(err, true) != w {
				t.Errorf("%s:\n got %s, %v\nwant error %s", e, pyfmt.Repr(got), err, w)
				continue
			}
			pass++
			continue
		}
		if err != nil {
			t.Errorf("%s: error %v (ansible: %s)", e, err, pyfmt.Repr(want))
			continue
		}
		if strings.Contains(e, "password_hash") || strings.Contains(e, "is number") || strings.Contains(e, "is file") {
			// compared verbatim too: deterministic with the given salt/seed.
		}
		if !strictEqual(normalizeJSON(got), want) {
			t.Errorf("%s:\n got %s (%s)\nwant %s (%s)", e, pyfmt.Repr(got), pyType(got), pyfmt.Repr(want), pyType(want))
			continue
		}
		pass++
	}
	for i, e := range diffErrors {
		res := tasks[len(diffExprs)+i]
		want := toStr(pathGet(res, "hosts", "localhost", "msg"))
		want, _, _ = strings.Cut(want, "\n\nThe error appears")
		_, err := tpl.Template(e, vars)
		if err == nil {
			t.Errorf("%s: no error, ansible: %s", e, want)
			continue
		}
		if got := ArgsError(err, true); got != want {
			t.Errorf("%s:\n got error %s\nwant error %s", e, got, want)
			continue
		}
		pass++
	}
	for i, c := range diffConds {
		res := pathGet(tasks[len(diffExprs)+len(diffErrors)+i], "hosts", "localhost")
		got, err := tpl.Cond([]any{c}, vars)
		if truthy(pathGet(res, "failed")) {
			want, _, _ := strings.Cut(toStr(pathGet(res, "msg")), "\n\nThe error appears")
			if err == nil || err.Error() != want {
				t.Errorf("when %s:\n got %v, %v\nwant error %s", c, got, err, want)
				continue
			}
		} else {
			want := !truthy(pathGet(res, "skipped"))
			if err != nil || got != want {
				t.Errorf("when %s: got %v, %v; ansible ran=%v", c, got, err, want)
				continue
			}
		}
		pass++
	}
	total := len(diffExprs) + len(diffErrors) + len(diffConds)
	t.Logf("differential: %d/%d expressions, errors and conditions match ansible-playbook", pass, total)
}

// normalizeJSON maps values the way JSON output would show them.
func normalizeJSON(v any) any {
	s, err := toJSON(v, pyfmt.JSONOptions{})
	if err != nil {
		return v
	}
	r, err := pyfmt.ParseJSON(s)
	if err != nil {
		return v
	}
	return r
}

func pathGet(v any, path ...any) any {
	for _, p := range path {
		switch k := p.(type) {
		case int:
			l, _ := v.([]any)
			if k >= len(l) {
				return nil
			}
			v = l[k]
		case string:
			_, get := dictView(v)
			if get == nil {
				return nil
			}
			v, _ = get(k)
		}
	}
	return v
}
