// Package pyre is the modules' byte-slice view of engine/pyregex: it runs
// Python `re` patterns (as lineinfile, blockinfile, replace, find and
// wait_for receive them), with RE2 first and a backtracking fallback for
// lookarounds and backreferences.
package pyre

import "octopus/engine/pyregex"

// Regexp is a compiled Python-style pattern.
type Regexp struct {
	re *pyregex.Regexp
}

// Compile compiles a Python pattern (inline flags such as "(?m)" allowed).
func Compile(pat string) (*Regexp, error) {
	re, err := pyregex.Compile(pat, 0)
	if err != nil {
		return nil, err
	}
	return &Regexp{re: re}, nil
}

// Py returns the shared engine/pyregex pattern.
func (r *Regexp) Py() *pyregex.Regexp { return r.re }

// SearchLine is Python's re.search on one line that may end in "\n": a
// `$` in the pattern also matches just before that newline. It returns the
// submatch indexes relative to line, or nil (also on a match timeout).
func (r *Regexp) SearchLine(line []byte) []int {
	m, _ := r.re.SearchLine(string(line))
	return m
}

// FindSubmatchIndex is re.search over b: submatch indexes or nil.
func (r *Regexp) FindSubmatchIndex(b []byte) []int {
	m, _ := r.re.Search(string(b))
	return m
}

// Match reports whether the pattern matches somewhere in b.
func (r *Regexp) Match(b []byte) bool {
	ok, _ := r.re.MatchString(string(b))
	return ok
}

// SubexpIndex returns the number of the group called name, or -1.
func (r *Regexp) SubexpIndex(name string) int { return r.re.SubexpIndex(name) }

// SubexpNames returns group names by number ("" for unnamed).
func (r *Regexp) SubexpNames() []string { return r.re.SubexpNames() }

// Expand is Python's match.expand(template) for a match m (submatch
// indexes) in src.
func (r *Regexp) Expand(template []byte, src []byte, m []int) ([]byte, error) {
	s, err := r.re.Expand(string(template), string(src), m)
	return []byte(s), err
}

// Sub is Python's re.subn(pattern, repl, text) with a template repl.
func (r *Regexp) Sub(text, repl []byte) ([]byte, int, error) {
	s, n, err := r.re.Sub(string(text), string(repl), 0)
	return []byte(s), n, err
}

// MatchString reports whether the pattern matches somewhere in s.
func (r *Regexp) MatchString(s string) bool {
	ok, _ := r.re.MatchString(s)
	return ok
}
