package modules

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
)

func TestParseGPGKeys(t *testing.T) {
	long := "/etc/apt/trusted.gpg\n--------------------\npub   rsa4096/0E98404D386FA1D9 2021-01-17 [SC] [expires: 2029-01-15]\n      1F89983E0081FDE018F3CC9673A4F27B8DD47936\nuid           [ unknown] Debian Archive\nsub   rsa4096/A48449044AAD5C5D 2021-01-17 [S] [expires: 2029-01-15]\npub   rsa2048/1111111122222222 2010-01-01 [SC] [expired: 2012-01-01]\n"
	if got := ParseGPGKeys(long, false); !reflect.DeepEqual(got, []any{"0E98404D386FA1D9", "A48449044AAD5C5D"}) {
		t.Errorf("long = %v", got)
	}
	if got := ParseGPGKeys(long, true); !reflect.DeepEqual(got, []any{"386FA1D9", "4AAD5C5D"}) {
		t.Errorf("short = %v", got)
	}
	colons := "pub:-:4096:1:0E98404D386FA1D9:1610000000:::-:::scSC::::::23::0:\nfpr:::::::::1F89983E0081FDE018F3CC9673A4F27B8DD47936:\n"
	if got := ParseGPGKeys(colons, false); !reflect.DeepEqual(got, []any{"0E98404D386FA1D9"}) {
		t.Errorf("colons = %v", got)
	}
	for in, want := range map[string][3]string{
		"0x386fa1d9":       {"386FA1D9", "386FA1D9", "386FA1D9"},
		"0E98404D386FA1D9": {"386FA1D9", "0E98404D386FA1D9", "0E98404D386FA1D9"},
		"1F89983E0081FDE018F3CC9673A4F27B8DD47936": {"8DD47936", "73A4F27B8DD47936", "1F89983E0081FDE018F3CC9673A4F27B8DD47936"},
	} {
		s, f, k, err := parseKeyID(in)
		if err != nil || [3]string{s, f, k} != want {
			t.Errorf("parseKeyID(%s) = %s %s %s %v", in, s, f, k, err)
		}
	}
	for _, bad := range []string{"", "xyz", "123456789", "None"} {
		if _, _, _, err := parseKeyID(bad); err == nil {
			t.Errorf("parseKeyID(%q) accepted", bad)
		}
	}
}

func TestAptKeyFake(t *testing.T) {
	mk, log, dir := fakeSystemd(t)
	keyFile := filepath.Join(dir, "k.asc")
	os.WriteFile(keyFile, []byte("-----BEGIN PGP PUBLIC KEY BLOCK-----\nID:0E98404D386FA1D9\n"), 0o644)

	r := sysRunMod(t, "apt_key", mk(map[string]any{"file": keyFile}, true))
	if r["changed"] != true || r["id"] != "0E98404D386FA1D9" || r["short_id"] != "386FA1D9" || !reflect.DeepEqual(r["before"], []any{}) || r["after"] != nil {
		t.Errorf("check mode: %v", r)
	}
	r = sysRunMod(t, "apt_key", mk(map[string]any{"file": keyFile}, false))
	if r["changed"] != true || !reflect.DeepEqual(r["after"], []any{"0E98404D386FA1D9"}) {
		t.Errorf("add: %v", r)
	}
	r = sysRunMod(t, "apt_key", mk(map[string]any{"data": "ID:0E98404D386FA1D9\n"}, false))
	if r["changed"] != false {
		t.Errorf("add again: %v", r)
	}
	log()
	// an 8-char id compares short ids
	r = sysRunMod(t, "apt_key", mk(map[string]any{"id": "386FA1D9", "state": "absent"}, false))
	if r["changed"] != true || !reflect.DeepEqual(r["before"], []any{"386FA1D9"}) || !reflect.DeepEqual(r["after"], []any{}) {
		t.Errorf("absent short id: %v", r)
	}
	if l := log(); l[1] != "apt-key del 386FA1D9" {
		t.Errorf("calls = %v", l)
	}
	r = sysRunMod(t, "apt_key", mk(map[string]any{"id": "0E98404D386FA1D9", "state": "absent"}, false))
	if r["changed"] != false || !reflect.DeepEqual(r["before"], []any{}) {
		t.Errorf("absent again: %v", r)
	}
	r = sysRunMod(t, "apt_key", mk(map[string]any{"id": "DEADBEEFDEADBEEF", "keyserver": "keyserver.example.org"}, false))
	if r["msg"] != "Key DEADBEEFDEADBEEF not found on keyserver keyserver.example.org" {
		t.Errorf("keyserver miss: %v", r)
	}
	for _, c := range []struct {
		args map[string]any
		msg  string
	}{
		{map[string]any{"keyserver": "k"}, "Missing key_id, required with keyserver."},
		{map[string]any{"id": "xyz"}, "Invalid key_id"},
		{map[string]any{"data": "a", "file": "/b"}, "parameters are mutually exclusive: data|file|keyserver|url"},
	} {
		if r := sysRunMod(t, "apt_key", mk(c.args, false)); r["msg"] != c.msg {
			t.Errorf("%v: %v", c.args, r)
		}
	}
}
