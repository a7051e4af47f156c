package template

import (
	"fmt"
	"html"
	"math"
	"math/rand"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// filterFunc implements one filter: in is the piped value.
type filterFunc func(s *scope, in any, args []any, kw *value.Dict) (any, error)

// listFilter adapts a filter that takes its input as a list (Python's
// list(value)); a non-iterable input fails as list() does.
func listFilter(fn func(s *scope, l []any, args []any, kw *value.Dict) (any, error)) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		return fn(s, l, args, kw)
	}
}

// filters maps every filter name (short and ansible.builtin.*) to its code.
var filters = map[string]filterFunc{}

// undefinedOK lists filters that accept an undefined input.
var undefinedOK = map[string]bool{"default": true, "d": true, "mandatory": true, "type_debug": true}

// undefinedOKTest lists tests that accept an undefined input.
var undefinedOKTest = map[string]bool{"defined": true, "undefined": true}

// stringTypeFilters are Ansible's STRING_TYPE_FILTERS: their output is never literal-converted.
var stringTypeFilters = map[string]bool{"string": true, "to_json": true, "to_nice_json": true, "to_yaml": true, "to_nice_yaml": true, "ppretty": true, "json": true,
	"ansible.builtin.to_json": true, "ansible.builtin.to_nice_json": true, "ansible.builtin.to_yaml": true, "ansible.builtin.to_nice_yaml": true}

// legacyTestFilters are the pre-2.9 filter forms of result tests.
var legacyTestFilters = map[string]string{"failed": "failed", "failure": "failure", "success": "success", "succeeded": "succeeded", "changed": "changed", "change": "change", "skipped": "skipped", "skip": "skip"}

func lookupFilter(t *Templar, name string) filterFunc {
	if f, ok := filters[name]; ok {
		return f
	}
	if t != nil && t.opts.LegacyTestFilters {
		if tn, ok := legacyTestFilters[name]; ok {
			return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
				s.st.t.deprecate(fmt.Sprintf("Using tests as filters is deprecated. Instead of using `result|%s` use `result is %s`.", name, tn))
				return lookupTest(tn)(s, in, args, kw)
			}
		}
	}
	return nil
}

func register(f filterFunc, names ...string) {
	for _, n := range names {
		filters[n] = f
		if !strings.Contains(n, ".") {
			filters["ansible.builtin."+n] = f
		}
	}
}

func need(args []any, n int, name string) error {
	if len(args) < n {
		return fmt.Errorf("%s() missing required argument", name)
	}
	for _, a := range args {
		if u, ok := a.(*Undefined); ok {
			return u.err()
		}
	}
	return nil
}

