package template

import (
	"fmt"
	"strings"

	"octopus/engine/value"
)

// This file runs the common statements (if/elif/else, for/else without
// recursion, set, comments) directly, without gonja: most templates use
// nothing else, and going through gonja's reflective renderer costs more
// than the expressions themselves. Templates with any other tag (macro,
// include, raw, with, call, filter, blocks…) still go to gonja.

// pieceKind is the kind of one lexed piece of a template.
type pieceKind int

const (
	pkText pieceKind = iota
	pkOut
	pkComment
	pkTag
)

// piece is one lexed element of a template, recorded by preprocess.
type piece struct {
	kind   pieceKind
	text   string // pkText
	expr   int    // pkOut, if/elif condition, for iterable, set value
	tag    string
	lm, rm byte // whitespace-control marks: '-', '+' or 0
	// for: loop targets; set: assignment targets (attr set for ns.attr).
	targets []string
	attr    string
}

// stmt is one statement of a natively run template.
type stmt interface{}

type (
	sText struct{ s string }
	sOut  struct{ expr int }
	sIf   struct {
		conds  []int
		bodies [][]stmt
		els    []stmt
	}
	sFor struct {
		iter    int
		targets []string
		body    []stmt
		els     []stmt
	}
	sSet struct {
		targets []string
		attr    string
		expr    int
	}
)

// nativeTags are the tags the native runner supports.
var nativeTags = map[string]bool{"if": true, "elif": true, "else": true, "endif": true, "for": true, "endfor": true, "set": true}

// buildProg applies Jinja2's whitespace control to the pieces and builds
// the statement tree; ok is false when the template needs gonja.
func buildProg(pcs []piece, trimBlocks, lstrip bool) (prog []stmt, ok bool) {
	pcs = append([]piece(nil), pcs...)
	// lstrip_blocks looks at the source text, before any trimming.
	for i := 1; lstrip && i < len(pcs); i++ {
		p, prev := &pcs[i], &pcs[i-1]
		if prev.kind != pkText || p.kind != pkTag && p.kind != pkComment || p.lm == '+' {
			continue
		}
		t := prev.text
		j := len(t)
		for j > 0 && (t[j-1] == ' ' || t[j-1] == '\t') {
			j--
		}
		if j < len(t) && (j > 0 && t[j-1] == '\n' || j == 0 && i == 1) {
			prev.text = t[:j]
		}
	}
	for i := range pcs {
		p := &pcs[i]
		if p.kind == pkText {
			continue
		}
		if p.kind == pkTag && !nativeTags[p.tag] {
			return nil, false
		}
		var prev, next *piece
		if i > 0 && pcs[i-1].kind == pkText {
			prev = &pcs[i-1]
		}
		if i+1 < len(pcs) && pcs[i+1].kind == pkText {
			next = &pcs[i+1]
		}
		stmtLike := p.kind == pkTag || p.kind == pkComment
		if prev != nil && p.lm == '-' {
			prev.text = strings.TrimRight(prev.text, " \t\r\n")
		}
		if next != nil {
			switch {
			case p.rm == '-':
				next.text = strings.TrimLeft(next.text, " \t\r\n")
			case stmtLike && trimBlocks && p.rm != '+':
				next.text = strings.TrimPrefix(next.text, "\n")
			}
		}
	}
	b := &progBuilder{pcs: pcs}
	prog, end, ok := b.body()
	if !ok || end != "" {
		return nil, false
	}
	if prog == nil {
		prog = []stmt{}
	}
	return prog, true
}

type progBuilder struct {
	pcs []piece
	i   int
}

// body reads statements up to a closing or intermediate tag (returned,
// and consumed) or the end of the template ("").
func (b *progBuilder) body() ([]stmt, string, bool) {
	var out []stmt
	for b.i < len(b.pcs) {
		p := b.pcs[b.i]
		b.i++
		switch p.kind {
		case pkText:
			if p.text != "" {
				out = append(out, &sText{s: p.text})
			}
		case pkOut:
			out = append(out, &sOut{expr: p.expr})
		case pkComment:
		case pkTag:
			switch p.tag {
			case "elif", "else", "endif", "endfor":
				return out, p.tag, true
			case "set":
				out = append(out, &sSet{targets: p.targets, attr: p.attr, expr: p.expr})
			case "if":
				s := &sIf{}
				cond := p.expr
				for {
					body, end, ok := b.body()
					if !ok {
						return nil, "", false
					}
					s.conds = append(s.conds, cond)
					s.bodies = append(s.bodies, body)
					switch end {
					case "elif":
						cond = b.pcs[b.i-1].expr
						continue
					case "else":
						els, end, ok := b.body()
						if !ok || end != "endif" {
							return nil, "", false
						}
						s.els = els
					case "endif":
					default:
						return nil, "", false
					}
					break
				}
				out = append(out, s)
			case "for":
				s := &sFor{iter: p.expr, targets: p.targets}
				body, end, ok := b.body()
				if !ok {
					return nil, "", false
				}
				s.body = body
				if end == "else" {
					s.els, end, ok = b.body()
					if !ok {
						return nil, "", false
					}
				}
				if end != "endfor" {
					return nil, "", false
				}
				out = append(out, s)
			default:
				return nil, "", false
			}
		}
	}
	return out, "", true
}

// frame holds the names a loop iteration or the template assigns.
type frame struct {
	names  []string
	vals   []any
	parent *frame
}

func (f *frame) get(name string) (any, bool) {
	for ; f != nil; f = f.parent {
		for i := len(f.names) - 1; i >= 0; i-- {
			if f.names[i] == name {
				return f.vals[i], true
			}
		}
	}
	return nil, false
}

