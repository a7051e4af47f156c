package pyfmt

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
	"unsafe"

	"octopus/engine/value"
)

// YAMLOptions are the yaml.dump arguments Ansible's dumper (libyaml's
// CSafeDumper, keys sorted, allow_unicode=True) is called with.
type YAMLOptions struct {
	// Indent is indent= (2 to 9; anything else means 2).
	Indent int
	// Width is width= (80 when not above 2*Indent).
	Width int
	// FlowStyle is default_flow_style=None: collections whose items are
	// all scalars are written inline ([a, b], {k: v}); otherwise block
	// style throughout (default_flow_style=False).
	FlowStyle bool
	// Anchors marks collections that occur more than once (the same
	// *value.Dict or list) with &id001 and writes later occurrences as
	// *id001, as the serializer does for shared Python objects.
	Anchors bool
	// VaultTag writes a vault as AnsibleDumper does: a "!vault |" literal
	// block of its ciphertext. Otherwise a vault is its ciphertext string.
	VaultTag bool
	// LiteralMultiline is the representer of community.general's yaml
	// callback: a string holding a line break loses its trailing
	// whitespace, control characters, tabs (expanded), \v \f \r and
	// spaces before line ends, and is written as a literal block ("|-")
	// where the emitter allows one.
	LiteralMultiline bool
}

// YAML renders v as yaml.dump with Ansible's dumper and options o: keys
// sorted, sequences inside mappings not indented, each string in the
// style libyaml's analysis picks, long lines folded at the width. Values
// with no YAML form (other than nil, bools, numbers, strings, vaults,
// lists, tuples and mappings) are an error naming their repr.
func YAML(v any, o YAMLOptions) (string, error) {
	if o.Indent < 2 || o.Indent > 9 {
		o.Indent = 2
	}
	if o.Width <= o.Indent*2 {
		o.Width = 80
	}
	e := &yamlEmitter{bestIndent: o.Indent, bestWidth: o.Width, flowStyle: o.FlowStyle, vaultTag: o.VaultTag, literal: o.LiteralMultiline, indent: -1, whitespace: true, indention: true}
	if o.Anchors {
		e.anchors, e.emitted = map[any]string{}, map[any]bool{}
		e.assignAnchors(v, map[any]bool{})
	}
	if err := e.node(v, true, false, false, false); err != nil {
		return "", err
	}
	// implicit document end; libyaml writes no "..." after an open-ended
	// plain scalar.
	e.writeIndent()
	if e.keepEnd {
		e.write("...\n")
	}
	return e.b.String(), nil
}

// yamlItems returns the items of a sequence value.
func yamlItems(v any) ([]any, bool) {
	switch x := v.(type) {
	case []any:
		return x, true
	case Tuple:
		return x, true
	case []string:
		l := make([]any, len(x))
		for i, s := range x {
			l[i] = s
		}
		return l, true
	}
	return nil, false
}

// yamlMapping returns the sorted keys and the getter of a mapping value.
func yamlMapping(v any) ([]string, func(string) (any, bool), bool) {
	switch x := v.(type) {
	case Mapping:
		keys := append([]string{}, x.Keys()...)
		sort.Strings(keys)
		return keys, x.Get, true
	case map[string]any:
		d := SortedDict(x)
		return d.Keys(), d.Get, true
	}
	return nil, nil, false
}

func isYAMLCollection(v any) bool {
	if _, ok := yamlItems(v); ok {
		return true
	}
	_, _, ok := yamlMapping(v)
	return ok
}

// identity names a collection as a Python object identity (nil for
// scalars and lists without storage).
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

// assignAnchors walks v as the serializer does (sorted keys) and names
// the collections met a second time id001, id002, ... in that order.
func (e *yamlEmitter) assignAnchors(v any, seen map[any]bool) {
	if id := identity(v); id != nil {
		if seen[id] {
			if _, ok := e.anchors[id]; !ok {
				e.anchors[id] = fmt.Sprintf("id%03d", len(e.anchors)+1)
			}
			return
		}
		seen[id] = true
	}
	if l, ok := yamlItems(v); ok {
		for _, x := range l {
			e.assignAnchors(x, seen)
		}
	} else if keys, get, ok := yamlMapping(v); ok {
		for _, k := range keys {
			x, _ := get(k)
			e.assignAnchors(x, seen)
		}
	}
}

// anchor writes " &idNNN" before the first emission of a shared
// collection, or " *idNNN" for a later one and reports alias=true.
func (e *yamlEmitter) anchor(v any) (alias bool) {
	id := identity(v)
	if id == nil || e.anchors == nil {
		return false
	}
	name, ok := e.anchors[id]
	if !ok {
		return false
	}
	if e.emitted[id] {
		e.writeIndicator("*"+name, true, false, false)
		return true
	}
	e.emitted[id] = true
	e.writeIndicator("&"+name, true, false, false)
	return false
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
	vaultTag, literal     bool
	keepEnd               bool           // a "|+" block was written: the document ends with "..."
	anchors               map[any]string // shared collections and their anchor names
	emitted               map[any]bool
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
	if l, ok := yamlItems(v); ok {
		for _, c := range l {
			if isYAMLCollection(c) {
				return false
			}
		}
		return true
	}
	keys, get, _ := yamlMapping(v)
	for _, k := range keys {
		c, _ := get(k)
		if isYAMLCollection(c) {
			return false
		}
	}
	return true
}

