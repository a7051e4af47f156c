package template

import (
	"fmt"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Mapping is a lazily resolved mapping such as hostvars: values are
// fetched (and templated) only when a key is read. The executor may pass
// values implementing it anywhere a *value.Dict is accepted.
type Mapping interface {
	Get(key string) (any, bool)
	Keys() []string
	// LazyTemplated marks the type; values are templated when read.
	LazyTemplated()
}

// pyTuple is a Python tuple: a list that renders as (a, b).
type pyTuple = pyfmt.Tuple

// isCollection reports lists, tuples and mappings.
func isCollection(v any) bool {
	switch v.(type) {
	case []any, pyTuple:
		return true
	}
	return isMapping(v)
}

// Undefined is the value of a name or attribute that does not exist. It
// flows through expressions (so `default` and `is defined` work) and
// fails with an *UndefinedError when used.
type Undefined struct {
	// Name is the variable name, when the undefined value is a variable.
	Name string
	// Hint is the full message ("'x' is undefined").
	Hint string
	// Lenient is Jinja2's plain Undefined (an inline if without else):
	// it prints as "" and is false instead of failing.
	Lenient bool
}

func (u *Undefined) err() *UndefinedError { return &UndefinedError{Name: u.Name, Msg: u.Hint} }

func undefVar(name string) *Undefined {
	return &Undefined{Name: name, Hint: fmt.Sprintf("'%s' is undefined", name)}
}

func undefAttr(obj any, attr string) *Undefined {
	return &Undefined{Hint: fmt.Sprintf("%s has no attribute '%s'", objectDesc(obj), attr)}
}

// objectDesc names a value the way Jinja2 describes it in undefined errors.
func objectDesc(v any) string {
	switch v.(type) {
	case *value.Dict, Mapping, map[string]any, keyedGetter:
		return "'dict object'"
	case []any:
		return "'list object'"
	case pyTuple:
		return "'tuple object'"
	case string:
		return "'str object'"
	case int:
		return "'int object'"
	case float64:
		return "'float object'"
	case bool:
		return "'bool object'"
	case nil:
		return "None"
	}
	return "'" + typeName(v) + " object'"
}

// bareDesc is objectDesc without quotes (Jinja2's "has no element" form).
func bareDesc(v any) string { return strings.Trim(objectDesc(v), "'") }

// typeName returns the Python type name of a value (type_debug).
func typeName(v any) string {
	switch v.(type) {
	case value.Unsafe:
		return "AnsibleUnsafeText"
	case pyTuple:
		return "tuple"
	case Mapping, keyedGetter:
		return "dict"
	case *Undefined:
		return "AnsibleUndefined"
	}
	if n := value.PyTypeName(v); n != "object" {
		return n
	}
	return fmt.Sprintf("%T", v)
}

// normalize converts Go values coming from callers into the template
// value model: ints, float64, string, bool, nil, []any, *value.Dict.
func normalize(v any) any {
	switch x := v.(type) {
	case map[string]any:
		return pyfmt.SortedDict(x)
	case MapVars:
		return normalize(map[string]any(x))
	}
	return value.Plain(v)
}

// truthy implements Python truthiness.
func truthy(v any) bool {
	switch x := v.(type) {
	case pyTuple:
		return len(x) > 0
	case keyedGetter:
		return len(x.Keys()) > 0
	case *Undefined:
		return false
	}
	return value.Truthy(v)
}

// PyRepr is the repr of an undefined value.
func (u *Undefined) PyRepr() string { return "AnsibleUndefined" }

// toStr renders a value as Python's str() would.
func toStr(v any) string {
	switch x := v.(type) {
	case *Undefined:
		if x.Lenient {
			return ""
		}
	case string:
		return x
	case value.Unsafe:
		return string(x)
	case nil:
		return "None"
	}
	return pyfmt.Repr(v)
}

// asString returns the string of a string-like value.
func asString(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case value.Unsafe:
		return string(x), true
	}
	return "", false
}

// toNumber converts bools and numbers for arithmetic.
func toNumber(v any) (any, bool) {
	switch x := v.(type) {
	case int:
		return x, true
	case float64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return nil, false
}

// equal implements Python ==.
func equal(a, b any) bool {
	if sa, ok := asString(a); ok {
		sb, ok := asString(b)
		return ok && sa == sb
	}
	if na, ok := toNumber(a); ok {
		nb, ok := toNumber(b)
		if !ok {
			return false
		}
		ia, aInt := na.(int)
		ib, bInt := nb.(int)
		if aInt && bInt {
			return ia == ib
		}
		return toFloat(na) == toFloat(nb)
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case pyTuple:
		y, ok := b.(pyTuple)
		return ok && equal([]any(x), []any(y))
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equal(x[i], y[i]) {
				return false
			}
		}
		return true
	case *value.Dict, keyedGetter:
		ka, va := dictView(a)
		kb, vb := dictView(b)
		if ka == nil && kb == nil {
			return false
		}
		if kb == nil || len(ka) != len(kb) {
			return false
		}
		for _, k := range ka {
			ev, ok := vb(k)
			if !ok {
				return false
			}
			av, _ := va(k)
			if !equal(av, ev) {
				return false
			}
		}
		return true
	case *Undefined:
		_, ok := b.(*Undefined)
		return ok
	}
	return a == b
}

