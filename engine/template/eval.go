package template

import (
	"fmt"
	"math"
	"reflect"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// callable is a Go function invocable from expressions (globals, methods).
type callable func(args []any, kw *value.Dict) (any, error)

// scope resolves names while one template renders: gonja's context holds
// loop variables, `set` results and macros; the render state holds vars.
type scope struct {
	st     *renderState
	ctx    *exec.Context
	locals map[string]any
	frame  *frame // names assigned by natively run statements
}

// unwrapGonja turns gonja values back into plain values.
func unwrapGonja(v any) any {
	for {
		gv, ok := v.(*exec.Value)
		if !ok {
			break
		}
		if !gv.Val.IsValid() {
			return nil
		}
		v = gv.Val.Interface()
	}
	switch x := v.(type) {
	case exec.ValuesList:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unwrapGonja(e)
		}
		return out
	case []*exec.Value:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = unwrapGonja(e)
		}
		return out
	case [2]*exec.Value:
		return []any{unwrapGonja(x[0]), unwrapGonja(x[1])}
	}
	return normalizeLeaf(v)
}

func normalizeLeaf(v any) any {
	switch x := v.(type) {
	case int64, int32, uint, uint64, float32, []string:
		return normalize(x)
	}
	return v
}

func (s *scope) lookup(name string) (any, error) {
	if v, ok := s.locals[name]; ok {
		return v, nil
	}
	if v, ok := s.frame.get(name); ok {
		return v, nil
	}
	if s.ctx != nil {
		if v, ok := s.ctx.Get(name); ok {
			return unwrapGonja(v), nil
		}
	}
	return s.st.resolve(name)
}

