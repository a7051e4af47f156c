package modules_test

import (
	"os"
	"path/filepath"
	"testing"

	"octopus/modules/internal/anstest"
)

// TestScriptFetchTempfileDiff compares script, fetch and tempfile with
// Ansible on twin trees.
func TestScriptFetchTempfileDiff(t *testing.T) {
	setup := func(dir string) error {
		if err := writeFiles(map[string]string{"src": "hi\n", "sub/x": "x"})(dir); err != nil {
			return err
		}
		return os.MkdirAll(filepath.Join(dir, "flatdir"), 0o755)
	}
	files := map[string]string{
		"files/hello.sh":     "#!/bin/sh\necho \"hello $# $1|$2\"\necho err >&2\npwd\n",
		"files/fails.sh":     "#!/bin/sh\necho partial\nexit 3\n",
		"files/touch.sh":     "#!/bin/sh\ntouch \"$1\"\n",
		"files/noshebang":    "echo plain $0 | sed 's|.*/||'\n",
		"files/readstdin.sh": "#!/bin/sh\nread x || echo eof\n",
	}
	var cases []anstest.Case
	add := func(name string, steps ...anstest.Step) {
		cases = append(cases, anstest.Case{Name: name, Setup: setup, Steps: steps})
	}
	s := func(m string, a map[string]any) anstest.Step { return anstest.Step{Module: m, Args: a} }
	chk := func(m string, a map[string]any) anstest.Step { return anstest.Step{Module: m, Args: a, Check: true} }
	// script
	add("script args", s("script", map[string]any{"_raw_params": "hello.sh 'a b' c", "chdir": "@D@/sub"}))
	add("script fails", s("script", map[string]any{"_raw_params": "fails.sh"}))
	add("script creates", s("script", map[string]any{"_raw_params": "touch.sh @D@/made", "creates": "@D@/made"}),
		s("script", map[string]any{"_raw_params": "touch.sh @D@/made", "creates": "@D@/made"}))
	add("script removes", s("script", map[string]any{"_raw_params": "touch.sh @D@/made", "removes": "@D@/made"}))
	add("script check", chk("script", map[string]any{"_raw_params": "touch.sh @D@/made"}),
		chk("script", map[string]any{"_raw_params": "touch.sh @D@/made", "creates": "@D@/made"}))
	add("script executable", s("script", map[string]any{"_raw_params": "noshebang", "executable": "/bin/sh"}))
	add("script cmd", s("script", map[string]any{"cmd": "hello.sh x", "chdir": "@D@"}))
	add("script stdin", s("script", map[string]any{"_raw_params": "readstdin.sh"}))
	cases = append(cases, anstest.Case{Name: "script missing", Ignore: []string{"msg"}, Steps: one("script", map[string]any{"_raw_params": "nope.sh"})})
	add("script rel chdir", s("script", map[string]any{"_raw_params": "hello.sh", "chdir": "sub"}))
	// fetch
	add("fetch", s("fetch", map[string]any{"src": "@D@/src", "dest": "@D@/../../fetched"}),
		s("fetch", map[string]any{"src": "@D@/src", "dest": "@D@/../../fetched"}))
	add("fetch missing", s("fetch", map[string]any{"src": "@D@/nope", "dest": "@D@/out"}),
		s("fetch", map[string]any{"src": "@D@/nope", "dest": "@D@/out", "fail_on_missing": "no"}))
	add("fetch dir", s("fetch", map[string]any{"src": "@D@/sub", "dest": "@D@/out"}),
		s("fetch", map[string]any{"src": "@D@/sub", "dest": "@D@/out", "fail_on_missing": false}))
	add("fetch flat", s("fetch", map[string]any{"src": "@D@/src", "dest": "@D@/flatdir/", "flat": true}),
		s("fetch", map[string]any{"src": "@D@/src", "dest": "@D@/flatdir", "flat": true}),
		s("fetch", map[string]any{"src": "@D@/sub/x", "dest": "@D@/renamed", "flat": "yes"}))
	add("fetch args", s("fetch", map[string]any{"src": "@D@/src"}), chk("fetch", map[string]any{"src": "@D@/src", "dest": "@D@/out"}))
	// tempfile
	tmpIgn := []string{"path"}
	cases = append(cases,
		anstest.Case{Name: "tempfile dir", Setup: setup, Ignore: tmpIgn, Steps: []anstest.Step{s("tempfile", map[string]any{"state": "directory", "path": "@D@/..", "prefix": "p."})}},
		anstest.Case{Name: "tempfile check", Setup: setup, Ignore: tmpIgn, Steps: []anstest.Step{chk("tempfile", map[string]any{"path": "@D@"})}},
		anstest.Case{Name: "tempfile bad", Setup: setup, Ignore: []string{"msg"}, Steps: []anstest.Step{s("tempfile", map[string]any{"path": "@D@/none"})}},
		anstest.Case{Name: "tempfile badstate", Setup: setup, Steps: []anstest.Step{s("tempfile", map[string]any{"state": "link"})}},
	)
	anstest.Run(t, anstest.Suite{Cases: cases, Files: files})
}
