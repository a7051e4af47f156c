package template

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

func argStr(args []any, i int, def string) string {
	if i < len(args) {
		if s, ok := asString(args[i]); ok {
			return s
		}
		if args[i] == nil {
			return def
		}
		return toStr(args[i])
	}
	return def
}

func argInt(args []any, i int, def int) int {
	if i < len(args) {
		switch x := args[i].(type) {
		case int:
			return x
		case float64:
			return int(x)
		case bool:
			if x {
				return 1
			}
			return 0
		}
	}
	return def
}

func kwOr(args []any, kw *value.Dict, i int, name string) (any, bool) {
	if v, ok := kw.Get(name); ok {
		return v, true
	}
	if i >= 0 && i < len(args) {
		return args[i], true
	}
	return nil, false
}

// pySplit implements str.split(sep=None, maxsplit=-1).
func pySplit(s string, sep any, maxsplit int) []any {
	var parts []string
	if sepS, ok := asString(sep); ok && sep != nil {
		if maxsplit < 0 {
			parts = strings.Split(s, sepS)
		} else {
			parts = strings.SplitN(s, sepS, maxsplit+1)
		}
	} else {
		f := strings.FieldsFunc(s, unicode.IsSpace)
		if maxsplit >= 0 && len(f) > maxsplit {
			// re-split keeping the remainder
			rest := strings.TrimLeftFunc(s, unicode.IsSpace)
			parts = nil
			for i := 0; i < maxsplit; i++ {
				idx := strings.IndexFunc(rest, unicode.IsSpace)
				parts = append(parts, rest[:idx])
				rest = strings.TrimLeftFunc(rest[idx:], unicode.IsSpace)
			}
			if rest != "" {
				parts = append(parts, rest)
			}
		} else {
			parts = f
		}
	}
	out := make([]any, len(parts))
	for i, p := range parts {
		out[i] = p
	}
	return out
}

func stripChars(args []any) (string, bool) {
	if len(args) > 0 && args[0] != nil {
		return argStr(args, 0, ""), true
	}
	return "", false
}

// strSplitArgs reads the (sep=None, maxsplit=-1) arguments of str.split and
// str.rsplit.
func strSplitArgs(args []any, kw *value.Dict) (sep any, maxsplit int) {
	sep, _ = kwOr(args, kw, 0, "sep")
	maxsplit = -1
	if ms, ok := kwOr(args, kw, 1, "maxsplit"); ok {
		maxsplit = argInt([]any{ms}, 0, -1)
	}
	return sep, maxsplit
}