func (s *scope) eval(n node) (any, error) {
	switch x := n.(type) {
	case *nConst:
		return x.v, nil
	case *nName:
		return s.lookup(x.name)
	case *nList:
		out := make([]any, 0, len(x.items))
		for _, it := range x.items {
			v, err := s.eval(it)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case *nTuple:
		l, err := s.eval(&nList{items: x.items})
		if err != nil {
			return nil, err
		}
		return pyTuple(l.([]any)), nil
	case *nDict:
		d := value.NewDict(len(x.keys))
		for i := range x.keys {
			k, err := s.eval(x.keys[i])
			if err != nil {
				return nil, err
			}
			v, err := s.eval(x.vals[i])
			if err != nil {
				return nil, err
			}
			if u, ok := k.(*Undefined); ok {
				return nil, u.err()
			}
			d.Set(toStr(k), v)
		}
		return d, nil
	case *nAttr:
		obj, err := s.eval(x.obj)
		if err != nil {
			return nil, err
		}
		return s.getattr(obj, x.attr)
	case *nItem:
		obj, err := s.eval(x.obj)
		if err != nil {
			return nil, err
		}
		key, err := s.eval(x.key)
		if err != nil {
			return nil, err
		}
		return s.getitem(obj, key)
	case *nSlice:
		return s.evalSlice(x)
	case *nCall:
		return s.evalCall(x)
	case *nFilter:
		return s.evalFilter(x)
	case *nTest:
		ok, err := s.evalTest(x)
		if err != nil {
			return nil, err
		}
		return ok, nil
	case *nUnary:
		v, err := s.eval(x.x)
		if err != nil {
			return nil, err
		}
		switch x.op {
		case "not":
			b, err := truthyErr(v)
			return !b, err
		case "-":
			switch y := v.(type) {
			case int:
				return -y, nil
			case float64:
				return -y, nil
			case bool:
				if y {
					return -1, nil
				}
				return 0, nil
			case *Undefined:
				return nil, y.err()
			}
			return nil, typeErrorf("bad operand type for unary -: '%s'", typeName(v))
		case "+":
			if u, ok := v.(*Undefined); ok {
				return nil, u.err()
			}
			return v, nil
		}
	case *nBin:
		return s.evalBin(x)
	case *nCompare:
		left, err := s.eval(x.first)
		if err != nil {
			return nil, err
		}
		for i, op := range x.ops {
			right, err := s.eval(x.rest[i])
			if err != nil {
				return nil, err
			}
			ok, err := compareOp(op, left, right)
			if err != nil {
				return nil, err
			}
			if !ok {
				return false, nil
			}
			left = right
		}
		return true, nil
	case *nLoopFilter:
		v, err := s.eval(x.iter)
		if err != nil {
			return nil, err
		}
		items, err := toList(v)
		if err != nil {
			return nil, err
		}
		out := []any{}
		for _, it := range items {
			locals := map[string]any{}
			for k, v := range s.locals {
				locals[k] = v
			}
			if len(x.targets) == 1 {
				locals[x.targets[0]] = it
			} else {
				parts, err := toList(it)
				if err != nil {
					return nil, err
				}
				for i, name := range x.targets {
					if i < len(parts) {
						locals[name] = parts[i]
					}
				}
			}
			sub := &scope{st: s.st, ctx: s.ctx, locals: locals, frame: s.frame}
			c, err := sub.eval(x.cond)
			if err != nil {
				return nil, err
			}
			ok, err := truthyErr(c)
			if err != nil {
				return nil, err
			}
			if ok {
				out = append(out, it)
			}
		}
		return out, nil
	case *nCond:
		c, err := s.eval(x.test)
		if err != nil {
			return nil, err
		}
		b, err := truthyErr(c)
		if err != nil {
			return nil, err
		}
		if b {
			return s.eval(x.then)
		}
		if x.els == nil {
			return &Undefined{Hint: "the inline if-expression evaluated to false and no else section was defined.", Lenient: true}, nil
		}
		return s.eval(x.els)
	}
	return nil, fmt.Errorf("unsupported expression %T", n)
}

// truthyErr is truthiness that fails on undefined values, as StrictUndefined does.
func truthyErr(v any) (bool, error) {
	if u, ok := v.(*Undefined); ok && !u.Lenient {
		return false, u.err()
	}
	return truthy(v), nil
}

func compareOp(op string, l, r any) (bool, error) {
	if u, ok := l.(*Undefined); ok && op != "==" && op != "!=" {
		return false, u.err()
	}
	if u, ok := r.(*Undefined); ok && op != "==" && op != "!=" {
		return false, u.err()
	}
	switch op {
	case "==":
		if u, ok := l.(*Undefined); ok {
			return false, u.err()
		}
		if u, ok := r.(*Undefined); ok {
			return false, u.err()
		}
		return equal(l, r), nil
	case "!=":
		if u, ok := l.(*Undefined); ok {
			return false, u.err()
		}
		if u, ok := r.(*Undefined); ok {
			return false, u.err()
		}
		return !equal(l, r), nil
	case "in":
		return contains(r, l)
	case "notin":
		c, err := contains(r, l)
		return !c, err
	}
	c, err := compare(l, r)
	if err != nil {
		return false, typeErrorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(l), typeName(r))
	}
	switch op {
	case "<":
		return c < 0, nil
	case ">":
		return c > 0, nil
	case "<=":
		return c <= 0, nil
	case ">=":
		return c >= 0, nil
	}
	return false, fmt.Errorf("unknown operator %s", op)
}

func (s *scope) evalBin(x *nBin) (any, error) {
	l, err := s.eval(x.l)
	if err != nil {
		return nil, err
	}
	switch x.op {
	case "and":
		b, err := truthyErr(l)
		if err != nil {
			return nil, err
		}
		if !b {
			return l, nil
		}
		return s.eval(x.r)
	case "or":
		b, err := truthyErr(l)
		if err != nil {
			return nil, err
		}
		if b {
			return l, nil
		}
		return s.eval(x.r)
	}
	r, err := s.eval(x.r)
	if err != nil {
		return nil, err
	}
	return binop(x.op, l, r)
}

