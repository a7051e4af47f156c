package modules_test

import (
	"os"
	"path/filepath"
	"testing"

	"octopus/modules/internal/anstest"
)

// TestSysModulesAgainstAnsible runs cases that are safe on the build
// machine (argument errors, fstab edits in a temp dir) through
// ansible-playbook and octopus and compares results and files.
func TestSysModulesAgainstAnsible(t *testing.T) {
	fstab := func(content string) func(dir string) error {
		return func(dir string) error { return os.WriteFile(filepath.Join(dir, "fstab"), []byte(content), 0o644) }
	}
	base := "# /etc/fstab\nUUID=abc / ext4 errors=remount-ro 0 1\n/dev/sdb1 /data xfs defaults\n\nserver:/export /mnt/nfs nfs rw,hard 0 0\n"
	cases := []anstest.Case{
		{Name: "mount present new", Setup: fstab(base), Steps: []anstest.Step{
			{Module: "mount", Args: map[string]any{"path": "/srv/my data", "src": "server:/x&y", "fstype": "nfs", "opts": "ro", "state": "present", "fstab": "@D@/fstab"}},
			{Module: "mount", Args: map[string]any{"path": "/srv/my data", "src": "server:/x&y", "fstype": "nfs", "opts": "ro", "state": "present", "fstab": "@D@/fstab"}},
		}},
		{Name: "mount present change", Setup: fstab(base), Steps: []anstest.Step{
			{Module: "mount", Args: map[string]any{"path": "/mnt/nfs", "src": "server:/export", "fstype": "nfs", "opts": "rw,soft", "state": "present", "fstab": "@D@/fstab"}, Check: true},
			{Module: "mount", Args: map[string]any{"path": "/mnt/nfs", "src": "server:/export", "fstype": "nfs", "opts": "rw,soft", "state": "present", "fstab": "@D@/fstab", "boot": false}},
			{Module: "mount", Args: map[string]any{"path": "/data", "src": "/dev/sdb1", "fstype": "xfs", "state": "present", "fstab": "@D@/fstab"}},
		}},
		{Name: "mount absent_from_fstab", Setup: fstab(base), Steps: []anstest.Step{
			{Module: "mount", Args: map[string]any{"path": "/mnt/nfs", "state": "absent_from_fstab", "fstab": "@D@/fstab"}},
			{Module: "mount", Args: map[string]any{"path": "/mnt/nfs", "state": "absent_from_fstab", "fstab": "@D@/fstab"}},
			{Module: "mount", Args: map[string]any{"path": "@D@/notmounted", "state": "unmounted", "fstab": "@D@/fstab"}},
		}},
		{Name: "mount new fstab file", Steps: []anstest.Step{
			{Module: "mount", Args: map[string]any{"path": "/x", "src": "/dev/x", "fstype": "ext4", "state": "present", "fstab": "@D@/sub/fstab"}},
		}},
		{Name: "mount arg errors", Steps: []anstest.Step{
			{Module: "mount", Args: map[string]any{"path": "/x", "state": "mounted"}},
			{Module: "mount", Args: map[string]any{"path": "/x"}},
			{Module: "mount", Args: map[string]any{"path": "/x", "state": "bogus"}},
		}},
		{Name: "apt arg errors", Steps: []anstest.Step{
			{Module: "apt", Args: map[string]any{"name": "x", "deb": "/tmp/x.deb"}},
			{Module: "apt", Args: map[string]any{"name": "x", "state": "installed"}},
			{Module: "apt", Args: map[string]any{"name": "x", "upgrade": "bogus"}},
			{Module: "apt", Args: map[string]any{"name": "x", "cache_valid_time": "soon"}},
			{Module: "apt", Args: map[string]any{"name": "x", "bogus_opt": 1}},
		}},
		{Name: "apt_key apt_repository service systemd modprobe arg errors", Steps: []anstest.Step{
			{Module: "apt_key", Args: map[string]any{"url": "http://x", "data": "y"}},
			{Module: "apt_key", Args: map[string]any{"id": "x", "state": "gone"}},
			{Module: "apt_repository", Args: map[string]any{"state": "present"}},
			{Module: "apt_repository", Args: map[string]any{"repo": "deb http://x y", "state": "enabled"}},
			{Module: "systemd", Args: map[string]any{"name": "x", "enabled": "maybe"}},
			{Module: "systemd", Args: map[string]any{"state": "started"}},
			{Module: "systemd", Args: map[string]any{"name": "x", "scope": "world"}},
			{Module: "modprobe", Args: map[string]any{"state": "present"}},
			{Module: "modprobe", Args: map[string]any{"name": "x", "persistent": "yes"}},
		}},
	}
	anstest.Run(t, anstest.Suite{Cases: cases})
}
