// Package pyre runs Python `re` patterns (as lineinfile, blockinfile and
// replace receive them) on Go's regexp engine: it translates the syntax
// that differs (\Z, Python's `$` before a final newline), and expands
// replacement templates the way Python's match.expand / re.sub do
// (\1, \g<1>, \g<name>, \n escapes).
package pyre

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// Regexp is a compiled Python-style pattern.
type Regexp struct {
	re *regexp.Regexp
	// dollar is the pattern with `$` allowed before one trailing newline
	// (used for line-wise searching).
	src string
}

// Compile translates and compiles a Python pattern. Lookarounds and
// backreferences inside patterns are not supported by Go and give an error.
func Compile(pat string) (*Regexp, error) {
	var b strings.Builder
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		if c == '\\' && i+1 < len(pat) {
			n := pat[i+1]
			switch n {
			case 'Z':
				b.WriteString(`\z`)
			default:
				b.WriteByte(c)
				b.WriteByte(n)
			}
			i++
			continue
		}
		b.WriteByte(c)
	}
	re, err := regexp.Compile(b.String())
	if err != nil {
		return nil, fmt.Errorf("unsupported or invalid regular expression %q: %v", pat, err)
	}
	return &Regexp{re: re, src: pat}, nil
}

// Go returns the underlying Go regexp.
func (r *Regexp) Go() *regexp.Regexp { return r.re }

// SearchLine is Python's re.search on one line that may end in "\n": a
// `$` in the pattern also matches just before that newline. It returns the
// submatch indexes relative to line, or nil.
func (r *Regexp) SearchLine(line []byte) []int {
	if m := r.re.FindSubmatchIndex(line); m != nil {
		return m
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		return r.re.FindSubmatchIndex(line[:n-1])
	}
	return nil
}

// Expand is Python's match.expand(template) for a match m (submatch
// indexes) in src.
func (r *Regexp) Expand(template []byte, src []byte, m []int) ([]byte, error) {
	group := func(i int) []byte {
		if 2*i+1 >= len(m) || m[2*i] < 0 {
			return nil
		}
		return src[m[2*i]:m[2*i+1]]
	}
	var out []byte
	t := template
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '\\' || i+1 >= len(t) {
			out = append(out, c)
			continue
		}
		i++
		n := t[i]
		switch {
		case n == 'g':
			end := -1
			if i+1 < len(t) && t[i+1] == '<' {
				end = indexByte(t[i+2:], '>')
			}
			if end < 0 {
				return nil, fmt.Errorf("missing < in group reference")
			}
			name := string(t[i+2 : i+2+end])
			i += 2 + end
			idx, err := strconv.Atoi(name)
			if err != nil {
				idx = r.re.SubexpIndex(name)
				if idx < 0 {
					return nil, fmt.Errorf("unknown group name '%s'", name)
				}
			}
			if idx > r.re.NumSubexp() {
				return nil, fmt.Errorf("invalid group reference %d", idx)
			}
			out = append(out, group(idx)...)
		case n >= '0' && n <= '9':
			num := int(n - '0')
			if i+1 < len(t) && t[i+1] >= '0' && t[i+1] <= '9' {
				num = num*10 + int(t[i+1]-'0')
				i++
			}
			if num > r.re.NumSubexp() {
				return nil, fmt.Errorf("invalid group reference %d", num)
			}
			out = append(out, group(num)...)
		case n == 'n':
			out = append(out, '\n')
		case n == 't':
			out = append(out, '\t')
		case n == 'r':
			out = append(out, '\r')
		case n == 'f':
			out = append(out, '\f')
		case n == 'v':
			out = append(out, '\v')
		case n == 'a':
			out = append(out, '\a')
		case n == 'b':
			out = append(out, '\b')
		case n == '\\':
			out = append(out, '\\')
		case (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'):
			return nil, fmt.Errorf("bad escape \\%c", n)
		default:
			out = append(out, '\\', n)
		}
	}
	return out, nil
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// Sub is Python's re.subn(pattern, repl, text) with a template repl.
func (r *Regexp) Sub(text, repl []byte) ([]byte, int, error) {
	var out []byte
	last, count := 0, 0
	for _, m := range r.re.FindAllSubmatchIndex(text, -1) {
		exp, err := r.Expand(repl, text, m)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, text[last:m[0]]...)
		out = append(out, exp...)
		last = m[1]
		count++
	}
	out = append(out, text[last:]...)
	return out, count, nil
}