func binop(op string, l, r any) (any, error) {
	if u, ok := l.(*Undefined); ok {
		return nil, u.err()
	}
	if u, ok := r.(*Undefined); ok {
		return nil, u.err()
	}
	if op == "~" {
		return strOut(l) + strOut(r), nil
	}
	ls, lStr := asString(l)
	rs, rStr := asString(r)
	switch op {
	case "+":
		if lStr && rStr {
			return ls + rs, nil
		}
		if ll, ok := l.([]any); ok {
			if rl, ok := r.([]any); ok {
				out := make([]any, 0, len(ll)+len(rl))
				return append(append(out, ll...), rl...), nil
			}
		}
	case "*":
		if lStr {
			if n, ok := r.(int); ok {
				return strings.Repeat(ls, max(n, 0)), nil
			}
		}
		if rStr {
			if n, ok := l.(int); ok {
				return strings.Repeat(rs, max(n, 0)), nil
			}
		}
		if ll, ok := l.([]any); ok {
			if n, ok := r.(int); ok {
				out := []any{}
				for i := 0; i < n; i++ {
					out = append(out, ll...)
				}
				return out, nil
			}
		}
	case "%":
		if lStr {
			return pyPercent(ls, r)
		}
	}
	ln, okL := toNumber(l)
	rn, okR := toNumber(r)
	if op == "+" && (lStr || isListLike(l)) && !okR {
		kind := "str"
		if !lStr {
			kind = typeName(l)
		}
		return nil, typeErrorf("can only concatenate %s (not \"%s\") to %s", kind, typeName(r), kind)
	}
	if !okL || !okR {
		return nil, typeErrorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(l), typeName(r))
	}
	li, lInt := ln.(int)
	ri, rInt := rn.(int)
	if lInt && rInt {
		switch op {
		case "+":
			if r := li + ri; (r > li) == (ri > 0) {
				return r, nil
			}
			return float64(li) + float64(ri), nil
		case "-":
			if r := li - ri; (r < li) == (ri > 0) {
				return r, nil
			}
			return float64(li) - float64(ri), nil
		case "*":
			if li == 0 || ri == 0 {
				return 0, nil
			}
			if r := li * ri; r/ri == li && !(li == -1 && ri == math.MinInt) && !(ri == -1 && li == math.MinInt) {
				return r, nil
			}
			return float64(li) * float64(ri), nil
		case "/":
			if ri == 0 {
				return nil, fmt.Errorf("division by zero")
			}
			return float64(li) / float64(ri), nil
		case "//":
			if ri == 0 {
				return nil, fmt.Errorf("integer division or modulo by zero")
			}
			q := li / ri
			if (li%ri != 0) && ((li < 0) != (ri < 0)) {
				q--
			}
			return q, nil
		case "%":
			if ri == 0 {
				return nil, fmt.Errorf("integer division or modulo by zero")
			}
			m := li % ri
			if m != 0 && (m < 0) != (ri < 0) {
				m += ri
			}
			return m, nil
		case "**":
			if ri >= 0 {
				res := 1
				for i := 0; i < ri; i++ {
					next := res * li
					if li != 0 && next/li != res {
						// Python ints are unbounded; approximate beyond int64.
						return math.Pow(float64(li), float64(ri)), nil
					}
					res = next
				}
				return res, nil
			}
			return math.Pow(float64(li), float64(ri)), nil
		}
	}
	lf, rf := toFloat(ln), toFloat(rn)
	switch op {
	case "+":
		return lf + rf, nil
	case "-":
		return lf - rf, nil
	case "*":
		return lf * rf, nil
	case "/":
		if rf == 0 {
			return nil, fmt.Errorf("float division by zero")
		}
		return lf / rf, nil
	case "//":
		if rf == 0 {
			return nil, fmt.Errorf("float divmod()")
		}
		return math.Floor(lf / rf), nil
	case "%":
		if rf == 0 {
			return nil, fmt.Errorf("float modulo")
		}
		m := math.Mod(lf, rf)
		if m != 0 && (m < 0) != (rf < 0) {
			m += rf
		}
		return m, nil
	case "**":
		return math.Pow(lf, rf), nil
	}
	return nil, fmt.Errorf("unknown operator %s", op)
}

// strOut is the text of a value as printed into a template (None → "None").
func strOut(v any) string { return toStr(v) }