func init() {
	register(fDefault, "default", "d")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		if u, ok := in.(*Undefined); ok {
			msg := argStr(args, 0, "")
			if m, ok := kw.Get("msg"); ok {
				msg = toStr(m)
			}
			if msg == "" {
				if u.Name != "" {
					msg = fmt.Sprintf("Mandatory variable '%s'  not defined.", u.Name)
				} else {
					msg = "Mandatory variable not defined."
				}
			}
			return nil, fmt.Errorf("%s", msg)
		}
		return in, nil
	}, "mandatory")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return typeName(in), nil }, "type_debug")
	register(fBool, "bool")
	register(fInt, "int")
	register(fFloat, "float")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return toStr(in), nil }, "string")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return toList(in) }, "list")
	register(fLength, "length", "count")
	register(fJoin, "join")
	register(fSplit, "split")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return strings.ToUpper(toStr(in)), nil
	}, "upper")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return strings.ToLower(toStr(in)), nil
	}, "lower")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return capitalize(toStr(in)), nil }, "capitalize")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return jinjaTitle(toStr(in)), nil }, "title")
	register(fReplace, "replace")
	register(fTrim, "trim")
	register(listFilter(fFirst), "first")
	register(listFilter(fLast), "last")
	register(fMinMax(false), "min")
	register(fMinMax(true), "max")
	register(listFilter(fUnique), "unique")
	register(listFilter(fSort), "sort")
	register(listFilter(fMap), "map")
	register(fSelect(false, false), "select")
	register(fSelect(true, false), "reject")
	register(fSelect(false, true), "selectattr")
	register(fSelect(true, true), "rejectattr")
	register(fAbs, "abs")
	register(fRound, "round")
	register(listFilter(fSum), "sum")
	register(fReverse, "reverse")
	register(fCenter, "center")
	register(fDictsort, "dictsort")
	register(fItems, "items")
	register(fAttr, "attr")
	register(listFilter(fBatch), "batch")
	register(listFilter(fSliceF), "slice")
	register(listFilter(fGroupby), "groupby")
	register(fIndent, "indent")
	register(fTruncate, "truncate")
	register(fWordcount, "wordcount")
	register(fWordwrap, "wordwrap")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return html.EscapeString(toStr(in)), nil
	}, "escape", "e", "forceescape")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return in, nil }, "safe")
	register(fStriptags, "striptags")
	register(fFilesize, "filesizeformat")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		if d, ok := in.(*value.Dict); ok {
			return pyPercent(toStr(in), d)
		}
		return pyPercent(toStr(in), pyTuple(args))
	}, "format")
	register(fURLEncode, "urlencode")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return toStr(in), nil }, "urlize")
	register(fXMLAttr, "xmlattr")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		return toJSON(in, pyfmt.JSONOptions{})
	}, "tojson")
	register(func(s *scope, in any, args []any, kw *value.Dict) (any, error) { return pyfmt.Repr(in), nil }, "pprint")
	register(fRandom, "random")
}

func fDefault(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	def, _ := kwOr(args, kw, 0, "default_value")
	b, _ := kwOr(args, kw, 1, "boolean")
	if _, ok := in.(*Undefined); ok {
		if def == nil && len(args) == 0 {
			return "", nil
		}
		return def, nil
	}
	if truthy(b) && !truthy(in) {
		return def, nil
	}
	return in, nil
}

func fBool(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	switch x := in.(type) {
	case bool:
		return x, nil
	case nil:
		return false, nil
	case int:
		return x == 1, nil
	case float64:
		return x == 1, nil
	}
	if str, ok := asString(in); ok {
		switch strings.ToLower(str) {
		case "yes", "on", "1", "true":
			return true, nil
		}
	}
	return false, nil
}

func fInt(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	defv, _ := kwOr(args, kw, 0, "default")
	if defv == nil {
		defv = 0
	}
	base := 10
	if b, ok := kwOr(args, kw, 1, "base"); ok {
		base = argInt([]any{b}, 0, 10)
	}
	switch x := in.(type) {
	case int:
		return x, nil
	case float64:
		return int(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	str, ok := asString(in)
	if !ok {
		return defv, nil
	}
	str = strings.TrimSpace(strings.ReplaceAll(str, "_", ""))
	if base != 10 {
		t := strings.ToLower(str)
		t = strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(t, "0x"), "0o"), "0b")
		if n, err := strconv.ParseInt(t, base, 64); err == nil {
			return int(n), nil
		}
		return defv, nil
	}
	if n, err := strconv.Atoi(str); err == nil {
		return n, nil
	}
	if f, err := strconv.ParseFloat(str, 64); err == nil && !strings.ContainsAny(strings.ToLower(str), "xn") {
		return int(f), nil
	}
	return defv, nil
}

func fFloat(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	defv, _ := kwOr(args, kw, 0, "default")
	if defv == nil {
		defv = 0.0
	}
	switch x := in.(type) {
	case int:
		return float64(x), nil
	case float64:
		return x, nil
	case bool:
		if x {
			return 1.0, nil
		}
		return 0.0, nil
	}
	if str, ok := asString(in); ok {
		if f, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(str, "_", "")), 64); err == nil {
			return f, nil
		}
	}
	return defv, nil
}

