package invcmd

import (
	"fmt"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
	"unsafe"

	"octopus/engine/value"
)

// pyJSON renders v as Python's json.dumps(v, sort_keys=True, indent=4,
// ensure_ascii=False) with Ansible's encoder (vault and unsafe values
// become {"__ansible_vault": ...} / {"__ansible_unsafe": ...}).
func pyJSON(v any) string {
	var b strings.Builder
	writeJSON(&b, v, 0)
	return b.String()
}

func writeJSON(b *strings.Builder, v any, depth int) {
	nl := func(d int) { b.WriteString("\n" + strings.Repeat("    ", d)) }
	switch t := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if t {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(t))
	case int64:
		b.WriteString(strconv.FormatInt(t, 10))
	case float64:
		switch {
		case math.IsInf(t, 1):
			b.WriteString("Infinity")
		case math.IsInf(t, -1):
			b.WriteString("-Infinity")
		case math.IsNaN(t):
			b.WriteString("NaN")
		default:
			b.WriteString(pyFloat(t))
		}
	case string:
		writeJSONString(b, t)
	case value.Unsafe:
		writeJSON(b, value.DictOf("__ansible_unsafe", string(t)), depth)
	case *value.Vault:
		writeJSON(b, value.DictOf("__ansible_vault", t.Ciphertext), depth)
	case []any:
		if len(t) == 0 {
			b.WriteString("[]")
			return
		}
		b.WriteByte('[')
		for i, x := range t {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			writeJSON(b, x, depth+1)
		}
		nl(depth)
		b.WriteByte(']')
	case []string:
		l := make([]any, len(t))
		for i, s := range t {
			l[i] = s
		}
		writeJSON(b, l, depth)
	case *value.Dict:
		if t.Len() == 0 {
			b.WriteString("{}")
			return
		}
		keys := append([]string(nil), t.Keys()...)
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			nl(depth + 1)
			writeJSONString(b, k)
			b.WriteString(": ")
			x, _ := t.Get(k)
			writeJSON(b, x, depth+1)
		}
		nl(depth)
		b.WriteByte('}')
	default:
		writeJSONString(b, fmt.Sprint(v))
	}
}

func writeJSONString(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
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
				fmt.Fprintf(b, `\u%04x`, r)
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
}

// pyFloat is Python's repr(float).
func pyFloat(f float64) string {
	e := strconv.FormatFloat(f, 'e', -1, 64)
	sign := ""
	if e[0] == '-' {
		sign, e = "-", e[1:]
	}
	mant, expS, _ := strings.Cut(e, "e")
	exp, _ := strconv.Atoi(expS)
	digits := strings.Replace(mant, ".", "", 1)
	decpt := exp + 1
	if decpt <= -4 || decpt > 16 {
		m := digits[:1]
		if len(digits) > 1 {
			m += "." + digits[1:]
		}
		es := "+"
		if exp < 0 {
			es, exp = "-", -exp
		}
		return fmt.Sprintf("%s%se%s%02d", sign, m, es, exp)
	}
	switch {
	case decpt <= 0:
		return sign + "0." + strings.Repeat("0", -decpt) + digits
	case decpt >= len(digits):
		return sign + digits + strings.Repeat("0", decpt-len(digits)) + ".0"
	}
	return sign + digits[:decpt] + "." + digits[decpt:]
}

// ---- YAML (PyYAML safe_dump style, default_flow_style=False, sorted keys)

const yamlWidth = 80

type yamlEmitter struct {
	b       strings.Builder
	column  int
	anchors map[any]string // shared collections and their anchor names
	emitted map[any]bool
}

// identity returns a key naming the collection v as a Python object
// identity (nil for scalars and unidentifiable empty lists).
func identity(v any) any {
	switch t := v.(type) {
	case *value.Dict:
		return t
	case []any:
		if cap(t) > 0 {
			return struct {
				p *any
				n int
			}{unsafe.SliceData(t), len(t)}
		}
	}
	return nil
}

