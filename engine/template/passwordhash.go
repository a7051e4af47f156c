package template

import (
	"crypto/md5"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/blowfish"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// hashScheme describes one crypt scheme password_hash offers, with the
// limits passlib (Ansible's hashing backend) enforces.
type hashScheme struct {
	saltSize  int  // default (and maximum) salt length
	saltExact bool // the salt must have exactly saltSize characters
	rounds    int  // default rounds; 0: the scheme takes none
	minRounds int
	maxRounds int
}

var hashSchemes = map[string]hashScheme{
	"md5_crypt":    {saltSize: 8},
	"bcrypt":       {saltSize: 22, saltExact: true, rounds: 12, minRounds: 4, maxRounds: 31},
	"sha256_crypt": {saltSize: 16, rounds: 535000, minRounds: 1000, maxRounds: 999999999},
	"sha512_crypt": {saltSize: 16, rounds: 656000, minRounds: 1000, maxRounds: 999999999},
}

// hashAliases are the short names Ansible's filter maps to passlib's.
var hashAliases = map[string]string{"md5": "md5_crypt", "blowfish": "bcrypt", "sha256": "sha256_crypt", "sha512": "sha512_crypt"}

// hashFailure is Ansible's message for a secret the backend refused: the
// filter wraps the error, so the text shows twice.
func hashFailure(format string, args ...any) error {
	msg := "Could not hash the secret.. " + fmt.Sprintf(format, args...)
	return fmt.Errorf("%s. %s", msg, msg)
}

func fPasswordHash(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	name := "sha512"
	if v, ok := kwOr(args, kw, 0, "hashtype"); ok && v != nil {
		name = toStr(v)
	}
	if a, ok := hashAliases[name]; ok {
		name = a
	}
	sc, ok := hashSchemes[name]
	if !ok {
		msg := fmt.Sprintf("passlib does not support '%s' algorithm", name)
		return nil, fmt.Errorf("%s. %s", msg, msg)
	}
	salt := ""
	if v, ok := kwOr(args, kw, 1, "salt"); ok && v != nil {
		salt = toStr(v)
	}
	saltSize := sc.saltSize
	if v, ok := kwOr(args, kw, 2, "salt_size"); ok && v != nil {
		saltSize = argInt([]any{v}, 0, saltSize)
	}
	rounds := sc.rounds
	if v, ok := kwOr(args, kw, 3, "rounds"); ok && v != nil {
		if sc.rounds == 0 {
			return nil, typeErrorf("MinimalHandler.using() got an unexpected keyword argument 'rounds'")
		}
		rounds = argInt([]any{v}, 0, rounds)
	}
	ident := ""
	if v, ok := kwOr(args, kw, 4, "ident"); ok && v != nil {
		ident = toStr(v)
	}
	if salt == "" {
		salt = randomSalt(saltSize)
	}
	switch {
	case strings.Trim(salt, cryptAlphabet) != "":
		return nil, hashFailure("invalid characters in %s salt", name)
	case sc.saltExact && len(salt) < sc.saltSize:
		return nil, hashFailure("salt too small (%s requires exactly %d chars)", name, sc.saltSize)
	case sc.saltExact && len(salt) > sc.saltSize:
		return nil, hashFailure("salt too large (%s requires exactly %d chars)", name, sc.saltSize)
	case len(salt) > sc.saltSize:
		return nil, hashFailure("salt too large (%s requires <= %d chars)", name, sc.saltSize)
	}
	if sc.rounds != 0 && rounds < sc.minRounds {
		return nil, hashFailure("%s: min_desired_rounds (%d) is too low, must be at least %d", name, rounds, sc.minRounds)
	}
	if sc.rounds != 0 && rounds > sc.maxRounds {
		return nil, hashFailure("%s: max_desired_rounds (%d) is too high, must be at most %d", name, rounds, sc.maxRounds)
	}
	secret := toStr(in)
	switch name {
	case "md5_crypt":
		return md5Crypt(secret, salt), nil
	case "bcrypt":
		if ident == "" {
			ident = "2b"
		}
		if ident != "2a" && ident != "2b" && ident != "2y" {
			return nil, hashFailure("invalid ident: %s", pyfmt.Repr(ident))
		}
		return bcryptHash(secret, salt, rounds, ident), nil
	case "sha256_crypt":
		return shaCrypt(sha256.New, secret, salt, rounds, "5"), nil
	}
	return shaCrypt(sha512.New, secret, salt, rounds, "6"), nil
}

// cryptEncode writes the 24-bit group b2:b1:b0 as n characters of the crypt
// alphabet, least significant six bits first.
func cryptEncode(out *strings.Builder, b2, b1, b0 byte, n int) {
	w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
	for ; n > 0; n-- {
		out.WriteByte(cryptAlphabet[w&0x3f])
		w >>= 6
	}
}

// md5Crypt is the MD5-crypt scheme ($1$), salt at most 8 characters.
func md5Crypt(password, salt string) string {
	pw, sl := []byte(password), []byte(salt)
	const magic = "$1$"
	alt := md5.Sum(append(append(append([]byte{}, pw...), sl...), pw...))
	ctx := append(append(append([]byte{}, pw...), magic...), sl...)
	for n := len(pw); n > 0; n -= 16 {
		ctx = append(ctx, alt[:min(n, 16)]...)
	}
	for n := len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			ctx = append(ctx, 0)
		} else {
			ctx = append(ctx, pw[0])
		}
	}
	final := md5.Sum(ctx)
	for i := 0; i < 1000; i++ {
		var c []byte
		if i&1 != 0 {
			c = append(c, pw...)
		} else {
			c = append(c, final[:]...)
		}
		if i%3 != 0 {
			c = append(c, sl...)
		}
		if i%7 != 0 {
			c = append(c, pw...)
		}
		if i&1 != 0 {
			c = append(c, final[:]...)
		} else {
			c = append(c, pw...)
		}
		final = md5.Sum(c)
	}
	var out strings.Builder
	for _, g := range [][3]int{{0, 6, 12}, {1, 7, 13}, {2, 8, 14}, {3, 9, 15}, {4, 10, 5}} {
		cryptEncode(&out, final[g[0]], final[g[1]], final[g[2]], 4)
	}
	cryptEncode(&out, 0, 0, final[11], 2)
	return magic + salt + "$" + out.String()
}

// bcrypt64 is bcrypt's base64 (its own alphabet, no padding).
var bcrypt64 = base64.NewEncoding("./ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789").WithPadding(base64.NoPadding)

// bcryptHash is the bcrypt scheme with a given 22-character salt (whose
// unused last bits are cleared, as passlib does) and cost.
func bcryptHash(password, salt string, cost int, ident string) string {
	// 22 characters carry 132 bits; the salt is the first 128 (16 bytes).
	full, _ := bcrypt64.DecodeString(salt)
	key := append([]byte(password), 0)
	if len(key) > 72 {
		key = key[:72]
	}
	c, _ := blowfish.NewSaltedCipher(key, full)
	for i := 0; i < 1<<uint(cost); i++ {
		blowfish.ExpandKey(key, c)
		blowfish.ExpandKey(full, c)
	}
	data := []byte("OrpheanBeholderScryDoubt")
	for i := 0; i < 24; i += 8 {
		for j := 0; j < 64; j++ {
			c.Encrypt(data[i:i+8], data[i:i+8])
		}
	}
	return fmt.Sprintf("$%s$%02d$%s%s", ident, cost, bcrypt64.EncodeToString(full), bcrypt64.EncodeToString(data[:23]))
}
