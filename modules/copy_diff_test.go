package modules_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/value"
	"octopus/modules/internal/anstest"
)

func copySetup(dir string) error {
	if err := writeFiles(map[string]string{"old": "old content\n", "same": "hello\n", "d/keep": "k"})(dir); err != nil {
		return err
	}
	os.Symlink("old", filepath.Join(dir, "lnk"))
	os.Chmod(filepath.Join(dir, "old"), 0o640)
	return nil
}

func TestCopyDiff(t *testing.T) {
	var cases []anstest.Case
	add := func(name string, steps []anstest.Step, ignore ...string) {
		cases = append(cases, anstest.Case{Name: name, Setup: copySetup, Steps: steps, Ignore: ignore})
	}
	add("content new", twice("copy", map[string]any{"content": "line1\nline2\n", "dest": "@D@/new"}))
	add("content dict", twice("copy", map[string]any{"content": value.DictOf("b", 1, "a", []any{"x", true, nil}, "é", 1.5), "dest": "@D@/j"}))
	add("content list", one("copy", map[string]any{"content": []any{1, "two"}, "dest": "@D@/l"}))
	add("content int", one("copy", map[string]any{"content": 42, "dest": "@D@/i"}))
	add("content same", twice("copy", map[string]any{"content": "hello\n", "dest": "@D@/same", "mode": "0600"}))
	add("content replace", twice("copy", map[string]any{"content": "new\n", "dest": "@D@/old", "backup": true}))
	add("content check", checkThenRun("copy", map[string]any{"content": "new\n", "dest": "@D@/old"}))
	add("content check new", checkThenRun("copy", map[string]any{"content": "new\n", "dest": "@D@/brandnew", "mode": "u=rw,g=r"}))
	add("content force no", one("copy", map[string]any{"content": "new\n", "dest": "@D@/old", "force": "no"}))
	add("content to dir", one("copy", map[string]any{"content": "x", "dest": "@D@/d"}))
	add("content to slash", one("copy", map[string]any{"content": "x", "dest": "@D@/d/"}))
	add("content no parent", one("copy", map[string]any{"content": "x", "dest": "@D@/nodir/f"}))
	add("validate ok", one("copy", map[string]any{"content": "x\n", "dest": "@D@/v", "validate": "test -s %s"}))
	add("validate fail", one("copy", map[string]any{"content": "x\n", "dest": "@D@/v", "validate": "sh -c 'echo bad; echo worse >&2; exit 3' %s"}))
	add("validate no %s", one("copy", map[string]any{"content": "x\n", "dest": "@D@/v", "validate": "true"}))
	add("follow link", twice("copy", map[string]any{"content": "via link\n", "dest": "@D@/lnk", "follow": true}))
	add("nofollow link", twice("copy", map[string]any{"content": "replaces link\n", "dest": "@D@/lnk"}))
	add("src file", twice("copy", map[string]any{"src": "hello.txt", "dest": "@D@/h", "mode": "0640"}))
	add("src file into dir", twice("copy", map[string]any{"src": "hello.txt", "dest": "@D@/d"}))
	add("src file into new dir", twice("copy", map[string]any{"src": "hello.txt", "dest": "@D@/x/y/", "directory_mode": "0700"}))
	add("src dir", twice("copy", map[string]any{"src": "tree", "dest": "@D@/t"}))
	add("src dir slash", twice("copy", map[string]any{"src": "tree/", "dest": "@D@/t2", "directory_mode": "0750"}))
	add("src dir check", checkThenRun("copy", map[string]any{"src": "tree", "dest": "@D@/t3/"}))
	add("src missing", one("copy", map[string]any{"src": "nope.txt", "dest": "@D@/n"}), "msg")
	add("remote src", twice("copy", map[string]any{"src": "@D@/old", "dest": "@D@/copied", "remote_src": true}))
	add("remote src preserve", twice("copy", map[string]any{"src": "@D@/old", "dest": "@D@/copied", "remote_src": "yes", "mode": "preserve"}))
	add("no src", one("copy", map[string]any{"dest": "@D@/n"}))
	add("both", one("copy", map[string]any{"src": "a", "content": "b", "dest": "@D@/n"}))
	add("unsupported", one("copy", map[string]any{"content": "b", "dest": "@D@/n", "bogus": 1}))
	anstest.Run(t, anstest.Suite{Cases: cases, Files: map[string]string{
		"files/hello.txt": "hello world\n", "files/tree/a": "A\n", "files/tree/sub/b": "B\n", "files/tree/sub/deep/c": "C\n",
	}})
}

func TestCopyRemoteDirDiff(t *testing.T) {
	setup := func(dir string) error {
		return writeFiles(map[string]string{"src/a": "A", "src/sub/b": "B", "exists/keep": "K", "exists/src/a": "old", "exists2/a": "old"})(dir)
	}
	var cases []anstest.Case
	for _, args := range []map[string]any{
		{"src": "@D@/src", "dest": "@D@/exists", "remote_src": true},
		{"src": "@D@/src/", "dest": "@D@/exists2", "remote_src": true},
		{"src": "@D@/src/", "dest": "@D@/newdest", "remote_src": true},
		{"src": "@D@/src", "dest": "@D@/newdest2", "remote_src": true, "mode": "0750"},
	} {
		cases = append(cases, anstest.Case{Name: "remote dir", Setup: setup, Steps: twice("copy", args)})
	}
	cases = append(cases, anstest.Case{Name: "checksum mismatch", Setup: setup, Steps: one("copy", map[string]any{"content": "x", "dest": "@D@/c", "checksum": "0000"})})
	cases = append(cases, anstest.Case{Name: "checksum ok", Setup: setup, Steps: one("copy", map[string]any{"content": "x", "dest": "@D@/c", "checksum": "11f6ad8ec52a2984abaafd7c3b516503785c2072"})})
	big := strings.Repeat("0123456789abcdef", 7000)
	cases = append(cases,
		anstest.Case{Name: "dst binary", Setup: writeFiles(map[string]string{"b": "\x00\x01bin"}), Steps: []anstest.Step{{Module: "copy", Args: map[string]any{"content": "text\n", "dest": "@D@/b"}, Diff: true}}},
		anstest.Case{Name: "dst large", Setup: writeFiles(map[string]string{"big": big}), Steps: []anstest.Step{{Module: "copy", Args: map[string]any{"content": "small\n", "dest": "@D@/big"}, Diff: true}}},
		anstest.Case{Name: "src large", Steps: []anstest.Step{{Module: "copy", Args: map[string]any{"content": big, "dest": "@D@/big2"}, Diff: true}}},
		anstest.Case{Name: "src binary", Steps: []anstest.Step{{Module: "copy", Args: map[string]any{"content": "a\x00b", "dest": "@D@/bin2"}, Diff: true}}},
		anstest.Case{Name: "crlf lineinfile", Setup: writeFiles(map[string]string{"w": "a=1\r\nb=2\r\n"}), Steps: twice("lineinfile", map[string]any{"path": "@D@/w", "regexp": "^b=", "line": "b=3"})},
	)
	anstest.Run(t, anstest.Suite{Cases: cases})
}
