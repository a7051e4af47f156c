// Package pyregex runs Python `re` patterns from Go. Patterns go to Go's
// RE2 engine (regexp) whenever it can compile them; patterns that need
// features RE2 lacks (lookarounds, backreferences, atomic groups,
// conditionals) fall back to the backtracking engine
// github.com/dlclark/regexp2, which shares .NET's syntax for those
// features. Replacement templates use Python's syntax (\1, \g<1>,
// \g<name>, \n escapes). Both engine/template and the modules use it.
package pyregex

import (
	"fmt"
	"regexp"
	"regexp/syntax"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/dlclark/regexp2/v2"
)

// Flags are Python's re flags as Ansible passes them.
type Flags uint8

const (
	// IgnoreCase is re.IGNORECASE.
	IgnoreCase Flags = 1 << iota
	// Multiline is re.MULTILINE.
	Multiline
	// DotAll is re.DOTALL.
	DotAll
)

// MatchTimeout bounds one match attempt of the backtracking engine so a
// catastrophic pattern cannot hang a run.
var MatchTimeout = 30 * time.Second

// Regexp is a compiled Python pattern.
type Regexp struct {
	src   string
	re2   *regexp.Regexp
	bt    *regexp2.Regexp
	names []string
	flags Flags
	// emptyOK marks RE2 patterns that can match empty: Go's FindAll drops
	// an empty match right after a non-empty one and Python 3.7+ keeps it,
	// so FindAll runs such patterns on the backtracking engine.
	emptyOK bool
	btOnce  sync.Once
	btAll   *Regexp
	btErr   error
}

// translate rewrites Python-only syntax for the target engine: \Z becomes
// \z, and for the backtracking engine (?P<n> becomes (?<n> and (?P=n)
// becomes \k<n>. It also reports whether a `$` occurs outside a class.
func translate(pat string, backtrack bool) (string, bool) {
	var b strings.Builder
	dollar := false
	inClass := false
	for i := 0; i < len(pat); i++ {
		c := pat[i]
		switch {
		case c == '\\' && i+1 < len(pat):
			if pat[i+1] == 'Z' && !inClass {
				b.WriteString(`\z`)
			} else if u, ok := unicodeClass(pat[i+1], inClass); ok && !backtrack {
				b.WriteString(u)
			} else {
				b.WriteByte(c)
				b.WriteByte(pat[i+1])
			}
			i++
			continue
		case inClass:
			if c == ']' {
				inClass = false
			}
		case c == '[':
			inClass = true
			b.WriteByte(c)
			if i+1 < len(pat) && pat[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				b.WriteByte(']')
				i++
			}
			continue
		case c == '$':
			dollar = true
		case backtrack && strings.HasPrefix(pat[i:], "(?P<"):
			b.WriteString("(?<")
			i += 3
			continue
		case backtrack && strings.HasPrefix(pat[i:], "(?P="):
			if end := strings.IndexByte(pat[i:], ')'); end > 0 {
				b.WriteString(`\k<` + pat[i+4:i+end] + `>`)
				i += end
				continue
			}
		}
		b.WriteByte(c)
	}
	return b.String(), dollar
}

// Python 3 str patterns give \d, \w and \s their Unicode meaning; RE2's
// are ASCII-only, so they are spelled out as Unicode classes.
const (
	uniWord  = `\p{L}\p{N}_`
	uniSpace = `\t-\r\x{1c}-\x{20}\x{85}\p{Z}`
)

// unicodeClass returns the RE2 spelling of Python's escape \c (inside or
// outside a character class), if it differs.
func unicodeClass(c byte, inClass bool) (string, bool) {
	switch c {
	case 'd':
		return `\p{Nd}`, true
	case 'D':
		return `\P{Nd}`, true
	case 'w':
		if inClass {
			return uniWord, true
		}
		return "[" + uniWord + "]", true
	case 's':
		if inClass {
			return uniSpace, true
		}
		return "[" + uniSpace + "]", true
	case 'W':
		if !inClass {
			return "[^" + uniWord + "]", true
		}
	case 'S':
		if !inClass {
			return "[^" + uniSpace + "]", true
		}
	}
	return "", false
}

// Compile compiles a Python pattern with flags. RE2 is used when it can
// compile the pattern and gives Python's results; otherwise the
// backtracking engine is used.
func Compile(pattern string, flags Flags) (*Regexp, error) {
	p, dollar := translate(pattern, false)
	// Python's `$` (without MULTILINE) also matches before a final
	// newline, and its \b sees Unicode words; RE2 cannot express either,
	// the backtracking engine can.
	needBT := dollar && flags&Multiline == 0 && !inlineMultiline(pattern) || wordBoundary(pattern)
	if !needBT {
		pre := ""
		if flags&IgnoreCase != 0 {
			pre += "i"
		}
		if flags&Multiline != 0 {
			pre += "m"
		}
		if flags&DotAll != 0 {
			pre += "s"
		}
		if pre != "" {
			p = "(?" + pre + ")" + p
		}
		if re, err := regexp.Compile(p); err == nil {
			r := &Regexp{src: pattern, re2: re, names: re.SubexpNames(), flags: flags}
			if sy, err := syntax.Parse(p, syntax.Perl); err == nil && canMatchEmpty(sy) {
				r.emptyOK = true
			}
			return r, nil
		}
	}
	return compileBT(pattern, flags)
}

