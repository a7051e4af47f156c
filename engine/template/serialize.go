package template

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gopkg.in/yaml.v3"

	"octopus/engine/value"
)

type jsonOpts struct {
	indent      int
	sortKeys    bool
	ensureASCII bool
	itemSep     string
	keySep      string
}

// toJSON renders v as Python's json.dumps would.
func toJSON(v any, o jsonOpts) (string, error) {
	if o.itemSep == "" {
		o.itemSep = ", "
		if o.indent > 0 {
			o.itemSep = ","
		}
	}
	if o.keySep == "" {
		o.keySep = ": "
	}
	var b strings.Builder
	if err := writeJSON(&b, v, o, 0); err != nil {
		return "", err
	}
	return b.String(), nil
}

func jsonString(s string, ascii bool) string {
	var b strings.Builder
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
			if r < 0x20 || (ascii && r > 0x7e) {
				if r > 0xffff {
					r -= 0x10000
					fmt.Fprintf(&b, `\u%04x\u%04x`, 0xd800+(r>>10), 0xdc00+(r&0x3ff))
				} else {
					fmt.Fprintf(&b, `\u%04x`, r)
				}
			} else {
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

func writeJSON(b *strings.Builder, v any, o jsonOpts, depth int) error {
	nl := func(d int) {
		if o.indent > 0 {
			b.WriteByte('\n')
			b.WriteString(strings.Repeat(" ", o.indent*d))
		}
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case int:
		b.WriteString(strconv.Itoa(x))
	case float64:
		switch {
		case math.IsNaN(x):
			b.WriteString("NaN")
		case math.IsInf(x, 1):
			b.WriteString("Infinity")
		case math.IsInf(x, -1):
			b.WriteString("-Infinity")
		default:
			b.WriteString(pyFloat(x))
		}
	case string:
		b.WriteString(jsonString(x, o.ensureASCII))
	case value.Unsafe:
		b.WriteString(jsonString(string(x), o.ensureASCII))
	case pyTuple:
		return writeJSON(b, []any(x), o, depth)
	case []any:
		if len(x) == 0 {
			b.WriteString("[]")
			return nil
		}
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(o.itemSep)
			}
			nl(depth + 1)
			if err := writeJSON(b, e, o, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte(']')
	case *Undefined:
		return x.err()
	case *value.Vault:
		b.WriteString(jsonString(x.Ciphertext, o.ensureASCII))
	default:
		keys, get := dictView(v)
		if keys == nil {
			return fmt.Errorf("Object of type %s is not JSON serializable", typeName(v))
		}
		if len(keys) == 0 {
			b.WriteString("{}")
			return nil
		}
		if o.sortKeys {
			keys = append([]string{}, keys...)
			sort.Strings(keys)
		}
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(o.itemSep)
			}
			nl(depth + 1)
			b.WriteString(jsonString(k, o.ensureASCII))
			b.WriteString(o.keySep)
			e, _ := get(k)
			if err := writeJSON(b, e, o, depth+1); err != nil {
				return err
			}
		}
		nl(depth)
		b.WriteByte('}')
	}
	return nil
}

// fromJSON parses JSON keeping key order.
func fromJSON(s string) (any, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSON(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("Extra data")
	}
	return v, nil
}

func decodeJSON(dec *json.Decoder) (any, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			d := value.NewDict(0)
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				d.Set(kt.(string), v)
			}
			_, err := dec.Token()
			return d, err
		case '[':
			l := []any{}
			for dec.More() {
				v, err := decodeJSON(dec)
				if err != nil {
					return nil, err
				}
				l = append(l, v)
			}
			_, err := dec.Token()
			return l, err
		}
	case json.Number:
		if i, err := strconv.Atoi(t.String()); err == nil {
			return i, nil
		}
		f, err := t.Float64()
		return f, err
	}
	return tok, nil
}

