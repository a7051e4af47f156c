package inventory

import (
	"math"
	"strconv"
	"strings"
	"unicode"

	"octopus/engine/value"
)

// pyFloatRepr formats f as Python's repr(float) does.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	e := strconv.FormatFloat(f, 'e', -1, 64) // -d.ddde±XX
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1
	if decpt <= -4 || decpt > 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		x := strconv.Itoa(exp)
		if len(x) < 2 {
			x = "0" + x
		}
		return sign + m + "e" + es + x
	}
	var s string
	switch {
	case decpt <= 0:
		s = "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		s = digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	default:
		s = digits[:decpt] + "." + digits[decpt:]
	}
	return sign + s
}

// pyStr renders v as Python's str() would for the value Ansible holds.
func pyStr(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case value.Unsafe:
		return string(t)
	case *value.Vault:
		return t.Ciphertext
	}
	return pyRepr(v)
}

// pyRepr renders v as Python's repr() would.
func pyRepr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch t := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if t {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case float64:
		b.WriteString(pyFloatRepr(t))
	case string:
		b.WriteString(pyStrRepr(t))
	case value.Unsafe:
		b.WriteString(pyStrRepr(string(t)))
	case *value.Vault:
		b.WriteString(pyStrRepr(t.Ciphertext))
	case []any:
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteString(", ")
			}
			writeRepr(b, x)
		}
		b.WriteByte(']')
	case *value.Dict:
		b.WriteByte('{')
		for i, k := range t.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(pyStrRepr(k))
			b.WriteString(": ")
			x, _ := t.Get(k)
			writeRepr(b, x)
		}
		b.WriteByte('}')
	default:
		b.WriteString(pyStrRepr(strings.TrimSpace(strconv.Quote("")))) // unknown type
	}
}

// pyStrRepr quotes s as Python's repr(str) does.
func pyStrRepr(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, "\"") {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for _, r := range s {
		switch {
		case r == rune(q) || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(int(r)))
		case r >= 0x80 && !unicode.IsPrint(r) && r != ' ':
			switch {
			case r <= 0xff:
				b.WriteString(`\x` + hex2(int(r)))
			case r <= 0xffff:
				b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
			default:
				b.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

func hex2(v int) string { return leftPad(strconv.FormatInt(int64(v), 16), 2) }

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}

// FormatWarning renders msg as Ansible's Display.warning prints it when
// stdout is not a terminal: "[WARNING]: msg" wrapped to 79 columns with
// Python's textwrap rules, ending in a newline.
func FormatWarning(msg string) string {
	return strings.Join(textWrap("[WARNING]: "+msg, 79), "\n") + "\n"
}

// textWrap mimics Python's textwrap.wrap with default options: whitespace
// characters become spaces, lines break at whitespace or after hyphens in
// words, over-long words are split, and whitespace at line ends is dropped.
func textWrap(text string, width int) []string {
	text = strings.Map(func(r rune) rune {
		if r == '\t' || r == '\n' || r == '\v' || r == '\f' || r == '\r' {
			return ' '
		}
		return r
	}, text)
	chunks := wrapChunks(text)
	var lines []string
	for i := 0; i < len(chunks); {
		var cur []string
		curLen := 0
		if len(lines) > 0 && strings.TrimSpace(chunks[i]) == "" {
			i++ // drop leading whitespace of continuation lines
		}
		for i < len(chunks) {
			l := len([]rune(chunks[i]))
			if curLen+l <= width {
				cur = append(cur, chunks[i])
				curLen += l
				i++
			} else {
				break
			}
		}
		if i < len(chunks) && len([]rune(chunks[i])) > width {
			// break the long word to fill the line
			space := width - curLen
			if space < 1 {
				space = 1
			}
			r := []rune(chunks[i])
			end := space
			if h := strings.LastIndex(string(r[:min(space, len(r))]), "-"); h > 0 && strings.Trim(string(r[:len([]rune(string(r[:min(space, len(r))])[:h]))]), "-") != "" {
				end = len([]rune(string(r[:min(space, len(r))])[:h])) + 1
			}
			if end < len(r) {
				cur = append(cur, string(r[:end]))
				chunks[i] = string(r[end:])
				curLen += end
			}
		}
		if len(cur) > 0 && strings.TrimSpace(cur[len(cur)-1]) == "" {
			cur = cur[:len(cur)-1]
		}
		if len(cur) > 0 {
			lines = append(lines, strings.Join(cur, ""))
		} else if i >= len(chunks) {
			break
		}
	}
	return lines
}

// wrapChunks splits text into whitespace runs and words, breaking words
// after a hyphen that follows a letter or digit and precedes a letter.
func wrapChunks(text string) []string {
	var out []string
	r := []rune(text)
	i := 0
	for i < len(r) {
		j := i
		if r[i] == ' ' {
			for j < len(r) && r[j] == ' ' {
				j++
			}
			out = append(out, string(r[i:j]))
			i = j
			continue
		}
		for j < len(r) && r[j] != ' ' {
			if r[j] == '-' && hyphenBreak(r, i, j) {
				j++
				break
			}
			j++
		}
		out = append(out, string(r[i:j]))
		i = j
	}
	return out
}

// hyphenBreak reports whether textwrap splits the word starting at i after
// the hyphen at j: two letters (or letter-hyphen-letter) before it and a
// letter, optional hyphen, letter after it.
func hyphenBreak(r []rune, i, j int) bool {
	lt := func(k int) bool { return k >= i && k < len(r) && unicode.IsLetter(r[k]) }
	before := lt(j-1) && lt(j-2) || lt(j-1) && j-2 >= i && r[j-2] == '-' && lt(j-3)
	if !before || !lt(j+1) {
		return false
	}
	return lt(j+2) || j+3 < len(r) && r[j+2] == '-' && lt(j+3)
}

func isWordRune(r rune) bool { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// PyStr renders v as Python's str() shows the value Ansible holds (used by
// ansible-inventory --graph --vars).
func PyStr(v any) string { return pyStr(v) }

// PyRepr renders v as Python's repr() would.
func PyRepr(v any) string { return pyRepr(v) }