// assignAnchors walks v as PyYAML's serializer does (sorted keys) and
// names collections met a second time id001, id002, ... in that order.
func (e *yamlEmitter) assignAnchors(v any, seen map[any]bool) {
	id := identity(v)
	if id != nil {
		if seen[id] {
			if _, ok := e.anchors[id]; !ok {
				e.anchors[id] = fmt.Sprintf("id%03d", len(e.anchors)+1)
			}
			return
		}
		seen[id] = true
	}
	switch t := v.(type) {
	case *value.Dict:
		keys := append([]string(nil), t.Keys()...)
		sort.Strings(keys)
		for _, k := range keys {
			x, _ := t.Get(k)
			e.assignAnchors(x, seen)
		}
	case []any:
		for _, x := range t {
			e.assignAnchors(x, seen)
		}
	}
}

// anchorOrAlias writes " &idNNN" before the first emission of a shared
// collection and reports true (after writing " *idNNN") for later ones.
func (e *yamlEmitter) anchorOrAlias(v any, lead string) (alias bool) {
	id := identity(v)
	if id == nil {
		return false
	}
	name, ok := e.anchors[id]
	if !ok {
		return false
	}
	if e.emitted[id] {
		e.write(lead + "*" + name)
		return true
	}
	e.emitted[id] = true
	e.write(lead + "&" + name)
	return false
}

func (e *yamlEmitter) write(s string) {
	e.b.WriteString(s)
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		e.column = utf8.RuneCountInString(s[i+1:])
	} else {
		e.column += utf8.RuneCountInString(s)
	}
}

func (e *yamlEmitter) newline(indent int) {
	e.write("\n" + strings.Repeat(" ", indent))
}

// pyYAML renders v as yaml.dump(v, default_flow_style=False) does.
func pyYAML(v any) string {
	e := &yamlEmitter{anchors: map[any]string{}, emitted: map[any]bool{}}
	e.assignAnchors(v, map[any]bool{})
	switch t := v.(type) {
	case *value.Dict:
		if t.Len() > 0 {
			e.mapping(t, 0, true)
			e.write("\n")
			return e.b.String()
		}
	case []any:
		if len(t) > 0 {
			e.sequence(t, 0, true)
			e.write("\n")
			return e.b.String()
		}
	}
	e.scalarOrFlow(v, 0)
	e.write("\n")
	if _, ok := v.(string); ok || v == nil || isScalar(v) {
		e.write("...\n")
	}
	return e.b.String()
}

func isScalar(v any) bool {
	switch v.(type) {
	case *value.Dict, []any:
		return false
	}
	return true
}

func isEmptyCollection(v any) bool {
	switch t := v.(type) {
	case *value.Dict:
		return t.Len() == 0
	case []any:
		return len(t) == 0
	}
	return false
}

// mapping writes a block mapping whose keys start at column indent; first
// tells whether the cursor is already positioned at that column.
func (e *yamlEmitter) mapping(d *value.Dict, indent int, first bool) {
	keys := append([]string(nil), d.Keys()...)
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 || !first {
			e.newline(indent)
		}
		e.scalar(k, indent, true)
		e.write(":")
		v, _ := d.Get(k)
		if e.anchorOrAlias(v, " ") {
			continue
		}
		switch t := v.(type) {
		case *value.Dict:
			if t.Len() > 0 {
				e.newline(indent + 2)
				e.mapping(t, indent+2, true)
				continue
			}
		case []any:
			if len(t) > 0 {
				e.newline(indent)
				e.sequence(t, indent, true)
				continue
			}
		}
		e.write(" ")
		e.scalarOrFlow(v, indent+2)
	}
}

func (e *yamlEmitter) sequence(l []any, indent int, first bool) {
	for i, v := range l {
		if i > 0 || !first {
			e.newline(indent)
		}
		e.write("-")
		if e.anchorOrAlias(v, " ") {
			continue
		}
		if id := identity(v); id != nil && e.anchors[id] != "" && !isEmptyCollection(v) {
			e.newline(indent + 2)
		} else {
			e.write(" ")
		}
		switch t := v.(type) {
		case *value.Dict:
			if t.Len() > 0 {
				e.mapping(t, indent+2, true)
				continue
			}
		case []any:
			if len(t) > 0 {
				e.sequence(t, indent+2, true)
				continue
			}
		}
		e.scalarOrFlow(v, indent+2)
	}
}