func (s *scope) getattr(obj any, attr string) (any, error) {
	switch o := obj.(type) {
	case *Undefined:
		return o, nil
	case string, value.Unsafe:
		str, _ := asString(o)
		if m := stringMethod(str, attr); m != nil {
			return m, nil
		}
		return undefAttr(obj, attr), nil
	case []any:
		if m := listMethod(o, attr); m != nil {
			return m, nil
		}
		return undefAttr(obj, attr), nil
	case map[string]any:
		if v, ok := o[attr]; ok {
			return unwrapGonja(v), nil
		}
		return undefAttr(obj, attr), nil
	case *cycler:
		if v := o.attr(attr); v != nil {
			return v, nil
		}
		return undefAttr(obj, attr), nil
	case *loopCtx:
		if v, ok := o.attr(attr); ok {
			return v, nil
		}
		return undefAttr(obj, attr), nil
	case exec.AttributeGetter:
		if v, ok := o.GetAttribute(attr); ok {
			return unwrapGonja(v), nil
		}
		return undefAttr(obj, attr), nil
	}
	if get, ok := dictGetter(obj); ok {
		if m := dictMethod(s, obj, attr); m != nil {
			return m, nil
		}
		if v, ok := get(attr); ok {
			return s.st.lazy(obj, v)
		}
		return undefAttr(obj, attr), nil
	}
	if obj == nil {
		return &Undefined{Hint: fmt.Sprintf("'None' has no attribute '%s'", attr)}, nil
	}
	if rv := reflect.ValueOf(obj); rv.Kind() == reflect.Map && rv.Type().Key().Kind() == reflect.String {
		if v := rv.MapIndex(reflect.ValueOf(attr).Convert(rv.Type().Key())); v.IsValid() {
			return unwrapGonja(v.Interface()), nil
		}
	}
	return undefAttr(obj, attr), nil
}

func (s *scope) getitem(obj, key any) (any, error) {
	if u, ok := obj.(*Undefined); ok {
		return u, nil
	}
	if u, ok := key.(*Undefined); ok {
		return nil, u.err()
	}
	if t, ok := obj.(pyTuple); ok {
		obj = []any(t)
	}
	switch o := obj.(type) {
	case []any:
		if i, ok := key.(int); ok {
			if i < 0 {
				i += len(o)
			}
			if i >= 0 && i < len(o) {
				return o[i], nil
			}
			return &Undefined{Hint: fmt.Sprintf("%s has no element %d", bareDesc(obj), key)}, nil
		}
		if b, ok := key.(bool); ok {
			return s.getitem(obj, map[bool]int{false: 0, true: 1}[b])
		}
	case string, value.Unsafe:
		str, _ := asString(o)
		if i, ok := key.(int); ok {
			r := []rune(str)
			if i < 0 {
				i += len(r)
			}
			if i >= 0 && i < len(r) {
				return string(r[i]), nil
			}
			return &Undefined{Hint: fmt.Sprintf("%s has no element %d", bareDesc(obj), key)}, nil
		}
	case map[string]any:
		if k, ok := asString(key); ok {
			if v, ok := o[k]; ok {
				return unwrapGonja(v), nil
			}
		}
	}
	if get, ok := dictGetter(obj); ok {
		k, ok := asString(key)
		if !ok {
			k = toStr(key)
		}
		if v, ok := get(k); ok {
			return s.st.lazy(obj, v)
		}
		if m := dictMethod(s, obj, k); m != nil {
			return m, nil
		}
		if _, isStr := asString(key); !isStr {
			return &Undefined{Hint: fmt.Sprintf("%s has no element %s", bareDesc(obj), pyfmt.Repr(key))}, nil
		}
		return undefAttr(obj, k), nil
	}
	if k, ok := asString(key); ok {
		return s.getattr(obj, k)
	}
	return &Undefined{Hint: fmt.Sprintf("%s has no element %s", bareDesc(obj), pyfmt.Repr(key))}, nil
}

func (s *scope) evalSlice(x *nSlice) (any, error) {
	obj, err := s.eval(x.obj)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(*Undefined); ok {
		return nil, u.err()
	}
	var bounds [3]*int
	for i, n := range []node{x.start, x.stop, x.step} {
		if n == nil {
			continue
		}
		v, err := s.eval(n)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		iv, ok := v.(int)
		if !ok {
			return nil, fmt.Errorf("slice indices must be integers or None or have an __index__ method")
		}
		bounds[i] = &iv
	}
	var items []any
	str, isStr := asString(obj)
	if isStr {
		for _, r := range str {
			items = append(items, string(r))
		}
	} else if l, ok := obj.([]any); ok {
		items = l
	} else if tp, ok := obj.(pyTuple); ok {
		return pyTuple(pySlice(tp, bounds)), nil
	} else {
		return nil, fmt.Errorf("'%s' object is not subscriptable", typeName(obj))
	}
	out := pySlice(items, bounds)
	if isStr {
		var b strings.Builder
		for _, e := range out {
			b.WriteString(e.(string))
		}
		return b.String(), nil
	}
	return out, nil
}