// wordBoundary reports whether pat has \b or \B outside a class.
func wordBoundary(pat string) bool {
	inClass := false
	for i := 0; i < len(pat); i++ {
		switch c := pat[i]; {
		case c == '\\' && i+1 < len(pat):
			if (pat[i+1] == 'b' || pat[i+1] == 'B') && !inClass {
				return true
			}
			i++
		case c == '[' && !inClass:
			inClass = true
			if i+1 < len(pat) && pat[i+1] == '^' {
				i++
			}
			if i+1 < len(pat) && pat[i+1] == ']' {
				i++
			}
		case c == ']':
			inClass = false
		}
	}
	return false
}

// compileBT compiles pattern for the backtracking engine.
func compileBT(pattern string, flags Flags) (*Regexp, error) {
	bp, _ := translate(pattern, true)
	opts := regexp2.None
	if flags&IgnoreCase != 0 {
		opts |= regexp2.IgnoreCase
	}
	if flags&Multiline != 0 {
		opts |= regexp2.Multiline
	}
	if flags&DotAll != 0 {
		opts |= regexp2.Singleline
	}
	bt, err := regexp2.Compile(bp, opts, regexp2.OptionMaintainCaptureOrder())
	if err != nil {
		return nil, fmt.Errorf("invalid regular expression %q: %v", pattern, err)
	}
	bt.MatchTimeout = MatchTimeout
	nums := bt.GetGroupNumbers()
	max := 0
	for _, n := range nums {
		if n > max {
			max = n
		}
	}
	names := make([]string, max+1)
	for _, n := range nums {
		if nm := bt.GroupNameFromNumber(n); nm != strconv.Itoa(n) {
			names[n] = nm
		}
	}
	return &Regexp{src: pattern, bt: bt, names: names}, nil
}

// canMatchEmpty reports whether re may match the empty string somewhere.
func canMatchEmpty(re *syntax.Regexp) bool {
	switch re.Op {
	case syntax.OpLiteral:
		return len(re.Rune) == 0
	case syntax.OpCharClass, syntax.OpAnyChar, syntax.OpAnyCharNotNL, syntax.OpNoMatch:
		return false
	case syntax.OpStar, syntax.OpQuest:
		return true
	case syntax.OpPlus, syntax.OpCapture:
		return canMatchEmpty(re.Sub[0])
	case syntax.OpRepeat:
		return re.Min == 0 || canMatchEmpty(re.Sub[0])
	case syntax.OpConcat:
		for _, s := range re.Sub {
			if !canMatchEmpty(s) {
				return false
			}
		}
		return true
	case syntax.OpAlternate:
		for _, s := range re.Sub {
			if canMatchEmpty(s) {
				return true
			}
		}
		return false
	}
	return true // anchors, word boundaries, empty
}

// inlineMultiline reports whether the pattern starts with inline flags
// that include m, as in "(?m)..." or "(?im)...".
func inlineMultiline(p string) bool {
	if !strings.HasPrefix(p, "(?") {
		return false
	}
	end := strings.IndexByte(p, ')')
	if end < 0 {
		return false
	}
	f := p[2:end]
	return strings.Trim(f, "aiLmsux") == "" && strings.Contains(f, "m")
}

// String returns the Python source pattern.
func (r *Regexp) String() string { return r.src }

// Backtracking reports whether the pattern runs on the backtracking
// fallback engine.
func (r *Regexp) Backtracking() bool { return r.bt != nil }

// NumSubexp returns the number of capture groups.
func (r *Regexp) NumSubexp() int { return len(r.names) - 1 }

// SubexpNames returns group names by number ("" for unnamed; [0] is the
// whole match).
func (r *Regexp) SubexpNames() []string { return r.names }

// SubexpIndex returns the number of the group called name, or -1.
func (r *Regexp) SubexpIndex(name string) int {
	if name == "" {
		return -1
	}
	for i, n := range r.names {
		if n == name {
			return i
		}
	}
	return -1
}

func (r *Regexp) indexes(m *regexp2.Match) []int {
	out := make([]int, 2*len(r.names))
	for i := range r.names {
		out[2*i], out[2*i+1] = -1, -1
		g := m.GroupByNumber(i)
		if g == nil || len(g.Captures) == 0 {
			continue
		}
		idx, n := g.ByteRange()
		out[2*i], out[2*i+1] = idx, idx+n
	}
	return out
}

// Search is Python's re.search: the submatch byte indexes of the first
// match in s, or nil. The error is a match timeout.
func (r *Regexp) Search(s string) ([]int, error) {
	if r.re2 != nil {
		return r.re2.FindStringSubmatchIndex(s), nil
	}
	m, err := r.bt.FindStringMatch(s)
	if err != nil || m == nil {
		return nil, err
	}
	return r.indexes(m), nil
}

