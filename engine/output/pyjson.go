package output

import (
	"fmt"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"octopus/engine/value"
)

// JSON renders v as Python's json.dumps(v, ensure_ascii=False,
// indent=indent, sort_keys=sortKeys) would: indent < 0 means no indent
// (one line, ", " and ": " separators). *value.Dict keeps insertion order
// unless sortKeys is set.
func JSON(v any, indent int, sortKeys bool) string {
	var b strings.Builder
	e := jsonEnc{b: &b, indent: indent, sort: sortKeys}
	e.enc(v, 0)
	return b.String()
}

type jsonEnc struct {
	b      *strings.Builder
	indent int
	sort   bool
}

func (e *jsonEnc) nl(depth int) {
	if e.indent < 0 {
		return
	}
	e.b.WriteByte('\n')
	e.b.WriteString(strings.Repeat(" ", e.indent*depth))
}

func (e *jsonEnc) sep() {
	if e.indent < 0 {
		e.b.WriteString(", ")
	} else {
		e.b.WriteByte(',')
	}
}

func (e *jsonEnc) enc(v any, depth int) {
	switch t := v.(type) {
	case nil:
		e.b.WriteString("null")
	case bool:
		if t {
			e.b.WriteString("true")
		} else {
			e.b.WriteString("false")
		}
	case string:
		e.b.WriteString(QuoteJSON(t))
	case value.Unsafe:
		e.b.WriteString(QuoteJSON(string(t)))
	case *value.Vault:
		e.b.WriteString(`{"__ansible_vault": ` + QuoteJSON(t.Ciphertext) + "}")
	case int:
		e.b.WriteString(strconv.Itoa(t))
	case int64:
		e.b.WriteString(strconv.FormatInt(t, 10))
	case int32:
		e.b.WriteString(strconv.FormatInt(int64(t), 10))
	case uint64:
		e.b.WriteString(strconv.FormatUint(t, 10))
	case float64:
		e.b.WriteString(PyFloat(t, true))
	case float32:
		e.b.WriteString(PyFloat(float64(t), true))
	case []any:
		e.list(len(t), func(i int) any { return t[i] }, depth)
	case []string:
		e.list(len(t), func(i int) any { return t[i] }, depth)
	case *value.Dict:
		keys := append([]string(nil), t.Keys()...)
		if e.sort {
			sort.Strings(keys)
		}
		e.dict(keys, func(k string) any { v, _ := t.Get(k); return v }, depth)
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		e.dict(keys, func(k string) any { return t[k] }, depth)
	case fmt.Stringer:
		e.b.WriteString(QuoteJSON(t.String()))
	default:
		rv := reflect.ValueOf(v)
		switch rv.Kind() {
		case reflect.Slice, reflect.Array:
			e.list(rv.Len(), func(i int) any { return rv.Index(i).Interface() }, depth)
			return
		case reflect.Map:
			keys := make([]string, 0, rv.Len())
			vals := map[string]any{}
			for _, k := range rv.MapKeys() {
				ks := fmt.Sprint(k.Interface())
				keys = append(keys, ks)
				vals[ks] = rv.MapIndex(k).Interface()
			}
			sort.Strings(keys)
			e.dict(keys, func(k string) any { return vals[k] }, depth)
			return
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
			e.b.WriteString(fmt.Sprint(v))
			return
		}
		e.b.WriteString(QuoteJSON(fmt.Sprint(v)))
	}
}

func (e *jsonEnc) list(n int, at func(int) any, depth int) {
	if n == 0 {
		e.b.WriteString("[]")
		return
	}
	e.b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.sep()
		}
		e.nl(depth + 1)
		e.enc(at(i), depth+1)
	}
	e.nl(depth)
	e.b.WriteByte(']')
}

func (e *jsonEnc) dict(keys []string, at func(string) any, depth int) {
	if len(keys) == 0 {
		e.b.WriteString("{}")
		return
	}
	e.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.sep()
		}
		e.nl(depth + 1)
		e.b.WriteString(QuoteJSON(k))
		e.b.WriteString(": ")
		e.enc(at(k), depth+1)
	}
	e.nl(depth)
	e.b.WriteByte('}')
}

// QuoteJSON quotes s as Python's json module does with ensure_ascii=False.
func QuoteJSON(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			// Python would have surrogate-escaped this; show the replacement.
			b.WriteString(`\udc` + fmt.Sprintf("%02x", s[i]))
			i++
			continue
		}
		i += size
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			if r < 0x20 {
				fmt.Fprintf(&b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// PyFloat formats f as Python's repr(float) (json=true gives json's
// NaN/Infinity spellings, otherwise nan/inf).
func PyFloat(f float64, json bool) string {
	switch {
	case math.IsNaN(f):
		if json {
			return "NaN"
		}
		return "nan"
	case math.IsInf(f, 1):
		if json {
			return "Infinity"
		}
		return "inf"
	case math.IsInf(f, -1):
		if json {
			return "-Infinity"
		}
		return "-inf"
	}
	if f == 0 {
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	s := strconv.FormatFloat(f, 'e', -1, 64) // d.ddddde±XX
	mant, expS, _ := strings.Cut(s, "e")
	exp, _ := strconv.Atoi(expS)
	neg := strings.HasPrefix(mant, "-")
	mant = strings.TrimPrefix(mant, "-")
	digits := strings.Replace(mant, ".", "", 1)
	sign := ""
	if neg {
		sign = "-"
	}
	if exp < -4 || exp >= 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := fmt.Sprintf("%+03d", exp)
		return sign + m + "e" + es
	}
	if exp < 0 {
		return sign + "0." + strings.Repeat("0", -exp-1) + digits
	}
	if len(digits) <= exp+1 {
		return sign + digits + strings.Repeat("0", exp+1-len(digits)) + ".0"
	}
	return sign + digits[:exp+1] + "." + digits[exp+1:]
}
