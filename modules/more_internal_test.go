package modules

import (
	"reflect"
	"regexp"
	"testing"
)

func TestFnmatchRe(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"*.txt", "a.txt", true}, {"*.txt", "a.txt.bak", false}, {"?.log", "a.log", true}, {"?.log", "ab.log", false},
		{"[ab]*", "bx", true}, {"[!ab]*", "bx", false}, {"[!ab]*", "cx", true}, {"a[", "a[", true}, {`a\b`, `a\b`, true},
		{"*", ".hidden", true}, {"[]]x", "]x", true}, {"a.b", "axb", false},
	}
	for _, c := range cases {
		if got := regexp.MustCompile(fnmatchRe(c.pat)).MatchString(c.name); got != c.want {
			t.Errorf("fnmatch(%q, %q) = %v, want %v", c.name, c.pat, got, c.want)
		}
	}
}

func TestDrainedCount(t *testing.T) {
	// 127.0.0.1:8080 <- 127.0.0.1:40000 established; 0.0.0.0:8080 listening; ::ffff:10.0.0.5 -> :8080 time-wait
	out := "4   sl  local_address rem_address   st\n" +
		"4   0: 0100007F:1F90 0100007F:9C40 01 x\n" +
		"4   1: 00000000:1F90 00000000:0000 0A x\n" +
		"6   0: 0000000000000000FFFF00000500000A:1F90 0000000000000000FFFF00000600000A:1234 06 x\n"
	active := []string{"01", "06"}
	if n := countActive(out, 8080, hostHex("127.0.0.1"), nil, active); n != 1 {
		t.Errorf("127.0.0.1: %d", n)
	}
	if n := countActive(out, 8080, hostHex("0.0.0.0"), nil, active); n != 1 {
		t.Errorf("0.0.0.0 (v4 only): %d", n)
	}
	if n := countActive(out, 8080, hostHex("::"), nil, active); n != 1 {
		t.Errorf(":: : %d", n)
	}
	if n := countActive(out, 8080, hostHex("127.0.0.1"), hostHex("127.0.0.1"), active); n != 0 {
		t.Errorf("excluded: %d", n)
	}
	if got := hostHex("10.0.0.5"); !reflect.DeepEqual(got, []string{"40500000A"}) {
		t.Errorf("hostHex: %v", got)
	}
}

func TestSSHKeyParsing(t *testing.T) {
	k, ok := parseSSHKey(`no-pty,command="echo a,b",from="x" ssh-ed25519 AAAAC3 my comment`+"\n", 3)
	if !ok || k.typ != "ssh-ed25519" || k.blob != "AAAAC3" || k.comment != "my comment" || k.rank != 3 {
		t.Fatalf("parse: %+v %v", k, ok)
	}
	if got := k.line(); got != `no-pty,command="echo a,b",from="x" ssh-ed25519 AAAAC3 my comment`+"\n" {
		t.Errorf("line: %q", got)
	}
	if _, ok := parseSSHKey("garbage here", 0); ok {
		t.Error("garbage parsed")
	}
	k, _ = parseSSHKey("ssh-rsa AAAA", 0)
	if k.line() != "ssh-rsa AAAA \n" { // Ansible keeps the space before an empty comment
		t.Errorf("no comment: %q", k.line())
	}
	if !optsEqual(parseSSHOptions(`a,b="1"`), parseSSHOptions(`b="1",a`)) || optsEqual(parseSSHOptions("a"), parseSSHOptions("a=1")) {
		t.Error("optsEqual")
	}
}

func TestTimezoneState(t *testing.T) {
	sd := &tzProbe{systemd: true, status: "               Local time: Thu\n                Time zone: Europe/Paris (CET, +0100)\n          RTC in local TZ: no\n"}
	if sd.get("name", "x") != "Europe/Paris" || sd.get("hwclock", "") != "UTC" {
		t.Errorf("systemd: %s %s", sd.get("name", "x"), sd.get("hwclock", ""))
	}
	deb := &tzProbe{hasEtcTZ: true, etcTimezone: "Asia/Tokyo\n", isLink: true, linkResolves: true, localtimeLink: "/usr/share/zoneinfo/Etc/UTC"}
	if got := deb.get("name", "Asia/Tokyo"); got != "Etc/UTC" {
		t.Errorf("debian mismatched link: %s", got)
	}
	deb.localtimeLink = "/usr/share/zoneinfo/Asia/Tokyo"
	if got := deb.get("name", "Asia/Tokyo"); got != "Asia/Tokyo" {
		t.Errorf("debian: %s", got)
	}
	if got := (&tzProbe{}).get("name", "UTC"); got != "n/a" {
		t.Errorf("no files: %s", got)
	}
	p := parseTZProbe("ZF=MQ==\nETZ=RXRjL1VUQwp4\nISLINK=MQ==\n")
	if !p.zoneFile || p.etcTimezone != "Etc/UTC\n" || !p.isLink {
		t.Errorf("parse: %+v", p)
	}
}