// MatchString reports whether the pattern matches somewhere in s.
func (r *Regexp) MatchString(s string) (bool, error) {
	if r.re2 != nil {
		return r.re2.MatchString(s), nil
	}
	return r.bt.MatchString(s)
}

// FindAll returns the submatch indexes of up to n (all if n < 0)
// successive non-overlapping matches, as Python's re.finditer.
func (r *Regexp) FindAll(s string, n int) ([][]int, error) {
	if r.re2 != nil && r.emptyOK {
		r.btOnce.Do(func() { r.btAll, r.btErr = compileBT(r.src, r.flags) })
		if r.btErr == nil {
			return r.btAll.FindAll(s, n)
		}
	}
	if r.re2 != nil {
		return r.re2.FindAllStringSubmatchIndex(s, n), nil
	}
	var out [][]int
	m, err := r.bt.FindStringMatch(s)
	for err == nil && m != nil && (n < 0 || len(out) < n) {
		out = append(out, r.indexes(m))
		m, err = r.bt.FindNextMatch(m)
	}
	return out, err
}

// SearchLine is re.search on one line that may end in "\n", where `$`
// also matches just before that newline.
func (r *Regexp) SearchLine(line string) ([]int, error) {
	m, err := r.Search(line)
	if m != nil || err != nil || r.bt != nil {
		return m, err
	}
	if n := len(line); n > 0 && line[n-1] == '\n' {
		return r.Search(line[:n-1])
	}
	return nil, nil
}

// Expand is Python's match.expand(template) for a match m (submatch
// indexes) in src.
func (r *Regexp) Expand(template, src string, m []int) (string, error) {
	group := func(i int) string {
		if 2*i+1 >= len(m) || m[2*i] < 0 {
			return ""
		}
		return src[m[2*i]:m[2*i+1]]
	}
	var out strings.Builder
	t := template
	for i := 0; i < len(t); i++ {
		c := t[i]
		if c != '\\' || i+1 >= len(t) {
			out.WriteByte(c)
			continue
		}
		i++
		n := t[i]
		switch {
		case n == 'g':
			end := -1
			if i+1 < len(t) && t[i+1] == '<' {
				end = strings.IndexByte(t[i+2:], '>')
			}
			if end < 0 {
				return "", fmt.Errorf("missing < in group reference")
			}
			name := t[i+2 : i+2+end]
			i += 2 + end
			idx, err := strconv.Atoi(name)
			if err != nil {
				if idx = r.SubexpIndex(name); idx < 0 {
					return "", fmt.Errorf("unknown group name '%s'", name)
				}
			}
			if idx > r.NumSubexp() {
				return "", fmt.Errorf("invalid group reference %d", idx)
			}
			out.WriteString(group(idx))
		case n == '0':
			// \0 starts an octal escape of up to three digits.
			v := 0
			for k := 0; k < 2 && i+1 < len(t) && isOct(t[i+1]); k++ {
				i++
				v = v*8 + int(t[i]-'0')
			}
			out.WriteRune(rune(v))
		case n <= '3' && n >= '1' && i+2 < len(t) && isOct(t[i+1]) && isOct(t[i+2]):
			// three octal digits: a character, not a group.
			v := int(n-'0')*64 + int(t[i+1]-'0')*8 + int(t[i+2]-'0')
			i += 2
			out.WriteRune(rune(v))
		case n >= '1' && n <= '9':
			num := int(n - '0')
			if i+1 < len(t) && t[i+1] >= '0' && t[i+1] <= '9' {
				num = num*10 + int(t[i+1]-'0')
				i++
			}
			if num > r.NumSubexp() {
				return "", fmt.Errorf("invalid group reference %d", num)
			}
			out.WriteString(group(num))
		case strings.IndexByte("ntrfvab\\", n) >= 0:
			out.WriteByte("\n\t\r\f\v\a\b\\"[strings.IndexByte("ntrfvab\\", n)])
		case (n >= 'a' && n <= 'z') || (n >= 'A' && n <= 'Z'):
			return "", fmt.Errorf("bad escape \\%c", n)
		default:
			out.WriteByte('\\')
			out.WriteByte(n)
		}
	}
	return out.String(), nil
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }

// Sub is Python's re.subn(pattern, repl, text, count) with a template
// repl; count <= 0 replaces all matches.
func (r *Regexp) Sub(text, repl string, count int) (string, int, error) {
	n := -1
	if count > 0 {
		n = count
	}
	ms, err := r.FindAll(text, n)
	if err != nil {
		return "", 0, err
	}
	var out strings.Builder
	last := 0
	for _, m := range ms {
		exp, err := r.Expand(repl, text, m)
		if err != nil {
			return "", 0, err
		}
		out.WriteString(text[last:m[0]])
		out.WriteString(exp)
		last = m[1]
	}
	out.WriteString(text[last:])
	return out.String(), len(ms), nil
}