// fromYAML parses YAML with PyYAML typing and key order.
func fromYAML(s string, all bool) (any, error) {
	dec := yaml.NewDecoder(strings.NewReader(s))
	var docs []any
	for {
		var n yaml.Node
		err := dec.Decode(&n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		v, err := value.FromYAML(&n, "")
		if err != nil {
			return nil, err
		}
		docs = append(docs, v)
		if !all {
			break
		}
	}
	if all {
		if docs == nil {
			return []any{}, nil
		}
		return docs, nil
	}
	if len(docs) == 0 {
		return nil, nil
	}
	return docs[0], nil
}

type yamlOpts struct {
	indent int
	width  int
	flow   bool // default_flow_style=None: collections of scalars inline
}

// toYAML renders v as yaml.dump with Ansible's dumper (libyaml's
// CSafeDumper): sorted keys, indentless sequences in mappings, scalar
// style chosen by the emitter's analysis, folding at width.
func toYAML(v any, o yamlOpts) (string, error) {
	if err := failOnUndefined(v); err != nil {
		return "", err
	}
	if o.indent < 2 || o.indent > 9 {
		o.indent = 2
	}
	if o.width <= o.indent*2 {
		o.width = 80
	}
	e := &yamlEmitter{bestIndent: o.indent, bestWidth: o.width, flowStyle: o.flow, indent: -1, whitespace: true, indention: true}
	if err := e.node(v, true, false, false, false); err != nil {
		return "", err
	}
	// implicit document end; libyaml (used by Ansible) writes no "..."
	// after an open-ended plain scalar.
	e.writeIndent()
	return e.b.String(), nil
}

type yamlEmitter struct {
	b                     strings.Builder
	column                int
	whitespace, indention bool
	openEnded             bool
	indent                int
	indents               []int
	bestIndent, bestWidth int
	flowLevel             int
	flowStyle             bool
	rootCtx, mappingCtx   bool
	simpleKeyCtx          bool
}

func (e *yamlEmitter) increaseIndent(flow, indentless bool) {
	e.indents = append(e.indents, e.indent)
	if e.indent < 0 {
		if flow {
			e.indent = e.bestIndent
		} else {
			e.indent = 0
		}
	} else if !indentless {
		e.indent += e.bestIndent
	}
}

func (e *yamlEmitter) popIndent() {
	e.indent = e.indents[len(e.indents)-1]
	e.indents = e.indents[:len(e.indents)-1]
}

func (e *yamlEmitter) write(s string) {
	e.column += utf8.RuneCountInString(s)
	e.b.WriteString(s)
}

func (e *yamlEmitter) writeLineBreak() {
	e.whitespace, e.indention = true, true
	e.b.WriteByte('\n')
	e.column = 0
}

func (e *yamlEmitter) writeIndent() {
	indent := max(e.indent, 0)
	if !e.indention || e.column > indent || (e.column == indent && !e.whitespace) {
		e.writeLineBreak()
	}
	if e.column < indent {
		e.whitespace = true
		e.write(strings.Repeat(" ", indent-e.column))
	}
}

func (e *yamlEmitter) writeIndicator(ind string, needWhitespace, whitespace, indention bool) {
	data := ind
	if !e.whitespace && needWhitespace {
		data = " " + ind
	}
	e.whitespace = whitespace
	e.indention = e.indention && indention
	e.openEnded = false
	e.write(data)
}

func yamlChildrenScalar(v any) bool {
	switch x := v.(type) {
	case []any:
		for _, c := range x {
			if isCollection(c) {
				return false
			}
		}
		return true
	}
	keys, get := dictView(v)
	for _, k := range keys {
		c, _ := get(k)
		if isCollection(c) {
			return false
		}
	}
	return true
}

func (e *yamlEmitter) node(v any, root, sequence, mapping, simpleKey bool) error {
	e.rootCtx, e.mappingCtx, e.simpleKeyCtx = root, mapping, simpleKey
	if t, ok := v.(pyTuple); ok {
		v = []any(t)
	}
	switch x := v.(type) {
	case []any:
		if e.flowLevel > 0 || len(x) == 0 || (e.flowStyle && yamlChildrenScalar(x)) {
			return e.flowSequence(x)
		}
		return e.blockSequence(x)
	}
	if keys, get := dictView(v); keys != nil {
		keys = append([]string{}, keys...)
		sort.Strings(keys)
		if e.flowLevel > 0 || len(keys) == 0 || (e.flowStyle && yamlChildrenScalar(v)) {
			return e.flowMapping(keys, get)
		}
		return e.blockMapping(keys, get)
	}
	text, isStr, err := yamlScalarText(v)
	if err != nil {
		return err
	}
	e.increaseIndent(true, false)
	e.scalar(text, isStr)
	e.popIndent()
	return nil
}

func (e *yamlEmitter) flowSequence(l []any) error {
	e.writeIndicator("[", true, true, false)
	e.flowLevel++
	e.increaseIndent(true, false)
	for i, it := range l {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.bestWidth {
			e.writeIndent()
		}
		if err := e.node(it, false, true, false, false); err != nil {
			return err
		}
	}
	e.popIndent()
	e.flowLevel--
	e.writeIndicator("]", false, false, false)
	return nil
}

func (e *yamlEmitter) flowMapping(keys []string, get func(string) (any, bool)) error {
	e.writeIndicator("{", true, true, false)
	e.flowLevel++
	e.increaseIndent(true, false)
	for i, k := range keys {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.bestWidth {
			e.writeIndent()
		}
		if err := e.node(k, false, false, true, true); err != nil {
			return err
		}
		e.writeIndicator(":", false, false, false)
		val, _ := get(k)
		if err := e.node(val, false, false, true, false); err != nil {
			return err
		}
	}
	e.popIndent()
	e.flowLevel--
	e.writeIndicator("}", false, false, false)
	return nil
}

func (e *yamlEmitter) blockSequence(l []any) error {
	indentless := e.mappingCtx && !e.indention
	e.increaseIndent(false, indentless)
	for _, it := range l {
		e.writeIndent()
		e.writeIndicator("-", true, false, true)
		if err := e.node(it, false, true, false, false); err != nil {
			return err
		}
	}
	e.popIndent()
	return nil
}

func (e *yamlEmitter) blockMapping(keys []string, get func(string) (any, bool)) error {
	e.increaseIndent(false, false)
	for _, k := range keys {
		e.writeIndent()
		if err := e.node(k, false, false, true, true); err != nil {
			return err
		}
		e.writeIndicator(":", false, false, false)
		val, _ := get(k)
		if err := e.node(val, false, false, true, false); err != nil {
			return err
		}
	}
	e.popIndent()
	return nil
}

// yamlScalarText is the representer: text of a scalar and whether it is a string.
func yamlScalarText(v any) (string, bool, error) {
	switch x := v.(type) {
	case nil:
		return "null", false, nil
	case bool:
		if x {
			return "true", false, nil
		}
		return "false", false, nil
	case int:
		return strconv.Itoa(x), false, nil
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan", false, nil
		case math.IsInf(x, 1):
			return ".inf", false, nil
		case math.IsInf(x, -1):
			return "-.inf", false, nil
		}
		r := strings.ToLower(pyFloat(x))
		if !strings.Contains(r, ".") && strings.Contains(r, "e") {
			r = strings.Replace(r, "e", ".0e", 1)
		}
		return r, false, nil
	case string:
		return x, true, nil
	case value.Unsafe:
		return string(x), true, nil
	case *value.Vault:
		return x.Ciphertext, true, nil
	}
	return "", false, fmt.Errorf("cannot represent an object: %s", repr(v))
}

