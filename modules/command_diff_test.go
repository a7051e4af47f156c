package modules_test

import (
	"os"
	"path/filepath"
	"testing"

	"octopus/modules/internal/anstest"
)

func writeFiles(files map[string]string) func(dir string) error {
	return func(dir string) error {
		for name, content := range files {
			p := filepath.Join(dir, name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				return err
			}
			if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
				return err
			}
		}
		return nil
	}
}

func one(module string, args map[string]any) []anstest.Step {
	return []anstest.Step{{Module: module, Args: args}}
}

func TestCommandDiff(t *testing.T) {
	cases := []anstest.Case{
		{Name: "echo", Steps: one("command", map[string]any{"_raw_params": "echo hello   'big world'"})},
		{Name: "argv", Steps: one("command", map[string]any{"argv": []any{"printf", "%s|", "a b", "c"}})},
		// Python's shlex keeps a backslash before $ and ` inside double quotes
		{Name: "backslashes in quotes", Steps: one("command", map[string]any{"_raw_params": "printf '%s|' \"a\\$b\" \"c\\`d\" \"e\\\"f\" g\\ h"})},
		{Name: "creates exists", Setup: writeFiles(map[string]string{"f": "x"}), Steps: one("command", map[string]any{"_raw_params": "touch @D@/g", "creates": "@D@/f"})},
		{Name: "creates glob", Setup: writeFiles(map[string]string{"f.txt": "x"}), Steps: one("command", map[string]any{"_raw_params": "touch @D@/g", "creates": "@D@/*.txt"})},
		{Name: "removes missing", Steps: one("command", map[string]any{"_raw_params": "touch @D@/g", "removes": "@D@/nope"})},
		{Name: "creates then idempotent", Steps: []anstest.Step{
			{Module: "command", Args: map[string]any{"_raw_params": "touch @D@/made", "creates": "@D@/made"}},
			{Module: "command", Args: map[string]any{"_raw_params": "touch @D@/made", "creates": "@D@/made"}},
		}},
		{Name: "false", Steps: one("command", map[string]any{"_raw_params": "false"})},
		{Name: "rc and stderr", Steps: one("shell", map[string]any{"_raw_params": "echo out; echo err >&2; exit 3"})},
		{Name: "missing exe", Steps: one("command", map[string]any{"_raw_params": "no-such-binary-xyz arg"})},
		{Name: "missing abs exe", Steps: one("command", map[string]any{"_raw_params": "/nonexistent/bin/x"})},
		{Name: "chdir missing", Steps: one("command", map[string]any{"_raw_params": "pwd", "chdir": "@D@/nodir"})},
		{Name: "chdir", Setup: writeFiles(map[string]string{"sub/a": ""}), Steps: one("command", map[string]any{"_raw_params": "ls", "chdir": "@D@/sub"})},
		{Name: "shell pipes", Steps: one("shell", map[string]any{"_raw_params": "printf 'a\\nb\\n\\n' | cat; echo $((1+2))"})},
		{Name: "shell bash", Steps: one("shell", map[string]any{"_raw_params": "echo ${BASH_VERSION:+bash}", "executable": "/bin/bash"})},
		{Name: "check creates absent", Steps: []anstest.Step{{Module: "command", Args: map[string]any{"_raw_params": "touch @D@/x", "creates": "@D@/x"}, Check: true}}},
		{Name: "check plain", Steps: []anstest.Step{{Module: "command", Args: map[string]any{"_raw_params": "touch @D@/x"}, Check: true}}},
		{Name: "check creates present", Setup: writeFiles(map[string]string{"x": ""}), Steps: []anstest.Step{{Module: "command", Args: map[string]any{"_raw_params": "touch @D@/x", "creates": "@D@/x"}, Check: true}}},
		{Name: "stdin", Steps: one("command", map[string]any{"_raw_params": "cat", "stdin": "line1\nline2"})},
		{Name: "stdin no newline", Steps: one("command", map[string]any{"_raw_params": "od -c", "stdin": "ab", "stdin_add_newline": false})},
		{Name: "no strip", Steps: one("shell", map[string]any{"_raw_params": "printf 'x\\n\\n'", "strip_empty_ends": "no"})},
		{Name: "expandvars", Steps: one("command", map[string]any{"_raw_params": "echo $HOME ${HOME} $NOPE_UNSET_VAR ~ ~/x '$HOME'"})},
		{Name: "unsupported", Steps: one("command", map[string]any{"_raw_params": "true", "foo": "bar"})},
		{Name: "no command", Steps: one("command", map[string]any{"chdir": "/tmp"})},
		{Name: "bad bool", Steps: one("command", map[string]any{"_raw_params": "true", "strip_empty_ends": "maybe"})},
		{Name: "executable warn", Steps: one("command", map[string]any{"_raw_params": "true", "executable": "/bin/bash"})},
		{Name: "cmd arg", Steps: one("command", map[string]any{"cmd": "echo via cmd"})},
	}
	anstest.Run(t, anstest.Suite{Cases: cases})
}
