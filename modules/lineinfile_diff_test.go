package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

const liText = "# config\nalpha=1\nbeta=2\n# marker\ngamma=3\nbeta=20\nlast line no newline"

func TestLineinfileDiff(t *testing.T) {
	var cases []anstest.Case
	setup := writeFiles(map[string]string{"f": liText, "g": "one\ntwo\n", "empty": ""})
	add := func(name string, steps []anstest.Step, ignore ...string) {
		cases = append(cases, anstest.Case{Name: name, Setup: setup, Steps: steps, Ignore: ignore})
	}
	f := func(kv ...any) map[string]any {
		m := map[string]any{"path": "@D@/f"}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	add("append", twice("lineinfile", f("line", "delta=4")))
	add("regexp replace", twice("lineinfile", f("regexp", "^beta=", "line", "beta=99")))
	add("regexp firstmatch", twice("lineinfile", f("regexp", "^beta=", "line", "beta=99", "firstmatch", true)))
	add("regexp dollar", twice("lineinfile", f("regexp", "^alpha=1$", "line", "alpha=one")))
	add("regexp no match appends", twice("lineinfile", f("regexp", "^zeta", "line", "zeta=0")))
	add("exact present", twice("lineinfile", f("line", "gamma=3")))
	add("search_string", twice("lineinfile", f("search_string", "a=1", "line", "ALPHA")))
	add("insertafter regex", twice("lineinfile", f("line", "after-marker", "insertafter", "^# marker")))
	add("insertafter firstmatch", twice("lineinfile", f("line", "after-beta", "insertafter", "^beta", "firstmatch", "yes")))
	add("insertafter last", twice("lineinfile", f("line", "after-beta", "insertafter", "^beta")))
	add("insertbefore regex", twice("lineinfile", f("line", "before-marker", "insertbefore", "^# marker")))
	add("insertbefore BOF", twice("lineinfile", f("line", "top", "insertbefore", "BOF")))
	add("insertafter BOF", twice("lineinfile", f("line", "top", "insertafter", "BOF")))
	add("insertafter EOF", twice("lineinfile", f("line", "bottom", "insertafter", "EOF")))
	add("insertafter nomatch", twice("lineinfile", f("line", "x", "insertafter", "^nomatch")))
	add("insertbefore nomatch", twice("lineinfile", f("line", "x", "insertbefore", "^nomatch")))
	add("insertbefore first line", twice("lineinfile", map[string]any{"path": "@D@/g", "line": "zero", "insertbefore": "^one"}))
	add("backrefs", twice("lineinfile", f("regexp", `^(beta)=(\d+)$`, "line", `\1: \g<2> \2`, "backrefs", true)))
	add("backrefs nomatch", twice("lineinfile", f("regexp", `^(nomatch)`, "line", `\1`, "backrefs", true)))
	add("absent line", twice("lineinfile", f("line", "alpha=1", "state", "absent")))
	add("absent regexp", twice("lineinfile", f("regexp", "^beta", "state", "absent", "backup", true)))
	add("absent search", one("lineinfile", f("search_string", "#", "state", "absent")))
	add("absent no file", one("lineinfile", map[string]any{"path": "@D@/nofile", "line": "x", "state": "absent"}))
	add("create", twice("lineinfile", map[string]any{"path": "@D@/sub/new", "line": "x", "create": true, "mode": "0600"}))
	add("create check", checkThenRun("lineinfile", map[string]any{"path": "@D@/new2", "line": "x", "create": "yes"}))
	add("missing no create", one("lineinfile", map[string]any{"path": "@D@/new3", "line": "x"}))
	add("empty file", twice("lineinfile", map[string]any{"path": "@D@/empty", "line": "first"}))
	add("check", checkThenRun("lineinfile", f("regexp", "^gamma", "line", "gamma=33")))
	add("mode only", twice("lineinfile", f("line", "gamma=3", "mode", "0600")))
	add("mode and line", one("lineinfile", f("line", "new", "mode", "0640")))
	add("backup", one("lineinfile", f("line", "new", "backup", true)))
	add("validate fail", one("lineinfile", f("line", "new", "validate", "grep -q nothere %s")))
	add("validate ok", one("lineinfile", f("line", "new", "validate", "grep -q new %s")))
	add("directory", one("lineinfile", map[string]any{"path": "@D@", "line": "x"}))
	add("no line", one("lineinfile", f("regexp", "x")))
	add("backrefs no regexp", one("lineinfile", f("line", "x", "backrefs", true)))
	add("absent nothing", one("lineinfile", f("state", "absent")))
	add("exclusive", one("lineinfile", f("line", "x", "insertafter", "a", "insertbefore", "b")))
	add("empty regexp", one("lineinfile", f("line", "x", "regexp", "")))
	add("unsupported", one("lineinfile", f("line", "x", "foo", "bar")))
	anstest.Run(t, anstest.Suite{Cases: cases})
}