func pySlice(items []any, b [3]*int) []any {
	n := len(items)
	step := 1
	if b[2] != nil {
		step = *b[2]
		if step == 0 {
			step = 1
		}
	}
	norm := func(p *int, def int, lo, hi int) int {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += n
		}
		return min(max(v, lo), hi)
	}
	out := []any{}
	if step > 0 {
		start, stop := norm(b[0], 0, 0, n), norm(b[1], n, 0, n)
		for i := start; i < stop; i += step {
			out = append(out, items[i])
		}
	} else {
		start, stop := norm(b[0], n-1, -1, n-1), norm(b[1], -1, -1, n-1)
		for i := start; i > stop; i += step {
			out = append(out, items[i])
		}
	}
	return out
}

func (s *scope) evalArgs(c *nCall) ([]any, *value.Dict, error) {
	var args []any
	for _, a := range c.args {
		v, err := s.eval(a)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, v)
	}
	if c.star != nil {
		v, err := s.eval(c.star)
		if err != nil {
			return nil, nil, err
		}
		l, err := toList(v)
		if err != nil {
			return nil, nil, err
		}
		args = append(args, l...)
	}
	kw := &value.Dict{}
	if len(c.kwNames) > 0 {
		kw = value.NewDict(len(c.kwNames))
	}
	for i, k := range c.kwNames {
		v, err := s.eval(c.kwVals[i])
		if err != nil {
			return nil, nil, err
		}
		kw.Set(k, v)
	}
	if c.dstar != nil {
		v, err := s.eval(c.dstar)
		if err != nil {
			return nil, nil, err
		}
		if keys, get := dictView(v); keys != nil {
			for _, k := range keys {
				e, _ := get(k)
				kw.Set(k, e)
			}
		}
	}
	return args, kw, nil
}

func (s *scope) evalCall(c *nCall) (any, error) {
	fn, err := s.eval(c.fn)
	if err != nil {
		return nil, err
	}
	args, kw, err := s.evalArgs(c)
	if err != nil {
		return nil, err
	}
	return s.call(fn, args, kw, c)
}

func (s *scope) call(fn any, args []any, kw *value.Dict, c *nCall) (any, error) {
	switch f := fn.(type) {
	case callable:
		return f(args, kw)
	case *Undefined:
		return nil, f.err()
	case exec.Macro:
		return unwrapGonja(f(toVarArgs(args, kw))), nil
	case func(*exec.VarArgs) *exec.Value:
		return unwrapGonja(f(toVarArgs(args, kw))), nil
	}
	rv := reflect.ValueOf(fn)
	if rv.Kind() == reflect.Func {
		t := rv.Type()
		va := toVarArgs(args, kw)
		var in []reflect.Value
		switch {
		case t.NumIn() == 1 && t.In(0) == reflect.TypeFor[*exec.VarArgs]():
			in = []reflect.Value{reflect.ValueOf(va)}
		case t.NumIn() == 2 && t.In(0) == reflect.TypeFor[*exec.Evaluator]() && t.In(1) == reflect.TypeFor[*exec.VarArgs]():
			in = []reflect.Value{reflect.ValueOf(&exec.Evaluator{}), reflect.ValueOf(va)}
		default:
			return nil, typeErrorf("'%s' object is not callable", typeName(fn))
		}
		outs := rv.Call(in)
		if len(outs) == 2 && !outs[1].IsNil() {
			return nil, outs[1].Interface().(error)
		}
		res := unwrapGonja(outs[0].Interface())
		if gv, ok := res.(*exec.Value); ok && gv.IsError() {
			return nil, fmt.Errorf("%s", gv.Error())
		}
		if e, ok := res.(error); ok {
			return nil, e
		}
		return res, nil
	}
	return nil, typeErrorf("'%s' object is not callable", typeName(fn))
}

