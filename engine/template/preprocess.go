package template

import (
	"fmt"
	"strings"
)

// delims are the Jinja2 delimiters of one environment.
type delims struct {
	varStart, varEnd, blockStart, blockEnd, commentStart, commentEnd string
}

var defaultDelims = delims{"{{", "}}", "{%", "%}", "{#", "#}"}

// compiled is a preprocessed template: gonja source whose expressions
// have been replaced by calls into our evaluator.
type compiled struct {
	gonjaSrc string
	tmpl     any // *exec.Template, built lazily
	// singleOutput is set when the whole template is one {{ expr }}.
	singleOutput bool
	// segs renders templates made only of text and {{ }} without gonja.
	segs []segment
	// pieces is the lexed template (see buildProg); nativeOK is false when
	// it uses a tag buildProg cannot run.
	pieces   []piece
	nativeOK bool
	// prog, when set, is run by renderNative instead of gonja.
	prog []stmt
}

// segment is a piece of a statement-free template: text or an expression.
type segment struct {
	text         string
	expr         int // -1 for text
	ltrim, rtrim bool
}

// expression call helpers injected into gonja source.
const (
	fnOut  = "__octo_o"
	fnBool = "__octo_b"
	fnIter = "__octo_i"
	fnVal  = "__octo_e"
)

// findEnd returns the index of end in src starting at i, skipping quoted
// strings and, like Jinja2's lexer, delimiters inside open brackets.
func findEnd(src string, i int, end string) int {
	n, _ := findEndErr(src, i, end)
	return n
}

