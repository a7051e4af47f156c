package inventory

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// errNotLiteral reports that a string is not a Python literal; the INI
// parser then keeps the text as a string, as ast.literal_eval failing does.
var errNotLiteral = errors.New("not a python literal")

// parsePyValue types an INI value the way Ansible does: it tries Python's
// ast.literal_eval and keeps the raw text when that fails.
func parsePyValue(s string) any {
	v, err := pyLiteral(s)
	if err != nil {
		return s
	}
	return v
}

// pyLiteral evaluates s as a Python literal expression: numbers, strings,
// bytes (decoded), True/False/None, lists, tuples (as lists), dicts and sets
// (as lists). Only the subset Python accepts is accepted.
func pyLiteral(s string) (v any, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = nil, errNotLiteral
		}
	}()
	p := &pyParser{src: strings.TrimLeft(s, " \t")}
	if err := p.lex(); err != nil {
		return nil, err
	}
	v, err = p.exprList(true)
	if err != nil {
		return nil, err
	}
	if p.peek().kind != tEOF {
		return nil, errNotLiteral
	}
	return v, nil
}

type tokKind int

const (
	tEOF tokKind = iota
	tNum
	tStr
	tName
	tOp
)

type pyTok struct {
	kind  tokKind
	text  string
	val   any  // number or string value
	bytes bool // bytes literal
}

type pyParser struct {
	src  string
	toks []pyTok
	pos  int
}

func (p *pyParser) peek() pyTok {
	if p.pos < len(p.toks) {
		return p.toks[p.pos]
	}
	return pyTok{kind: tEOF}
}

func (p *pyParser) next() pyTok {
	t := p.peek()
	if p.pos < len(p.toks) {
		p.pos++
	}
	return t
}

func isIdentStart(r rune) bool { return r == '_' || unicode.IsLetter(r) }
func isIdentPart(r rune) bool  { return r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) }

// lex tokenizes the whole source. Newlines inside brackets are allowed,
// elsewhere a newline ends the expression (and anything after is an error).
func (p *pyParser) lex() error {
	s := p.src
	depth := 0
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == ' ' || c == '\t' || c == '\f':
			i++
		case c == '\\' && i+1 < len(s) && s[i+1] == '\n':
			i += 2
		case c == '\n' || c == '\r':
			if depth == 0 {
				rest := strings.TrimSpace(s[i:])
				if rest != "" && !strings.HasPrefix(rest, "#") {
					return errNotLiteral
				}
				return nil
			}
			i++
		case c == '#':
			for i < len(s) && s[i] != '\n' {
				i++
			}
		case c >= '0' && c <= '9' || c == '.' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9':
			n, val, err := lexNumber(s[i:])
			if err != nil {
				return err
			}
			p.toks = append(p.toks, pyTok{kind: tNum, text: s[i : i+n], val: val})
			i += n
		case c == '\'' || c == '"':
			n, str, err := lexString(s[i:], false, false)
			if err != nil {
				return err
			}
			p.toks = append(p.toks, pyTok{kind: tStr, val: str})
			i += n
		default:
			r, sz := utf8.DecodeRuneInString(s[i:])
			if isIdentStart(r) {
				j := i + sz
				for j < len(s) {
					r2, sz2 := utf8.DecodeRuneInString(s[j:])
					if !isIdentPart(r2) {
						break
					}
					j += sz2
				}
				word := s[i:j]
				if j < len(s) && (s[j] == '\'' || s[j] == '"') && isStrPrefix(word) {
					lw := strings.ToLower(word)
					if strings.Contains(lw, "f") {
						return errNotLiteral // f-strings are not literals
					}
					n, str, err := lexString(s[j:], strings.Contains(lw, "r"), strings.Contains(lw, "b"))
					if err != nil {
						return err
					}
					p.toks = append(p.toks, pyTok{kind: tStr, val: str, bytes: strings.Contains(lw, "b")})
					i = j + n
					continue
				}
				p.toks = append(p.toks, pyTok{kind: tName, text: word})
				i = j
				continue
			}
			switch c {
			case '[', '(', '{':
				depth++
			case ']', ')', '}':
				depth--
			case ',', ':', '+', '-':
			default:
				return errNotLiteral
			}
			p.toks = append(p.toks, pyTok{kind: tOp, text: string(c)})
			i++
		}
	}
	if depth != 0 {
		return errNotLiteral
	}
	return nil
}

func isStrPrefix(w string) bool {
	switch strings.ToLower(w) {
	case "r", "u", "b", "br", "rb", "f", "fr", "rf":
		return true
	}
	return false
}

