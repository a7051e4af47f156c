package template

import (
	"strings"
	"testing"
)

// TestPasswordHash checks password_hash against hashes and errors
// ansible-playbook 2.14 (passlib backend) produced for the same calls.
func TestPasswordHash(t *testing.T) {
	tpl := New(Options{})
	cases := []struct{ call, want, err string }{
		{call: "password_hash('md5', 'abcdefgh')", want: "$1$abcdefgh$cHJi5PXp/ki/ktXzqlk6I1"},
		{call: "password_hash('md5_crypt', 'abc')", want: "$1$abc$iCQ2D3nhptRYi27fDYv2s1"},
		{call: "password_hash('bcrypt', 'abcdefghijklmnopqrstuv')", want: "$2b$12$abcdefghijklmnopqrstuuT1Iwu6o8Wx7BoOyIMHfgVJq6JO/IJhW"},
		{call: "password_hash('blowfish', 'abcdefghijklmnopqrstuv', rounds=5)", want: "$2b$05$abcdefghijklmnopqrstuuOQiyCxlgf/oeuTqixKmWdcYUh4Hjl0a"},
		{call: "password_hash('bcrypt', 'abcdefghijklmnopqrstuv', ident='2y')", want: "$2y$12$abcdefghijklmnopqrstuuT1Iwu6o8Wx7BoOyIMHfgVJq6JO/IJhW"},
		{call: "password_hash('sha512', 'abc')", want: "$6$rounds=656000$abc$.beQ97nf1P5y5S31LjwdL3n2yPxhA4SoUE5TA9iqjZn7dlGlQ5vBASA3Zn7tCPjc58Gx5rPc3HO3vKyWt5OTA0"},
		{call: "password_hash('sha512', 'abc', rounds=5000)", want: "$6$abc$IdWKNKTJEb8LxY7CGg8YBXlvtfZzFw7Mp/r6niK9YB2mdvgY..TKjv1T..8RadRt2qvUHYRLr/TsVArtr91iR1"},
		{call: "password_hash('sha256', 'abc', rounds=6000)", want: "$5$rounds=6000$abc$G8FVV/l11CTNKWNb0HDX2xCZVTSZM4eB3tmQUIXg8x3"},
		{call: "password_hash('md5') | length", want: "34"},
		{call: "password_hash('bcrypt') | length", want: "60"},
		{call: "password_hash('md5', 'abcdefghij')", err: "Could not hash the secret.. salt too large (md5_crypt requires <= 8 chars). Could not hash the secret.. salt too large (md5_crypt requires <= 8 chars)"},
		{call: "password_hash('bcrypt', 'abc')", err: "Could not hash the secret.. salt too small (bcrypt requires exactly 22 chars). Could not hash the secret.. salt too small (bcrypt requires exactly 22 chars)"},
		{call: "password_hash('bcrypt', 'abcdefghijklmnopqrstuv', rounds=3)", err: "Could not hash the secret.. bcrypt: min_desired_rounds (3) is too low, must be at least 4. Could not hash the secret.. bcrypt: min_desired_rounds (3) is too low, must be at least 4"},
		{call: "password_hash('sha256', 'abcdefghijklmnopqrst')", err: "Could not hash the secret.. salt too large (sha256_crypt requires <= 16 chars). Could not hash the secret.. salt too large (sha256_crypt requires <= 16 chars)"},
		{call: "password_hash('sha512', 'ab$c')", err: "Could not hash the secret.. invalid characters in sha512_crypt salt. Could not hash the secret.. invalid characters in sha512_crypt salt"},
		{call: "password_hash('des')", err: "passlib does not support 'des' algorithm. passlib does not support 'des' algorithm"},
		{call: "password_hash('md5', 'abc', rounds=5)", err: "MinimalHandler.using() got an unexpected keyword argument 'rounds'"},
	}
	for _, c := range cases {
		src := "{{ 'secret' | " + c.call + " }}"
		got, err := tpl.Template(src, MapVars{})
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("%s: error %v, want %q", c.call, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("%s: %v", c.call, err)
		case c.err == "" && toStr(got) != c.want:
			t.Errorf("%s = %v, want %s", c.call, got, c.want)
		}
	}
}