// findEndErr is findEnd that also reports Jinja2's lexer error for
// unbalanced brackets ("unexpected '}'", "unexpected ')', expected ']'").
func findEndErr(src string, i int, end string) (int, string) {
	var stack []byte
	closer := map[byte]byte{'(': ')', '[': ']', '{': '}'}
	for i < len(src) {
		c := src[i]
		if c == '\'' || c == '"' {
			j := i + 1
			for j < len(src) && src[j] != c {
				if src[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(src) {
				return -1, ""
			}
			i = j + 1
			continue
		}
		if len(stack) == 0 && strings.HasPrefix(src[i:], end) {
			return i, ""
		}
		switch c {
		case '(', '[', '{':
			stack = append(stack, closer[c])
		case ')', ']', '}':
			if len(stack) == 0 {
				return -1, fmt.Sprintf("unexpected '%c'", c)
			}
			if want := stack[len(stack)-1]; want != c {
				return -1, fmt.Sprintf("unexpected '%c', expected '%c'", c, want)
			}
			stack = stack[:len(stack)-1]
		}
		i++
	}
	return -1, ""
}

// preprocess rewrites src so that gonja sees only calls to our helpers.
// rawStrings applies Ansible's backslash escaping to {{ }} expressions.
func preprocess(t *Templar, src string, d delims, rawStrings, lstrip bool) (*compiled, error) {
	c := &compiled{}
	var out strings.Builder
	add := t.register
	parse := func(e string, raw bool, endName string) (node, error) {
		n, err := parseExpression(e, raw, endName)
		if err != nil {
			return nil, &TemplateError{Msg: err.Error()}
		}
		if err := checkNames(t, n); err != nil {
			return nil, err
		}
		return n, nil
	}
	outputs, others := 0, 0
	blocks := &blockStack{}
	fast := true
	var segs []segment
	nativeOK := true
	var pcs []piece
	mark := func(b byte) byte {
		if b == '-' || b == '+' {
			return b
		}
		return 0
	}
	// lstripLine removes spaces and tabs between the start of the current
	// output line and a block or comment tag (Jinja2's lstrip_blocks).
	lstripLine := func(mark byte) {
		if !lstrip || mark == '+' {
			return
		}
		cur := out.String()
		j := len(cur)
		for j > 0 && (cur[j-1] == ' ' || cur[j-1] == '\t') {
			j--
		}
		if j == len(cur) || (j > 0 && cur[j-1] != '\n') {
			return
		}
		out.Reset()
		out.WriteString(cur[:j])
	}
	i := 0
	for i < len(src) {
		// next delimiter
		next, kind := -1, ""
		for _, k := range []struct{ s, kind string }{{d.varStart, "var"}, {d.blockStart, "block"}, {d.commentStart, "comment"}} {
			if j := strings.Index(src[i:], k.s); j >= 0 && (next < 0 || i+j < next) {
				next, kind = i+j, k.kind
			}
		}
		if next < 0 {
			if len(src[i:]) > 0 {
				others++
				segs = append(segs, segment{text: src[i:], expr: -1})
				pcs = append(pcs, piece{kind: pkText, text: src[i:]})
			}
			out.WriteString(src[i:])
			break
		}
		if next > i {
			others++
			segs = append(segs, segment{text: src[i:next], expr: -1})
			pcs = append(pcs, piece{kind: pkText, text: src[i:next]})
		}
		out.WriteString(src[i:next])
		switch kind {
		case "comment":
			fast = false
			if next+len(d.commentStart) < len(src) {
				lstripLine(src[next+len(d.commentStart)])
			}
			j := strings.Index(src[next+len(d.commentStart):], d.commentEnd)
			if j < 0 {
				return nil, &TemplateError{Msg: "Missing end of comment tag"}
			}
			end := next + len(d.commentStart) + j + len(d.commentEnd)
			cp := piece{kind: pkComment}
			if next+len(d.commentStart) < len(src) {
				cp.lm = mark(src[next+len(d.commentStart)])
			}
			if j > 0 {
				cp.rm = mark(src[end-len(d.commentEnd)-1])
			}
			pcs = append(pcs, cp)
			out.WriteString(src[next:end])
			i = end
		case "var":
			start := next + len(d.varStart)
			lmark := ""
			if start < len(src) && (src[start] == '-' || src[start] == '+') {
				if src[start] == '-' {
					lmark = "-"
				}
				start++
			}
			end, lexErr := findEndErr(src, start, d.varEnd)
			if end < 0 {
				if lexErr != "" {
					return nil, &TemplateError{Msg: lexErr}
				}
				return nil, &TemplateError{Msg: "unexpected end of template, expected 'end of print statement'."}
			}
			inner := src[start:end]
			rmark := ""
			if strings.HasSuffix(inner, "-") {
				rmark = "-"
				inner = inner[:len(inner)-1]
			} else if strings.HasSuffix(inner, "+") {
				inner = inner[:len(inner)-1]
			}
			n, err := parse(inner, rawStrings, "end of print statement")
			if err != nil {
				return nil, err
			}
			id := add(n)
			fmt.Fprintf(&out, "%s%s %s(%d) %s%s", d.varStart, lmark, fnOut, id, rmark, d.varEnd)
			segs = append(segs, segment{expr: id, ltrim: lmark == "-", rtrim: rmark == "-"})
			pcs = append(pcs, piece{kind: pkOut, expr: id, lm: mark((lmark + " ")[0]), rm: mark((rmark + " ")[0])})
			outputs++
			i = end + len(d.varEnd)
		case "block":
			fast = false
			others++
			start := next + len(d.blockStart)
			lmark := ""
			if start < len(src) && (src[start] == '-' || src[start] == '+') {
				lmark = src[start : start+1]
				start++
			}
			if lmark == "+" {
				lstripLine('+')
			} else {
				lstripLine(0)
			}
			end, lexErr := findEndErr(src, start, d.blockEnd)
			if end < 0 && lexErr != "" {
				return nil, &TemplateError{Msg: lexErr}
			}
			if end < 0 {
				return nil, &TemplateError{Msg: "unexpected end of template, expected 'end of statement block'."}
			}
			inner := src[start:end]
			rmark := ""
			if strings.HasSuffix(inner, "-") || strings.HasSuffix(inner, "+") {
				rmark = inner[len(inner)-1:]
				inner = inner[:len(inner)-1]
			}
			tp := piece{kind: pkTag, lm: mark((lmark + " ")[0]), rm: mark((rmark + " ")[0])}
			if lmark == "+" {
				lmark = ""
			}
			if rmark == "+" {
				rmark = ""
			}
			body := strings.TrimSpace(inner)
			tag, rest, _ := strings.Cut(body, " ")
			if t2, r2, ok := strings.Cut(body, "\n"); ok && len(t2) < len(tag) {
				tag, rest = t2, r2
			}
			rest = strings.TrimSpace(rest)
			tp.tag = tag
			if !nativeTags[tag] {
				nativeOK = false
			}
			emit := func(s string) {
				fmt.Fprintf(&out, "%s%s %s %s%s", d.blockStart, lmark, s, rmark, d.blockEnd)
			}
			// emitAll writes several tags in place of one, keeping the
			// whitespace-control marks on the outer ends.
			emitAll := func(tags []string) {
				for i, tg := range tags {
					lm, rm := "", ""
					if i == 0 {
						lm = lmark
					}
					if i == len(tags)-1 {
						rm = rmark
					}
					fmt.Fprintf(&out, "%s%s %s %s%s", d.blockStart, lm, tg, rm, d.blockEnd)
				}
			}
			unpack := func(targets []string) []string {
				var tags []string
				for i, name := range targets {
					id := add(&nItem{obj: &nName{name: unpackVar}, key: &nConst{v: i}})
					tags = append(tags, fmt.Sprintf("set %s = %s(%d)", name, fnVal, id))
				}
				return tags
			}
			i = end + len(d.blockEnd)
			if err := blocks.check(tag, rest); err != nil {
				return nil, err
			}
			switch tag {
			case "raw":
				emit("raw")
				// copy verbatim up to endraw
				j := i
				for {
					k := strings.Index(src[j:], d.blockStart)
					if k < 0 {
						return nil, &TemplateError{Msg: "Missing end of raw directive"}
					}
					k += j
					e := findEnd(src, k+len(d.blockStart), d.blockEnd)
					if e < 0 {
						return nil, &TemplateError{Msg: "Missing end of raw directive"}
					}
					tagBody := strings.Trim(strings.TrimSpace(src[k+len(d.blockStart):e]), "-+ \t\n")
					if tagBody == "endraw" {
						out.WriteString(src[i:k])
						out.WriteString(src[k : e+len(d.blockEnd)])
						i = e + len(d.blockEnd)
						break
					}
					j = e + len(d.blockEnd)
				}
			case "if", "elif":
				n, err := parse(rest, false, "end of statement block")
				if err != nil {
					return nil, err
				}
				tp.expr = add(n)
				emit(fmt.Sprintf("%s %s(%d)", tag, fnBool, tp.expr))
			case "for":
				s, targets, loop, err := rewriteFor(rest, func(e string) (node, error) {
					return parse(e, false, "end of statement block")
				}, add)
				if err != nil {
					return nil, err
				}
				tp.expr, tp.targets = loop.iter, loop.targets
				if loop.recursive || !loop.plain {
					nativeOK = false
				}
				if targets != nil {
					emitAll(append([]string{"for " + s}, unpack(targets)...))
				} else {
					emit("for " + s)
				}
			case "set":
				eq := findEnd(rest, 0, "=")
				if eq < 0 {
					nativeOK = false // block set
					emit(body)
					break
				}
				target := strings.TrimSpace(rest[:eq])
				n, err := parse(rest[eq+1:], false, "end of statement block")
				if err != nil {
					return nil, err
				}
				tp.expr = add(n)
				if strings.Contains(target, ",") {
					var names []string
					for _, p := range strings.Split(strings.Trim(target, "()"), ",") {
						if p = strings.TrimSpace(p); p != "" {
							names = append(names, p)
						}
					}
					tp.targets = names
					nativeOK = nativeOK && allIdents(names)
					emitAll(append([]string{fmt.Sprintf("set %s = %s(%d)", unpackVar, fnVal, tp.expr)}, unpack(names)...))
					break
				}
				obj, attr, dotted := strings.Cut(target, ".")
				tp.targets, tp.attr = []string{strings.TrimSpace(obj)}, strings.TrimSpace(attr)
				nativeOK = nativeOK && allIdents(tp.targets) && (!dotted || isIdent(tp.attr))
				emit(fmt.Sprintf("set %s = %s(%d)", target, fnVal, tp.expr))
			case "with":
				r, err := rewriteAssigns(rest, parse, add)
				if err != nil {
					return nil, err
				}
				emit("with " + r)
			case "macro":
				open := strings.IndexByte(rest, '(')
				if open < 0 || !strings.HasSuffix(rest, ")") {
					emit(body)
					break
				}
				r, err := rewriteAssigns(rest[open+1:len(rest)-1], parse, add)
				if err != nil {
					return nil, err
				}
				emit("macro " + rest[:open] + "(" + r + ")")
			case "include":
				e := rest
				suffix := ""
				for _, kw := range []string{" ignore missing", " with context", " without context"} {
					for strings.HasSuffix(e, kw) {
						e = strings.TrimSuffix(e, kw)
						suffix = kw + suffix
					}
				}
				n, err := parse(e, false, "end of statement block")
				if err != nil {
					return nil, err
				}
				emit(fmt.Sprintf("include %s(%d)%s", fnVal, add(n), suffix))
			default:
				emit(body)
			}
			pcs = append(pcs, tp)
		}
	}
	if err := blocks.end(); err != nil {
		return nil, err
	}
	c.gonjaSrc = out.String()
	if nativeOK {
		c.pieces, c.nativeOK = pcs, true
	}
	c.singleOutput = outputs == 1 && others == 0
	if fast {
		for i, sg := range segs {
			if sg.expr < 0 {
				continue
			}
			if sg.ltrim && i > 0 && segs[i-1].expr < 0 {
				segs[i-1].text = strings.TrimRight(segs[i-1].text, " \t\r\n")
			}
			if sg.rtrim && i+1 < len(segs) && segs[i+1].expr < 0 {
				segs[i+1].text = strings.TrimLeft(segs[i+1].text, " \t\r\n")
			}
		}
		c.segs = segs
		if c.segs == nil {
			c.segs = []segment{}
		}
	}
	return c, nil
}

// unpackVar holds the tuple being unpacked into several loop or set targets.
const unpackVar = "__octo_t"

// splitTop splits s at top-level commas.
func splitTop(s string) []string {
	var parts []string
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\'', '"':
			j := i + 1
			for j < len(s) && s[j] != c {
				if s[j] == '\\' {
					j++
				}
				j++
			}
			i = j
		case '(', '[', '{':
			depth++
		case ')', ']', '}':
			depth--
		case ',':
			if depth == 0 {
				parts = append(parts, s[start:i])
				start = i + 1
			}
		}
	}
	return append(parts, s[start:])
}