// lexNumber scans a Python number literal at the start of s.
func lexNumber(s string) (int, any, error) {
	i := 0
	digits := func(ok func(byte) bool) {
		for i < len(s) && (ok(s[i]) || s[i] == '_' && i+1 < len(s) && ok(s[i+1]) && i > 0 && ok(s[i-1])) {
			i++
		}
	}
	dec := func(b byte) bool { return b >= '0' && b <= '9' }
	if len(s) > 1 && s[0] == '0' && strings.ContainsRune("xXoObB", rune(s[1])) {
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'O': 8, 'b': 2, 'B': 2}[s[1]]
		ok := func(b byte) bool {
			switch base {
			case 16:
				return dec(b) || b >= 'a' && b <= 'f' || b >= 'A' && b <= 'F'
			case 8:
				return b >= '0' && b <= '7'
			}
			return b == '0' || b == '1'
		}
		i = 2
		if i < len(s) && s[i] == '_' {
			i++
		}
		start := i
		for i < len(s) && (ok(s[i]) || s[i] == '_' && i+1 < len(s) && ok(s[i+1])) {
			i++
		}
		if i == start || i < len(s) && isIdentPart(rune(s[i])) {
			return 0, nil, errNotLiteral
		}
		v, err := strconv.ParseInt(strings.ReplaceAll(s[start:i], "_", ""), base, 64)
		if err != nil {
			return 0, nil, errNotLiteral
		}
		return i, int(v), nil
	}
	digits(dec)
	intPart := s[:i]
	isFloat := false
	if i < len(s) && s[i] == '.' {
		isFloat = true
		i++
		digits(dec)
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		j := i + 1
		if j < len(s) && (s[j] == '+' || s[j] == '-') {
			j++
		}
		if j < len(s) && dec(s[j]) {
			isFloat = true
			i = j
			digits(dec)
		}
	}
	if i < len(s) && (s[i] == 'j' || s[i] == 'J') {
		return 0, nil, errNotLiteral // complex numbers are not supported
	}
	if i < len(s) && (isIdentPart(rune(s[i])) || s[i] == '.') {
		return 0, nil, errNotLiteral
	}
	text := strings.ReplaceAll(s[:i], "_", "")
	if !isFloat {
		if len(intPart) > 1 && intPart[0] == '0' && strings.Trim(intPart, "0_") != "" {
			return 0, nil, errNotLiteral // leading zeros are a syntax error
		}
		v, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			f, ferr := strconv.ParseFloat(text, 64)
			if ferr != nil || math.IsInf(f, 0) {
				return 0, nil, errNotLiteral
			}
			return 0, nil, errNotLiteral
		}
		return i, int(v), nil
	}
	f, err := strconv.ParseFloat(text, 64)
	if err != nil && !math.IsInf(f, 0) {
		return 0, nil, errNotLiteral
	}
	return i, f, nil
}

// lexString scans a quoted Python string at the start of s.
func lexString(s string, raw, isBytes bool) (int, string, error) {
	q := s[0]
	triple := len(s) >= 3 && s[1] == q && s[2] == q
	i := 1
	if triple {
		i = 3
	}
	var b strings.Builder
	for {
		if i >= len(s) {
			return 0, "", errNotLiteral
		}
		c := s[i]
		if triple {
			if c == q && i+2 < len(s) && s[i+1] == q && s[i+2] == q {
				return i + 3, b.String(), nil
			}
		} else if c == q {
			return i + 1, b.String(), nil
		} else if c == '\n' {
			return 0, "", errNotLiteral
		}
		if c == '\\' && i+1 < len(s) {
			if raw {
				b.WriteByte('\\')
				b.WriteByte(s[i+1])
				i += 2
				continue
			}
			n, err := unescape(&b, s[i+1:], isBytes)
			if err != nil {
				return 0, "", err
			}
			i += 1 + n
			continue
		}
		if isBytes && c >= 0x80 {
			return 0, "", errNotLiteral
		}
		b.WriteByte(c)
		i++
	}
}

func unescape(b *strings.Builder, s string, isBytes bool) (int, error) {
	c := s[0]
	simple := map[byte]string{'\n': "", '\\': "\\", '\'': "'", '"': "\"", 'a': "\a", 'b': "\b", 'f': "\f", 'n': "\n", 'r': "\r", 't': "\t", 'v': "\v"}
	if r, ok := simple[c]; ok {
		b.WriteString(r)
		return 1, nil
	}
	hexN := func(n int) (int, bool) {
		if len(s) < 1+n {
			return 0, false
		}
		v, err := strconv.ParseUint(s[1:1+n], 16, 32)
		return int(v), err == nil
	}
	switch {
	case c >= '0' && c <= '7':
		n := 1
		for n < 3 && n < len(s) && s[n] >= '0' && s[n] <= '7' {
			n++
		}
		v, _ := strconv.ParseUint(s[:n], 8, 32)
		writeCode(b, int(v), isBytes)
		return n, nil
	case c == 'x':
		v, ok := hexN(2)
		if !ok {
			return 0, errNotLiteral
		}
		writeCode(b, v, isBytes)
		return 3, nil
	case c == 'u' && !isBytes:
		v, ok := hexN(4)
		if !ok {
			return 0, errNotLiteral
		}
		b.WriteRune(rune(v))
		return 5, nil
	case c == 'U' && !isBytes:
		v, ok := hexN(8)
		if !ok || v > unicode.MaxRune {
			return 0, errNotLiteral
		}
		b.WriteRune(rune(v))
		return 9, nil
	case c == 'N' && !isBytes:
		return 0, errNotLiteral // named escapes are not supported
	}
	b.WriteByte('\\')
	return 0, nil
}