// stringMethod returns the bound Python str method attr of s.
func stringMethod(s string, attr string) callable {
	switch attr {
	case "split":
		return func(args []any, kw *value.Dict) (any, error) {
			sep, m := strSplitArgs(args, kw)
			return pySplit(s, sep, m), nil
		}
	case "rsplit":
		return func(args []any, kw *value.Dict) (any, error) {
			sep, m := strSplitArgs(args, kw)
			if sepS, ok := asString(sep); ok && m >= 0 {
				parts := strings.Split(s, sepS)
				if len(parts) > m+1 {
					head := strings.Join(parts[:len(parts)-m], sepS)
					parts = append([]string{head}, parts[len(parts)-m:]...)
				}
				out := []any{}
				for _, p := range parts {
					out = append(out, p)
				}
				return out, nil
			}
			return pySplit(s, sep, -1), nil
		}
	case "splitlines":
		return func(args []any, kw *value.Dict) (any, error) {
			out := []any{}
			for _, l := range splitLines(s) {
				out = append(out, l)
			}
			return out, nil
		}
	case "strip", "lstrip", "rstrip":
		return func(args []any, kw *value.Dict) (any, error) {
			chars, ok := stripChars(args)
			switch attr {
			case "strip":
				if ok {
					return strings.Trim(s, chars), nil
				}
				return strings.TrimSpace(s), nil
			case "lstrip":
				if ok {
					return strings.TrimLeft(s, chars), nil
				}
				return strings.TrimLeftFunc(s, unicode.IsSpace), nil
			}
			if ok {
				return strings.TrimRight(s, chars), nil
			}
			return strings.TrimRightFunc(s, unicode.IsSpace), nil
		}
	case "upper":
		return func([]any, *value.Dict) (any, error) { return strings.ToUpper(s), nil }
	case "lower":
		return func([]any, *value.Dict) (any, error) { return strings.ToLower(s), nil }
	case "capitalize":
		return func([]any, *value.Dict) (any, error) { return capitalize(s), nil }
	case "title":
		return func([]any, *value.Dict) (any, error) { return pyTitle(s), nil }
	case "swapcase":
		return func([]any, *value.Dict) (any, error) {
			return strings.Map(func(r rune) rune {
				if unicode.IsUpper(r) {
					return unicode.ToLower(r)
				}
				return unicode.ToUpper(r)
			}, s), nil
		}
	case "startswith", "endswith":
		return func(args []any, kw *value.Dict) (any, error) {
			var prefixes []string
			if l, ok := firstArg(args).(pyTuple); ok {
				for _, p := range l {
					prefixes = append(prefixes, toStr(p))
				}
			} else {
				prefixes = []string{argStr(args, 0, "")}
			}
			for _, p := range prefixes {
				if attr == "startswith" && strings.HasPrefix(s, p) || attr == "endswith" && strings.HasSuffix(s, p) {
					return true, nil
				}
			}
			return false, nil
		}
	case "replace":
		return func(args []any, kw *value.Dict) (any, error) {
			n := argInt(args, 2, -1)
			return strings.Replace(s, argStr(args, 0, ""), argStr(args, 1, ""), n), nil
		}
	case "find", "index", "rfind", "rindex":
		return func(args []any, kw *value.Dict) (any, error) {
			sub := argStr(args, 0, "")
			var i int
			if attr[0] == 'r' {
				i = strings.LastIndex(s, sub)
			} else {
				i = strings.Index(s, sub)
			}
			if i >= 0 {
				i = len([]rune(s[:i]))
			} else if attr == "index" || attr == "rindex" {
				return nil, fmt.Errorf("substring not found")
			}
			return i, nil
		}
	case "count":
		return func(args []any, kw *value.Dict) (any, error) { return strings.Count(s, argStr(args, 0, "")), nil }
	case "join":
		return func(args []any, kw *value.Dict) (any, error) {
			l, err := toList(firstArg(args))
			if err != nil {
				return nil, err
			}
			parts := make([]string, len(l))
			for i, e := range l {
				es, ok := asString(e)
				if !ok {
					return nil, fmt.Errorf("sequence item %d: expected str instance, %s found", i, typeName(e))
				}
				parts[i] = es
			}
			return strings.Join(parts, s), nil
		}
	case "format":
		return func(args []any, kw *value.Dict) (any, error) { return pyFormat(s, args, kw) }
	case "isdigit", "isnumeric", "isdecimal":
		return func([]any, *value.Dict) (any, error) {
			if s == "" {
				return false, nil
			}
			for _, r := range s {
				if !unicode.IsDigit(r) {
					return false, nil
				}
			}
			return true, nil
		}
	case "isalpha", "isalnum", "isspace", "islower", "isupper":
		return func([]any, *value.Dict) (any, error) {
			if s == "" {
				return false, nil
			}
			cased := false
			for _, r := range s {
				switch attr {
				case "isalpha":
					if !unicode.IsLetter(r) {
						return false, nil
					}
				case "isalnum":
					if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
						return false, nil
					}
				case "isspace":
					if !unicode.IsSpace(r) {
						return false, nil
					}
				case "islower":
					if unicode.IsUpper(r) {
						return false, nil
					}
					cased = cased || unicode.IsLower(r)
				case "isupper":
					if unicode.IsLower(r) {
						return false, nil
					}
					cased = cased || unicode.IsUpper(r)
				}
			}
			if attr == "islower" || attr == "isupper" {
				return cased, nil
			}
			return true, nil
		}
	case "center", "ljust", "rjust":
		return func(args []any, kw *value.Dict) (any, error) {
			w := argInt(args, 0, 0)
			fill := argStr(args, 1, " ")
			return pad(s, w, fill, attr), nil
		}
	case "zfill":
		return func(args []any, kw *value.Dict) (any, error) {
			w := argInt(args, 0, 0)
			n := len([]rune(s))
			if n >= w {
				return s, nil
			}
			sign := ""
			body := s
			if strings.HasPrefix(s, "-") || strings.HasPrefix(s, "+") {
				sign, body = s[:1], s[1:]
			}
			return sign + strings.Repeat("0", w-n) + body, nil
		}
	case "partition", "rpartition":
		return func(args []any, kw *value.Dict) (any, error) {
			sep := argStr(args, 0, "")
			var i int
			if attr == "partition" {
				i = strings.Index(s, sep)
			} else {
				i = strings.LastIndex(s, sep)
			}
			if i < 0 {
				if attr == "partition" {
					return pyTuple{s, "", ""}, nil
				}
				return pyTuple{"", "", s}, nil
			}
			return pyTuple{s[:i], sep, s[i+len(sep):]}, nil
		}
	case "encode", "decode":
		return func([]any, *value.Dict) (any, error) { return s, nil }
	case "removeprefix":
		return func(args []any, kw *value.Dict) (any, error) { return strings.TrimPrefix(s, argStr(args, 0, "")), nil }
	case "removesuffix":
		return func(args []any, kw *value.Dict) (any, error) { return strings.TrimSuffix(s, argStr(args, 0, "")), nil }
	}
	return nil
}

