package template

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"octopus/engine/pyfmt"
)

// This file holds the Jinja2 expression grammar. gonja runs the template
// statements (blocks, loops, macros, whitespace control); every expression
// is parsed and evaluated here so that Python semantics hold exactly.

type tokKind int

const (
	tEOF tokKind = iota
	tName
	tString
	tInt
	tFloat
	tOp
)

type token struct {
	kind tokKind
	s    string // name, operator, decoded string
	i    int
	f    float64
	pos  int
}

// lexExpr splits an expression. rawStrings keeps backslashes of string
// literals as written (Ansible doubles them inside {{ }} of task args).
func lexExpr(src string, rawStrings bool) ([]token, error) {
	var out []token
	i := 0
	for i < len(src) {
		c := src[i]
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '\'' || c == '"':
			j := i + 1
			var b strings.Builder
			for ; j < len(src) && src[j] != c; j++ {
				if src[j] == '\\' && j+1 < len(src) {
					b.WriteByte(src[j])
					j++
				}
				b.WriteByte(src[j])
			}
			if j >= len(src) {
				return nil, fmt.Errorf("unexpected end of template, expected end of string")
			}
			raw := b.String()
			s := raw
			if !rawStrings {
				s = pyUnescape(raw)
			}
			out = append(out, token{kind: tString, s: s, pos: i})
			i = j + 1
		case c >= '0' && c <= '9' || (c == '.' && i+1 < len(src) && src[i+1] >= '0' && src[i+1] <= '9' && false):
			j := i
			isFloat := false
			for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
				j++
			}
			if j+1 < len(src) && src[j] == '.' && src[j+1] >= '0' && src[j+1] <= '9' {
				isFloat = true
				j++
				for j < len(src) && (src[j] >= '0' && src[j] <= '9' || src[j] == '_') {
					j++
				}
			}
			if j < len(src) && (src[j] == 'e' || src[j] == 'E') {
				k := j + 1
				if k < len(src) && (src[k] == '+' || src[k] == '-') {
					k++
				}
				if k < len(src) && src[k] >= '0' && src[k] <= '9' {
					isFloat = true
					j = k
					for j < len(src) && src[j] >= '0' && src[j] <= '9' {
						j++
					}
				}
			}
			lit := strings.ReplaceAll(src[i:j], "_", "")
			if isFloat {
				f, err := strconv.ParseFloat(lit, 64)
				if err != nil {
					return nil, err
				}
				out = append(out, token{kind: tFloat, f: f, pos: i})
			} else {
				n, err := strconv.Atoi(lit)
				if err != nil {
					return nil, err
				}
				out = append(out, token{kind: tInt, i: n, pos: i})
			}
			i = j
		case c == '_' || c < utf8.RuneSelf && unicode.IsLetter(rune(c)):
			j := i
			for j < len(src) && (src[j] == '_' || src[j] >= '0' && src[j] <= '9' || src[j] < utf8.RuneSelf && unicode.IsLetter(rune(src[j]))) {
				j++
			}
			out = append(out, token{kind: tName, s: src[i:j], pos: i})
			i = j
		default:
			op := ""
			for _, cand := range []string{"**", "//", "==", "!=", "<=", ">=", "+", "-", "*", "/", "%", "~", "|", ".", ",", ":", "(", ")", "[", "]", "{", "}", "=", "<", ">"} {
				if strings.HasPrefix(src[i:], cand) {
					op = cand
					break
				}
			}
			if op == "" {
				return nil, fmt.Errorf("unexpected char %s at %d", pyfmt.Quote(string(c)), i)
			}
			out = append(out, token{kind: tOp, s: op, pos: i})
			i += len(op)
		}
	}
	out = append(out, token{kind: tEOF, pos: len(src)})
	return out, nil
}

