package vault

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, text string, mode os.FileMode) {
	t.Helper()
	if err := os.WriteFile(path, []byte(text), mode); err != nil {
		t.Fatal(err)
	}
}

func TestLoadSecrets(t *testing.T) {
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "pw"), "  filepass \n\n", 0o600)
	writeFile(t, filepath.Join(dir, "empty"), "\n", 0o600)
	writeFile(t, filepath.Join(dir, "script.sh"), "#!/bin/sh\necho scriptpass\n", 0o700)
	writeFile(t, filepath.Join(dir, "fail.sh"), "#!/bin/sh\nexit 3\n", 0o700)
	writeFile(t, filepath.Join(dir, "vault-client.sh"), "#!/bin/sh\n[ \"$1\" = --vault-id ] || exit 1\n[ \"$2\" = known ] || { echo nope >&2; exit 2; }\necho clientpass\n", 0o700)
	enc, err := Encrypt([]byte("innerpass\n"), NewSecret("", []byte("filepass")), "")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(dir, "vaulted"), string(enc), 0o600)

	type sec struct{ ID, Pw string }
	tests := []struct {
		name     string
		opts     SecretOptions
		want     []sec
		wantErr  string
		wantWarn []string
	}{
		{name: "password file", opts: SecretOptions{PasswordFiles: []string{"pw"}}, want: []sec{{"default", "filepass"}}},
		{name: "labelled file", opts: SecretOptions{VaultIDs: []string{"dev@pw"}}, want: []sec{{"dev", "filepass"}}},
		{name: "unlabelled vault id", opts: SecretOptions{VaultIDs: []string{"pw"}}, want: []sec{{"default", "filepass"}}},
		{name: "script", opts: SecretOptions{PasswordFiles: []string{"script.sh"}}, want: []sec{{"default", "scriptpass"}}},
		{name: "client script", opts: SecretOptions{VaultIDs: []string{"known@vault-client.sh"}}, want: []sec{{"known", "clientpass"}}},
		{name: "order", opts: SecretOptions{IdentityList: []string{"a@pw"}, VaultIDs: []string{"b@script.sh"}, PasswordFiles: []string{"pw"}, ConfigPasswordFile: "script.sh"},
			want: []sec{{"a", "filepass"}, {"b", "scriptpass"}, {"default", "filepass"}, {"default", "scriptpass"}}},
		{name: "vaulted password file", opts: SecretOptions{VaultIDs: []string{"pw", "inner@vaulted"}}, want: []sec{{"default", "filepass"}, {"inner", "innerpass"}}},
		{name: "missing file alone", opts: SecretOptions{PasswordFiles: []string{"nope"}},
			wantErr:  "The vault password file DIR/nope was not found",
			wantWarn: []string{"Error getting vault password file (default): The vault password file DIR/nope was not found"}},
		{name: "missing file with another", opts: SecretOptions{VaultIDs: []string{"x@nope", "pw"}}, want: []sec{{"default", "filepass"}},
			wantWarn: []string{"Error getting vault password file (x): The vault password file DIR/nope was not found"}},
		{name: "empty file", opts: SecretOptions{PasswordFiles: []string{"empty"}},
			wantErr: "Invalid vault password was provided from file (DIR/empty)"},
		{name: "failing script", opts: SecretOptions{PasswordFiles: []string{"fail.sh"}},
			wantErr: "Vault password script DIR/fail.sh returned non-zero (3): None"},
		{name: "client unknown id", opts: SecretOptions{VaultIDs: []string{"other@vault-client.sh"}},
			wantErr: "Vault password client script DIR/vault-client.sh did not find a secret for vault-id=other: b'nope\\n'"},
		{name: "ask", opts: SecretOptions{AskVaultPass: true}, want: []sec{{"default", "typed"}}},
		{name: "auto prompt", opts: SecretOptions{AutoPrompt: true}, want: []sec{{"default", "typed"}}},
		{name: "no sources", opts: SecretOptions{}, want: nil},
		{name: "prompt id", opts: SecretOptions{VaultIDs: []string{"lbl@prompt"}}, want: []sec{{"lbl", "typed"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var warns, prompts []string
			tc.opts.Cwd = dir
			tc.opts.Warn = func(s string) { warns = append(warns, strings.ReplaceAll(s, dir, "DIR")) }
			tc.opts.Prompt = func(p string) (string, error) { prompts = append(prompts, p); return " typed ", nil }
			got, err := LoadSecrets(tc.opts)
			if tc.wantErr != "" {
				if err == nil || strings.ReplaceAll(err.Error(), dir, "DIR") != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
			} else if err != nil {
				t.Fatal(err)
			}
			var gs []sec
			for _, s := range got {
				gs = append(gs, sec{s.ID, string(s.Bytes())})
			}
			if !reflect.DeepEqual(gs, tc.want) {
				t.Errorf("secrets = %v, want %v", gs, tc.want)
			}
			if tc.wantWarn != nil && !reflect.DeepEqual(warns, tc.wantWarn) {
				t.Errorf("warnings = %q, want %q", warns, tc.wantWarn)
			}
		})
	}
}

func TestPrompts(t *testing.T) {
	tests := []struct {
		opts    SecretOptions
		answers []string
		prompts []string
		wantErr string
	}{
		{SecretOptions{AskVaultPass: true}, []string{"a"}, []string{"Vault password: "}, ""},
		{SecretOptions{VaultIDs: []string{"dev@prompt"}}, []string{"a"}, []string{"Vault password (dev): "}, ""},
		{SecretOptions{AskVaultPass: true, NewPassword: true}, []string{"a", "a"}, []string{"New Vault password: ", "Confirm New Vault password: "}, ""},
		{SecretOptions{VaultIDs: []string{"prompt"}, NewPassword: true}, []string{"a", "b"}, []string{"New vault password (default): ", "Confirm new vault password (default): "}, "Passwords do not match"},
		{SecretOptions{AskVaultPass: true}, []string{""}, []string{"Vault password: "}, "Invalid vault password was provided"},
		{SecretOptions{AskVaultPass: true}, nil, []string{"Vault password: "}, "EOFError (ctrl-d) on prompt for (default)"},
	}
	for i, tc := range tests {
		var prompts []string
		answers := tc.answers
		tc.opts.Prompt = func(p string) (string, error) {
			prompts = append(prompts, p)
			if len(answers) == 0 {
				return "", io.EOF
			}
			a := answers[0]
			answers = answers[1:]
			return a, nil
		}
		_, err := LoadSecrets(tc.opts)
		if (tc.wantErr == "") != (err == nil) || err != nil && err.Error() != tc.wantErr {
			t.Errorf("%d: err = %v, want %q", i, err, tc.wantErr)
		}
		if !reflect.DeepEqual(prompts, tc.prompts) {
			t.Errorf("%d: prompts = %q, want %q", i, prompts, tc.prompts)
		}
	}
	var verr *Error
	_, err := LoadSecrets(SecretOptions{AskVaultPass: true, Prompt: func(string) (string, error) { return "", io.EOF }})
	if !errors.As(err, &verr) {
		t.Errorf("prompt EOF error is %T", err)
	}
}

func TestSplitVaultID(t *testing.T) {
	for in, want := range map[string][2]string{"a@b": {"a", "b"}, "b": {"", "b"}, "a@b@c": {"a", "b@c"}, "@x": {"", "x"}} {
		l, s := SplitVaultID(in)
		if [2]string{l, s} != want {
			t.Errorf("SplitVaultID(%q) = %q,%q", in, l, s)
		}
	}
}