func firstArg(args []any) any {
	if len(args) > 0 {
		return args[0]
	}
	return nil
}

func pad(s string, w int, fill, how string) string {
	n := len([]rune(s))
	if n >= w || fill == "" {
		return s
	}
	total := w - n
	switch how {
	case "ljust":
		return s + strings.Repeat(fill, total)
	case "rjust":
		return strings.Repeat(fill, total) + s
	}
	left := total / 2
	if total%2 == 1 && w%2 == 1 {
		left++
	}
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, total-left)
}

func splitLines(s string) []string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	s = strings.ReplaceAll(s, "\r", "\n")
	if s == "" {
		return nil
	}
	s = strings.TrimSuffix(s, "\n")
	return strings.Split(s, "\n")
}

func capitalize(s string) string {
	r := []rune(strings.ToLower(s))
	if len(r) > 0 {
		r[0] = unicode.ToUpper(r[0])
	}
	return string(r)
}

// pyTitle is Python's str.title(): words are runs of letters.
func pyTitle(s string) string {
	var b strings.Builder
	prevLetter := false
	for _, r := range s {
		if unicode.IsLetter(r) {
			if prevLetter {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToUpper(r))
			}
			prevLetter = true
		} else {
			b.WriteRune(r)
			prevLetter = false
		}
	}
	return b.String()
}

// listMethod returns the bound Python list method attr of l.
func listMethod(l []any, attr string) callable {
	switch attr {
	case "index":
		return func(args []any, kw *value.Dict) (any, error) {
			for i, e := range l {
				if equal(e, firstArg(args)) {
					return i, nil
				}
			}
			return nil, fmt.Errorf("%s is not in list", pyfmt.Repr(firstArg(args)))
		}
	case "count":
		return func(args []any, kw *value.Dict) (any, error) {
			n := 0
			for _, e := range l {
				if equal(e, firstArg(args)) {
					n++
				}
			}
			return n, nil
		}
	case "append", "extend", "insert", "pop", "remove", "reverse", "sort", "clear", "copy":
		// Lists are values here; mutating methods act on the list in place
		// only where Jinja2 templates rely on the return value being None.
		return func(args []any, kw *value.Dict) (any, error) {
			switch attr {
			case "copy":
				return append([]any{}, l...), nil
			case "pop":
				if len(l) == 0 {
					return nil, fmt.Errorf("pop from empty list")
				}
				return l[len(l)-1], nil
			}
			return nil, nil
		}
	}
	return nil
}