func toVarArgs(args []any, kw *value.Dict) *exec.VarArgs {
	va := exec.NewVarArgs()
	for _, a := range args {
		va.Args = append(va.Args, exec.AsValue(a))
	}
	kw.Range(func(k string, v any) bool { va.KwArgs[k] = exec.AsValue(v); return true })
	return va
}

func (s *scope) evalFilter(x *nFilter) (any, error) {
	in, err := s.eval(x.in)
	if err != nil {
		return nil, err
	}
	var args []any
	kw := &value.Dict{}
	if x.call != nil {
		args, kw, err = s.evalArgs(x.call)
		if err != nil {
			return nil, err
		}
	}
	f := lookupFilter(s.st.t, x.name)
	if f == nil {
		return nil, &TemplateError{Msg: fmt.Sprintf("Could not load \"%s\": '%s'", x.name, x.name)}
	}
	if !undefinedOK[x.name] {
		if u, ok := in.(*Undefined); ok {
			return nil, u.err()
		}
	}
	return f(s, in, args, kw)
}

func (s *scope) evalTest(x *nTest) (bool, error) {
	in, err := s.eval(x.in)
	if err != nil {
		return false, err
	}
	var args []any
	kw := &value.Dict{}
	if x.call != nil {
		args, kw, err = s.evalArgs(x.call)
		if err != nil {
			return false, err
		}
	}
	f := lookupTest(x.name)
	if f == nil {
		return false, &TemplateError{Msg: fmt.Sprintf("Could not load \"%s\": '%s'", x.name, x.name)}
	}
	if x.name != "defined" && x.name != "undefined" {
		if u, ok := in.(*Undefined); ok && !undefinedOKTest[x.name] {
			return false, u.err()
		}
	}
	ok, err := f(s, in, args, kw)
	if err != nil {
		return false, err
	}
	return ok != x.negate, nil
}

// walk visits every node of an expression.
func walk(n node, fn func(node)) {
	if n == nil {
		return
	}
	fn(n)
	switch x := n.(type) {
	case *nList:
		for _, e := range x.items {
			walk(e, fn)
		}
	case *nTuple:
		for _, e := range x.items {
			walk(e, fn)
		}
	case *nDict:
		for i := range x.keys {
			walk(x.keys[i], fn)
			walk(x.vals[i], fn)
		}
	case *nAttr:
		walk(x.obj, fn)
	case *nItem:
		walk(x.obj, fn)
		walk(x.key, fn)
	case *nSlice:
		walk(x.obj, fn)
		walk(x.start, fn)
		walk(x.stop, fn)
		walk(x.step, fn)
	case *nCall:
		walk(x.fn, fn)
		for _, e := range x.args {
			walk(e, fn)
		}
		for _, e := range x.kwVals {
			walk(e, fn)
		}
		walk(x.star, fn)
		walk(x.dstar, fn)
	case *nFilter:
		walk(x.in, fn)
		if x.call != nil {
			walk(x.call, fn)
		}
	case *nTest:
		walk(x.in, fn)
		if x.call != nil {
			walk(x.call, fn)
		}
	case *nBin:
		walk(x.l, fn)
		walk(x.r, fn)
	case *nUnary:
		walk(x.x, fn)
	case *nCompare:
		walk(x.first, fn)
		for _, e := range x.rest {
			walk(e, fn)
		}
	case *nLoopFilter:
		walk(x.iter, fn)
		walk(x.cond, fn)
	case *nCond:
		walk(x.test, fn)
		walk(x.then, fn)
		walk(x.els, fn)
	}
}

// checkNames reports the first unknown filter or test, as Jinja2 does at compile time.
func checkNames(t *Templar, n node) error {
	var err error
	walk(n, func(x node) {
		if err != nil {
			return
		}
		switch y := x.(type) {
		case *nFilter:
			if lookupFilter(t, y.name) == nil {
				err = &TemplateError{Msg: fmt.Sprintf("Could not load \"%s\": '%s'", y.name, y.name)}
			}
		case *nTest:
			if lookupTest(y.name) == nil {
				err = &TemplateError{Msg: fmt.Sprintf("Could not load \"%s\": '%s'", y.name, y.name)}
			}
		}
	})
	return err
}

func isListLike(v any) bool {
	switch v.(type) {
	case []any, pyTuple:
		return true
	}
	return false
}
