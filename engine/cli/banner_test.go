package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"octopus/engine/vault"
)

func TestPyTuple(t *testing.T) {
	tests := []struct {
		in   []string
		want string
	}{
		{[]string{"all"}, "('all',)"},
		{[]string{"a", "b"}, "('a', 'b')"},
		{[]string{"it's"}, `("it's",)`},
	}
	for _, tc := range tests {
		if got := pyTuple(tc.in); got != tc.want {
			t.Errorf("pyTuple(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestCLIArgs(t *testing.T) {
	s := &session{opts: &PlaybookOptions{Playbooks: []string{"site.yml"}, Verbosity: 4, Inventory: []string{"a,b"},
		ExtraVars: []string{"x=1"}, Check: true, Limit: "a"}}
	var lines []string
	for _, kv := range s.cliArgs() {
		lines = append(lines, kv[0]+": "+kv[1])
	}
	want := "verbosity: 4\ntimeout: 10\ntags: ('all',)\ncheck: True\ninventory: ('a,b',)\nsubset: a\nextra_vars: ('x=1',)\nforks: 5"
	if got := strings.Join(lines, "\n"); got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}

func TestParseExtraVarsVault(t *testing.T) {
	dir := t.TempDir()
	secret := vault.NewSecret("", []byte("pw"))
	enc, err := vault.Encrypt([]byte("k: v\n"), secret, "")
	if err != nil {
		t.Fatal(err)
	}
	f := filepath.Join(dir, "v.yml")
	os.WriteFile(f, enc, 0o600)
	tests := []struct {
		name    string
		secrets vault.Secrets
		wantErr string
	}{
		{"right secret", vault.Secrets{secret}, ""},
		{"no secret", vault.Secrets{}, "Attempting to decrypt but no vault secrets found"},
		{"wrong secret", vault.Secrets{vault.NewSecret("", []byte("no"))}, "Decryption failed (no vault secrets were found that could decrypt) on " + f},
	}
	for _, tc := range tests {
		got, err := parseExtraVars([]string{"@" + f}, vault.FileDecrypter(tc.secrets, vault.DecryptOptions{}))
		if tc.wantErr != "" {
			if err == nil || err.Error() != tc.wantErr {
				t.Errorf("%s: err = %v, want %q", tc.name, err, tc.wantErr)
			}
			continue
		}
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		if v, _ := got.Get("k"); v != "v" {
			t.Errorf("%s: k = %v", tc.name, v)
		}
	}
}