// dictMethod returns the bound Python dict method attr of a mapping.
func dictMethod(s *scope, d any, attr string) callable {
	switch attr {
	case "items", "keys", "values", "get", "copy", "update", "pop", "setdefault":
	default:
		return nil
	}
	keys, get := dictView(d)
	fetch := func(k string) any {
		v, _ := get(k)
		if s != nil {
			if r, err := s.st.lazy(d, v); err == nil {
				return r
			}
		}
		return v
	}
	switch attr {
	case "items":
		return func([]any, *value.Dict) (any, error) {
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = pyTuple{k, fetch(k)}
			}
			return out, nil
		}
	case "keys":
		return func([]any, *value.Dict) (any, error) {
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = k
			}
			return out, nil
		}
	case "values":
		return func([]any, *value.Dict) (any, error) {
			out := make([]any, len(keys))
			for i, k := range keys {
				out[i] = fetch(k)
			}
			return out, nil
		}
	case "get":
		return func(args []any, kw *value.Dict) (any, error) {
			k := argStr(args, 0, "")
			if _, ok := get(k); ok {
				return fetch(k), nil
			}
			if len(args) > 1 {
				return args[1], nil
			}
			return nil, nil
		}
	case "copy":
		return func([]any, *value.Dict) (any, error) {
			out := value.NewDict(len(keys))
			for _, k := range keys {
				out.Set(k, fetch(k))
			}
			return out, nil
		}
	case "update", "pop", "setdefault":
		return func(args []any, kw *value.Dict) (any, error) {
			dd, ok := d.(*value.Dict)
			if !ok {
				return nil, nil
			}
			switch attr {
			case "update":
				if len(args) > 0 {
					if ks, g := dictView(args[0]); ks != nil {
						for _, k := range ks {
							v, _ := g(k)
							dd.Set(k, v)
						}
					}
				}
				kw.Range(func(k string, v any) bool { dd.Set(k, v); return true })
				return nil, nil
			case "pop":
				k := argStr(args, 0, "")
				v, ok := dd.Get(k)
				if !ok {
					if len(args) > 1 {
						return args[1], nil
					}
					return nil, fmt.Errorf("KeyError: %s", pyfmt.Quote(k))
				}
				dd.Delete(k)
				return v, nil
			}
			k := argStr(args, 0, "")
			if v, ok := dd.Get(k); ok {
				return v, nil
			}
			var def any
			if len(args) > 1 {
				def = args[1]
			}
			dd.Set(k, def)
			return def, nil
		}
	}
	return nil
}