func (e *yamlEmitter) scalarOrFlow(v any, indent int) {
	if isEmptyCollection(v) {
		if _, ok := v.(*value.Dict); ok {
			e.write("{}")
		} else {
			e.write("[]")
		}
		return
	}
	switch t := v.(type) {
	case nil:
		e.write("null")
	case bool:
		if t {
			e.write("true")
		} else {
			e.write("false")
		}
	case int:
		e.write(strconv.Itoa(t))
	case float64:
		switch {
		case math.IsInf(t, 1):
			e.write(".inf")
		case math.IsInf(t, -1):
			e.write("-.inf")
		case math.IsNaN(t):
			e.write(".nan")
		default:
			s := pyFloat(t)
			if !strings.Contains(s, ".") && strings.Contains(s, "e") {
				s = strings.Replace(s, "e", ".0e", 1)
			}
			e.write(s)
		}
	case string:
		e.scalar(t, indent, false)
	case value.Unsafe:
		e.scalar(string(t), indent, false)
	case *value.Vault:
		e.write("!vault |")
		for _, l := range strings.Split(strings.TrimRight(t.Ciphertext, "\n"), "\n") {
			e.newline(indent)
			e.write(l)
		}
	default:
		e.scalar(fmt.Sprint(v), indent, false)
	}
}

