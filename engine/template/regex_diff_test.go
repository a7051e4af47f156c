package template

import (
	"strings"
	"testing"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// regexExprs exercise the regex filters and tests, including patterns
// that need the backtracking fallback (lookarounds, backreferences).
var regexExprs = []string{
	`{{ 'foo=1 #foo=2' | regex_replace('(?<!#)foo', 'bar') }}`,
	`{{ 'port=80px port=90' | regex_replace('(?<=port=)(\d+)(?!px)', '\g<1>0') }}`,
	`{{ 'hello bookkeeper' | regex_replace('(\w)\1', '<\1>') }}`,
	`{{ 'a=a b=c cc=cc' | regex_replace('(?P<k>\w+)=(?P=k)', '\g<k>') }}`,
	`{{ 'abxd' | regex_replace('x*', '-') }}`,
	`{{ 'abc' | regex_replace('', '.') }}`,
	`{{ 'line1\nline2\n' | regex_replace('^(?!line1)(\w+)$', '[\1]', multiline=True) }}`,
	`{{ 'ABC abc' | regex_replace('b(?=c)', 'X', ignorecase=True) }}`,
	`{{ 'the end\n' | regex_replace('end$', 'END') }}`,
	`{{ 'x\ny' | regex_replace('x$', 'Z') }}`,
	`{{ 'foobar foobaz' | regex_search('foo(?=baz)') }}`,
	`{{ 'key: value' | regex_search('(?P<k>\w+)(?=:)\W+(?P<v>\w+)', '\g<k>', '\g<v>') }}`,
	`{{ 'abab' | regex_search('(ab)\1', '\1') }}`,
	`{{ 'ONE\ntwo' | regex_search('^TWO$', multiline=True, ignorecase=True) }}`,
	`{{ 'nomatch' | regex_search('x(?=y)') }}`,
	`{{ '12px 34em 5' | regex_findall('\d+(?!px|\d)') }}`,
	`{{ 'a1b2c3' | regex_findall('(?<=[a-z])(\d)') }}`,
	`{{ 'k1=v1;k2=v2' | regex_findall('(\w+)=(?!v1)(\w+)') }}`,
	`{{ 'aa bb cd' | regex_findall('((\w)\2)') }}`,
	`{{ 'abxd' | regex_findall('x*') }}`,
	`{{ 'Foo\nfoo' | regex_findall('^foo$', multiline=True, ignorecase=True) }}`,
	`{{ '#x' is search('^(?!#)') }}`,
	`{{ 'x' is search('^(?!#)') }}`,
	`{{ 'abab' is match('(ab)\1') }}`,
	`{{ 'ababc' is match('(ab)\1$') }}`,
	`{{ 'abab' is regex('(?<=a)b', match_type='search') }}`,
	`{{ 'abab' is regex('(?<=a)b', match_type='match') }}`,
	`{{ 'aXa' is regex('(?i)(a)x\1', match_type='fullmatch') }}`,
	`{{ 'x.y' | regex_escape }}`,
}

// TestRegexDifferentialAnsible renders regexExprs with ansible-playbook
// (one run) and with Templar; results must match.
func TestRegexDifferentialAnsible(t *testing.T) {
	requireAnsible(t)
	dir := t.TempDir()
	var pb strings.Builder
	for _, e := range regexExprs {
		q, _ := toJSON(e, pyfmt.JSONOptions{})
		pb.WriteString("  - debug:\n      msg: " + q + "\n    ignore_errors: true\n")
	}
	res := runPlaybookJSON(t, dir, value.NewDict(0), pb.String())
	tasks := pathGet(res, "plays", 0, "tasks").([]any)
	tpl := New(Options{})
	vars := dictVars(value.NewDict(0))
	pass := 0
	for i, e := range regexExprs {
		want := pathGet(tasks[i], "hosts", "localhost", "msg")
		if truthy(pathGet(tasks[i], "hosts", "localhost", "failed")) {
			t.Errorf("%s: ansible failed: %s", e, toStr(want))
			continue
		}
		got, err := tpl.Template(e, vars)
		if err != nil {
			t.Errorf("%s: error %v (ansible: %s)", e, err, pyfmt.Repr(want))
			continue
		}
		if !strictEqual(normalizeJSON(got), want) {
			t.Errorf("%s:\n got %s\nwant %s", e, pyfmt.Repr(got), pyfmt.Repr(want))
			continue
		}
		pass++
	}
	t.Logf("regex differential: %d/%d expressions match ansible-playbook", pass, len(regexExprs))
}
