package modules_test

import (
	"testing"

	"octopus/modules/internal/anstest"
)

func TestTemplateDiff(t *testing.T) {
	var cases []anstest.Case
	add := func(name string, steps []anstest.Step, ignore ...string) {
		cases = append(cases, anstest.Case{Name: name, Setup: copySetup, Steps: steps, Ignore: ignore})
	}
	add("simple", twice("template", map[string]any{"src": "t.j2", "dest": "@D@/out", "mode": "0640"}))
	add("into dir", twice("template", map[string]any{"src": "t.j2", "dest": "@D@/d"}))
	add("into slash", one("template", map[string]any{"src": "t.j2", "dest": "@D@/newd/"}))
	add("replace backup", twice("template", map[string]any{"src": "t.j2", "dest": "@D@/old", "backup": "yes"}))
	add("check", checkThenRun("template", map[string]any{"src": "t.j2", "dest": "@D@/old"}))
	add("crlf", twice("template", map[string]any{"src": "t.j2", "dest": "@D@/crlf", "newline_sequence": "\\r\\n"}))
	add("latin1", one("template", map[string]any{"src": "u.j2", "dest": "@D@/lat", "output_encoding": "latin-1"}))
	add("force no", one("template", map[string]any{"src": "t.j2", "dest": "@D@/old", "force": false}))
	add("validate", one("template", map[string]any{"src": "t.j2", "dest": "@D@/v", "validate": "grep -q world %s"}))
	add("preserve", one("template", map[string]any{"src": "t.j2", "dest": "@D@/p", "mode": "preserve"}))
	add("missing", one("template", map[string]any{"src": "nope.j2", "dest": "@D@/n"}), "msg")
	add("state", one("template", map[string]any{"src": "t.j2", "dest": "@D@/n", "state": "file"}))
	add("no dest", one("template", map[string]any{"src": "t.j2"}))
	add("bad nl", one("template", map[string]any{"src": "t.j2", "dest": "@D@/n", "newline_sequence": "x"}))
	add("unsupported", one("template", map[string]any{"src": "t.j2", "dest": "@D@/n", "bogus": 1}))
	anstest.Run(t, anstest.Suite{Cases: cases, Vars: map[string]any{"who": "world", "n": 3},
		Files: map[string]string{"templates/t.j2": "hello {{ who }}\ncount {{ n }}\n", "templates/u.j2": "caf\u00e9 {{ who }}\n"}})
}