// pyUnescape decodes a Python string literal body (unicode-escape rules:
// unknown escapes such as \d are kept as written).
func pyUnescape(s string) string {
	if !strings.Contains(s, "\\") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case '\n':
		case '\\':
			b.WriteByte('\\')
		case '\'':
			b.WriteByte('\'')
		case '"':
			b.WriteByte('"')
		case 'a':
			b.WriteByte(7)
		case 'b':
			b.WriteByte(8)
		case 'f':
			b.WriteByte(12)
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 't':
			b.WriteByte('\t')
		case 'v':
			b.WriteByte(11)
		case 'x', 'u', 'U':
			n := map[byte]int{'x': 2, 'u': 4, 'U': 8}[s[i]]
			if i+n < len(s)+0 && i+n <= len(s)-1 {
				if v, err := strconv.ParseUint(s[i+1:i+1+n], 16, 32); err == nil {
					b.WriteRune(rune(v))
					i += n
					continue
				}
			}
			b.WriteByte('\\')
			b.WriteByte(s[i])
		case '0', '1', '2', '3', '4', '5', '6', '7':
			j := i
			for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
				j++
			}
			v, _ := strconv.ParseUint(s[i:j], 8, 32)
			b.WriteRune(rune(v))
			i = j - 1
		default:
			b.WriteByte('\\')
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

type node interface{}

type (
	nConst struct{ v any }
	nName  struct{ name string }
	nList  struct{ items []node }
	nTuple struct{ items []node }
	nDict  struct{ keys, vals []node }
	nAttr  struct {
		obj  node
		attr string
	}
	nItem  struct{ obj, key node }
	nSlice struct{ obj, start, stop, step node }
	nCall  struct {
		fn          node
		args        []node
		kwNames     []string
		kwVals      []node
		star, dstar node
	}
	nFilter struct {
		in   node
		name string
		call *nCall
	}
	nTest struct {
		in     node
		name   string
		call   *nCall
		negate bool
	}
	nBin struct {
		op   string
		l, r node
	}
	nUnary struct {
		op string
		x  node
	}
	nCompare struct {
		first node
		ops   []string
		rest  []node
	}
	nCond struct{ test, then, els node }
	// nLoopFilter is a for-loop iterable with its `if` filter.
	nLoopFilter struct {
		iter    node
		targets []string
		cond    node
	}
)

type exprParser struct {
	toks    []token
	p       int
	src     string
	endName string // how the end token is named in errors
}

// parseExpression parses a full Jinja2 expression (with inline if).
func parseExpression(src string, rawStrings bool, endName string) (node, error) {
	toks, err := lexExpr(src, rawStrings)
	if err != nil {
		return nil, err
	}
	ep := &exprParser{toks: toks, src: src, endName: endName}
	n, err := ep.parseTupleExpr(false)
	if err != nil {
		return nil, err
	}
	if t := ep.cur(); t.kind != tEOF {
		if t.kind == tOp && strings.Contains(")]}", t.s) {
			return nil, ep.unexpected()
		}
		return nil, fmt.Errorf("expected token '%s', got '%s'", ep.describe(token{kind: tEOF}), ep.describe(t))
	}
	return n, nil
}

func (ep *exprParser) cur() token  { return ep.toks[ep.p] }
func (ep *exprParser) peek() token { return ep.toks[min(ep.p+1, len(ep.toks)-1)] }
func (ep *exprParser) next() token { t := ep.toks[ep.p]; ep.p = min(ep.p+1, len(ep.toks)-1); return t }
func (ep *exprParser) isOp(s string) bool {
	t := ep.cur()
	return t.kind == tOp && t.s == s
}
func (ep *exprParser) isName(s string) bool {
	t := ep.cur()
	return t.kind == tName && t.s == s
}
func (ep *exprParser) describe(t token) string {
	switch t.kind {
	case tEOF:
		if ep.endName == "" {
			return "end of print statement"
		}
		return ep.endName
	case tOp, tName:
		return t.s
	case tString:
		return "string"
	case tInt:
		return "integer"
	case tFloat:
		return "float"
	}
	return "token"
}

