package modules_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"octopus/modules/internal/anstest"
)

// TestFindPingDiff compares find and ping with Ansible on twin trees.
func TestFindPingDiff(t *testing.T) {
	setup := func(dir string) error {
		if err := writeFiles(map[string]string{
			"a.txt": "hello\nworld\n", "b.log": "x", ".hidden": "h", "big.bin": string(make([]byte, 3000)),
			"sub/c.txt": "another hello\n", "sub/deep/d.txt": "d", "sub/.hd/e.txt": "e", "old.txt": "o",
		})(dir); err != nil {
			return err
		}
		os.Symlink("sub", filepath.Join(dir, "lsub"))
		os.Symlink("a.txt", filepath.Join(dir, "la"))
		os.Symlink("nowhere", filepath.Join(dir, "dangling"))
		old := time.Now().Add(-72 * time.Hour)
		return os.Chtimes(filepath.Join(dir, "old.txt"), old, old)
	}
	ign := []string{"files.atime", "files.mtime", "files.ctime", "files.inode"}
	var cases []anstest.Case
	for _, args := range []map[string]any{
		{"paths": "@D@"},
		{"paths": "@D@", "recurse": true},
		{"paths": "@D@", "recurse": true, "hidden": true},
		{"paths": "@D@", "recurse": true, "depth": 2},
		{"paths": "@D@", "patterns": "*.txt", "recurse": true},
		{"paths": "@D@", "patterns": []any{"*.txt", "*.log"}, "excludes": "a*"},
		{"paths": "@D@", "patterns": `^[ab]\..*$`, "use_regex": true},
		{"paths": "@D@", "file_type": "directory", "recurse": true},
		{"paths": "@D@", "file_type": "link"},
		{"paths": "@D@", "file_type": "any", "size": "-100"},
		{"paths": "@D@", "size": "2k"},
		{"paths": "@D@", "age": "2d"},
		{"paths": "@D@", "age": "-1h"},
		{"paths": "@D@", "age": "xx"},
		{"paths": "@D@", "contains": "hel+o", "recurse": true},
		{"paths": "@D@", "contains": "world", "read_whole_file": true},
		{"paths": "@D@", "contains": "world"},
		{"paths": "@D@/sub", "get_checksum": true, "recurse": true},
		{"paths": "@D@", "recurse": true, "follow": true, "patterns": "c*"},
		{"paths": []any{"@D@/sub", "@D@/a.txt", "@D@/missing"}},
		{"path": "@D@", "file_type": "fifo"},
		{"paths": "@D@/sub/", "recurse": true, "file_type": "any"},
		{"paths": "@D@", "patterns": `.*\.txt`, "excludes": "^a", "use_regex": true, "recurse": "yes", "depth": 1},
		{"paths": "@D@", "patterns": "[!ab]*", "hidden": true},
		{},
	} {
		cases = append(cases, anstest.Case{Name: "find", Setup: setup, Steps: one("find", args), Ignore: ign})
	}
	for _, args := range []map[string]any{{}, {"data": "hi"}, {"data": "crash"}, {"data": 1, "x": 2}} {
		cases = append(cases, anstest.Case{Name: "ping", Steps: one("ping", args), Ignore: []string{"module_stderr"}})
	}
	anstest.Run(t, anstest.Suite{Cases: cases})
}
