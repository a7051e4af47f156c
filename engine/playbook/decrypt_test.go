package playbook

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDecryptsVaultFiles(t *testing.T) {
	dir := t.TempDir()
	pb := filepath.Join(dir, "site.yml")
	os.WriteFile(pb, []byte("$ANSIBLE_VAULT;1.1;AES256\n- hosts: all\n  tasks:\n    - import_tasks: t.yml\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "t.yml"), []byte("$ANSIBLE_VAULT;1.1;AES256\n- debug: msg=hi\n"), 0o644)
	open := func(data []byte, path string) ([]byte, error) {
		if !strings.HasPrefix(string(data), "$ANSIBLE_VAULT") {
			return data, nil
		}
		_, rest, _ := strings.Cut(string(data), "\n")
		return []byte(rest), nil
	}
	fail := func(data []byte, path string) ([]byte, error) {
		if strings.HasPrefix(string(data), "$ANSIBLE_VAULT") {
			return nil, errors.New("Attempting to decrypt but no vault secrets found")
		}
		return data, nil
	}
	tests := []struct {
		name    string
		decrypt func([]byte, string) ([]byte, error)
		wantErr string
	}{
		{"decrypted", open, ""},
		{"no secrets", fail, "Attempting to decrypt but no vault secrets found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Load(pb, LoadOptions{Decrypt: tc.decrypt})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(got.Plays) != 1 || len(got.Plays[0].Tasks) != 1 {
				t.Fatalf("plays = %+v", got.Plays)
			}
		})
	}
}