func (e *yamlEmitter) node(v any, root, sequence, mapping, simpleKey bool) error {
	e.rootCtx, e.mappingCtx, e.simpleKeyCtx = root, mapping, simpleKey
	if x, ok := yamlItems(v); ok {
		if e.anchor(v) {
			return nil
		}
		if e.flowLevel > 0 || len(x) == 0 || (e.flowStyle && yamlChildrenScalar(x)) {
			return e.flowSequence(x)
		}
		return e.blockSequence(x)
	}
	if keys, get, ok := yamlMapping(v); ok {
		if e.anchor(v) {
			return nil
		}
		if e.flowLevel > 0 || len(keys) == 0 || (e.flowStyle && yamlChildrenScalar(v)) {
			return e.flowMapping(keys, get)
		}
		return e.blockMapping(keys, get)
	}
	if vt, ok := v.(*value.Vault); ok && e.vaultTag {
		e.increaseIndent(true, false)
		e.vault(vt.Ciphertext)
		e.popIndent()
		return nil
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

// vault writes "!vault |" and the ciphertext's lines as a literal block.
func (e *yamlEmitter) vault(text string) {
	e.writeIndicator("!vault", true, false, false)
	e.writeIndicator("|", true, false, false)
	for _, l := range strings.Split(strings.TrimRight(text, "\n"), "\n") {
		e.writeLineBreak()
		e.write(strings.Repeat(" ", max(e.indent, 0)) + l)
	}
	e.whitespace, e.indention = false, false
}

func (e *yamlEmitter) flowSequence(l []any) error {
	return e.flowCollection("[", "]", len(l), func(i int) error { return e.node(l[i], false, true, false, false) })
}

func (e *yamlEmitter) flowMapping(keys []string, get func(string) (any, bool)) error {
	return e.flowCollection("{", "}", len(keys), func(i int) error { return e.mappingItem(keys[i], get) })
}

// flowCollection writes n items, each by item(i), as a flow sequence or
// mapping between the open and close indicators.
func (e *yamlEmitter) flowCollection(open, close string, n int, item func(i int) error) error {
	e.writeIndicator(open, true, true, false)
	e.flowLevel++
	e.increaseIndent(true, false)
	for i := 0; i < n; i++ {
		if i > 0 {
			e.writeIndicator(",", false, false, false)
		}
		if e.column > e.bestWidth {
			e.writeIndent()
		}
		if err := item(i); err != nil {
			return err
		}
	}
	e.popIndent()
	e.flowLevel--
	e.writeIndicator(close, false, false, false)
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
		if err := e.mappingItem(k, get); err != nil {
			return err
		}
	}
	e.popIndent()
	return nil
}

// mappingItem writes key k, the ":" and k's value: "k: v" for a simple
// key, else the explicit "? k" and ": v" (in block style on a line of
// its own).
func (e *yamlEmitter) mappingItem(k string, get func(string) (any, bool)) error {
	if e.simpleKey(k) {
		if err := e.node(k, false, false, true, true); err != nil {
			return err
		}
		e.writeIndicator(":", false, false, false)
	} else {
		block := e.flowLevel == 0
		e.writeIndicator("?", true, false, block)
		if err := e.node(k, false, false, true, false); err != nil {
			return err
		}
		if block || e.column > e.bestWidth {
			e.writeIndent()
		}
		e.writeIndicator(":", true, false, block)
	}
	val, _ := get(k)
	return e.node(val, false, false, true, false)
}

// simpleKey reports whether key k can be written as "k: v" (else it
// takes the explicit "? k" form): at most 128 bytes and on one line.
func (e *yamlEmitter) simpleKey(k string) bool {
	kt := e.represent(k)
	return len(kt) <= 128 && !analyzeYAML(kt).multiline
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
	case int64:
		return strconv.FormatInt(x, 10), false, nil
	case float64:
		switch {
		case math.IsNaN(x):
			return ".nan", false, nil
		case math.IsInf(x, 1):
			return ".inf", false, nil
		case math.IsInf(x, -1):
			return "-.inf", false, nil
		}
		r := strings.ToLower(Float(x))
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
	switch rv := reflect.ValueOf(v); rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), false, nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), false, nil
	case reflect.Float32:
		return yamlScalarText(rv.Float())
	}
	return "", false, fmt.Errorf("cannot represent an object: %s", Repr(v))
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

