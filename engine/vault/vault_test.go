package vault

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"octopus/engine/value"
)

// checkErr fails the test unless err is as wanted: an error whose text is
// want when want is set, else none. It reports whether an error was wanted
// (the case has nothing more to check).
func checkErr(t *testing.T, err error, want string) bool {
	t.Helper()
	if want != "" {
		if err == nil || err.Error() != want {
			t.Fatalf("err = %v, want %q", err, want)
		}
		return true
	}
	if err != nil {
		t.Fatal(err)
	}
	return false
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecryptAnsibleFixtures decrypts files written by ansible-vault 2.14.
func TestDecryptAnsibleFixtures(t *testing.T) {
	plain := mustRead(t, "plain.yml")
	good := NewSecret("", []byte("octopus-test"))
	dev := NewSecret("dev", []byte("devpass"))
	bad := NewSecret("", []byte("wrong"))
	tests := []struct {
		file    string
		secrets Secrets
		wantID  string
		wantErr string
	}{
		{"v11.yml", Secrets{good}, "default", ""},
		{"v11.yml", Secrets{bad, dev, good}, "default", ""},
		{"v12.yml", Secrets{dev}, "dev", ""},
		{"v12.yml", Secrets{good, dev}, "dev", ""},
		{"v12.yml", Secrets{NewSecret("other", []byte("devpass"))}, "other", ""},
		{"v11.yml", Secrets{bad}, "", "Decryption failed (no vault secrets were found that could decrypt) on F"},
		{"v11.yml", Secrets{}, "", "Attempting to decrypt but no vault secrets found"},
		{"v11.yml", nil, "", "A vault password must be specified to decrypt data"},
		{"plain.yml", Secrets{good}, "", "input is not vault encrypted data. F is not a vault encrypted file"},
	}
	for i, tc := range tests {
		t.Run(fmt.Sprint(i, tc.file), func(t *testing.T) {
			out, used, err := DecryptWith(mustRead(t, tc.file), tc.secrets, DecryptOptions{Filename: "F"})
			if checkErr(t, err, tc.wantErr) {
				return
			}
			if !bytes.Equal(out, plain) || used.ID != tc.wantID {
				t.Errorf("got %q id %q", out, used.ID)
			}
		})
	}
}

func TestIDMatch(t *testing.T) {
	data := mustRead(t, "v12.yml")
	secrets := Secrets{NewSecret("other", []byte("devpass"))}
	if _, _, err := DecryptWith(data, secrets, DecryptOptions{IDMatch: true}); err == nil {
		t.Error("IDMatch decrypted with a secret of another id")
	}
	secrets = append(secrets, NewSecret("dev", []byte("devpass")))
	if _, used, err := DecryptWith(data, secrets, DecryptOptions{IDMatch: true}); err != nil || used.ID != "dev" {
		t.Errorf("IDMatch: id %q err %v", used.ID, err)
	}
}

func TestEncryptRoundTrip(t *testing.T) {
	s := NewSecret("", []byte("pw"))
	for _, plain := range [][]byte{nil, []byte("x"), bytes.Repeat([]byte("0123456789abcdef"), 4), []byte("héllo\x00\xff")} {
		for _, label := range []string{"", "default", "prod"} {
			ct, err := Encrypt(plain, s, label)
			if err != nil {
				t.Fatal(err)
			}
			lines := strings.Split(strings.TrimSuffix(string(ct), "\n"), "\n")
			wantHdr := "$ANSIBLE_VAULT;1.1;AES256"
			if label == "prod" {
				wantHdr = "$ANSIBLE_VAULT;1.2;AES256;prod"
			}
			if lines[0] != wantHdr {
				t.Errorf("header %q", lines[0])
			}
			for _, l := range lines[1 : len(lines)-1] {
				if len(l) != 80 {
					t.Errorf("line of %d columns", len(l))
				}
			}
			if !IsEncrypted(ct) || !bytes.HasSuffix(ct, []byte("\n")) {
				t.Errorf("not a vault text: %q", ct)
			}
			out, err := Decrypt(ct, Secrets{s})
			if err != nil || !bytes.Equal(out, plain) {
				t.Errorf("round trip %q -> %q, %v", plain, out, err)
			}
		}
	}
	if _, err := Encrypt(mustRead(t, "v11.yml"), s, ""); err == nil || err.Error() != "input is already encrypted" {
		t.Errorf("re-encrypt err = %v", err)
	}
}

// TestKnownVector pins the format: a fixed salt gives a fixed payload
// (checked against ansible-vault by TestAnsibleDecryptsOurs).
func TestKnownVector(t *testing.T) {
	salt := bytes.Repeat([]byte{7}, 32)
	a, _ := encryptWithSalt([]byte("data"), NewSecret("", []byte("pw")), "", salt)
	b, _ := encryptWithSalt([]byte("data"), NewSecret("", []byte("pw")), "", salt)
	c, _ := encryptWithSalt([]byte("data"), NewSecret("", []byte("pw2")), "", salt)
	if !bytes.Equal(a, b) || bytes.Equal(a, c) {
		t.Error("encryption is not a function of password and salt")
	}
	env, err := ParseEnvelope(a)
	if err != nil {
		t.Fatal(err)
	}
	saltHex, _, ct, err := parsePayload(env.Payload)
	if err != nil || !bytes.Equal(saltHex, salt) || len(ct) != 16 {
		t.Errorf("payload: salt %x ct %d bytes err %v", saltHex, len(ct), err)
	}
}

func TestIsEncrypted(t *testing.T) {
	tests := map[string]bool{
		"$ANSIBLE_VAULT;1.1;AES256\n00\n": true,
		"$ANSIBLE_VAULT":                  true,
		" $ANSIBLE_VAULT":                 false,
		"$ANSIBLE_VAULT;1.1;AES256\né":    false,
		"key: value":                      false,
	}
	for in, want := range tests {
		if IsEncrypted([]byte(in)) != want {
			t.Errorf("IsEncrypted(%q) != %v", in, want)
		}
	}
}

func TestFormatErrors(t *testing.T) {
	s := Secrets{NewSecret("", []byte("pw"))}
	tests := map[string]string{
		"$ANSIBLE_VAULT;1.1;AES256\nabc\n":       "Vault format unhexlify error: Odd-length string",
		"$ANSIBLE_VAULT;1.1;AES256\nzz\n":        "Vault format unhexlify error: Non-hexadecimal digit found",
		"$ANSIBLE_VAULT;1.1;AES256\n6162\n":      "Vault vaulttext format error: not enough values to unpack (expected 3, got 1)",
		"$ANSIBLE_VAULT;1.1\n6162\n":             "Vault envelope format error in F: list index out of range",
		"$ANSIBLE_VAULT;1.1;AES128\n6162\n":      "AES128 cipher could not be found",
		"$ANSIBLE_VAULT;1.1;AES256;x;y\n6162\n0": "Vault format unhexlify error: Odd-length string",
	}
	for in, want := range tests {
		var warned []string
		_, _, err := DecryptWith([]byte(in), s, DecryptOptions{Filename: "F", Warn: func(w string) { warned = append(warned, w) }})
		if err == nil || err.Error() != want {
			t.Errorf("%q: err = %v, want %q", in, err, want)
		}
		if strings.HasPrefix(want, "Vault format") || strings.HasPrefix(want, "Vault vaulttext") {
			if len(warned) != 1 || warned[0] != "There was a vault format error in F: "+want {
				t.Errorf("%q: warnings %q", in, warned)
			}
		}
	}
}

func TestDecryptInlineValue(t *testing.T) {
	var doc yaml.Node
	if err := yaml.Unmarshal(mustRead(t, "inline.txt"), &doc); err != nil {
		t.Fatal(err)
	}
	v, err := value.FromYAML(&doc, "inline.txt")
	if err != nil {
		t.Fatal(err)
	}
	d := v.(*value.Dict)
	raw, _ := d.Get("secret_var")
	vv, ok := raw.(*value.Vault)
	if !ok {
		t.Fatalf("secret_var is %T", raw)
	}
	got, err := DecryptValue(vv, Secrets{NewSecret("", []byte("octopus-test"))}, DecryptOptions{})
	if err != nil || got != "hunter2" {
		t.Errorf("got %q, %v", got, err)
	}
}

func TestSecretNeverPrinted(t *testing.T) {
	s := NewSecret("lbl", []byte("topsecret"))
	for _, out := range []string{fmt.Sprint(s), fmt.Sprintf("%v %+v %#v %s", s, s, s, s), fmt.Sprint(Secrets{s})} {
		if strings.Contains(out, "topsecret") || strings.Contains(out, "116 111 112") {
			t.Errorf("secret printed: %s", out)
		}
	}
}