func (ep *exprParser) unexpected() error {
	t := ep.cur()
	if t.kind == tName && ep.p > 0 {
		return fmt.Errorf("expected token '%s', got '%s'", ep.describe(token{kind: tEOF}), t.s)
	}
	return fmt.Errorf("unexpected '%s'", ep.describe(t))
}
func (ep *exprParser) expectOp(s string) error {
	if !ep.isOp(s) {
		if ep.cur().kind == tEOF {
			return fmt.Errorf("unexpected '%s'", ep.describe(ep.cur()))
		}
		return ep.unexpected()
	}
	ep.next()
	return nil
}

// parseTupleExpr parses `a, b` as a tuple when commas appear.
func (ep *exprParser) parseTupleExpr(explicit bool) (node, error) {
	var items []node
	comma := false
	for {
		if len(items) > 0 {
			if !ep.isOp(",") {
				break
			}
			ep.next()
			comma = true
		}
		if ep.cur().kind == tEOF || ep.isOp(")") || ep.isOp("]") || ep.isOp("}") || ep.isOp("=") || ep.isName("if") && !explicit && len(items) > 0 {
			if len(items) == 0 && explicit && ep.isOp(")") {
				return &nTuple{}, nil
			}
			break
		}
		n, err := ep.parseExpr()
		if err != nil {
			return nil, err
		}
		items = append(items, n)
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("Expected an expression, got '%s'", ep.describe(ep.cur()))
	}
	if !comma {
		return items[0], nil
	}
	return &nTuple{items: items}, nil
}

func (ep *exprParser) parseExpr() (node, error) {
	n, err := ep.parseOr()
	if err != nil {
		return nil, err
	}
	for ep.isName("if") {
		ep.next()
		test, err := ep.parseOr()
		if err != nil {
			return nil, err
		}
		var els node
		if ep.isName("else") {
			ep.next()
			els, err = ep.parseExpr()
			if err != nil {
				return nil, err
			}
		}
		n = &nCond{test: test, then: n, els: els}
	}
	return n, nil
}

func (ep *exprParser) parseOr() (node, error) { return ep.parseBinary(ep.parseAnd, "or") }

func (ep *exprParser) parseAnd() (node, error) { return ep.parseBinary(ep.parseNot, "and") }

// parseBinary parses one left-associative level: `sub (op sub)*` with op
// one of ops (operator tokens, or keyword names such as "and").
func (ep *exprParser) parseBinary(sub func() (node, error), ops ...string) (node, error) {
	l, err := sub()
	if err != nil {
		return nil, err
	}
	for {
		t := ep.cur()
		if t.kind != tOp && t.kind != tName || !slices.Contains(ops, t.s) {
			return l, nil
		}
		ep.next()
		r, err := sub()
		if err != nil {
			return nil, err
		}
		l = &nBin{op: t.s, l: l, r: r}
	}
}

func (ep *exprParser) parseNot() (node, error) {
	if ep.isName("not") {
		ep.next()
		x, err := ep.parseNot()
		if err != nil {
			return nil, err
		}
		return &nUnary{op: "not", x: x}, nil
	}
	return ep.parseCompare()
}

func (ep *exprParser) parseCompare() (node, error) {
	first, err := ep.parseMath1()
	if err != nil {
		return nil, err
	}
	cmp := &nCompare{first: first}
	for {
		t := ep.cur()
		op := ""
		switch {
		case t.kind == tOp && (t.s == "==" || t.s == "!=" || t.s == "<" || t.s == ">" || t.s == "<=" || t.s == ">="):
			op = t.s
			ep.next()
		case ep.isName("in"):
			op = "in"
			ep.next()
		case ep.isName("not") && ep.peek().kind == tName && ep.peek().s == "in":
			op = "notin"
			ep.next()
			ep.next()
		}
		if op == "" {
			break
		}
		r, err := ep.parseMath1()
		if err != nil {
			return nil, err
		}
		cmp.ops = append(cmp.ops, op)
		cmp.rest = append(cmp.rest, r)
	}
	if len(cmp.ops) == 0 {
		return first, nil
	}
	return cmp, nil
}