// isYAMLBreak is libyaml's IS_BREAK (which, unlike PyYAML, counts \r).
func isYAMLBreak(r rune) bool {
	return r == '\n' || r == '\r' || r == 0x85 || r == 0x2028 || r == 0x2029
}
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
	var edgeSpace, trailSpace, breakSpace, spaceBreak bool
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
		space, brk := ch == ' ', isYAMLBreak(ch)
		if (space || brk) && (i == 0 || i == len(rs)-1) {
			edgeSpace = true // a leading or trailing space or line break
		}
		trailSpace = trailSpace || space && i == len(rs)-1
		breakSpace = breakSpace || space && prevBreak
		spaceBreak = spaceBreak || brk && prevSpace
		prevSpace, prevBreak = space, brk
		preceded = isYAMLSpaceZ(ch)
		followed = i+2 >= len(rs) || isYAMLSpaceZ(rs[i+2])
	}
	a := yamlAnalysis{multiline: lineBreaks, flowPlain: true, blockPlain: true, singleQuoted: true, blockOK: true}
	if edgeSpace {
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
	if isStr && e.literal && strings.ContainsAny(text, blockChars) {
		text = e.represent(text)
		if a := analyzeYAML(text); a.blockOK && !a.empty && e.flowLevel == 0 && !e.simpleKeyCtx {
			e.writeLiteral(text)
		} else {
			e.writeDoubleQuoted(text, !e.simpleKeyCtx)
		}
		return
	}
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

var (
	reOddSpace      = regexp.MustCompile(`[\x0b\x0c\r]`)
	reTrailingSpace = regexp.MustCompile(` +\n`)
)

// blockChars are those that make the yaml callback ask for a block.
const blockChars = "\n\r\x1c\x1d\x1e\u0085\u2028\u2029"

// represent is the text the representer hands the emitter for string s.
func (e *yamlEmitter) represent(s string) string {
	if e.literal && strings.ContainsAny(s, blockChars) {
		return blockText(s)
	}
	return s
}

// blockText is the yaml callback's clean-up of a multi-line string.
func blockText(s string) string {
	s = strings.TrimRightFunc(s, isPySpace)
	s = strings.Map(func(r rune) rune {
		if r < 0xa0 && !(r >= 0x20 && r < 0x7f || strings.ContainsRune(" \t\n\r\x0b\x0c", r)) {
			return -1
		}
		return r
	}, s)
	s = expandTabsOnly(s)
	s = reOddSpace.ReplaceAllString(s, "")
	return reTrailingSpace.ReplaceAllString(s, "\n")
}

// isPySpace is Python's str.isspace for one character.
func isPySpace(r rune) bool { return unicode.IsSpace(r) || r >= 0x1c && r <= 0x1f }

// writeLiteral writes a literal block scalar with libyaml's indentation
// and chomping indicators.
func (e *yamlEmitter) writeLiteral(text string) {
	e.writeIndicator("|", true, false, false)
	e.keepEnd = false
	rs := []rune(text)
	if rs[0] == ' ' || isYAMLBreak(rs[0]) {
		e.writeIndicator(strconv.Itoa(e.bestIndent), false, false, false)
	}
	switch n := len(rs); {
	case !isYAMLBreak(rs[n-1]):
		e.writeIndicator("-", false, false, false)
	case n == 1 || isYAMLBreak(rs[n-2]):
		e.writeIndicator("+", false, false, false)
		e.keepEnd = true
	}
	e.writeLineBreak()
	breaks := true
	for _, r := range rs {
		if isYAMLBreak(r) {
			if r == '\n' {
				e.writeLineBreak()
			} else {
				e.b.WriteRune(r)
				e.column = 0
			}
			e.indention, breaks = true, true
			continue
		}
		if breaks {
			e.writeIndent()
		}
		e.write(string(r))
		e.indention, breaks = false, false
	}
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

// writeDoubleQuoted is libyaml's double-quoted writer: escapes for
// what is not printable, breaks and quotes; folding at a single space
// once the line is past the width.
func (e *yamlEmitter) writeDoubleQuoted(text string, split bool) {
	e.writeIndicator("\"", true, false, false)
	rs := []rune(text)
	spaces := false
	for i, ch := range rs {
		switch {
		case ch == '"' || ch == '\\' || isYAMLBreak(ch) || !(ch >= 0x20 && ch <= 0x7E || isYAMLPrintU(ch)):
			switch r, ok := yamlEscapes[ch]; {
			case ok:
				e.write("\\" + r)
			case ch <= 0xFF:
				e.write(fmt.Sprintf("\\x%02X", ch))
			case ch <= 0xFFFF:
				e.write(fmt.Sprintf("\\u%04X", ch))
			default:
				e.write(fmt.Sprintf("\\U%08X", ch))
			}
			spaces = false
		case ch == ' ':
			if split && !spaces && e.column > e.bestWidth && i != 0 && i != len(rs)-1 {
				e.writeIndent()
				if rs[i+1] == ' ' {
					e.write("\\")
				}
			} else {
				e.write(" ")
			}
			spaces = true
		default:
			e.write(string(ch))
			spaces = false
		}
	}
	e.writeIndicator("\"", false, false, false)
}
