package modules_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/crypto/ssh"

	"octopus/modules/internal/anstest"
)

// fakeCrontab installs a crontab stand-in on PATH that keeps each user's
// table in a directory keyed by the working directory, so that Ansible's
// run (cwd: the suite dir) and octopus's run (cwd: the package) stay apart.
func fakeCrontab(t *testing.T) {
	t.Helper()
	bin := t.TempDir()
	store := t.TempDir()
	script := `#!/bin/sh
d=` + store + `/$(pwd | md5sum | cut -c1-8); mkdir -p "$d"
u=$(id -un)
if [ "$1" = "-u" ]; then u=$2; shift 2; fi
case "$1" in
-l) [ -f "$d/$u" ] || { echo "no crontab for $u" >&2; exit 1; }; cat "$d/$u";;
-) cat > "$d/$u";;
*) cat "$1" > "$d/$u";;
esac
`
	if err := os.WriteFile(filepath.Join(bin, "crontab"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+":"+os.Getenv("PATH"))
}

func pubKey(t *testing.T, comment string) string {
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	sp, err := ssh.NewPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSpace(string(ssh.MarshalAuthorizedKey(sp))) + comment
}

// TestSysModulesDiff compares cron, authorized_key, known_hosts, getent,
// service_facts and package_facts with Ansible, all kept in temp dirs
// (cron_file / path options, a fake crontab binary).
func TestSysModulesDiff(t *testing.T) {
	if !anstest.HaveAnsible() {
		t.Skip("ansible-playbook not installed")
	}
	fakeCrontab(t)
	var cases []anstest.Case
	st := func(m string, a map[string]any) anstest.Step { return anstest.Step{Module: m, Args: a} }
	chk := func(m string, a map[string]any) anstest.Step {
		return anstest.Step{Module: m, Args: a, Check: true, Diff: true}
	}
	dif := func(m string, a map[string]any) anstest.Step { return anstest.Step{Module: m, Args: a, Diff: true} }
	add := func(name string, setup func(string) error, ign []string, steps ...anstest.Step) {
		cases = append(cases, anstest.Case{Name: name, Setup: setup, Ignore: ign, Steps: steps})
	}
	// cron with cron_file
	cf := func(a map[string]any) map[string]any {
		a["cron_file"] = "@D@/cronfile"
		if _, ok := a["user"]; !ok {
			a["user"] = "root"
		}
		return a
	}
	existing := writeFiles(map[string]string{"cronfile": "SHELL=/bin/sh\n#Ansible: old\n5 * * * * root /bin/old\n* * * * * root /bin/unmarked\n"})
	add("cron file", nil, nil,
		chk("cron", cf(map[string]any{"name": "a", "job": "/bin/true", "minute": "*/5"})),
		dif("cron", cf(map[string]any{"name": "a", "job": "/bin/true", "minute": "*/5"})),
		st("cron", cf(map[string]any{"name": "a", "job": "/bin/true", "minute": "*/5"})),
		dif("cron", cf(map[string]any{"name": "a", "job": "/bin/false", "hour": "3", "disabled": true})),
		st("cron", cf(map[string]any{"name": "b", "job": "/bin/b", "special_time": "reboot"})),
		st("cron", cf(map[string]any{"name": "PATH", "job": "/usr/bin:/bin", "env": true})),
		st("cron", cf(map[string]any{"name": "MAILTO", "job": "x@example.org", "env": true, "insertafter": "PATH"})),
		st("cron", cf(map[string]any{"name": "PATH", "env": true, "state": "absent"})),
		st("cron", cf(map[string]any{"name": "b", "state": "absent"})),
		dif("cron", cf(map[string]any{"name": "a", "state": "absent"})),
		st("cron", cf(map[string]any{"name": "MAILTO", "env": "yes", "state": "absent"})),
	)
	add("cron existing", existing, nil,
		st("cron", cf(map[string]any{"name": "old", "job": "/bin/old", "minute": "5"})),
		st("cron", cf(map[string]any{"name": "new", "job": "/bin/unmarked"})),
		dif("cron", cf(map[string]any{"name": "old", "state": "absent"})),
		st("cron", cf(map[string]any{"name": "SHELL", "job": "/bin/bash", "env": true})),
	)
	add("cron errors", nil, nil,
		st("cron", map[string]any{"name": "x", "job": "j", "cron_file": "@D@/cf"}),
		st("cron", cf(map[string]any{"name": "x"})),
		st("cron", cf(map[string]any{"name": "x", "job": "j", "special_time": "daily", "hour": "1"})),
		st("cron", cf(map[string]any{"name": "x", "job": "j", "insertafter": "A"})),
		st("cron", cf(map[string]any{"name": "x y", "job": "j", "env": true})),
		st("cron", cf(map[string]any{"name": "x", "job": "j", "env": true, "insertbefore": "NOPE"})),
		st("cron", map[string]any{"name": "x", "job": "j", "cron_file": "/etc/crontab", "user": "root"}),
		st("cron", cf(map[string]any{"name": "x", "job": "j", "special_time": "sometimes"})),
		st("cron", cf(map[string]any{"name": "x", "job": "j", "cron_file": "@D@/bad.name"})),
	)
	add("cron user", nil, nil,
		dif("cron", map[string]any{"name": "u1", "job": "echo 1"}),
		st("cron", map[string]any{"name": "u1", "job": "echo 1"}),
		st("cron", map[string]any{"name": "u2", "job": "echo 2", "user": "nobody", "weekday": "1"}),
		st("cron", map[string]any{"name": "V", "job": "v", "env": true}),
		chk("cron", map[string]any{"name": "u1", "state": "absent"}),
		st("cron", map[string]any{"name": "u1", "state": "absent"}),
		st("cron", map[string]any{"name": "u1", "state": "absent"}),
	)
	// authorized_key
	k1, k2, k3 := pubKey(t, " alice@host"), pubKey(t, ""), pubKey(t, " carol")
	akSetup := writeFiles(map[string]string{"ssh/authorized_keys": "# keep me\n" + k3 + "\n"})
	ak := func(a map[string]any) map[string]any {
		a["user"] = "root"
		if _, ok := a["path"]; !ok {
			a["path"] = "@D@/ssh/authorized_keys"
		}
		return a
	}
	add("authorized_key", akSetup, nil,
		chk("authorized_key", ak(map[string]any{"key": k1})),
		dif("authorized_key", ak(map[string]any{"key": k1})),
		st("authorized_key", ak(map[string]any{"key": k1})),
		st("authorized_key", ak(map[string]any{"key": k1, "key_options": `no-pty,from="10.0.0.1"`})),
		st("authorized_key", ak(map[string]any{"key": k1 + "\n" + k2, "comment": "set"})),
		st("authorized_key", ak(map[string]any{"key": k2, "state": "absent"})),
		st("authorized_key", ak(map[string]any{"key": k2, "state": "absent"})),
		dif("authorized_key", ak(map[string]any{"key": k1, "exclusive": true})),
	)
	add("authorized_key new dir", nil, nil,
		st("authorized_key", ak(map[string]any{"key": k2, "path": "@D@/new/.ssh/authorized_keys", "manage_dir": false})),
		st("authorized_key", ak(map[string]any{"key": k2, "path": "@D@/mdir/keys"})),
		st("authorized_key", ak(map[string]any{"key": "not a key"})),
		st("authorized_key", map[string]any{"key": k2, "user": "no-such-user-zz", "path": "@D@/x"}),
		chk("authorized_key", map[string]any{"key": k2, "user": "no-such-user-zz"}),
		st("authorized_key", map[string]any{"key": k2}),
	)
	// known_hosts
	h1, h2 := pubKey(t, ""), pubKey(t, "")
	kh := func(a map[string]any) map[string]any {
		a["path"] = "@D@/known_hosts"
		return a
	}
	add("known_hosts", writeFiles(map[string]string{"known_hosts": "other.example " + h2 + "\n"}), nil,
		chk("known_hosts", kh(map[string]any{"name": "web1.example", "key": "web1.example " + h1})),
		st("known_hosts", kh(map[string]any{"name": "web1.example", "key": "web1.example " + h1})),
		st("known_hosts", kh(map[string]any{"name": "Web1.example", "key": "web1.example " + h1})),
		st("known_hosts", kh(map[string]any{"name": "web1.example", "key": "web1.example " + h2})),
		st("known_hosts", kh(map[string]any{"name": "web1.example", "key": "web1.example " + h2, "state": "absent"})),
		st("known_hosts", kh(map[string]any{"name": "other.example", "state": "absent"})),
		st("known_hosts", kh(map[string]any{"name": "other.example", "state": "absent"})),
		st("known_hosts", kh(map[string]any{"name": "x.example", "key": "y.example " + h1})),
		st("known_hosts", kh(map[string]any{"name": "a,b", "key": "a " + h1})),
		st("known_hosts", kh(map[string]any{"name": "x.example"})),
	)
	// getent
	for _, a := range []map[string]any{
		{"database": "passwd", "key": "root"},
		{"database": "group", "key": "root", "split": ":"},
		{"database": "passwd", "key": "no-such-user-zz"},
		{"database": "passwd", "key": "no-such-user-zz", "fail_key": false},
		{"database": "nosuchdb"},
		{"database": "services", "key": "ssh"},
		{"database": "shadow", "key": "root"},
		{"key": "x"},
	} {
		add("getent", nil, nil, st("getent", a))
	}
	add("service_facts", nil, nil, st("service_facts", map[string]any{}))
	add("package_facts", nil, nil, st("package_facts", map[string]any{}), st("package_facts", map[string]any{"manager": "rpm"}), st("package_facts", map[string]any{"manager": "zz"}))
	anstest.Run(t, anstest.Suite{Cases: cases})
}
