package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

func TestReplaceDiff(t *testing.T) {
	var cases []anstest.Case
	setup := writeFiles(map[string]string{
		"f": "host=old.example.com\nport=80\n[section]\nport=81\nname=x\n[other]\nport=82\n",
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
	add("simple", twice("replace", f("regexp", `old\.example`, "replace", "new.example")))
	add("groups", twice("replace", f("regexp", `^port=(\d+)$`, "replace", `port=\g<1>0 (\1)`)))
	add("named", twice("replace", f("regexp", `^(?P<k>\w+)=x$`, "replace", `\g<k>=y`)))
	add("after", twice("replace", f("regexp", `^port=.*$`, "replace", "port=0", "after", `\[section\]`)))
	add("before", twice("replace", f("regexp", `^port=.*$`, "replace", "port=1", "before", `\[other\]`)))
	add("between", twice("replace", f("regexp", `^port=.*$`, "replace", "port=2", "after", `\[section\]`, "before", `\[other\]`)))
	add("section nomatch", one("replace", f("regexp", `x`, "after", `nomatch`)))
	add("delete lines", twice("replace", f("regexp", `^name=.*\n`)))
	add("nomatch", one("replace", f("regexp", `zzz`, "replace", "y")))
	add("check", checkThenRun("replace", f("regexp", `80`, "replace", "8080")))
	add("backup mode", twice("replace", f("regexp", `80`, "replace", "8080", "backup", true, "mode", "0600")))
	add("missing", one("replace", map[string]any{"path": "@D@/nope", "regexp": "x"}))
	add("no regexp", one("replace", f("replace", "x")))
	add("validate", one("replace", f("regexp", "80", "replace", "90", "validate", "grep -q 90 %s")))
	anstest.Run(t, anstest.Suite{Cases: cases})
}
