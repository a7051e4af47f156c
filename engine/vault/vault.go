// Package vault reads and writes Ansible Vault data: the
// "$ANSIBLE_VAULT;1.1;AES256" and "$ANSIBLE_VAULT;1.2;AES256;label" envelopes
// whose hexlified payload holds a salt, an HMAC-SHA256 and an AES-256-CTR
// ciphertext keyed by PBKDF2-SHA256 (10000 iterations), as ansible-vault 2.14
// produces them. Error texts follow Ansible's.
package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/crypto/pbkdf2"

	"octopus/engine/value"
)

// Header is the marker every vault envelope starts with.
const Header = "$ANSIBLE_VAULT"

// DefaultIdentity is the vault id of secrets given without a label
// (Ansible's vault_identity setting default).
const DefaultIdentity = "default"

const (
	cipherName   = "AES256"
	kdfRounds    = 10000
	keyLen       = 32
	ivLen        = aes.BlockSize
	saltLen      = 32
	lineWidth    = 80
	defaultVer   = "1.1"
	labelledVer  = "1.2"
	headerFields = 3
)

// Secret is one vault password together with its vault id (label). Its
// formatting methods never reveal the password.
type Secret struct {
	// ID is the vault id the secret is known by ("default" when unlabelled).
	ID       string
	password []byte
}

// NewSecret returns a secret with the given vault id and password bytes.
func NewSecret(id string, password []byte) Secret {
	if id == "" {
		id = DefaultIdentity
	}
	return Secret{ID: id, password: append([]byte(nil), password...)}
}

// Bytes returns the password. Callers must never print it.
func (s Secret) Bytes() []byte { return s.password }

// String describes the secret without its password.
func (s Secret) String() string { return fmt.Sprintf("VaultSecret(id=%s)", s.ID) }

// GoString describes the secret without its password (for %#v).
func (s Secret) GoString() string { return s.String() }

// Secrets is an ordered list of secrets; earlier ones are preferred.
type Secrets []Secret

// IDs returns the vault ids of the secrets, in order.
func (s Secrets) IDs() []string {
	ids := make([]string, len(s))
	for i, x := range s {
		ids[i] = x.ID
	}
	return ids
}

// Error is a vault error carrying Ansible's message text.
type Error struct {
	Msg string
	// Format is true for malformed vault data (Ansible's AnsibleVaultFormatError).
	Format bool
}

// Error returns the message.
func (e *Error) Error() string { return e.Msg }

func errorf(format string, args ...any) error { return &Error{Msg: fmt.Sprintf(format, args...)} }

// IsEncrypted reports whether data is vault-encrypted: pure ASCII text that
// starts with "$ANSIBLE_VAULT".
func IsEncrypted(data []byte) bool {
	for _, c := range data {
		if c >= 0x80 {
			return false
		}
	}
	return bytes.HasPrefix(data, []byte(Header))
}

// Envelope is the parsed header and payload of a vault text.
type Envelope struct {
	Version string // "1.1" or "1.2"
	Cipher  string // "AES256"
	// Label is the vault id from a 1.2 header, or "" when the header has none.
	Label string
	// Payload is the hexlified payload with line breaks removed.
	Payload []byte
}

// ParseEnvelope splits a vault text into its header fields and payload.
func ParseEnvelope(data []byte) (*Envelope, error) {
	lines := splitLines(data)
	if len(lines) == 0 {
		return nil, &Error{Msg: "Vault envelope format error: list index out of range", Format: true}
	}
	fields := strings.Split(strings.TrimSpace(string(lines[0])), ";")
	if len(fields) < headerFields {
		return nil, &Error{Msg: "Vault envelope format error: list index out of range", Format: true}
	}
	env := &Envelope{
		Version: strings.TrimSpace(fields[1]),
		Cipher:  strings.TrimSpace(fields[2]),
		Payload: bytes.Join(lines[1:], nil),
	}
	if len(fields) >= 4 {
		env.Label = strings.TrimSpace(fields[3])
	}
	return env, nil
}

// splitLines splits like Python's bytes.splitlines (\n, \r, \r\n).
func splitLines(data []byte) [][]byte {
	var out [][]byte
	for len(data) > 0 {
		i := bytes.IndexAny(data, "\r\n")
		if i < 0 {
			out = append(out, data)
			break
		}
		out = append(out, data[:i])
		if data[i] == '\r' && i+1 < len(data) && data[i+1] == '\n' {
			i++
		}
		data = data[i+1:]
	}
	return out
}