var reYAMLTimestamp = regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`)

// plainResolvesToStr reports whether PyYAML would read s, unquoted, back
// as the same string.
func plainResolvesToStr(s string) bool {
	if s == "=" || s == "<<" || reYAMLTimestamp.MatchString(s) {
		return false
	}
	v, err := value.ResolvePlain(s, "", posZero)
	if err != nil {
		return false
	}
	str, ok := v.(string)
	return ok && str == s
}

type scalarAnalysis struct {
	empty, multiline                                      bool
	allowFlowPlain, allowBlockPlain, allowSingle, allowDQ bool
}

func isBreak(r rune) bool { return r == '\n' || r == '\x85' || r == '\u2028' || r == '\u2029' }
func isWSOrEnd(r rune) bool {
	return r == 0 || r == ' ' || r == '\t' || r == '\r' || isBreak(r)
}

func analyze(s string) scalarAnalysis {
	if s == "" {
		return scalarAnalysis{empty: true, allowSingle: true, allowDQ: true}
	}
	rs := []rune(s)
	n := len(rs)
	var blockInd, flowInd, lineBreaks, special bool
	var leadSpace, leadBreak, trailSpace, trailBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		blockInd, flowInd = true, true
	}
	preceded := true
	followed := n == 1 || isWSOrEnd(rs[1])
	prevSpace, prevBreak := false, false
	for i, ch := range rs {
		if i == 0 {
			if strings.ContainsRune("#,[]{}&*!|>'\"%@`", ch) {
				flowInd, blockInd = true, true
			}
			if ch == '?' || ch == ':' {
				flowInd = true
				if followed {
					blockInd = true
				}
			}
			if ch == '-' && followed {
				flowInd, blockInd = true, true
			}
		} else {
			if strings.ContainsRune(",?[]{}", ch) {
				flowInd = true
			}
			if ch == ':' {
				flowInd = true
				if followed {
					blockInd = true
				}
			}
			if ch == '#' && preceded {
				flowInd, blockInd = true, true
			}
		}
		if isBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || ch >= 0x20 && ch <= 0x7e) {
			if (ch == 0x85 || ch >= 0xa0 && ch <= 0xd7ff || ch >= 0xe000 && ch <= 0xfffd || ch >= 0x10000 && ch < 0x10ffff) && ch != 0xfeff {
				// unicode allowed (allow_unicode=True)
			} else {
				special = true
			}
		}
		switch {
		case ch == ' ':
			if i == 0 {
				leadSpace = true
			}
			if i == n-1 {
				trailSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case isBreak(ch):
			if i == 0 {
				leadBreak = true
			}
			if i == n-1 {
				trailBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		preceded = isWSOrEnd(ch)
		followed = i+1 >= n-1 || isWSOrEnd(rs[i+2])
	}
	_ = spaceBreak
	a := scalarAnalysis{multiline: lineBreaks, allowFlowPlain: true, allowBlockPlain: true, allowSingle: true, allowDQ: true}
	if leadSpace || leadBreak || trailSpace || trailBreak {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if breakSpace {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingle = false, false, false
	}
	if special {
		a.allowFlowPlain, a.allowBlockPlain, a.allowSingle = false, false, false
	}
	if lineBreaks {
		a.allowFlowPlain, a.allowBlockPlain = false, false
	}
	if flowInd {
		a.allowFlowPlain = false
	}
	if blockInd {
		a.allowBlockPlain = false
	}
	return a
}

// scalar writes a string in the style PyYAML chooses; indent is the
// continuation indent for folded lines.
func (e *yamlEmitter) scalar(s string, indent int, isKey bool) {
	a := analyze(s)
	if plainResolvesToStr(s) && !(isKey && (a.empty || a.multiline)) && a.allowBlockPlain && !a.empty {
		e.writeFolded(s, indent, false, !isKey)
		return
	}
	if a.allowSingle && !(isKey && a.multiline) {
		e.writeSingleQuoted(s, indent, !isKey)
		return
	}
	e.writeDoubleQuoted(s)
}

func (e *yamlEmitter) writeFolded(s string, indent int, _ bool, split bool) {
	rs := []rune(s)
	start := 0
	spaces := false
	for end := 0; end <= len(rs); end++ {
		var ch rune = -1
		if end < len(rs) {
			ch = rs[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && e.column > yamlWidth && split {
					e.newline(indent)
				} else {
					e.write(string(rs[start:end]))
				}
				start = end
			}
		} else if ch == -1 || ch == ' ' {
			e.write(string(rs[start:end]))
			start = end
		}
		if ch != -1 {
			spaces = ch == ' '
		}
	}
}

func (e *yamlEmitter) writeSingleQuoted(s string, indent int, split bool) {
	e.write("'")
	rs := []rune(s)
	start := 0
	spaces, breaks := false, false
	for end := 0; end <= len(rs); end++ {
		var ch rune = -1
		if end < len(rs) {
			ch = rs[end]
		}
		switch {
		case spaces:
			if ch == -1 || ch != ' ' {
				if start+1 == end && e.column > yamlWidth && split && start != 0 && end != len(rs) {
					e.newline(indent)
				} else {
					e.write(string(rs[start:end]))
				}
				start = end
			}
		case breaks:
			if ch == -1 || !isBreak(ch) {
				if rs[start] == '\n' {
					e.write("\n")
				}
				for _, br := range rs[start:end] {
					if br == '\n' {
						e.write("\n")
					} else {
						e.write(string(br))
					}
				}
				e.write(strings.Repeat(" ", indent))
				start = end
			}
		default:
			if ch == -1 || ch == ' ' || isBreak(ch) || ch == '\'' {
				if start < end {
					e.write(string(rs[start:end]))
					start = end
				}
			}
		}
		if ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if ch != -1 {
			spaces = ch == ' '
			breaks = isBreak(ch)
		}
	}
	e.write("'")
}

func (e *yamlEmitter) writeDoubleQuoted(s string) {
	repl := map[rune]string{0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 27: "e", '"': "\"", '\\': "\\", 0x85: "N", 0xa0: "_", 0x2028: "L", 0x2029: "P"}
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		if x, ok := repl[r]; ok {
			b.WriteString(`\` + x)
			continue
		}
		if r >= 0x20 && r <= 0x7e || (r >= 0xa0 && r <= 0xd7ff || r >= 0xe000 && r <= 0xfffd || r >= 0x10000 && r < 0x10ffff) && r != 0xfeff {
			b.WriteRune(r)
			continue
		}
		switch {
		case r <= 0xff:
			fmt.Fprintf(&b, `\x%02X`, r)
		case r <= 0xffff:
			fmt.Fprintf(&b, `\u%04X`, r)
		default:
			fmt.Fprintf(&b, `\U%08X`, r)
		}
	}
	b.WriteByte('"')
	e.write(b.String())
}
