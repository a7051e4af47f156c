package inventory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeVault "decrypts" data starting with "$ANSIBLE_VAULT" by dropping
// its first line, or fails with a fixed error when fail is set.
func fakeVault(fail bool) func([]byte, string) ([]byte, error) {
	return func(data []byte, path string) ([]byte, error) {
		if !strings.HasPrefix(string(data), "$ANSIBLE_VAULT") {
			return data, nil
		}
		if fail {
			return nil, fmt.Errorf("Decryption failed (no vault secrets were found that could decrypt) on %s", path)
		}
		_, rest, _ := strings.Cut(string(data), "\n")
		return []byte(rest), nil
	}
}

func TestLoadDecryptsVaultFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	inv := write("hosts", "$ANSIBLE_VAULT;1.1;AES256\n[web]\nw1 a=1\n")
	write("group_vars/web.yml", "$ANSIBLE_VAULT;1.1;AES256\ngv: secret\n")
	tests := []struct {
		name      string
		opts      Options
		wantHost  bool
		wantWarn  string
		wantVar   string
		wantVarEr string
	}{
		{"decrypted", Options{Decrypt: fakeVault(false)}, true, "", "secret", ""},
		{"cannot decrypt", Options{Decrypt: fakeVault(true)}, false,
			"Failed to parse " + inv + " with ini plugin: Decryption failed (no vault secrets were found that could decrypt) on " + inv, "", ""},
		{"extra vars error", Options{Decrypt: fakeVault(false), PluginError: errors.New("boom")}, false,
			"Failed to parse " + inv + " with yaml plugin: boom", "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := LoadWithOptions([]string{inv}, tc.opts)
			if err != nil {
				t.Fatal(err)
			}
			warns := strings.Join(got.Warnings.Take(), "\n")
			h := got.Host("w1")
			if (h != nil) != tc.wantHost {
				t.Fatalf("host w1 present = %v, warnings:\n%s", h != nil, warns)
			}
			if tc.wantWarn != "" && !strings.Contains(warns, tc.wantWarn) {
				t.Errorf("warnings %q lack %q", warns, tc.wantWarn)
			}
			if h == nil {
				return
			}
			vars, err := got.HostVars(h, nil)
			if err != nil {
				t.Fatal(err)
			}
			if v, _ := vars.Get("gv"); v != tc.wantVar {
				t.Errorf("gv = %v, want %q", v, tc.wantVar)
			}
		})
	}
	// A group_vars file that cannot be decrypted is an error of the host's
	// variables, reported through View.HostVarsErr.
	got, err := LoadWithOptions([]string{write("plain", "[web]\nw1\n")}, Options{Decrypt: fakeVault(true)})
	if err != nil {
		t.Fatal(err)
	}
	v := NewView(got, Options{}, nil)
	if err := v.HostVarsErr("w1"); err == nil || !strings.Contains(err.Error(), "group_vars/web.yml") {
		t.Errorf("HostVarsErr = %v", err)
	}
}

func TestLoadVerboseMessages(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "hosts")
	os.WriteFile(p, []byte("localhost\n"), 0o644)
	tests := []struct {
		src  string
		want []string
	}{
		{p, []string{
			"3 host_list declined parsing " + p + " as it did not pass its verify_file() method",
			"3 script declined parsing " + p + " as it did not pass its verify_file() method",
			"3 auto declined parsing " + p + " as it did not pass its verify_file() method",
			"4 Set default localhost to localhost",
			"3 Parsed " + p + " inventory source with ini plugin",
		}},
		{"a,b,", []string{"3 Parsed a,b, inventory source with host_list plugin"}},
	}
	for _, tc := range tests {
		var got []string
		_, err := LoadWithOptions([]string{tc.src}, Options{Verbose: func(l int, m string) { got = append(got, fmt.Sprint(l, " ", m)) }})
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n%s\nwant\n%s", tc.src, strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
		}
	}
}