var yamlImplicit = []*regexp.Regexp{
	regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`),
	regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`),
	regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`),
	regexp.MustCompile(`^(?:<<)$`),
	regexp.MustCompile(`^(?:~|null|Null|NULL|)$`),
	regexp.MustCompile(`^(?:[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?(?:[Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]:[0-9][0-9](?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9][0-9]?(?::[0-9][0-9])?))?)$`),
	regexp.MustCompile(`^(?:=)$`),
}

type yamlAnalysis struct {
	empty, multiline                             bool
	flowPlain, blockPlain, singleQuoted, blockOK bool
}

func isYAMLBreak(r rune) bool  { return r == '\n' || r == 0x85 || r == 0x2028 || r == 0x2029 }
func isYAMLSpaceZ(r rune) bool { return r == 0 || r == ' ' || r == '\t' || r == '\r' || isYAMLBreak(r) }

// isYAMLPrintU is libyaml's notion of a printable non-ASCII character
// (Ansible dumps with the C SafeDumper): no NEL, nothing beyond the BMP.
func isYAMLPrintU(r rune) bool {
	return (r >= 0xA0 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD) && r != 0xFEFF
}

func analyzeYAML(s string) yamlAnalysis {
	if s == "" {
		return yamlAnalysis{empty: true, blockPlain: true, singleQuoted: true}
	}
	rs := []rune(s)
	var flowInd, blockInd, lineBreaks, special bool
	var leadSpace, leadBreak, trailSpace, trailBreak, breakSpace, spaceBreak bool
	if strings.HasPrefix(s, "---") || strings.HasPrefix(s, "...") {
		flowInd, blockInd = true, true
	}
	preceded := true
	followed := len(rs) == 1 || isYAMLSpaceZ(rs[1])
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
		if isYAMLBreak(ch) {
			lineBreaks = true
		}
		if !(ch == '\n' || ch >= 0x20 && ch <= 0x7E) {
			if !isYAMLPrintU(ch) {
				special = true
			}
		}
		switch {
		case ch == ' ':
			if i == 0 {
				leadSpace = true
			}
			if i == len(rs)-1 {
				trailSpace = true
			}
			if prevBreak {
				breakSpace = true
			}
			prevSpace, prevBreak = true, false
		case isYAMLBreak(ch):
			if i == 0 {
				leadBreak = true
			}
			if i == len(rs)-1 {
				trailBreak = true
			}
			if prevSpace {
				spaceBreak = true
			}
			prevSpace, prevBreak = false, true
		default:
			prevSpace, prevBreak = false, false
		}
		preceded = isYAMLSpaceZ(ch)
		followed = i+2 >= len(rs) || isYAMLSpaceZ(rs[i+2])
	}
	a := yamlAnalysis{multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, blockOK: true}
	if leadSpace || leadBreak || trailSpace || trailBreak {
		a.flowPlain, a.blockPlain = false, false
	}
	if trailSpace {
		a.blockOK = false
	}
	if breakSpace {
		a.flowPlain, a.blockPlain, a.singleQuoted = false, false, false
	}
	if spaceBreak || special {
		a.flowPlain, a.blockPlain, a.singleQuoted, a.blockOK = false, false, false, false
	}
	if lineBreaks {
		a.flowPlain, a.blockPlain = false, false
	}
	if flowInd {
		a.flowPlain = false
	}
	if blockInd {
		a.blockPlain = false
	}
	return a
}

func (e *yamlEmitter) scalar(text string, isStr bool) {
	implicit := true
	if isStr {
		for _, re := range yamlImplicit {
			if re.MatchString(text) {
				implicit = false
				break
			}
		}
	}
	a := analyzeYAML(text)
	split := !e.simpleKeyCtx
	if implicit && !(e.simpleKeyCtx && (a.empty || a.multiline)) && (e.flowLevel > 0 && a.flowPlain || e.flowLevel == 0 && a.blockPlain) {
		e.writePlain(text, split)
		return
	}
	if a.singleQuoted && !(e.simpleKeyCtx && a.multiline) {
		e.writeSingleQuoted(text, split)
		return
	}
	e.writeDoubleQuoted(text, split)
}

func (e *yamlEmitter) writePlain(text string, split bool) {
	if e.rootCtx {
		e.openEnded = true
	}
	if text == "" {
		return
	}
	if !e.whitespace {
		e.write(" ")
	}
	e.whitespace, e.indention = false, false
	rs := []rune(text)
	spaces := false
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune = -1
		if end < len(rs) {
			ch = rs[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && e.column > e.bestWidth && split {
					e.writeIndent()
					e.whitespace, e.indention = false, false
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

func (e *yamlEmitter) writeSingleQuoted(text string, split bool) {
	e.writeIndicator("'", true, false, false)
	rs := []rune(text)
	spaces, breaks := false, false
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune = -1
		if end < len(rs) {
			ch = rs[end]
		}
		if spaces {
			if ch != ' ' {
				if start+1 == end && e.column > e.bestWidth && split && start != 0 && end != len(rs) {
					e.writeIndent()
				} else {
					e.write(string(rs[start:end]))
				}
				start = end
			}
		} else if breaks {
			if ch == -1 || !isYAMLBreak(ch) {
				if rs[start] == '\n' {
					e.writeLineBreak()
				}
				for _, br := range rs[start:end] {
					if br == '\n' {
						e.writeLineBreak()
					} else {
						e.b.WriteRune(br)
						e.column = 0
					}
				}
				e.writeIndent()
				start = end
			}
		} else if ch == -1 || ch == ' ' || isYAMLBreak(ch) || ch == '\'' {
			if start < end {
				e.write(string(rs[start:end]))
				start = end
			}
		}
		if ch == '\'' {
			e.write("''")
			start = end + 1
		}
		if ch != -1 {
			spaces = ch == ' '
			breaks = isYAMLBreak(ch)
		}
	}
	e.writeIndicator("'", false, false, false)
}

var yamlEscapes = map[rune]string{0: "0", 7: "a", 8: "b", 9: "t", 10: "n", 11: "v", 12: "f", 13: "r", 27: "e", '"': "\"", '\\': "\\", 0x85: "N", 0xA0: "_", 0x2028: "L", 0x2029: "P"}

func (e *yamlEmitter) writeDoubleQuoted(text string, split bool) {
	e.writeIndicator("\"", true, false, false)
	rs := []rune(text)
	start := 0
	for end := 0; end <= len(rs); end++ {
		var ch rune = -1
		if end < len(rs) {
			ch = rs[end]
		}
		_, esc := yamlEscapes[ch]
		if ch == -1 || esc || !(ch >= 0x20 && ch <= 0x7E || isYAMLPrintU(ch)) {
			if start < end {
				e.write(string(rs[start:end]))
				start = end
			}
			if ch != -1 {
				var data string
				if r, ok := yamlEscapes[ch]; ok {
					data = "\\" + r
				} else if ch <= 0xFF {
					data = fmt.Sprintf("\\x%02X", ch)
				} else if ch <= 0xFFFF {
					data = fmt.Sprintf("\\u%04X", ch)
				} else {
					data = fmt.Sprintf("\\U%08X", ch)
				}
				e.write(data)
				start = end + 1
			}
		}
		if end > 0 && end < len(rs)-1 && (ch == ' ' || start >= end) && e.column+(end-start) > e.bestWidth && split {
			e.write(string(rs[start:end]) + "\\")
			if start < end {
				start = end
			}
			e.writeIndent()
			e.whitespace, e.indention = false, false
			if rs[start] == ' ' {
				e.write("\\")
			}
		}
	}
	e.writeIndicator("\"", false, false, false)
}

// strftime formats t with Python/C strftime directives.
func strftime(f string, t time.Time) string {
	var b strings.Builder
	for i := 0; i < len(f); i++ {
		if f[i] != '%' || i+1 >= len(f) {
			b.WriteByte(f[i])
			continue
		}
		i++
		switch f[i] {
		case 'Y':
			fmt.Fprintf(&b, "%04d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			h := t.Hour() % 12
			if h == 0 {
				h = 12
			}
			fmt.Fprintf(&b, "%02d", h)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			if t.Hour() < 12 {
				b.WriteString("AM")
			} else {
				b.WriteString("PM")
			}
		case 'a':
			b.WriteString(t.Weekday().String()[:3])
		case 'A':
			b.WriteString(t.Weekday().String())
		case 'b', 'h':
			b.WriteString(t.Month().String()[:3])
		case 'B':
			b.WriteString(t.Month().String())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'Z':
			z, _ := t.Zone()
			b.WriteString(z)
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 's':
			fmt.Fprintf(&b, "%d", t.Unix())
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'u':
			w := int(t.Weekday())
			if w == 0 {
				w = 7
			}
			fmt.Fprintf(&b, "%d", w)
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case 'c':
			b.WriteString(t.Format("Mon Jan _2 15:04:05 2006"))
		case 'x':
			b.WriteString(t.Format("01/02/06"))
		case 'X':
			b.WriteString(t.Format("15:04:05"))
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(f[i])
		}
	}
	return b.String()
}
