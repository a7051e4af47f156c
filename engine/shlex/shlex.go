// Package shlex splits a command line into words as Python's shlex.split
// does in POSIX mode: how Ansible's ssh plugin reads ssh_args,
// ssh_common_args and ssh_extra_args, and how its command module, script
// action and validate options split their command lines.
package shlex

import (
	"errors"
	"strings"
)

// ErrNoClosingQuotation is returned for a quote that is never closed
// (shlex's "No closing quotation").
var ErrNoClosingQuotation = errors.New("No closing quotation")

// ErrNoEscapedCharacter is returned for a backslash at the very end of the
// input outside quotes (shlex's "No escaped character").
var ErrNoEscapedCharacter = errors.New("No escaped character")

// Split splits s into words: single quotes keep everything literally,
// inside double quotes a backslash escapes only a backslash or a double
// quote, outside quotes a backslash escapes any character, and blanks,
// tabs and newlines separate words. Comments are not recognised. An empty
// quoted word is kept as an empty string.
func Split(s string) ([]string, error) {
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '\'':
			j := strings.IndexByte(s[i+1:], '\'')
			if j < 0 {
				return nil, ErrNoClosingQuotation
			}
			cur.WriteString(s[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '"':
			i++
			for ; i < len(s) && s[i] != '"'; i++ {
				if s[i] == '\\' && i+1 < len(s) && (s[i+1] == '\\' || s[i+1] == '"') {
					i++
				}
				cur.WriteByte(s[i])
			}
			if i >= len(s) {
				return nil, ErrNoClosingQuotation
			}
			inWord = true
		case c == '\\':
			if i+1 >= len(s) {
				return nil, ErrNoEscapedCharacter
			}
			i++
			cur.WriteByte(s[i])
			inWord = true
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}