func writeCode(b *strings.Builder, v int, isBytes bool) {
	if isBytes || v < 0x80 {
		if isBytes && v >= 0x80 {
			// bytes are later decoded as UTF-8 by Ansible; keep the raw byte.
			b.WriteByte(byte(v))
			return
		}
		b.WriteByte(byte(v))
		return
	}
	b.WriteRune(rune(v))
}

// exprList parses "expr (, expr)* [,]"; a comma makes a tuple.
func (p *pyParser) exprList(top bool) (any, error) {
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	if p.peek().text != "," || p.peek().kind != tOp {
		return first, nil
	}
	items := []any{first}
	for p.peek().kind == tOp && p.peek().text == "," {
		p.next()
		t := p.peek()
		if t.kind == tEOF || t.kind == tOp && (t.text == ")" || t.text == "]" || t.text == "}") {
			break
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
	_ = top
	return items, nil
}

func (p *pyParser) expr() (any, error) {
	t := p.next()
	switch t.kind {
	case tNum:
		return t.val, nil
	case tStr:
		var b strings.Builder
		b.WriteString(t.val.(string))
		isBytes := t.bytes
		for p.peek().kind == tStr {
			n := p.next()
			if n.bytes != isBytes {
				return nil, errNotLiteral
			}
			b.WriteString(n.val.(string))
		}
		s := b.String()
		if isBytes && !utf8.ValidString(s) {
			return nil, errNotLiteral
		}
		return s, nil
	case tName:
		switch t.text {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		}
		return nil, errNotLiteral
	case tOp:
		switch t.text {
		case "+", "-":
			n := p.next()
			neg := t.text == "-"
			if n.kind == tOp && (n.text == "+" || n.text == "-") {
				// nested unary operators: evaluate recursively
				p.pos--
				v, err := p.expr()
				if err != nil {
					return nil, err
				}
				return applySign(v, neg)
			}
			if n.kind != tNum {
				return nil, errNotLiteral
			}
			return applySign(n.val, neg)
		case "[":
			return p.seq("]")
		case "(":
			if p.peek().kind == tOp && p.peek().text == ")" {
				p.next()
				return []any{}, nil
			}
			v, err := p.exprList(false)
			if err != nil {
				return nil, err
			}
			if c := p.next(); c.kind != tOp || c.text != ")" {
				return nil, errNotLiteral
			}
			return v, nil
		case "{":
			return p.dictOrSet()
		}
	}
	return nil, errNotLiteral
}

func applySign(v any, neg bool) (any, error) {
	switch n := v.(type) {
	case int:
		if neg {
			return -n, nil
		}
		return n, nil
	case float64:
		if neg {
			return -n, nil
		}
		return n, nil
	}
	return nil, errNotLiteral
}

func (p *pyParser) seq(end string) (any, error) {
	items := []any{}
	for {
		t := p.peek()
		if t.kind == tOp && t.text == end {
			p.next()
			return items, nil
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
		if done, err := p.afterItem(end); err != nil {
			return nil, err
		} else if done {
			return items, nil
		}
	}
}

// afterItem reads what follows an item of a display ending in end: end
// itself, or a comma and then either another item or (a trailing comma)
// end. done reports that end was read.
func (p *pyParser) afterItem(end string) (done bool, err error) {
	t := p.next()
	if t.kind == tOp && t.text == end {
		return true, nil
	}
	if t.kind != tOp || t.text != "," {
		return false, errNotLiteral
	}
	if t := p.peek(); t.kind == tOp && t.text == end {
		p.next()
		return true, nil
	}
	return false, nil
}

func (p *pyParser) dictOrSet() (any, error) {
	if t := p.peek(); t.kind == tOp && t.text == "}" {
		p.next()
		return value.NewDict(0), nil
	}
	first, err := p.expr()
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind == tOp && t.text == ":" {
		d := value.NewDict(2)
		key := first
		for {
			p.next() // ':'
			if err := hashable(key); err != nil {
				return nil, err
			}
			v, err := p.expr()
			if err != nil {
				return nil, err
			}
			d.Set(pyKeyString(key), v)
			if done, err := p.afterItem("}"); err != nil {
				return nil, err
			} else if done {
				return d, nil
			}
			key, err = p.expr()
			if err != nil {
				return nil, err
			}
			if t := p.peek(); t.kind != tOp || t.text != ":" {
				return nil, errNotLiteral
			}
		}
	}
	// a set literal: Ansible cannot serialise it either; keep it as a list.
	items := []any{first}
	for {
		if done, err := p.afterItem("}"); err != nil {
			return nil, err
		} else if done {
			return items, nil
		}
		v, err := p.expr()
		if err != nil {
			return nil, err
		}
		items = append(items, v)
	}
}

func hashable(v any) error {
	switch v.(type) {
	case []any, *value.Dict:
		return errNotLiteral
	}
	return nil
}

// pyKeyString renders a dict key as json.dumps would name it.
func pyKeyString(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case int:
		return strconv.Itoa(t)
	case float64:
		return pyfmt.Float(t)
	}
	return pyfmt.Repr(k)
}