// rewriteAssigns rewrites "a = EXPR, b = EXPR" (with/macro arguments).
func rewriteAssigns(s string, parse func(string, bool, string) (node, error), add func(node) int) (string, error) {
	var out []string
	for _, p := range splitTop(s) {
		eq := findEnd(p, 0, "=")
		if eq < 0 || strings.HasPrefix(p[eq:], "==") {
			out = append(out, strings.TrimSpace(p))
			continue
		}
		n, err := parse(p[eq+1:], false, "end of statement block")
		if err != nil {
			return "", err
		}
		out = append(out, fmt.Sprintf("%s=%s(%d)", strings.TrimSpace(p[:eq]), fnVal, add(n)))
	}
	return strings.Join(out, ", "), nil
}

// rewriteFor rewrites "a, b in EXPR [if COND] [recursive]". When more
// than two targets are unpacked it loops over unpackVar and returns the
// target names to assign in the body.
func rewriteFor(rest string, parse func(string) (node, error), add func(node) int) (string, []string, forLoop, error) {
	var loop forLoop
	toks, err := lexExpr(rest, false)
	if err != nil {
		return "", nil, loop, &TemplateError{Msg: err.Error()}
	}
	inPos := -1
	for i, t := range toks {
		if t.kind == tName && t.s == "in" {
			inPos = i
			break
		}
	}
	if inPos < 0 {
		return "", nil, loop, &TemplateError{Msg: "expected token 'in'"}
	}
	var targets []string
	loop.plain = inPos%2 == 1
	for i, t := range toks[:inPos] {
		if t.kind == tName {
			targets = append(targets, t.s)
		}
		if (i%2 == 0) != (t.kind == tName) || i%2 == 1 && t.s != "," {
			loop.plain = false
		}
	}
	depth := 0
	ifPos, recPos := -1, -1
	for i := inPos + 1; i < len(toks); i++ {
		t := toks[i]
		if t.kind == tOp {
			switch t.s {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				depth--
			}
		}
		if depth == 0 && t.kind == tName && t.s == "if" && ifPos < 0 {
			ifPos = i
		}
		if depth == 0 && t.kind == tName && t.s == "recursive" && i == len(toks)-2 {
			recPos = i
		}
	}
	exprEnd := len(rest)
	if ifPos >= 0 {
		exprEnd = toks[ifPos].pos
	} else if recPos >= 0 {
		exprEnd = toks[recPos].pos
	}
	iter, err := parse(rest[toks[inPos].pos+2 : exprEnd])
	if err != nil {
		return "", nil, loop, err
	}
	var cond node
	if ifPos >= 0 {
		condEnd := len(rest)
		if recPos >= 0 {
			condEnd = toks[recPos].pos
		}
		cond, err = parse(rest[toks[ifPos].pos+2 : condEnd])
		if err != nil {
			return "", nil, loop, err
		}
	}
	unpackAll := len(targets) > 2
	if cond != nil {
		// filter in our evaluator so the condition sees every target
		iter = &nLoopFilter{iter: iter, targets: targets, cond: cond}
	}
	loop.iter, loop.targets, loop.recursive = add(iter), targets, recPos >= 0
	s := ""
	if unpackAll {
		s = fmt.Sprintf("%s in %s(%d)", unpackVar, fnIter, loop.iter)
	} else {
		s = fmt.Sprintf("%s in %s(%d)", strings.Join(targets, ", "), fnIter, loop.iter)
	}
	if loop.recursive {
		s += " recursive"
	}
	if !unpackAll {
		targets = nil
	}
	return s, targets, loop, nil
}