func (f *frame) set(name string, v any) {
	for i, n := range f.names {
		if n == name {
			f.vals[i] = v
			return
		}
	}
	f.names = append(f.names, name)
	f.vals = append(f.vals, v)
}

// nativeRun executes a statement tree.
type nativeRun struct {
	t      *Templar
	st     *renderState
	b      strings.Builder
	native bool
}

func (t *Templar) renderNative(c *compiled, st *renderState) (string, bool, error) {
	r := &nativeRun{t: t, st: st}
	if err := r.exec(c.prog, &frame{}); err != nil {
		return "", false, err
	}
	return r.b.String(), r.native && c.singleOutput, nil
}

func (r *nativeRun) eval(id int, f *frame) (any, node, error) {
	n := r.t.expr(id)
	v, err := (&scope{st: r.st, frame: f}).eval(n)
	return v, n, err
}

func (r *nativeRun) exec(prog []stmt, f *frame) error {
	for _, s := range prog {
		switch x := s.(type) {
		case *sText:
			r.b.WriteString(x.s)
		case *sOut:
			v, n, err := r.eval(x.expr, f)
			if err != nil {
				return err
			}
			if err := failOnUndefined(v); err != nil {
				return err
			}
			if fl, ok := n.(*nFilter); ok && stringTypeFilters[fl.name] {
				r.native = true
			}
			if v != nil {
				r.b.WriteString(toStr(v))
			}
		case *sIf:
			done := false
			for i, c := range x.conds {
				v, _, err := r.eval(c, f)
				if err != nil {
					return err
				}
				ok, err := truthyErr(v)
				if err != nil {
					return err
				}
				if ok {
					if err := r.exec(x.bodies[i], f); err != nil {
						return err
					}
					done = true
					break
				}
			}
			if !done && x.els != nil {
				if err := r.exec(x.els, f); err != nil {
					return err
				}
			}
		case *sFor:
			if err := r.execFor(x, f); err != nil {
				return err
			}
		case *sSet:
			v, _, err := r.eval(x.expr, f)
			if err != nil {
				return err
			}
			if err := r.assign(x, v, f); err != nil {
				return err
			}
		}
	}
	return nil
}

func (r *nativeRun) assign(x *sSet, v any, f *frame) error {
	if x.attr != "" {
		obj, err := (&scope{st: r.st, frame: f}).lookup(x.targets[0])
		if err != nil {
			return err
		}
		ns, ok := obj.(map[string]any)
		if !ok {
			return &TemplateError{Msg: "cannot assign attribute on non-namespace object"}
		}
		ns[x.attr] = v
		return nil
	}
	return unpackInto(x.targets, v, f)
}

// unpackInto binds v to one name, or unpacks it into several.
func unpackInto(targets []string, v any, f *frame) error {
	if len(targets) == 1 {
		f.set(targets[0], v)
		return nil
	}
	parts, err := toList(v)
	if err != nil {
		return typeErrorf("cannot unpack non-iterable %s object", typeName(v))
	}
	if len(parts) < len(targets) {
		return fmt.Errorf("not enough values to unpack (expected %d, got %d)", len(targets), len(parts))
	}
	if len(parts) > len(targets) {
		return fmt.Errorf("too many values to unpack (expected %d)", len(targets))
	}
	for i, name := range targets {
		f.set(name, parts[i])
	}
	return nil
}

func (r *nativeRun) execFor(x *sFor, f *frame) error {
	v, _, err := r.eval(x.iter, f)
	if err != nil {
		return err
	}
	items, err := toList(v)
	if err != nil {
		return err
	}
	if len(items) == 0 {
		if x.els != nil {
			return r.exec(x.els, f)
		}
		return nil
	}
	lp := &loopCtx{items: items}
	it := &frame{parent: f, names: make([]string, 0, len(x.targets)+1), vals: make([]any, 0, len(x.targets)+1)}
	for i, item := range items {
		lp.index0 = i
		it.names, it.vals = it.names[:0], it.vals[:0]
		it.set("loop", lp)
		if err := unpackInto(x.targets, item, it); err != nil {
			return err
		}
		if err := r.exec(x.body, it); err != nil {
			return err
		}
	}
	return nil
}

// loopCtx is Jinja2's `loop` variable inside a for loop.
type loopCtx struct {
	items   []any
	index0  int
	changed []any
	seen    bool
}

func (l *loopCtx) attr(name string) (any, bool) {
	n := len(l.items)
	switch name {
	case "index":
		return l.index0 + 1, true
	case "index0":
		return l.index0, true
	case "revindex":
		return n - l.index0, true
	case "revindex0":
		return n - l.index0 - 1, true
	case "first":
		return l.index0 == 0, true
	case "last":
		return l.index0 == n-1, true
	case "length":
		return n, true
	case "depth":
		return 1, true
	case "depth0":
		return 0, true
	case "previtem":
		if l.index0 == 0 {
			return &Undefined{Hint: "there is no previous item"}, true
		}
		return l.items[l.index0-1], true
	case "nextitem":
		if l.index0 >= n-1 {
			return &Undefined{Hint: "there is no next item"}, true
		}
		return l.items[l.index0+1], true
	case "cycle":
		return callable(func(args []any, _ *value.Dict) (any, error) {
			if len(args) == 0 {
				return nil, typeErrorf("no items for cycling given")
			}
			return args[l.index0%len(args)], nil
		}), true
	case "changed":
		return callable(func(args []any, _ *value.Dict) (any, error) {
			if l.seen && equal(args, l.changed) {
				return false, nil
			}
			l.seen, l.changed = true, args
			return true, nil
		}), true
	}
	return nil, false
}
