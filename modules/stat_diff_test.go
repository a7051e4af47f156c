package modules_test

import (
	"os"
	"path/filepath"
	"testing"

	"octopus/modules/internal/anstest"
)

func TestStatSlurpDiff(t *testing.T) {
	ign := []string{"stat.atime", "stat.mtime", "stat.ctime", "stat.inode", "stat.version"}
	setup := func(dir string) error {
		if err := writeFiles(map[string]string{"f": "hello\n", "sub/g": "#!/bin/sh\n", "bin.dat": "\x00\x01\x02"})(dir); err != nil {
			return err
		}
		os.Chmod(filepath.Join(dir, "sub/g"), 0o4755)
		os.Symlink("f", filepath.Join(dir, "lnk"))
		os.Symlink("nowhere", filepath.Join(dir, "dangling"))
		os.Chmod(filepath.Join(dir, "sub"), 0o1777)
		return nil
	}
	var cases []anstest.Case
	for _, args := range []map[string]any{
		{"path": "@D@/f"},
		{"path": "@D@/missing"},
		{"path": "@D@/sub"},
		{"path": "@D@/sub/g", "checksum_algorithm": "sha256", "get_md5": true},
		{"path": "@D@/lnk"},
		{"path": "@D@/lnk", "follow": true},
		{"path": "@D@/dangling", "follow": "yes"},
		{"path": "@D@/dangling"},
		{"path": "@D@/bin.dat", "get_checksum": false, "get_mime": "no"},
		{"path": "@D@/f", "checksum": "md5", "get_attributes": false},
		{"name": "@D@/f", "checksum_algorithm": "crc"},
		{"dest": "/dev/null"},
		{},
	} {
		cases = append(cases, anstest.Case{Name: "stat", Setup: setup, Steps: one("stat", args), Ignore: ign})
	}
	for _, args := range []map[string]any{
		{"src": "@D@/f"},
		{"path": "@D@/bin.dat"},
		{"src": "@D@/missing"},
		{"src": "@D@/sub"},
		{"src": "@D@/f", "bogus": 1},
	} {
		cases = append(cases, anstest.Case{Name: "slurp", Setup: setup, Steps: one("slurp", args)})
	}
	for _, m := range []string{"ansible.builtin.stat", "ansible.legacy.file", "ansible.builtin.lineinfile", "ansible.builtin.shell", "ansible.builtin.copy"} {
		cases = append(cases, anstest.Case{Name: "fqcn " + m, Setup: setup, Steps: one(m, map[string]any{"path": "@D@/f", "bogus": 1})})
	}
	anstest.Run(t, anstest.Suite{Cases: cases})
}