// FormatEnvelope builds the vault text for a hexlified payload: the header
// (version 1.2 with the label when label is set and not "default", else 1.1)
// then the payload in 80-column lines, newline-terminated.
func FormatEnvelope(payload []byte, label string) []byte {
	var b bytes.Buffer
	b.WriteString(Header)
	if label != "" && label != DefaultIdentity {
		b.WriteString(";" + labelledVer + ";" + cipherName + ";" + label)
	} else {
		b.WriteString(";" + defaultVer + ";" + cipherName)
	}
	b.WriteByte('\n')
	for i := 0; i < len(payload); i += lineWidth {
		end := min(i+lineWidth, len(payload))
		b.Write(payload[i:end])
		b.WriteByte('\n')
	}
	return b.Bytes()
}

// unhexlify decodes hex the way Python's binascii.unhexlify reports errors.
func unhexlify(s []byte) ([]byte, error) {
	if len(s)%2 != 0 {
		return nil, &Error{Msg: "Vault format unhexlify error: Odd-length string", Format: true}
	}
	out := make([]byte, len(s)/2)
	if _, err := hex.Decode(out, s); err != nil {
		return nil, &Error{Msg: "Vault format unhexlify error: Non-hexadecimal digit found", Format: true}
	}
	return out, nil
}

// parsePayload splits the hexlified payload into salt, hmac and ciphertext.
func parsePayload(payload []byte) (salt, mac, ct []byte, err error) {
	raw, err := unhexlify(payload)
	if err != nil {
		return nil, nil, nil, err
	}
	parts := bytes.SplitN(raw, []byte("\n"), 3)
	if len(parts) != 3 {
		return nil, nil, nil, &Error{Msg: fmt.Sprintf("Vault vaulttext format error: not enough values to unpack (expected 3, got %d)", len(parts)), Format: true}
	}
	if salt, err = unhexlify(parts[0]); err != nil {
		return nil, nil, nil, err
	}
	if ct, err = unhexlify(parts[2]); err != nil {
		return nil, nil, nil, err
	}
	return salt, parts[1], ct, nil
}

func deriveKeys(password, salt []byte) (k1, k2, iv []byte) {
	dk := pbkdf2.Key(password, salt, kdfRounds, 2*keyLen+ivLen, sha256.New)
	return dk[:keyLen], dk[keyLen : 2*keyLen], dk[2*keyLen:]
}

func ctr(key, iv, in []byte) []byte {
	block, err := aes.NewCipher(key)
	if err != nil { // cannot happen: key is always 32 bytes
		panic(err)
	}
	out := make([]byte, len(in))
	cipher.NewCTR(block, iv).XORKeyStream(out, in)
	return out
}

// errHMAC marks a secret that does not open the vault.
var errHMAC = errors.New("HMAC verification failed")

// decryptPayload opens a hexlified payload with one password.
func decryptPayload(payload, password []byte) ([]byte, error) {
	salt, macHex, ct, err := parsePayload(payload)
	if err != nil {
		return nil, err
	}
	k1, k2, iv := deriveKeys(password, salt)
	want, err := unhexlify(macHex)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, k2)
	m.Write(ct)
	if !hmac.Equal(m.Sum(nil), want) {
		return nil, errHMAC
	}
	padded := ctr(k1, iv, ct)
	n := len(padded)
	if n == 0 || n%aes.BlockSize != 0 {
		return nil, errorf("Invalid padding bytes.")
	}
	p := int(padded[n-1])
	if p == 0 || p > aes.BlockSize || p > n {
		return nil, errorf("Invalid padding bytes.")
	}
	for _, c := range padded[n-p:] {
		if int(c) != p {
			return nil, errorf("Invalid padding bytes.")
		}
	}
	return padded[:n-p], nil
}

// encryptPayload produces the hexlified payload for plain under password
// with the given salt.
func encryptPayload(plain, password, salt []byte) []byte {
	k1, k2, iv := deriveKeys(password, salt)
	p := aes.BlockSize - len(plain)%aes.BlockSize
	padded := make([]byte, len(plain)+p)
	copy(padded, plain)
	for i := len(plain); i < len(padded); i++ {
		padded[i] = byte(p)
	}
	ct := ctr(k1, iv, padded)
	m := hmac.New(sha256.New, k2)
	m.Write(ct)
	inner := strings.Join([]string{hex.EncodeToString(salt), hex.EncodeToString(m.Sum(nil)), hex.EncodeToString(ct)}, "\n")
	return []byte(hex.EncodeToString([]byte(inner)))
}

