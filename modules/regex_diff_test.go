package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

// TestRegexFallbackDiff runs lineinfile, replace and blockinfile with
// patterns Go's RE2 cannot compile (lookarounds, backreferences), which
// octopus runs on its backtracking fallback, against ansible-playbook.
func TestRegexFallbackDiff(t *testing.T) {
	var cases []anstest.Case
	setup := writeFiles(map[string]string{
		"f": "#foo=commented\nfoo=1\nbar=bar\nbaz=2\nport=8080px\nport=90\n  key = key\nend\n",
	})
	add := func(name string, steps []anstest.Step) {
		cases = append(cases, anstest.Case{Name: name, Setup: setup, Steps: steps})
	}
	f := func(kv ...any) map[string]any {
		m := map[string]any{"path": "@D@/f"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	add("lif negative lookahead", twice("lineinfile", f("regexp", `^(?!#)foo=`, "line", "foo=new")))
	add("lif backref", twice("lineinfile", f("regexp", `^(\w+)=\1$`, "line", "same=same")))
	add("lif backrefs expand", twice("lineinfile", f("regexp", `^(?P<k>\w+)=(?P=k)$`, "line", `\g<k>=\1!`, "backrefs", true)))
	add("lif lookbehind absent", twice("lineinfile", f("regexp", `(?<=port=)7`, "line", "port=7")))
	add("lif insertafter lookahead", twice("lineinfile", f("line", "after=1", "insertafter", `^port=(?!\d+px)`)))
	add("lif insertbefore lookbehind", twice("lineinfile", f("line", "before=1", "insertbefore", `(?<=ba)z=`)))
	add("lif absent lookahead", twice("lineinfile", f("regexp", `^(?!#|port|end).*=`, "state", "absent")))
	add("lif dollar", twice("lineinfile", f("regexp", `^end$`, "line", "END")))
	add("rep lookbehind", twice("replace", f("regexp", `(?<=port=)(\d+)(?!px)`, "replace", `\g<1>0`)))
	add("rep lookahead all", twice("replace", f("regexp", `\b(\w+)(?==\1\b)`, "replace", `[\1]`)))
	add("rep negative lookbehind", twice("replace", f("regexp", `(?<!#)foo`, "replace", "FOO")))
	add("rep empty matches", twice("replace", f("regexp", `(?<=bar)x*`, "replace", "-")))
	add("rep after lookahead", twice("replace", f("regexp", `^port=.*$`, "replace", "port=0", "after", `^baz(?==)`)))
	add("rep multiline backref", twice("replace", f("regexp", `^\s*(\w+) = \1$`, "replace", `\1=dup`)))
	add("bif insertafter lookahead", twice("blockinfile", f("block", "x=1", "insertafter", `^port=(?!8)`)))
	anstest.Run(t, anstest.Suite{Cases: cases})
}
