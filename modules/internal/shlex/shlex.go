// Package shlex splits a command line as Python's shlex.split (POSIX mode)
// does, which Ansible's command module uses for its free-form argument.
package shlex

import "errors"

// ErrQuotation is returned for an unterminated quote.
var ErrQuotation = errors.New("No closing quotation")

// ErrEscape is returned for a trailing backslash.
var ErrEscape = errors.New("No escaped character")

// Split splits s into words: whitespace separates words, single quotes keep
// everything literal, double quotes allow \\ \" \$ \` escapes, a backslash
// outside quotes escapes the next character. Comments are not recognised.
func Split(s string) ([]string, error) {
	var words []string
	var cur []rune
	inWord := false
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, string(cur))
				cur = cur[:0]
				inWord = false
			}
		case c == '\\':
			inWord = true
			if i+1 >= len(rs) {
				return nil, ErrEscape
			}
			i++
			cur = append(cur, rs[i])
		case c == '\'':
			inWord = true
			j := i + 1
			for j < len(rs) && rs[j] != '\'' {
				j++
			}
			if j >= len(rs) {
				return nil, ErrQuotation
			}
			cur = append(cur, rs[i+1:j]...)
			i = j
		case c == '"':
			inWord = true
			j := i + 1
			for ; j < len(rs) && rs[j] != '"'; j++ {
				if rs[j] == '\\' && j+1 < len(rs) && (rs[j+1] == '\\' || rs[j+1] == '"' || rs[j+1] == '$' || rs[j+1] == '`') {
					j++
				}
				cur = append(cur, rs[j])
			}
			if j >= len(rs) {
				return nil, ErrQuotation
			}
			i = j
		default:
			inWord = true
			cur = append(cur, c)
		}
	}
	if inWord {
		words = append(words, string(cur))
	}
	return words, nil
}