// dictView returns keys and a getter for any mapping value, or nil keys.
func dictView(v any) ([]string, func(string) (any, bool)) {
	switch x := v.(type) {
	case *value.Dict:
		return nonNil(x.Keys()), x.Get
	case Mapping:
		return nonNil(x.Keys()), x.Get
	case map[string]any:
		d := normalize(x).(*value.Dict)
		return nonNil(d.Keys()), d.Get
	case keyedGetter:
		return nonNil(x.Keys()), x.Get
	}
	return nil, nil
}

// dictGetter is dictView without the keys, which some mappings (hostvars,
// vars) compute at a cost: ok is false when v is not a mapping.
func dictGetter(v any) (get func(string) (any, bool), ok bool) {
	switch x := v.(type) {
	case *value.Dict:
		return x.Get, true
	case Mapping:
		return x.Get, true
	case map[string]any:
		return func(k string) (any, bool) { e, ok := x[k]; return normalize(e), ok }, true
	case keyedGetter:
		return x.Get, true
	}
	return nil, false
}

// keyedGetter is any read-only mapping (values returned as stored).
type keyedGetter interface {
	Get(key string) (any, bool)
	Keys() []string
}

func nonNil(k []string) []string {
	if k == nil {
		return []string{}
	}
	return k
}

func isMapping(v any) bool {
	switch v.(type) {
	case *value.Dict, Mapping, map[string]any, keyedGetter:
		return true
	}
	return false
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case float64:
		return x
	case bool:
		if x {
			return 1
		}
	}
	return 0
}

// compare implements Python ordering; ok is false when the types are unorderable.
func compare(a, b any) (int, error) {
	if sa, ok := asString(a); ok {
		if sb, ok := asString(b); ok {
			return strings.Compare(sa, sb), nil
		}
	}
	na, okA := toNumber(a)
	nb, okB := toNumber(b)
	if okA && okB {
		ia, aInt := na.(int)
		ib, bInt := nb.(int)
		if aInt && bInt {
			switch {
			case ia < ib:
				return -1, nil
			case ia > ib:
				return 1, nil
			}
			return 0, nil
		}
		fa, fb := toFloat(na), toFloat(nb)
		switch {
		case fa < fb:
			return -1, nil
		case fa > fb:
			return 1, nil
		}
		return 0, nil
	}
	if ta, ok := a.(pyTuple); ok {
		if tb, ok := b.(pyTuple); ok {
			return compare([]any(ta), []any(tb))
		}
	}
	if la, ok := a.([]any); ok {
		if lb, ok := b.([]any); ok {
			for i := 0; i < len(la) && i < len(lb); i++ {
				if equal(la[i], lb[i]) {
					continue
				}
				return compare(la[i], lb[i])
			}
			return compare(len(la), len(lb))
		}
	}
	return 0, fmt.Errorf("'<' not supported between instances of '%s' and '%s'", typeName(a), typeName(b))
}

// toList converts an iterable to a list (dict → keys, string → chars).
func toList(v any) ([]any, error) {
	switch x := v.(type) {
	case []any:
		return x, nil
	case pyTuple:
		return []any(x), nil
	case nil:
		return nil, fmt.Errorf("'NoneType' object is not iterable")
	case string:
		out := []any{}
		for _, r := range x {
			out = append(out, string(r))
		}
		return out, nil
	case value.Unsafe:
		return toList(string(x))
	case *Undefined:
		if x.Lenient {
			return []any{}, nil
		}
		return nil, x.err()
	}
	if keys, _ := dictView(v); keys != nil {
		out := make([]any, len(keys))
		for i, k := range keys {
			out[i] = k
		}
		return out, nil
	}
	return nil, fmt.Errorf("'%s' object is not iterable", typeName(v))
}

// contains implements Python `item in container`.
func contains(container, item any) (bool, error) {
	switch c := container.(type) {
	case string, value.Unsafe:
		cs, _ := asString(c)
		s, ok := asString(item)
		if !ok {
			return false, fmt.Errorf("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(cs, s), nil
	case []any:
		for _, e := range c {
			if equal(e, item) {
				return true, nil
			}
		}
		return false, nil
	case pyTuple:
		return contains([]any(c), item)
	case *Undefined:
		return false, c.err()
	case nil:
		return false, fmt.Errorf("argument of type 'NoneType' is not iterable")
	}
	if keys, get := dictView(container); keys != nil {
		s, ok := asString(item)
		if !ok {
			return false, nil
		}
		_, found := get(s)
		return found, nil
	}
	return false, fmt.Errorf("argument of type '%s' is not iterable", typeName(container))
}

// deepCopy copies lists and dicts so filters never mutate inputs.
func deepCopy(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	case *value.Dict:
		out := value.NewDict(x.Len())
		x.Range(func(k string, e any) bool { out.Set(k, deepCopy(e)); return true })
		return out
	}
	return v
}
