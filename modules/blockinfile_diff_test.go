package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

func TestBlockinfileDiff(t *testing.T) {
	var cases []anstest.Case
	setup := writeFiles(map[string]string{
		"f":     "first\nsecond\n# anchor\nthird\nno newline",
		"m":     "a\n# BEGIN ANSIBLE MANAGED BLOCK\nold block\n# END ANSIBLE MANAGED BLOCK\nz\n",
		"empty": "",
	})
	add := func(name string, steps []anstest.Step) {
		cases = append(cases, anstest.Case{Name: name, Setup: setup, Steps: steps})
	}
	f := func(path string, kv ...any) map[string]any {
		m := map[string]any{"path": "@D@/" + path}
		for i := 0; i+1 < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	add("append", twice("blockinfile", f("f", "block", "x=1\ny=2")))
	add("replace", twice("blockinfile", f("m", "block", "new block\n")))
	add("remove", twice("blockinfile", f("m", "state", "absent")))
	add("remove empty block", one("blockinfile", f("m", "block", "")))
	add("insertafter", twice("blockinfile", f("f", "block", "after anchor", "insertafter", "^# anchor")))
	add("insertbefore", twice("blockinfile", f("f", "content", "before anchor", "insertbefore", "^# anchor")))
	add("insertbefore BOF", twice("blockinfile", f("f", "block", "top", "insertbefore", "BOF")))
	add("insert nomatch", twice("blockinfile", f("f", "block", "nm", "insertafter", "^zzz")))
	add("multiline", twice("blockinfile", f("f", "block", "ml", "insertafter", "(?m)^second$")))
	add("custom marker", twice("blockinfile", f("f", "block", "c", "marker", "<!-- {mark} -->", "marker_begin", "start", "marker_end", "stop")))
	add("create", twice("blockinfile", f("d/new", "block", "created", "create", true)))
	add("create empty", one("blockinfile", f("new2", "create", true)))
	add("create check", checkThenRun("blockinfile", f("new3", "block", "b", "create", true)))
	add("empty file", twice("blockinfile", f("empty", "block", "b")))
	add("check", checkThenRun("blockinfile", f("m", "block", "checked")))
	add("mode", twice("blockinfile", f("m", "block", "old block", "mode", "0600", "backup", true)))
	add("missing", one("blockinfile", f("nope", "block", "x")))
	add("absent missing", one("blockinfile", f("nope", "state", "absent", "create", true)))
	add("dir", one("blockinfile", map[string]any{"path": "@D@", "block": "x"}))
	add("validate", one("blockinfile", f("f", "block", "v", "validate", "false %s")))
	add("exclusive", one("blockinfile", f("f", "insertafter", "a", "insertbefore", "b")))
	anstest.Run(t, anstest.Suite{Cases: cases})
}