func (ep *exprParser) parseMath1() (node, error) { return ep.parseBinary(ep.parseConcat, "+", "-") }

func (ep *exprParser) parseConcat() (node, error) { return ep.parseBinary(ep.parseMath2, "~") }

func (ep *exprParser) parseMath2() (node, error) {
	return ep.parseBinary(ep.parsePow, "*", "/", "//", "%")
}

func (ep *exprParser) parsePow() (node, error) {
	return ep.parseBinary(func() (node, error) { return ep.parseUnary(true) }, "**")
}

func (ep *exprParser) parseUnary(withFilter bool) (node, error) {
	var n node
	var err error
	if ep.isOp("-") || ep.isOp("+") {
		op := ep.next().s
		x, err := ep.parseUnary(false)
		if err != nil {
			return nil, err
		}
		n = &nUnary{op: op, x: x}
	} else {
		n, err = ep.parsePrimary()
		if err != nil {
			return nil, err
		}
		n, err = ep.parsePostfix(n)
		if err != nil {
			return nil, err
		}
	}
	if withFilter {
		return ep.parseFilterExpr(n)
	}
	return n, nil
}

func (ep *exprParser) parsePrimary() (node, error) {
	t := ep.cur()
	switch t.kind {
	case tName:
		ep.next()
		switch t.s {
		case "true", "True":
			return &nConst{true}, nil
		case "false", "False":
			return &nConst{false}, nil
		case "none", "None":
			return &nConst{nil}, nil
		}
		return &nName{t.s}, nil
	case tString:
		ep.next()
		s := t.s
		for ep.cur().kind == tString {
			s += ep.next().s
		}
		return &nConst{s}, nil
	case tInt:
		ep.next()
		return &nConst{t.i}, nil
	case tFloat:
		ep.next()
		return &nConst{t.f}, nil
	case tOp:
		switch t.s {
		case "(":
			ep.next()
			n, err := ep.parseTupleExpr(true)
			if err != nil {
				return nil, err
			}
			if err := ep.expectOp(")"); err != nil {
				return nil, err
			}
			return n, nil
		case "[":
			ep.next()
			l := &nList{}
			err := ep.parseItems("]", func() error {
				n, err := ep.parseExpr()
				l.items = append(l.items, n)
				return err
			})
			if err != nil {
				return nil, err
			}
			return l, nil
		case "{":
			ep.next()
			d := &nDict{}
			err := ep.parseItems("}", func() error {
				k, err := ep.parseExpr()
				if err != nil {
					return err
				}
				if err := ep.expectOp(":"); err != nil {
					return err
				}
				v, err := ep.parseExpr()
				d.keys = append(d.keys, k)
				d.vals = append(d.vals, v)
				return err
			})
			if err != nil {
				return nil, err
			}
			return d, nil
		}
	}
	return nil, ep.unexpected()
}

// parseItems parses comma-separated items, each by item, up to and
// including the closing operator end (a trailing comma is allowed).
func (ep *exprParser) parseItems(end string, item func() error) error {
	for first := true; !ep.isOp(end); first = false {
		if !first {
			if err := ep.expectOp(","); err != nil {
				return err
			}
			if ep.isOp(end) {
				break
			}
		}
		if err := item(); err != nil {
			return err
		}
	}
	ep.next()
	return nil
}

func (ep *exprParser) parsePostfix(n node) (node, error) {
	for {
		switch {
		case ep.isOp("."):
			ep.next()
			t := ep.next()
			switch t.kind {
			case tName:
				n = &nAttr{obj: n, attr: t.s}
			case tInt:
				n = &nItem{obj: n, key: &nConst{t.i}}
			default:
				return nil, fmt.Errorf("expected name or number")
			}
		case ep.isOp("["):
			ep.next()
			var err error
			n, err = ep.parseSubscript(n)
			if err != nil {
				return nil, err
			}
		case ep.isOp("("):
			c, err := ep.parseCallArgs()
			if err != nil {
				return nil, err
			}
			c.fn = n
			n = c
		default:
			return n, nil
		}
	}
}