func fLength(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if str, ok := asString(in); ok {
		return len([]rune(str)), nil
	}
	switch x := in.(type) {
	case []any:
		return len(x), nil
	}
	if keys, _ := dictView(in); keys != nil {
		return len(keys), nil
	}
	return nil, fmt.Errorf("object of type '%s' has no len()", typeName(in))
}

func fJoin(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	sep, _ := kwOr(args, kw, 0, "d")
	attr, hasAttr := kwOr(args, kw, 1, "attribute")
	l, err := toList(in)
	if err != nil {
		return nil, err
	}
	parts := make([]string, len(l))
	for i, e := range l {
		if hasAttr && attr != nil {
			e, err = attrPath(s, e, attr)
			if err != nil {
				return nil, err
			}
		}
		if u, ok := e.(*Undefined); ok {
			return nil, u.err()
		}
		parts[i] = toStr(e)
	}
	sepS := ""
	if sep != nil {
		sepS = toStr(sep)
	}
	return strings.Join(parts, sepS), nil
}

func fSplit(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	sep, _ := kwOr(args, kw, 0, "sep")
	m := -1
	if v, ok := kwOr(args, kw, 1, "maxsplit"); ok {
		m = argInt([]any{v}, 0, -1)
	}
	return pySplit(toStr(in), sep, m), nil
}

func fReplace(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if err := need(args, 2, "replace"); err != nil {
		return nil, err
	}
	n := -1
	if v, ok := kwOr(args, kw, 2, "count"); ok && v != nil {
		n = argInt([]any{v}, 0, -1)
	}
	return strings.Replace(toStr(in), toStr(args[0]), toStr(args[1]), n), nil
}

func fTrim(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if chars, ok := kwOr(args, kw, 0, "chars"); ok && chars != nil {
		return strings.Trim(toStr(in), toStr(chars)), nil
	}
	return strings.TrimSpace(toStr(in)), nil
}

func fFirst(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	if len(l) == 0 {
		return &Undefined{Hint: "No first item, sequence was empty."}, nil
	}
	return l[0], nil
}

func fLast(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	if len(l) == 0 {
		return &Undefined{Hint: "No last item, sequence was empty."}, nil
	}
	return l[len(l)-1], nil
}

// sortKey fetches the comparison key of an item.
func sortKey(s *scope, e any, attr any, caseSensitive bool) (any, error) {
	var err error
	if attr != nil {
		e, err = attrPath(s, e, attr)
		if err != nil {
			return nil, err
		}
	}
	if !caseSensitive {
		if str, ok := asString(e); ok {
			return strings.ToLower(str), nil
		}
	}
	return e, nil
}

func fMinMax(isMax bool) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		attr, _ := kw.Get("attribute")
		cs, _ := kw.Get("case_sensitive")
		if len(l) == 0 {
			return &Undefined{Hint: "No aggregated item, sequence was empty."}, nil
		}
		best := l[0]
		bk, err := sortKey(s, best, attr, truthy(cs))
		if err != nil {
			return nil, err
		}
		for _, e := range l[1:] {
			k, err := sortKey(s, e, attr, truthy(cs))
			if err != nil {
				return nil, err
			}
			c, err := compare(k, bk)
			if err != nil {
				return nil, err
			}
			if (isMax && c > 0) || (!isMax && c < 0) {
				best, bk = e, k
			}
		}
		return best, nil
	}
}

func fUnique(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	cs, hasCS := kwOr(args, kw, 0, "case_sensitive")
	attr, _ := kwOr(args, kw, 1, "attribute")
	// Ansible passes bool(case_sensitive): the default is case-insensitive.
	caseSensitive := hasCS && truthy(cs)
	out := []any{}
	var seen []any
	for _, e := range l {
		k, err := sortKey(s, e, attr, caseSensitive)
		if err != nil {
			return nil, err
		}
		dup := false
		for _, x := range seen {
			if equal(x, k) {
				dup = true
				break
			}
		}
		if !dup {
			seen = append(seen, k)
			out = append(out, e)
		}
	}
	return out, nil
}

