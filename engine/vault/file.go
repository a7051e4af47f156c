package vault

import (
	"path/filepath"
)

// FileDecryptFunc is the hook the loaders call on every file they read:
// it returns data unchanged unless it is vault-encrypted, and otherwise
// the plaintext or Ansible's decryption error naming path.
type FileDecryptFunc func(data []byte, path string) ([]byte, error)

// FileDecrypter returns the hook that decrypts whole vault-encrypted files
// with secrets, as Ansible's DataLoader does for every YAML, vars,
// inventory and template file it reads. A relative path is made absolute
// for the error text ("Decryption failed ... on /abs/path"). opts.Filename
// is ignored (the path of each call is used).
func FileDecrypter(secrets Secrets, opts DecryptOptions) FileDecryptFunc {
	return func(data []byte, path string) ([]byte, error) {
		if !IsEncrypted(data) {
			return data, nil
		}
		o := opts
		o.Filename = path
		if abs, err := filepath.Abs(path); err == nil && path != "" {
			o.Filename = abs
		}
		if secrets == nil {
			secrets = Secrets{}
		}
		out, _, err := DecryptWith(data, secrets, o)
		return out, err
	}
}