// Encrypt encrypts plain with secret and returns the vault text. A label
// other than "" or "default" produces a 1.2 header carrying it.
func Encrypt(plain []byte, secret Secret, label string) ([]byte, error) {
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return nil, err
	}
	return encryptWithSalt(plain, secret, label, salt)
}

func encryptWithSalt(plain []byte, secret Secret, label string, salt []byte) ([]byte, error) {
	if secret.password == nil {
		return nil, errorf("A vault password must be specified to encrypt data")
	}
	if IsEncrypted(plain) {
		return nil, errorf("input is already encrypted")
	}
	return FormatEnvelope(encryptPayload(plain, secret.password, salt), label), nil
}

// DecryptOptions tunes Decryptor behaviour.
type DecryptOptions struct {
	// Filename names the source in error messages ("" for none).
	Filename string
	// IDMatch restricts decryption to secrets whose id matches the vault's
	// label (Ansible's vault_id_match setting).
	IDMatch bool
	// DefaultID is the label assumed for 1.1 vaults ("default" when empty).
	DefaultID string
	// Warn receives Ansible's warnings (format errors); may be nil.
	Warn func(string)
}

// Decrypt decrypts vault text with the first secret that opens it.
func Decrypt(data []byte, secrets Secrets) ([]byte, error) {
	out, _, err := DecryptWith(data, secrets, DecryptOptions{})
	return out, err
}

// DecryptWith decrypts vault text and also returns the secret that opened
// it. Like Ansible it tries the secrets whose id equals the vault's
// label, then (unless IDMatch) all the others, in the order of secrets.
func DecryptWith(data []byte, secrets Secrets, opts DecryptOptions) ([]byte, Secret, error) {
	if secrets == nil {
		return nil, Secret{}, errorf("A vault password must be specified to decrypt data")
	}
	if !IsEncrypted(data) {
		msg := "input is not vault encrypted data. "
		if opts.Filename != "" {
			msg += opts.Filename + " is not a vault encrypted file"
		}
		return nil, Secret{}, errorf("%s", msg)
	}
	env, err := ParseEnvelope(data)
	if err != nil {
		if opts.Filename != "" {
			err = &Error{Msg: strings.Replace(err.Error(), "error:", "error in "+opts.Filename+":", 1), Format: true}
		}
		return nil, Secret{}, err
	}
	if env.Cipher != cipherName {
		return nil, Secret{}, errorf("%s cipher could not be found", env.Cipher)
	}
	if len(secrets) == 0 {
		return nil, Secret{}, errorf("Attempting to decrypt but no vault secrets found")
	}
	label := env.Label
	if label == "" {
		label = opts.DefaultID
		if label == "" {
			label = DefaultIdentity
		}
	}
	var order []Secret
	for _, s := range secrets {
		if s.ID == label || !opts.IDMatch {
			order = append(order, s)
		}
	}
	for _, s := range order {
		plain, err := decryptPayload(env.Payload, s.password)
		if err == nil {
			return plain, s, nil
		}
		var verr *Error
		if errors.As(err, &verr) && verr.Format {
			if opts.Warn != nil {
				msg := "There was a vault format error"
				if opts.Filename != "" {
					msg += " in " + opts.Filename
				}
				opts.Warn(msg + ": " + verr.Msg)
			}
			return nil, Secret{}, err
		}
		if !errors.Is(err, errHMAC) {
			return nil, Secret{}, err
		}
	}
	msg := "Decryption failed (no vault secrets were found that could decrypt)"
	if opts.Filename != "" {
		msg += " on " + opts.Filename
	}
	return nil, Secret{}, errorf("%s", msg)
}

// DecryptValue decrypts an inline !vault value to its text.
func DecryptValue(v *value.Vault, secrets Secrets, opts DecryptOptions) (string, error) {
	if v == nil {
		return "", errorf("A vault password must be specified to decrypt data")
	}
	out, _, err := DecryptWith([]byte(v.Ciphertext), secrets, opts)
	if err != nil {
		return "", err
	}
	return string(out), nil
}
