package template

import (
	"crypto/rand"
	"fmt"
	"hash"
	"strings"
)

const cryptAlphabet = "./0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"

// shaCrypt implements the SHA-crypt scheme ($5$ / $6$) used by password_hash.
func shaCrypt(newH func() hash.Hash, password, salt string, rounds int, prefix string) string {
	if len(salt) > 16 {
		salt = salt[:16]
	}
	pw, sl := []byte(password), []byte(salt)
	sum := func(parts ...[]byte) []byte {
		h := newH()
		for _, p := range parts {
			h.Write(p)
		}
		return h.Sum(nil)
	}
	b := sum(pw, sl, pw)
	size := len(b)
	ha := newH()
	ha.Write(pw)
	ha.Write(sl)
	for n := len(pw); n > 0; n -= size {
		ha.Write(b[:min(n, size)])
	}
	for n := len(pw); n > 0; n >>= 1 {
		if n&1 != 0 {
			ha.Write(b)
		} else {
			ha.Write(pw)
		}
	}
	a := ha.Sum(nil)
	hdp := newH()
	for i := 0; i < len(pw); i++ {
		hdp.Write(pw)
	}
	dp := hdp.Sum(nil)
	p := make([]byte, 0, len(pw))
	for n := len(pw); n > 0; n -= size {
		p = append(p, dp[:min(n, size)]...)
	}
	hds := newH()
	for i := 0; i < 16+int(a[0]); i++ {
		hds.Write(sl)
	}
	ds := hds.Sum(nil)
	sbytes := make([]byte, 0, len(sl))
	for n := len(sl); n > 0; n -= size {
		sbytes = append(sbytes, ds[:min(n, size)]...)
	}
	c := a
	for i := 0; i < rounds; i++ {
		h := newH()
		if i&1 != 0 {
			h.Write(p)
		} else {
			h.Write(c)
		}
		if i%3 != 0 {
			h.Write(sbytes)
		}
		if i%7 != 0 {
			h.Write(p)
		}
		if i&1 != 0 {
			h.Write(c)
		} else {
			h.Write(p)
		}
		c = h.Sum(nil)
	}
	var out strings.Builder
	enc := func(b2, b1, b0 byte, n int) {
		w := uint(b2)<<16 | uint(b1)<<8 | uint(b0)
		for ; n > 0; n-- {
			out.WriteByte(cryptAlphabet[w&0x3f])
			w >>= 6
		}
	}
	if size == 64 {
		for i := 0; i < 21; i++ {
			x, y, z := c[i], c[i+21], c[i+42]
			switch i % 3 {
			case 0:
				enc(x, y, z, 4)
			case 1:
				enc(y, z, x, 4)
			default:
				enc(z, x, y, 4)
			}
		}
		enc(0, 0, c[63], 2)
	} else {
		idx := [][3]int{{0, 10, 20}, {21, 1, 11}, {12, 22, 2}, {3, 13, 23}, {24, 4, 14}, {15, 25, 5}, {6, 16, 26}, {27, 7, 17}, {18, 28, 8}, {9, 19, 29}}
		for _, g := range idx {
			enc(c[g[0]], c[g[1]], c[g[2]], 4)
		}
		enc(0, c[31], c[30], 3)
	}
	if rounds == 5000 {
		// the scheme's implicit rounds are not written (passlib does the same)
		return fmt.Sprintf("$%s$%s$%s", prefix, salt, out.String())
	}
	return fmt.Sprintf("$%s$rounds=%d$%s$%s", prefix, rounds, salt, out.String())
}

func randomSalt(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = cryptAlphabet[int(b[i])%64]
	}
	return string(b)
}