// forLoop describes a for tag: the registered iterable expression (with
// its filter condition), the target names, whether it is recursive, and
// plain when the targets are just names separated by commas.
type forLoop struct {
	iter      int
	targets   []string
	recursive bool
	plain     bool
}

// isIdent reports whether s is a plain Jinja2 name.
func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

func allIdents(names []string) bool {
	for _, n := range names {
		if !isIdent(n) {
			return false
		}
	}
	return len(names) > 0
}

// blockStack checks block nesting to report Jinja2's messages for unknown,
// stray and unclosed tags.
type blockStack struct {
	open []string // tag names, with "else" recorded as e.g. "for-else"
}

var blockEnds = map[string]string{"if": "endif", "for": "endfor", "macro": "endmacro", "call": "endcall",
	"filter": "endfilter", "with": "endwith", "set": "endset", "block": "endblock", "autoescape": "endautoescape", "trans": "endtrans"}

var simpleTags = map[string]bool{"include": true, "import": true, "from": true, "extends": true, "raw": true}

func (b *blockStack) looking() string {
	top := b.open[len(b.open)-1]
	name, afterElse := strings.CutSuffix(top, "-else")
	var want []string
	switch {
	case name == "if" && !afterElse:
		want = []string{"elif", "else", "endif"}
	case name == "for" && !afterElse:
		want = []string{"endfor", "else"}
	case name == "trans":
		want = []string{"pluralize", "endtrans"}
	default:
		want = []string{blockEnds[name]}
	}
	return fmt.Sprintf("Jinja was looking for the following tags: '%s'. The innermost block that needs to be closed is '%s'.", strings.Join(want, "' or '"), name)
}