func fSort(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	rev, _ := kwOr(args, kw, 0, "reverse")
	cs, _ := kwOr(args, kw, 1, "case_sensitive")
	attr, _ := kwOr(args, kw, 2, "attribute")
	type item struct{ v, k any }
	items := make([]item, len(l))
	for i, e := range l {
		k, err := sortKey(s, e, attr, truthy(cs))
		if err != nil {
			return nil, err
		}
		items[i] = item{e, k}
	}
	var serr error
	sort.SliceStable(items, func(i, j int) bool {
		c, err := compare(items[i].k, items[j].k)
		if err != nil && serr == nil {
			serr = err
		}
		if truthy(rev) {
			return c > 0
		}
		return c < 0
	})
	if serr != nil {
		return nil, serr
	}
	out := make([]any, len(items))
	for i, it := range items {
		out[i] = it.v
	}
	return out, nil
}

// attrPath follows a dotted attribute path ("a.b.0") like Jinja2's make_attrgetter.
func attrPath(s *scope, e any, attr any) (any, error) {
	if n, ok := attr.(int); ok {
		return s.getitem(e, n)
	}
	var err error
	for _, part := range strings.Split(toStr(attr), ".") {
		if n, convErr := strconv.Atoi(part); convErr == nil {
			if _, isList := e.([]any); isList {
				e, err = s.getitem(e, n)
				if err != nil {
					return nil, err
				}
				continue
			}
		}
		e, err = s.getitem(e, part)
		if err != nil {
			return nil, err
		}
	}
	return e, nil
}