// global returns a template global function or value.
func (st *renderState) global(name string) any {
	switch name {
	case "omit":
		return OmitPlaceholder
	case "vars":
		return varsMapping{st: st}
	case "range":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			start, stop, step := 0, 0, 1
			switch len(args) {
			case 1:
				stop = argInt(args, 0, 0)
			case 2:
				start, stop = argInt(args, 0, 0), argInt(args, 1, 0)
			case 3:
				start, stop, step = argInt(args, 0, 0), argInt(args, 1, 0), argInt(args, 2, 1)
			default:
				return nil, fmt.Errorf("range expected at least 1 argument, got 0")
			}
			if step == 0 {
				return nil, fmt.Errorf("range() arg 3 must not be zero")
			}
			out := []any{}
			for i := start; (step > 0 && i < stop) || (step < 0 && i > stop); i += step {
				out = append(out, i)
				if len(out) > 100000 {
					return nil, fmt.Errorf("Range too big. The sandbox blocks ranges larger than MAX_RANGE (100000).")
				}
			}
			return out, nil
		})
	case "dict":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			d := value.NewDict(0)
			if len(args) > 0 {
				if ks, g := dictView(args[0]); ks != nil {
					for _, k := range ks {
						v, _ := g(k)
						d.Set(k, v)
					}
				} else if l, err := toList(args[0]); err == nil {
					for i, p := range l {
						pl, err := toList(p)
						if err != nil || len(pl) != 2 {
							return nil, typeErrorf("dictionary update sequence element #%d has length %d; 2 is required", i, len(pl))
						}
						d.Set(toStr(pl[0]), pl[1])
					}
				}
			}
			kw.Range(func(k string, v any) bool { d.Set(k, v); return true })
			return d, nil
		})
	case "namespace":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			m := map[string]any{}
			if len(args) > 0 {
				if ks, g := dictView(args[0]); ks != nil {
					for _, k := range ks {
						m[k], _ = g(k)
					}
				}
			}
			kw.Range(func(k string, v any) bool { m[k] = v; return true })
			return m, nil
		})
	case "lookup", "query", "q":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			if len(args) == 0 {
				return nil, fmt.Errorf("lookup() missing plugin name")
			}
			wantlist := name != "lookup"
			if v, ok := kw.Get("wantlist"); ok {
				wantlist = truthy(v)
				kw = kw.Copy()
				kw.Delete("wantlist")
			}
			st.unsafe = true
			return st.t.runLookup(st, argStr(args, 0, ""), args[1:], kw, wantlist)
		})
	case "now":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			utc, _ := kwOr(args, kw, 0, "utc")
			fmtv, hasFmt := kwOr(args, kw, 1, "fmt")
			tm := time.Now()
			if truthy(utc) {
				tm = tm.UTC()
			}
			if hasFmt && fmtv != nil {
				return strftime(toStr(fmtv), tm), nil
			}
			return tm.Format("2006-01-02 15:04:05.000000"), nil
		})
	case "undef":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			hint := argStr(args, 0, "")
			if hint == "" {
				hint = "Mandatory variable has not been overridden"
			}
			return &Undefined{Hint: hint}, nil
		})
	case "lipsum":
		return callable(func([]any, *value.Dict) (any, error) {
			return "Lorem ipsum dolor sit amet, consectetur adipiscing elit.", nil
		})
	case "cycler":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			return &cycler{items: args}, nil
		})
	case "joiner":
		return callable(func(args []any, kw *value.Dict) (any, error) {
			sep := argStr(args, 0, ", ")
			used := false
			return callable(func([]any, *value.Dict) (any, error) {
				if !used {
					used = true
					return "", nil
				}
				return sep, nil
			}), nil
		})
	case "zip":
		return nil
	}
	return nil
}

type cycler struct {
	items []any
	pos   int
}

// GetAttribute exposes next(), reset() and current to templates.
func (c *cycler) attr(name string) any {
	switch name {
	case "next":
		return callable(func([]any, *value.Dict) (any, error) {
			if len(c.items) == 0 {
				return nil, nil
			}
			v := c.items[c.pos%len(c.items)]
			c.pos++
			return v, nil
		})
	case "reset":
		return callable(func([]any, *value.Dict) (any, error) { c.pos = 0; return nil, nil })
	case "current":
		if len(c.items) == 0 {
			return nil
		}
		return c.items[c.pos%len(c.items)]
	}
	return nil
}