func (b *blockStack) unknown(tag string) error {
	msg := fmt.Sprintf("Encountered unknown tag '%s'.", tag)
	if len(b.open) > 0 {
		msg += " " + b.looking()
	}
	return &TemplateError{Msg: msg}
}

func (b *blockStack) check(tag, rest string) error {
	if tag == "set" && findEnd(rest, 0, "=") >= 0 {
		return nil
	}
	if _, ok := blockEnds[tag]; ok {
		b.open = append(b.open, tag)
		return nil
	}
	if simpleTags[tag] {
		return nil
	}
	top := ""
	if len(b.open) > 0 {
		top = b.open[len(b.open)-1]
	}
	name, afterElse := strings.CutSuffix(top, "-else")
	switch tag {
	case "elif":
		if name == "if" && !afterElse {
			return nil
		}
	case "else":
		if (name == "if" || name == "for") && !afterElse {
			b.open[len(b.open)-1] = name + "-else"
			return nil
		}
	case "pluralize":
		if name == "trans" {
			return nil
		}
	default:
		if strings.HasPrefix(tag, "end") && name != "" && blockEnds[name] == tag {
			b.open = b.open[:len(b.open)-1]
			return nil
		}
	}
	return b.unknown(tag)
}

func (b *blockStack) end() error {
	if len(b.open) == 0 {
		return nil
	}
	return &TemplateError{Msg: "Unexpected end of template. " + b.looking()}
}