func fMap(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	out := make([]any, 0, len(l))
	if attr, ok := kw.Get("attribute"); ok {
		def, hasDef := kw.Get("default")
		for _, e := range l {
			v, err := attrPath(s, e, attr)
			if err != nil {
				return nil, err
			}
			if _, isU := v.(*Undefined); isU && hasDef {
				v = def
			}
			out = append(out, v)
		}
		return out, nil
	}
	if len(args) == 0 {
		return l, nil
	}
	name := toStr(args[0])
	f := lookupFilter(s.st.t, name)
	if f == nil {
		// Ansible reports an unknown filter inside map() as just "None".
		return nil, &TemplateError{Msg: "None"}
	}
	for _, e := range l {
		if u, ok := e.(*Undefined); ok && !undefinedOK[name] {
			return nil, u.err()
		}
		v, err := f(s, e, args[1:], kw)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

func fSelect(reject, byAttr bool) filterFunc {
	return func(s *scope, in any, args []any, kw *value.Dict) (any, error) {
		l, err := toList(in)
		if err != nil {
			return nil, err
		}
		var attr any
		if byAttr {
			if len(args) == 0 {
				return nil, fmt.Errorf("Missing parameter for attribute name")
			}
			attr, args = args[0], args[1:]
		}
		var test testFunc
		if len(args) > 0 {
			name := toStr(args[0])
			test = lookupTest(name)
			if test == nil {
				// Ansible reports an unknown test inside select() as just "None".
				return nil, &TemplateError{Msg: "None"}
			}
			args = args[1:]
		}
		out := []any{}
		for _, e := range l {
			v := e
			if byAttr {
				v, err = attrPath(s, e, attr)
				if err != nil {
					return nil, err
				}
			}
			var ok bool
			if test == nil {
				ok, err = truthyErr(v)
			} else {
				ok, err = test(s, v, args, value.NewDict(0))
			}
			if err != nil {
				return nil, err
			}
			if ok != reject {
				out = append(out, e)
			}
		}
		return out, nil
	}
}

func fAbs(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	switch x := in.(type) {
	case int:
		if x < 0 {
			return -x, nil
		}
		return x, nil
	case float64:
		return math.Abs(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	}
	return nil, fmt.Errorf("bad operand type for abs(): '%s'", typeName(in))
}

func fRound(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	prec := 0
	if p, ok := kwOr(args, kw, 0, "precision"); ok {
		prec = argInt([]any{p}, 0, 0)
	}
	method := "common"
	if m, ok := kwOr(args, kw, 1, "method"); ok {
		method = toStr(m)
	}
	n, ok := toNumber(in)
	if !ok {
		return nil, fmt.Errorf("must be real number, not %s", typeName(in))
	}
	f := toFloat(n)
	p := math.Pow(10, float64(prec))
	switch method {
	case "common":
		// Python's round(): correctly rounded, ties to even.
		if prec >= 0 {
			r, _ := strconv.ParseFloat(strconv.FormatFloat(f, 'f', prec, 64), 64)
			return r, nil
		}
		return math.RoundToEven(f*p) / p, nil
	case "ceil":
		return math.Ceil(f*p) / p, nil
	case "floor":
		return math.Floor(f*p) / p, nil
	}
	return nil, fmt.Errorf("method must be 'common', 'ceil' or 'floor'")
}

func fSum(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	attr, _ := kwOr(args, kw, 0, "attribute")
	var total any = 0
	if st, ok := kwOr(args, kw, 1, "start"); ok {
		total = st
	}
	var err error
	for _, e := range l {
		if attr != nil {
			e, err = attrPath(s, e, attr)
			if err != nil {
				return nil, err
			}
		}
		total, err = binop("+", total, e)
		if err != nil {
			return nil, err
		}
	}
	return total, nil
}

func fReverse(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if str, ok := asString(in); ok {
		r := []rune(str)
		for i, j := 0, len(r)-1; i < j; i, j = i+1, j-1 {
			r[i], r[j] = r[j], r[i]
		}
		return string(r), nil
	}
	l, err := toList(in)
	if err != nil {
		return nil, err
	}
	out := make([]any, len(l))
	for i, e := range l {
		out[len(l)-1-i] = e
	}
	return out, nil
}

func fCenter(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	w := 80
	if v, ok := kwOr(args, kw, 0, "width"); ok {
		w = argInt([]any{v}, 0, 80)
	}
	return pad(toStr(in), w, " ", "center"), nil
}

func fDictsort(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	keys, get := dictView(in)
	if keys == nil {
		return nil, fmt.Errorf("you can only sort by either \"key\" or \"value\"")
	}
	cs, _ := kwOr(args, kw, 0, "case_sensitive")
	by := "key"
	if b, ok := kwOr(args, kw, 1, "by"); ok {
		by = toStr(b)
	}
	rev, _ := kwOr(args, kw, 2, "reverse")
	items := make([]any, len(keys))
	for i, k := range keys {
		v, _ := get(k)
		items[i] = pyTuple{k, v}
	}
	idx := 0
	if by == "value" {
		idx = 1
	}
	var serr error
	sort.SliceStable(items, func(i, j int) bool {
		a, _ := sortKey(s, items[i].(pyTuple)[idx], nil, truthy(cs))
		b, _ := sortKey(s, items[j].(pyTuple)[idx], nil, truthy(cs))
		c, err := compare(a, b)
		if err != nil {
			serr = err
		}
		if truthy(rev) {
			return c > 0
		}
		return c < 0
	})
	return items, serr
}

func fItems(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if in == nil {
		return []any{}, nil
	}
	m := dictMethod(s, in, "items")
	if m == nil {
		return nil, fmt.Errorf("Can only get item pairs from a mapping.")
	}
	return m(nil, nil)
}

func fAttr(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	return s.getattr(in, argStr(args, 0, ""))
}

func fBatch(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	n := argInt(args, 0, 1)
	if n <= 0 {
		n = 1
	}
	fill, hasFill := kwOr(args, kw, 1, "fill_with")
	out := []any{}
	for i := 0; i < len(l); i += n {
		chunk := append([]any{}, l[i:min(i+n, len(l))]...)
		if hasFill && fill != nil {
			for len(chunk) < n {
				chunk = append(chunk, fill)
			}
		}
		out = append(out, chunk)
	}
	return out, nil
}

func fSliceF(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	n := argInt(args, 0, 1)
	if n <= 0 {
		n = 1
	}
	fill, hasFill := kwOr(args, kw, 1, "fill_with")
	per := len(l) / n
	extra := len(l) % n
	offset := 0
	out := []any{}
	for i := 0; i < n; i++ {
		start := offset + i*per
		if i < extra {
			offset++
		}
		end := offset + (i+1)*per
		chunk := append([]any{}, l[start:end]...)
		if hasFill && fill != nil && i >= extra && extra > 0 {
			chunk = append(chunk, fill)
		}
		out = append(out, chunk)
	}
	return out, nil
}

func fGroupby(s *scope, l []any, args []any, kw *value.Dict) (any, error) {
	attr, _ := kwOr(args, kw, 0, "attribute")
	sorted, err := fSort(s, l, nil, value.DictOf("attribute", attr, "case_sensitive", true))
	if err != nil {
		return nil, err
	}
	out := []any{}
	for _, e := range sorted.([]any) {
		k, err := attrPath(s, e, attr)
		if err != nil {
			return nil, err
		}
		if n := len(out); n > 0 && equal(out[n-1].([]any)[0], k) {
			g := out[n-1].([]any)
			g[1] = append(g[1].([]any), e)
			continue
		}
		out = append(out, []any{k, []any{e}})
	}
	return out, nil
}

func fIndent(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	width := "    "
	if w, ok := kwOr(args, kw, 0, "width"); ok {
		if n, isInt := w.(int); isInt {
			width = strings.Repeat(" ", n)
		} else {
			width = toStr(w)
		}
	}
	first, _ := kwOr(args, kw, 1, "first")
	blank, _ := kwOr(args, kw, 2, "blank")
	text := toStr(in)
	nl := "\n"
	if text == "" {
		return "", nil
	}
	lines := strings.Split(text, nl)
	rest := lines[1:]
	for i, l := range rest {
		if truthy(blank) || l != "" {
			rest[i] = width + l
		}
	}
	out := lines[0]
	if truthy(first) {
		out = width + out
	}
	if len(rest) > 0 {
		out += nl + strings.Join(rest, nl)
	}
	return out, nil
}

func fTruncate(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	str := []rune(toStr(in))
	length := 255
	if v, ok := kwOr(args, kw, 0, "length"); ok {
		length = argInt([]any{v}, 0, 255)
	}
	killwords, _ := kwOr(args, kw, 1, "killwords")
	end := "..."
	if v, ok := kwOr(args, kw, 2, "end"); ok {
		end = toStr(v)
	}
	leeway := 5
	if v, ok := kwOr(args, kw, 3, "leeway"); ok {
		leeway = argInt([]any{v}, 0, 5)
	}
	if len(str) <= length+leeway {
		return string(str), nil
	}
	cut := max(length-len([]rune(end)), 0)
	if truthy(killwords) {
		return string(str[:cut]) + end, nil
	}
	res := string(str[:cut])
	if i := strings.LastIndex(res, " "); i >= 0 {
		res = res[:i]
	}
	return res + end, nil
}

func fWordcount(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	return len(regexp.MustCompile(`\w+`).FindAllString(toStr(in), -1)), nil
}

func fWordwrap(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	width := 79
	if v, ok := kwOr(args, kw, 0, "width"); ok {
		width = argInt([]any{v}, 0, 79)
	}
	var lines []string
	for _, para := range strings.Split(toStr(in), "\n") {
		line := ""
		for _, w := range strings.Fields(para) {
			if line == "" {
				line = w
			} else if len(line)+1+len(w) <= width {
				line += " " + w
			} else {
				lines = append(lines, line)
				line = w
			}
		}
		lines = append(lines, line)
	}
	return strings.Join(lines, "\n"), nil
}

func fStriptags(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	t := regexp.MustCompile(`(?s)<!--.*?-->|<[^>]*>`).ReplaceAllString(toStr(in), "")
	return html.UnescapeString(strings.Join(strings.Fields(t), " ")), nil
}

func fFilesize(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	n, _ := toNumber(in)
	if n == nil {
		f, _ := fFloat(s, in, nil, value.NewDict(0))
		n = f
	}
	bytes := toFloat(n)
	binary, _ := kwOr(args, kw, 0, "binary")
	base := 1000.0
	prefixes := []string{"kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"}
	if truthy(binary) {
		base = 1024
		prefixes = []string{"KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"}
	}
	if bytes == 1 {
		return "1 Byte", nil
	}
	if bytes < base {
		return fmt.Sprintf("%d Bytes", int(bytes)), nil
	}
	unit := base
	for i, p := range prefixes {
		unit = math.Pow(base, float64(i+2))
		if bytes < unit {
			return fmt.Sprintf("%.1f %s", base*bytes/unit, p), nil
		}
	}
	return fmt.Sprintf("%.1f %s", base*bytes/unit, prefixes[len(prefixes)-1]), nil
}

func fURLEncode(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	if keys, get := dictView(in); keys != nil {
		parts := []string{}
		qs := func(s string) string { return strings.ReplaceAll(urlQuote(s, ""), "%20", "+") }
		for _, k := range keys {
			v, _ := get(k)
			parts = append(parts, qs(k)+"="+qs(toStr(v)))
		}
		return strings.Join(parts, "&"), nil
	}
	return urlQuote(toStr(in), "/"), nil
}

func urlQuote(s, safe string) string {
	var b strings.Builder
	for _, c := range []byte(s) {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.IndexByte("_.-~", c) >= 0 || strings.IndexByte(safe, c) >= 0 {
			b.WriteByte(c)
		} else {
			fmt.Fprintf(&b, "%%%02X", c)
		}
	}
	return b.String()
}

func fXMLAttr(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	keys, get := dictView(in)
	parts := []string{}
	for _, k := range keys {
		v, _ := get(k)
		if v == nil {
			continue
		}
		if _, ok := v.(*Undefined); ok {
			continue
		}
		parts = append(parts, fmt.Sprintf(`%s="%s"`, html.EscapeString(k), html.EscapeString(toStr(v))))
	}
	out := strings.Join(parts, " ")
	auto := true
	if v, ok := kwOr(args, kw, 0, "autospace"); ok {
		auto = truthy(v)
	}
	if auto && out != "" {
		out = " " + out
	}
	return out, nil
}

func fRandom(s *scope, in any, args []any, kw *value.Dict) (any, error) {
	var r *rand.Rand
	if seed, ok := kw.Get("seed"); ok && seed != nil {
		h := 0
		for _, c := range toStr(seed) {
			h = h*31 + int(c)
		}
		r = rand.New(rand.NewSource(int64(h)))
	} else {
		r = rand.New(rand.NewSource(rand.Int63()))
	}
	if n, ok := in.(int); ok {
		start := 0
		step := 1
		if v, ok := kwOr(args, kw, 0, "start"); ok {
			start = argInt([]any{v}, 0, 0)
		}
		if v, ok := kwOr(args, kw, 1, "step"); ok {
			step = max(argInt([]any{v}, 0, 1), 1)
		}
		if n <= start {
			return nil, fmt.Errorf("empty range for randrange()")
		}
		count := (n - start + step - 1) / step
		return start + r.Intn(count)*step, nil
	}
	l, err := toList(in)
	if err != nil {
		return nil, err
	}
	if len(l) == 0 {
		return nil, fmt.Errorf("No random item, sequence was empty.")
	}
	return l[r.Intn(len(l))], nil
}

// jinjaTitle is Jinja2's title filter: words split on spaces and punctuation.
func jinjaTitle(s string) string {
	var b strings.Builder
	start := true
	for _, r := range s {
		if unicode.IsSpace(r) || strings.ContainsRune("-_([{<\"'", r) {
			b.WriteRune(r)
			start = true
			continue
		}
		if start {
			b.WriteRune(unicode.ToUpper(r))
		} else {
			b.WriteRune(unicode.ToLower(r))
		}
		start = false
	}
	return b.String()
}