// pyPercent implements Python's printf-style `fmt % args`.
func pyPercent(format string, arg any) (any, error) {
	var args []any
	var named *value.Dict
	switch a := arg.(type) {
	case pyTuple:
		args = a
	case *value.Dict:
		named = a
		args = []any{a}
	default:
		args = []any{a}
	}
	var b strings.Builder
	ai := 0
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, fmt.Errorf("incomplete format")
		}
		if format[i] == '%' {
			b.WriteByte('%')
			continue
		}
		var cur any
		haveCur := false
		if format[i] == '(' {
			j := strings.IndexByte(format[i:], ')')
			if j < 0 || named == nil {
				return nil, fmt.Errorf("format requires a mapping")
			}
			key := format[i+1 : i+j]
			cur, _ = named.Get(key)
			haveCur = true
			i += j + 1
		}
		spec := ""
		for i < len(format) && strings.IndexByte("-+ #0123456789.*", format[i]) >= 0 {
			spec += string(format[i])
			i++
		}
		if i >= len(format) {
			return nil, fmt.Errorf("incomplete format")
		}
		verb := format[i]
		if !haveCur {
			if ai >= len(args) {
				return nil, fmt.Errorf("not enough arguments for format string")
			}
			cur = args[ai]
			ai++
		}
		switch verb {
		case 's', 'r', 'a':
			s := toStr(cur)
			if verb != 's' {
				s = pyfmt.Repr(cur)
			}
			b.WriteString(fmt.Sprintf("%"+spec+"s", s))
		case 'd', 'i', 'u':
			n, ok := toNumber(cur)
			if !ok {
				return nil, fmt.Errorf("%%%c format: a number is required, not %s", verb, typeName(cur))
			}
			b.WriteString(fmt.Sprintf("%"+spec+"d", int(toFloat(n))))
		case 'f', 'F', 'e', 'E', 'g', 'G':
			n, ok := toNumber(cur)
			if !ok {
				return nil, fmt.Errorf("must be real number, not %s", typeName(cur))
			}
			if !strings.Contains(spec, ".") && verb != 'g' && verb != 'G' {
				spec += ".6"
			}
			b.WriteString(fmt.Sprintf("%"+spec+string(verb), toFloat(n)))
		case 'x', 'X', 'o':
			n, ok := toNumber(cur)
			if !ok {
				return nil, fmt.Errorf("%%%c format: an integer is required, not %s", verb, typeName(cur))
			}
			b.WriteString(fmt.Sprintf("%"+spec+string(verb), int(toFloat(n))))
		case 'c':
			if n, ok := cur.(int); ok {
				b.WriteRune(rune(n))
			} else {
				b.WriteString(toStr(cur))
			}
		default:
			return nil, fmt.Errorf("unsupported format character '%c'", verb)
		}
	}
	if named == nil && ai < len(args) {
		return nil, fmt.Errorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

// pyFormat implements a useful subset of str.format.
func pyFormat(s string, args []any, kw *value.Dict) (any, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return nil, fmt.Errorf("Single '{' encountered in format string")
			}
			field := s[i+1 : i+j]
			i += j
			name, spec, _ := strings.Cut(field, ":")
			var v any
			if name == "" {
				if auto >= len(args) {
					return nil, fmt.Errorf("Replacement index %d out of range for positional args tuple", auto)
				}
				v = args[auto]
				auto++
			} else if n, err := strconv.Atoi(name); err == nil {
				if n >= len(args) {
					return nil, fmt.Errorf("Replacement index %d out of range for positional args tuple", n)
				}
				v = args[n]
			} else {
				var ok bool
				v, ok = kw.Get(name)
				if !ok {
					return nil, fmt.Errorf("KeyError: %s", pyfmt.Quote(name))
				}
			}
			if spec != "" {
				out, err := pyPercent("%"+strings.TrimLeft(spec, "<>^="), v)
				if err != nil {
					return nil, err
				}
				b.WriteString(toStr(out))
			} else {
				b.WriteString(toStr(v))
			}
			continue
		}
		if c == '}' && i+1 < len(s) && s[i+1] == '}' {
			i++
		}
		b.WriteByte(c)
	}
	return b.String(), nil
}
