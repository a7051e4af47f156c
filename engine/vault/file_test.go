package vault

import (
	"bytes"
	"path/filepath"
	"testing"
)

func TestFileDecrypter(t *testing.T) {
	plain := mustRead(t, "plain.yml")
	abs, _ := filepath.Abs("testdata/v11.yml")
	tests := []struct {
		name    string
		file    string
		secrets Secrets
		want    []byte
		wantErr string
	}{
		{"plain passes through without secrets", "plain.yml", nil, plain, ""},
		{"1.1 file", "v11.yml", Secrets{NewSecret("", []byte("octopus-test"))}, plain, ""},
		{"1.2 file", "v12.yml", Secrets{NewSecret("dev", []byte("devpass"))}, plain, ""},
		{"no secrets", "v11.yml", nil, nil, "Attempting to decrypt but no vault secrets found"},
		{"wrong secret", "v11.yml", Secrets{NewSecret("", []byte("nope"))}, nil,
			"Decryption failed (no vault secrets were found that could decrypt) on " + abs},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dec := FileDecrypter(tc.secrets, DecryptOptions{})
			out, err := dec(mustRead(t, tc.file), filepath.Join("testdata", tc.file))
			if checkErr(t, err, tc.wantErr) {
				return
			}
			if !bytes.Equal(out, tc.want) {
				t.Errorf("got %q, want %q", out, tc.want)
			}
		})
	}
}
