package pyfmt

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"octopus/engine/value"
)

// JSONOptions are json.dumps' keyword arguments. The zero value is
// json.dumps(v, ensure_ascii=False): one line, ", " and ": ".
type JSONOptions struct {
	// Indent is indent=: N > 0 spaces per level; 0 means None (one
	// line); a negative value means indent=0 (a line per item, no
	// indentation).
	Indent int
	// SortKeys sorts the keys of every mapping (sort_keys=True). Go maps
	// are always written in sorted key order.
	SortKeys bool
	// EnsureASCII escapes every character outside printable ASCII as
	// \uXXXX (surrogate pairs above the BMP).
	EnsureASCII bool
	// ItemSep and KeySep are separators=(ItemSep, KeySep); empty means
	// Python's default ("," with an indent, else ", ", and ": ").
	ItemSep, KeySep string
	// Default, when set, is asked first about every value that is not a
	// plain JSON value (nil, bool, numbers, strings, lists, tuples,
	// mappings), like json.dumps' default= or Ansible's encoder: it
	// returns the value to encode instead, or ok=false to use the
	// built-in forms (unsafe text as a string, a vault as
	// {"__ansible_vault": ciphertext}, a fmt.Stringer as its string),
	// or an error to stop.
	Default func(v any) (repl any, ok bool, err error)
}

// JSON is Python's json.dumps(v) with default settings: one line, ", "
// and ": " separators, ASCII-only output, mappings in their key order.
func JSON(v any) string {
	return JSONText(v, JSONOptions{EnsureASCII: true})
}

// JSONText is Dumps for options without a Default hook (so no error).
func JSONText(v any, o JSONOptions) string {
	s, _ := Dumps(v, o)
	return s
}

// Dumps is Python's json.dumps(v, **o); the only errors are those of
// o.Default.
func Dumps(v any, o JSONOptions) (string, error) {
	if o.ItemSep == "" {
		o.ItemSep = ", "
		if o.Indent != 0 {
			o.ItemSep = ","
		}
	}
	if o.KeySep == "" {
		o.KeySep = ": "
	}
	e := jsonEnc{o: o}
	err := e.enc(v, 0)
	return e.b.String(), err
}

type jsonEnc struct {
	b strings.Builder
	o JSONOptions
}

func (e *jsonEnc) nl(depth int) {
	if e.o.Indent != 0 {
		e.b.WriteByte('\n')
		e.b.WriteString(strings.Repeat(" ", max(e.o.Indent, 0)*depth))
	}
}

func (e *jsonEnc) enc(v any, depth int) error {
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
		e.b.WriteString(QuoteJSON(t, e.o.EnsureASCII))
	case int:
		e.b.WriteString(strconv.Itoa(t))
	case int64:
		e.b.WriteString(strconv.FormatInt(t, 10))
	case int32:
		e.b.WriteString(strconv.FormatInt(int64(t), 10))
	case uint64:
		e.b.WriteString(strconv.FormatUint(t, 10))
	case float64:
		e.b.WriteString(jsonFloat(t))
	case float32:
		e.b.WriteString(jsonFloat(float64(t)))
	case []any:
		return e.list(len(t), func(i int) any { return t[i] }, depth)
	case Tuple:
		return e.list(len(t), func(i int) any { return t[i] }, depth)
	case []string:
		return e.list(len(t), func(i int) any { return t[i] }, depth)
	case Mapping:
		keys := t.Keys()
		if e.o.SortKeys {
			keys = append([]string(nil), keys...)
			sort.Strings(keys)
		}
		return e.dict(keys, func(k string) any { v, _ := t.Get(k); return v }, depth)
	case map[string]any:
		return e.enc(SortedDict(t), depth)
	default:
		if e.o.Default != nil {
			repl, ok, err := e.o.Default(v)
			if err != nil {
				return err
			}
			if ok {
				return e.enc(repl, depth)
			}
		}
		return e.fallback(v, depth)
	}
	return nil
}

// fallback encodes the values json.dumps would reach default= for.
func (e *jsonEnc) fallback(v any, depth int) error {
	switch t := v.(type) {
	case value.Unsafe:
		e.b.WriteString(QuoteJSON(string(t), e.o.EnsureASCII))
		return nil
	case *value.Vault:
		return e.enc(value.DictOf("__ansible_vault", t.Ciphertext), depth)
	case fmt.Stringer:
		e.b.WriteString(QuoteJSON(t.String(), e.o.EnsureASCII))
		return nil
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Slice, reflect.Array:
		return e.list(rv.Len(), func(i int) any { return rv.Index(i).Interface() }, depth)
	case reflect.Map:
		d := map[string]any{}
		for _, k := range rv.MapKeys() {
			d[fmt.Sprint(k.Interface())] = rv.MapIndex(k).Interface()
		}
		return e.enc(d, depth)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32:
		e.b.WriteString(fmt.Sprint(v))
		return nil
	}
	e.b.WriteString(QuoteJSON(fmt.Sprint(v), e.o.EnsureASCII))
	return nil
}

func (e *jsonEnc) list(n int, at func(int) any, depth int) error {
	if n == 0 {
		e.b.WriteString("[]")
		return nil
	}
	e.b.WriteByte('[')
	for i := 0; i < n; i++ {
		if i > 0 {
			e.b.WriteString(e.o.ItemSep)
		}
		e.nl(depth + 1)
		if err := e.enc(at(i), depth+1); err != nil {
			return err
		}
	}
	e.nl(depth)
	e.b.WriteByte(']')
	return nil
}

func (e *jsonEnc) dict(keys []string, at func(string) any, depth int) error {
	if len(keys) == 0 {
		e.b.WriteString("{}")
		return nil
	}
	e.b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			e.b.WriteString(e.o.ItemSep)
		}
		e.nl(depth + 1)
		e.b.WriteString(QuoteJSON(k, e.o.EnsureASCII))
		e.b.WriteString(e.o.KeySep)
		if err := e.enc(at(k), depth+1); err != nil {
			return err
		}
	}
	e.nl(depth)
	e.b.WriteByte('}')
	return nil
}

// jsonFloat is json's float text: repr, with NaN, Infinity, -Infinity.
func jsonFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	}
	return Float(f)
}

// QuoteJSON quotes s as Python's json module does: \" \\ \n \r \t \b \f,
// other control characters as \u00XX, and with ensureASCII everything
// outside printable ASCII as \uXXXX. Bytes that are not UTF-8 show as
// the surrogate escapes \udcXX Python would hold for them.
func QuoteJSON(s string, ensureASCII bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			fmt.Fprintf(&b, `\udc%02x`, s[i])
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
			switch {
			case r < 0x20 || ensureASCII && r > 0xffff:
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(&b, `\u%04x`, r)
				}
			case ensureASCII && r > 0x7e:
				fmt.Fprintf(&b, `\u%04x`, r)
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// ParseJSON is Python's json.loads keeping object key order
// (*value.Dict); integers become int, other numbers float64. Text after
// the value is an "Extra data" error.
func ParseJSON(s string) (any, error) {
	dec := json.NewDecoder(bytes.NewReader([]byte(s)))
	dec.UseNumber()
	v, err := parseJSONValue(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("Extra data")
	}
	return v, nil
}

func parseJSONValue(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := value.NewDict(4)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				v, err := parseJSONValue(dec)
				if err != nil {
					return nil, err
				}
				d.Set(k, v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := parseJSONValue(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
		return nil, fmt.Errorf("unexpected %v", t)
	case json.Number:
		if n, err := strconv.Atoi(t.String()); err == nil {
			return n, nil
		}
		return t.Float64()
	}
	return tok, nil
}