func TestParseServiceFacts(t *testing.T) {
	sec := map[string]string{
		"SYSV":  " [ + ]  ssh\n [ - ]  rsync\nrc=0",
		"UNITS": "  UNIT              LOAD      ACTIVE   SUB     DESCRIPTION\n  ssh.service       loaded    active   running OpenBSD Secure Shell server\n● bad.service       not-found inactive dead    bad.service\n  cron.service      loaded    inactive dead    cron\n",
		"FILES": "UNIT FILE         STATE    VENDOR PRESET\nssh.service       enabled  enabled\nbad.service       enabled  enabled\nextra.service     disabled enabled\ngetty@.service    enabled  enabled\n",
		"SHOWN": "ssh.service\nbad.service\nextra.service\n",
		"SHOW":  "ActiveState=active\n\nActiveState=inactive\n\nActiveState=inactive\n",
	}
	got, _ := parseServiceFacts(sec)
	want := map[string]any{
		"ssh":            map[string]any{"name": "ssh", "state": "running", "source": "sysv"},
		"rsync":          map[string]any{"name": "rsync", "state": "stopped", "source": "sysv"},
		"ssh.service":    map[string]any{"name": "ssh.service", "state": "running", "status": "enabled", "source": "systemd"},
		"bad.service":    map[string]any{"name": "bad.service", "state": "stopped", "status": "not-found", "source": "systemd"},
		"cron.service":   map[string]any{"name": "cron.service", "state": "stopped", "status": "inactive", "source": "systemd"},
		"extra.service":  map[string]any{"name": "extra.service", "state": "inactive", "status": "disabled", "source": "systemd"},
		"getty@.service": map[string]any{"name": "getty@.service", "state": "unknown", "status": "enabled", "source": "systemd"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("services:\n got %v\nwant %v", got, want)
	}
}

func TestParsePackageFacts(t *testing.T) {
	sec := map[string]string{
		"ARCH":  "amd64\n",
		"LIST":  "installed\tbash\t5.2\tamd64\tshells\ninstalled\tlibc6\t2.36\ti386\tlibs\ninstalled\tadduser\t3.1\tall\tadmin",
		"FILES": "Package files:\n 100 /var/lib/dpkg/status\n     release a=now\n 500 http://deb.example/debian bookworm/main amd64 Packages\n     release v=12,o=Debian,a=stable,n=bookworm,l=Debian,c=main,b=amd64\n     origin deb.example\n",
		"POLICY": "bash:\n  Installed: 5.2\n  Version table:\n     5.3 500\n        500 http://deb.example/debian bookworm/main amd64 Packages\n *** 5.2 100\n        100 /var/lib/dpkg/status\n" +
			"libc6:i386:\n  Installed: 2.36\n  Version table:\n *** 2.36 500\n        500 http://deb.example/debian bookworm/main amd64 Packages\n        100 /var/lib/dpkg/status\n" +
			"adduser:\n  Version table:\n *** 3.1 500\n        500 http://deb.example/debian bookworm/main amd64 Packages\n",
		"SECT": "adduser\tall\tsysadmin\n",
	}
	got := parsePackageFacts(sec)
	want := map[string]any{
		"bash":       []any{map[string]any{"name": "bash", "version": "5.2", "arch": "amd64", "category": "shells", "origin": "", "source": "apt"}},
		"libc6:i386": []any{map[string]any{"name": "libc6:i386", "version": "2.36", "arch": "i386", "category": "libs", "origin": "Debian", "source": "apt"}},
		"adduser":    []any{map[string]any{"name": "adduser", "version": "3.1", "arch": "all", "category": "sysadmin", "origin": "Debian", "source": "apt"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("packages:\n got %v\nwant %v", got, want)
	}
}

func TestCrontabEdits(t *testing.T) {
	c := &crontab{lines: []string{"A=1", "#Ansible: x", "* * * * * old", "* * * * * bare"}}
	if found, old, _ := c.findJob("x", ""); !found || old != "* * * * * old" {
		t.Errorf("findJob: %v %q", found, old)
	}
	if found, _, inserted := c.findJob("y", "* * * * * bare"); !found || !inserted || c.lines[3] != "#Ansible: y" {
		t.Errorf("adopt bare job: %v %v %v", found, inserted, c.lines)
	}
	c.updateJob("x", "", true)
	if !reflect.DeepEqual(c.lines, []string{"A=1", "#Ansible: y", "* * * * * bare"}) {
		t.Errorf("remove: %v", c.lines)
	}
	if !reflect.DeepEqual(c.envNames(), []any{"A"}) || !reflect.DeepEqual(c.jobNames(), []any{"y"}) {
		t.Errorf("names: %v %v", c.envNames(), c.jobNames())
	}
	if c.render() != "A=1\n#Ansible: y\n* * * * * bare\n" {
		t.Errorf("render: %q", c.render())
	}
}