func (ep *exprParser) parseSubscript(obj node) (node, error) {
	var parts [3]node
	idx := 0
	isSlice := false
	for !ep.isOp("]") {
		if ep.isOp(":") {
			ep.next()
			isSlice = true
			idx++
			if idx > 2 {
				return nil, ep.unexpected()
			}
			continue
		}
		n, err := ep.parseTupleExpr(true)
		if err != nil {
			return nil, err
		}
		parts[idx] = n
		if !ep.isOp(":") && !ep.isOp("]") {
			return nil, ep.unexpected()
		}
	}
	ep.next()
	if isSlice {
		return &nSlice{obj: obj, start: parts[0], stop: parts[1], step: parts[2]}, nil
	}
	if parts[0] == nil {
		return nil, fmt.Errorf("expected subscript")
	}
	return &nItem{obj: obj, key: parts[0]}, nil
}

func (ep *exprParser) parseCallArgs() (*nCall, error) {
	if err := ep.expectOp("("); err != nil {
		return nil, err
	}
	c := &nCall{}
	first := true
	for !ep.isOp(")") {
		if !first {
			if err := ep.expectOp(","); err != nil {
				return nil, err
			}
			if ep.isOp(")") {
				break
			}
		}
		first = false
		switch {
		case ep.isOp("**"):
			ep.next()
			n, err := ep.parseExpr()
			if err != nil {
				return nil, err
			}
			c.dstar = n
		case ep.isOp("*"):
			ep.next()
			n, err := ep.parseExpr()
			if err != nil {
				return nil, err
			}
			c.star = n
		case ep.cur().kind == tName && ep.peek().kind == tOp && ep.peek().s == "=":
			name := ep.next().s
			ep.next()
			n, err := ep.parseExpr()
			if err != nil {
				return nil, err
			}
			c.kwNames = append(c.kwNames, name)
			c.kwVals = append(c.kwVals, n)
		default:
			n, err := ep.parseExpr()
			if err != nil {
				return nil, err
			}
			c.args = append(c.args, n)
		}
	}
	ep.next()
	return c, nil
}

func (ep *exprParser) dottedName() (string, error) {
	t := ep.next()
	if t.kind != tName {
		return "", fmt.Errorf("expected name")
	}
	name := t.s
	for ep.isOp(".") && ep.peek().kind == tName {
		ep.next()
		name += "." + ep.next().s
	}
	return name, nil
}

func (ep *exprParser) parseFilterExpr(n node) (node, error) {
	for {
		switch {
		case ep.isOp("|"):
			ep.next()
			name, err := ep.dottedName()
			if err != nil {
				return nil, err
			}
			f := &nFilter{in: n, name: name}
			if ep.isOp("(") {
				f.call, err = ep.parseCallArgs()
				if err != nil {
					return nil, err
				}
			}
			n = f
		case ep.isName("is"):
			ep.next()
			t := &nTest{in: n}
			if ep.isName("not") {
				ep.next()
				t.negate = true
			}
			name, err := ep.dottedName()
			if err != nil {
				return nil, err
			}
			t.name = name
			c := ep.cur()
			if ep.isOp("(") {
				t.call, err = ep.parseCallArgs()
				if err != nil {
					return nil, err
				}
			} else if (c.kind == tString || c.kind == tInt || c.kind == tFloat || c.kind == tName && c.s != "else" && c.s != "or" && c.s != "and" && c.s != "if" || c.kind == tOp && (c.s == "[" || c.s == "{")) && !(c.kind == tName && (c.s == "in" || c.s == "not" || c.s == "is")) {
				arg, err := ep.parsePrimary()
				if err != nil {
					return nil, err
				}
				arg, err = ep.parsePostfix(arg)
				if err != nil {
					return nil, err
				}
				t.call = &nCall{args: []node{arg}}
			}
			n = t
		case ep.isOp("("):
			c, err := ep.parseCallArgs()
			if err != nil {
				return nil, err
			}
			c.fn = n
			n = c
		default:
			return n, nil
		}
	}
}
