// Package pyfmt holds the Python-compatible text forms of engine values:
// repr() and str(), float repr, json.dumps with its options, PyYAML
// dumping, textwrap and the str/datetime helpers Ansible's output shows.
// Every caller that must print a value the way Ansible (Python) does uses
// this package, so the rules live in one place.
package pyfmt

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"octopus/engine/value"
)

// Tuple is a Python tuple: repr "(a, b)" / "(a,)", a list in JSON and YAML.
type Tuple []any

// Mapping is any key-ordered mapping (*value.Dict and lazy variable
// views); it is shown as a Python dict in its own key order.
type Mapping interface {
	Keys() []string
	Get(key string) (any, bool)
}

// Reprer is a value that knows its own Python repr (e.g. an undefined
// template variable).
type Reprer interface {
	PyRepr() string
}

// TypeName returns Python's type() text for v, e.g. "<class 'str'>".
func TypeName(v any) string {
	switch v.(type) {
	case nil:
		return "<class 'NoneType'>"
	case string, value.Unsafe:
		return "<class 'str'>"
	case bool:
		return "<class 'bool'>"
	case int, int64, int32, uint64:
		return "<class 'int'>"
	case float64, float32:
		return "<class 'float'>"
	case []any, []string:
		return "<class 'list'>"
	case *value.Dict, map[string]any:
		return "<class 'dict'>"
	}
	return fmt.Sprintf("<class '%T'>", v)
}

// Str is Python's str(v): strings (and a vault's ciphertext) as they
// are, everything else as Repr.
func Str(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case value.Unsafe:
		return string(x)
	case *value.Vault:
		return x.Ciphertext
	}
	return Repr(v)
}

// Repr is Python's repr(v): True/False/None, quoted strings, lists,
// tuples and dicts (in their key order; a Go map in sorted key order).
func Repr(v any) string {
	var b strings.Builder
	writeRepr(&b, v)
	return b.String()
}

func writeRepr(b *strings.Builder, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(Float(x))
	case string:
		b.WriteString(Quote(x))
	case value.Unsafe:
		b.WriteString(Quote(string(x)))
	case *value.Vault:
		b.WriteString(Quote(x.Ciphertext))
	case Reprer:
		b.WriteString(x.PyRepr())
	case []any:
		writeReprList(b, x, '[', ']')
	case Tuple:
		if len(x) == 1 {
			b.WriteByte('(')
			writeRepr(b, x[0])
			b.WriteString(",)")
			return
		}
		writeReprList(b, x, '(', ')')
	case []string:
		b.WriteByte('[')
		for i, s := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(Quote(s))
		}
		b.WriteByte(']')
	case Mapping:
		b.WriteByte('{')
		for i, k := range x.Keys() {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(Quote(k))
			b.WriteString(": ")
			e, _ := x.Get(k)
			writeRepr(b, e)
		}
		b.WriteByte('}')
	case map[string]any:
		writeRepr(b, SortedDict(x))
	default:
		fmt.Fprint(b, v)
	}
}

func writeReprList(b *strings.Builder, l []any, open, close byte) {
	b.WriteByte(open)
	for i, e := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		writeRepr(b, e)
	}
	b.WriteByte(close)
}

// SortedDict copies a Go map into a *value.Dict in sorted key order (the
// order every formatter here shows a Go map in).
func SortedDict(m map[string]any) *value.Dict {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := value.NewDict(len(keys))
	for _, k := range keys {
		d.Set(k, m[k])
	}
	return d
}

// Quote is Python's repr(str): single quotes unless the text holds a
// single quote and no double quote; \n \r \t \\ and the quote escaped;
// other non-printable characters as \xNN, \uNNNN or \UNNNNNNNN; bytes
// that are not UTF-8 as Python's surrogate escapes \udcNN.
func Quote(s string) string {
	q := byte('\'')
	if strings.Contains(s, "'") && !strings.Contains(s, `"`) {
		q = '"'
	}
	var b strings.Builder
	b.WriteByte(q)
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\udc%02x`, s[i])
			i++
			continue
		}
		i += size
		switch {
		case r == '\\' || r == rune(q):
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			fmt.Fprintf(&b, `\x%02x`, r)
		case r > 0x7f && !unicode.IsPrint(r):
			switch {
			case r <= 0xff:
				fmt.Fprintf(&b, `\x%02x`, r)
			case r <= 0xffff:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				fmt.Fprintf(&b, `\U%08x`, r)
			}
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte(q)
	return b.String()
}

// Float is Python's repr(float): the shortest text that reads back as f,
// with ".0" on integral values, exponent form (e+16, e-05) outside
// 1e-4 <= |f| < 1e16, and inf, -inf, nan.
func Float(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // -d.dddde±XX
	sign := ""
	if s[0] == '-' {
		sign, s = "-", s[1:]
	}
	mant, expS, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	if exp < -4 || exp >= 16 {
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, mant, es, exp)
	}
	decpt := exp + 1
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	}
	return sign + digits[:decpt] + "." + digits[decpt:]
}
