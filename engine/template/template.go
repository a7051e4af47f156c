// Package template renders Jinja2 the way Ansible 2.14 does
// (jinja2_native=False): task arguments, conditionals and template files.
//
// gonja runs the template statements (text, blocks, loops, macros,
// whitespace control); every expression is parsed and evaluated by this
// package so that Python semantics (types, repr, ordering, errors) hold.
package template

import (
	"crypto/sha1"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nikolalohinski/gonja/v2/builtins"
	"github.com/nikolalohinski/gonja/v2/config"
	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/loaders"

	"octopus/engine/value"
)

// Vars resolves variable names lazily (the executor implements it over its
// precedence layers; values may themselves contain templates, which Templar
// resolves recursively and lazily).
type Vars interface {
	Lookup(name string) (any, bool)
	Names() []string
}

// MapVars is a simple Vars for tests and callers.
type MapVars map[string]any

// Lookup returns the value stored under name.
func (m MapVars) Lookup(name string) (any, bool) { v, ok := m[name]; return v, ok }

// Names returns the variable names.
func (m MapVars) Names() []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// Options configure a Templar.
type Options struct {
	// BaseDir is the directory lookups such as file/template search first.
	BaseDir string
	// SearchPaths are further directories for file lookups and includes.
	SearchPaths []string
	// Warn receives Ansible's [WARNING] texts.
	Warn func(string)
	// Deprecate receives deprecation texts.
	Deprecate func(string)
	// VaultDecrypt decrypts !vault values when they are used.
	VaultDecrypt func(*value.Vault) (string, error)
	// FileDecrypt, when set, opens vault-encrypted files read by the file
	// and template lookups (other data is returned unchanged).
	FileDecrypt func(data []byte, path string) ([]byte, error)
	// LegacyTestFilters accepts the pre-2.9 filter forms of tests
	// (`result|failed`) with a deprecation; Ansible 2.14 rejects them.
	LegacyTestFilters bool
}

// OmitPlaceholder is the string `omit` evaluates to inside expressions.
const OmitPlaceholder = "__omit_place_holder__c2b4ef8a4bd9f7a1a1e0a5a08e7a3b1f4b6c7d5e"

// OmitValue is the type of Omit.
type OmitValue struct{}

// Omit is what Template returns for a value that is exactly "{{ omit }}"
// (or evaluates to the omit placeholder): the caller drops the option.
var Omit = OmitValue{}

// Templar templates values. It is safe for concurrent use.
type Templar struct {
	opts     Options
	mu       sync.Mutex
	exprs    []node
	snapshot atomic.Pointer[[]node] // lock-free view of exprs for readers
	cache    map[cacheKey]*compiled
	gonjaEnv *exec.Environment
}

// New returns a Templar.
func New(opts Options) *Templar {
	t := &Templar{opts: opts, cache: map[cacheKey]*compiled{}}
	t.gonjaEnv = &exec.Environment{
		Context:           exec.EmptyContext(),
		Filters:           builtins.Filters,
		Tests:             builtins.Tests,
		ControlStructures: builtins.ControlStructures,
		Methods:           builtins.Methods,
	}
	return t
}

func (t *Templar) register(n node) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.exprs = append(t.exprs, n)
	snap := t.exprs
	t.snapshot.Store(&snap)
	return len(t.exprs) - 1
}

func (t *Templar) expr(i int) node {
	p := t.snapshot.Load()
	if p == nil || i < 0 || i >= len(*p) {
		return nil
	}
	return (*p)[i]
}

func (t *Templar) warn(s string) {
	if t.opts.Warn != nil {
		t.opts.Warn(s)
	}
}

func (t *Templar) deprecate(s string) {
	if t.opts.Deprecate != nil {
		t.opts.Deprecate(s)
	}
}

// UndefinedError reports the use of an undefined variable or attribute.
// Error() is exactly Jinja2's message as Ansible shows it, e.g.
// "'x' is undefined" or "'dict object' has no attribute 'y'".
type UndefinedError struct {
	// Name is the undefined variable, empty for attributes.
	Name string
	// Msg is the message.
	Msg string
}

// Error returns Jinja2's message.
func (e *UndefinedError) Error() string { return e.Msg }

// AnsibleMessage is the text of the AnsibleUndefinedVariable Ansible
// raises for this error (Jinja2's message followed by its cause: "m. m").
func (e *UndefinedError) AnsibleMessage() string { return e.Msg + ". " + e.Msg }

// TemplateError is a template syntax or evaluation error.
type TemplateError struct {
	// Msg is Jinja2's message (e.g. `Could not load "x": 'x'`).
	Msg string
	// Source is the template text, when known.
	Source  string
	wrapped bool
	typeErr bool
}

// Error returns the message as Ansible prints it.
func (e *TemplateError) Error() string {
	switch {
	case e.typeErr:
		return fmt.Sprintf("Unexpected templating type error occurred on (%s): %s. %s", e.Source, e.Msg, e.Msg)
	case e.wrapped:
		return fmt.Sprintf("template error while templating string: %s. String: %s. %s", e.Msg, e.Source, e.Msg)
	}
	return e.Msg
}

// pyTypeError is a Python TypeError raised while evaluating.
type pyTypeError struct{ msg string }

func (e *pyTypeError) Error() string { return e.msg }

func typeErrorf(format string, args ...any) error {
	return &pyTypeError{msg: fmt.Sprintf(format, args...)}
}

// ArgsError formats a templating error of task arguments as
// ansible-playbook prints it: "The task includes an option with an
// undefined variable. The error was: ...". withPos tells whether the
// task has a source position (then Ansible appends the "The error appears
// to be in" snippet, which the caller adds, instead of repeating the cause).
func ArgsError(err error, withPos bool) string {
	var ue *UndefinedError
	if errors.As(err, &ue) {
		msg := "The task includes an option with an undefined variable. The error was: " + ue.AnsibleMessage()
		if !withPos {
			msg += ". " + ue.AnsibleMessage()
		}
		return msg
	}
	return err.Error()
}

// ModuleError formats a Render error as the template module reports it
// in its result msg ("AnsibleError: template error while templating ...").
func ModuleError(err error) string {
	var ue *UndefinedError
	if errors.As(err, &ue) {
		return "AnsibleUndefinedVariable: " + ue.AnsibleMessage()
	}
	return "AnsibleError: " + err.Error()
}

// FieldError formats a templating error of task keyword field (other than
// args) as ansible-playbook prints it; see ArgsError for withPos.
func FieldError(field string, err error, withPos bool) string {
	var ue *UndefinedError
	if errors.As(err, &ue) {
		msg := fmt.Sprintf("The field '%s' has an invalid value, which includes an undefined variable. The error was: %s", field, ue.AnsibleMessage())
		if !withPos {
			msg += ". " + ue.AnsibleMessage()
		}
		return msg
	}
	return err.Error()
}

// renderState is the per-call state: variables resolved so far.
type renderState struct {
	t         *Templar
	vars      Vars
	cache     map[string]any
	resolving map[string]bool
	// unsafe is set when the result depends on unsafe data (lookup
	// results, !unsafe variables): such results are never templated again.
	unsafe bool
}

func (t *Templar) newState(vars Vars) *renderState {
	if vars == nil {
		vars = MapVars{}
	}
	return &renderState{t: t, vars: vars}
}

// remember caches a resolved variable (the maps are made on first use:
// most templated strings never resolve a variable).
func (st *renderState) remember(name string, v any) {
	if st.cache == nil {
		st.cache = map[string]any{}
	}
	st.cache[name] = v
}

// resolve returns a variable's value, templated, or an *Undefined.
func (st *renderState) resolve(name string) (any, error) {
	if v, ok := st.cache[name]; ok {
		return v, nil
	}
	raw, ok := st.vars.Lookup(name)
	if !ok {
		if g := st.global(name); g != nil {
			return g, nil
		}
		return undefVar(name), nil
	}
	raw = normalize(raw)
	switch raw.(type) {
	case value.Unsafe:
		st.unsafe = true
		st.remember(name, raw)
		return raw, nil
	case Mapping:
		st.remember(name, raw)
		return raw, nil
	}
	if name == "vars" {
		st.remember(name, raw)
		return raw, nil
	}
	if st.resolving[name] {
		return nil, &TemplateError{Msg: fmt.Sprintf("recursive loop detected in template string: %s", toStr(raw))}
	}
	if st.resolving == nil {
		st.resolving = map[string]bool{}
	}
	st.resolving[name] = true
	v, err := st.t.templateValue(raw, st, true)
	delete(st.resolving, name)
	if err != nil {
		var ue *UndefinedError
		if errors.As(err, &ue) {
			return &Undefined{Name: name, Hint: toStr(raw) + ": " + ue.AnsibleMessage()}, nil
		}
		return nil, err
	}
	st.remember(name, v)
	return v, nil
}

// lazy templates a value read out of a Mapping (hostvars) on access.
func (st *renderState) lazy(container, v any) (any, error) {
	if _, ok := container.(Mapping); !ok {
		return v, nil
	}
	if _, ok := v.(Mapping); ok {
		return v, nil
	}
	return st.t.templateValue(v, st, true)
}

// Template templates v with Ansible semantics: recursive over []any and
// *value.Dict; a string that is exactly one {{ var }} of a bool/number/None
// keeps its type; other results are strings, converted by Python literal
// evaluation when they look like a list, dict or bool. "{{ omit }}" gives
// Omit; value.Unsafe is never templated.
func (t *Templar) Template(v any, vars Vars) (res any, err error) {
	defer recoverErr(&err)
	st := t.newState(vars)
	return t.templateValue(v, st, true)
}

func recoverErr(err *error) {
	if r := recover(); r != nil {
		*err = fmt.Errorf("template engine failure: %v", r)
	}
}

// singleVarRe is Ansible's SINGLE_VAR: "{{ name }}" passes the variable
// through untemplated. Like Python's "$", it also matches before one
// trailing newline ("{{ port }}\n" gives the int, without the newline).
var singleVarRe = regexp.MustCompile(`^\{\{\s*(\w*)\s*\}\}\n?$`)

// singleVar matches singleVarRe without the regexp engine (it runs for
// every templated string).
func singleVar(s string) (string, bool) {
	isSpace := func(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r' }
	isWord := func(c byte) bool {
		return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
	}
	if !strings.HasPrefix(s, "{{") {
		return "", false
	}
	i := 2
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	start := i
	for i < len(s) && isWord(s[i]) {
		i++
	}
	name := s[start:i]
	for i < len(s) && isSpace(s[i]) {
		i++
	}
	if rest := s[i:]; rest == "}}" || rest == "}}\n" {
		return name, true
	}
	return "", false
}

func (t *Templar) templateValue(v any, st *renderState, convert bool) (any, error) {
	switch x := v.(type) {
	case string:
		if !maybeTemplate(x) {
			return v, nil // v is already boxed: no allocation
		}
		return t.templateString(x, st, convert)
	case value.Unsafe:
		return x, nil
	case []any:
		var out []any
		for i, e := range x {
			r, err := t.templateValue(e, st, convert)
			if err != nil {
				return nil, err
			}
			if out == nil && !sameValue(r, e) {
				out = make([]any, len(x))
				copy(out, x[:i])
			}
			if out != nil {
				out[i] = r
			}
		}
		if out == nil {
			return x, nil
		}
		return out, nil
	case *value.Dict:
		var out *value.Dict
		keys := x.Keys()
		for i, k := range keys {
			e, _ := x.Get(k)
			r, err := t.templateValue(e, st, convert)
			if err != nil {
				return nil, err
			}
			if out == nil && !sameValue(r, e) {
				out = value.NewDict(x.Len())
				for _, pk := range keys[:i] {
					pv, _ := x.Get(pk)
					out.Set(pk, pv)
				}
			}
			if out != nil {
				out.Set(k, r)
			}
		}
		if out == nil {
			return x, nil
		}
		return out, nil
	case map[string]any:
		return t.templateValue(normalize(x), st, convert)
	case *value.Vault:
		if t.opts.VaultDecrypt == nil {
			return nil, fmt.Errorf("Attempting to decrypt but no vault secrets found")
		}
		s, err := t.opts.VaultDecrypt(x)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	return normalize(v), nil
}

// sameValue reports whether templating left a value untouched.
func sameValue(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case []any:
		y, ok := b.([]any)
		return ok && len(x) == len(y) && (len(x) == 0 || &x[0] == &y[0])
	case *value.Dict:
		y, ok := b.(*value.Dict)
		return ok && x == y
	case int, bool, float64, nil, value.Unsafe:
		return a == b
	}
	return false
}

func (t *Templar) templateString(s string, st *renderState, convert bool) (any, error) {
	if !maybeTemplate(s) {
		return s, nil
	}
	if name, ok := singleVar(s); ok {
		if raw, ok := st.vars.Lookup(name); ok {
			switch raw.(type) {
			case bool, int, int64, float64, nil:
				return normalize(raw), nil
			}
		}
	}
	out, native, err := t.render(s, st, renderConfig{d: defaultDelims, rawStrings: true, trimBlocks: true})
	if err != nil {
		var te *pyTypeError
		if errors.As(err, &te) {
			return nil, &TemplateError{Msg: te.msg, Source: s, typeErr: true}
		}
		return nil, err
	}
	if out == OmitPlaceholder {
		return Omit, nil
	}
	var res any = out
	if convert && !native {
		res = literalConvert(out)
	}
	if rs, ok := res.(string); ok && st.unsafe && maybeTemplate(rs) {
		// Ansible marks such results unsafe so they are never re-templated.
		return value.Unsafe(rs), nil
	}
	return res, nil
}

// literalConvert applies Ansible's conversion of rendered text that looks
// like a list, dict or bool.
func literalConvert(out string) any {
	if strings.HasPrefix(out, "{") || strings.HasPrefix(out, "[") || out == "True" || out == "False" {
		if v, err := literalEval(out); err == nil {
			return v
		}
	}
	return out
}

// String templates s and returns the text (no type conversion).
func (t *Templar) String(s string, vars Vars) (res string, err error) {
	defer recoverErr(&err)
	st := t.newState(vars)
	v, err := t.templateValue(s, st, false)
	if err != nil {
		return "", err
	}
	if _, ok := v.(OmitValue); ok {
		return OmitPlaceholder, nil
	}
	if v == nil {
		return "", nil
	}
	return toStr(v), nil
}

// IsTemplate reports whether s contains a complete Jinja2 construct.
func (t *Templar) IsTemplate(s string) bool {
	return isTemplate(s, defaultDelims)
}

// maybeTemplate is isPossiblyTemplate with the default delimiters, in
// one scan for "{{", "{%" and "{#".
func maybeTemplate(s string) bool {
	for i := strings.IndexByte(s, '{'); i >= 0 && i+1 < len(s); {
		switch s[i+1] {
		case '{', '%', '#':
			return true
		}
		j := strings.IndexByte(s[i+1:], '{')
		if j < 0 {
			return false
		}
		i += 1 + j
	}
	return false
}

func isPossiblyTemplate(s string, d delims) bool {
	if d.varStart == "{{" && d.blockStart == "{%" && d.commentStart == "{#" {
		return maybeTemplate(s)
	}
	return strings.Contains(s, d.varStart) || strings.Contains(s, d.blockStart) || strings.Contains(s, d.commentStart)
}

func isTemplate(s string, d delims) bool {
	first, end := -1, ""
	for _, p := range [][2]string{{d.varStart, d.varEnd}, {d.blockStart, d.blockEnd}, {d.commentStart, d.commentEnd}} {
		if i := strings.Index(s, p[0]); i >= 0 && (first < 0 || i < first) {
			first, end = i, p[1]
		}
	}
	if first < 0 {
		return false
	}
	return findEnd(s, first+2, end) >= 0
}

// RenderOptions configure whole-file rendering (the template module).
type RenderOptions struct {
	// TrimBlocks removes the first newline after a block tag. The template
	// module defaults it to true; set NoTrimBlocks to turn it off.
	NoTrimBlocks bool
	// LStripBlocks strips whitespace before a block tag on its line.
	LStripBlocks bool
	// Delimiters; empty means the Jinja2 default.
	VariableStart, VariableEnd, BlockStart, BlockEnd, CommentStart, CommentEnd string
	// NewlineSequence is "\n" (default), "\r\n" or "\r".
	NewlineSequence string
	// Name is the template path used in error messages and as the base for includes.
	Name string
}

// Render renders a whole template file as the template module does:
// trim_blocks on by default, no literal conversion, trailing newlines
// kept, `#jinja2:` override line honoured.
func (t *Templar) Render(text string, vars Vars, opts RenderOptions) (res string, err error) {
	defer recoverErr(&err)
	d := defaultDelims
	set := func(dst *string, v string) {
		if v != "" {
			*dst = v
		}
	}
	set(&d.varStart, opts.VariableStart)
	set(&d.varEnd, opts.VariableEnd)
	set(&d.blockStart, opts.BlockStart)
	set(&d.blockEnd, opts.BlockEnd)
	set(&d.commentStart, opts.CommentStart)
	set(&d.commentEnd, opts.CommentEnd)
	rc := renderConfig{d: d, trimBlocks: !opts.NoTrimBlocks, lstrip: opts.LStripBlocks, name: opts.Name}
	if strings.HasPrefix(text, "#jinja2:") {
		eol := strings.IndexByte(text, '\n')
		if eol < 0 {
			eol = len(text)
		}
		line := text[len("#jinja2:"):eol]
		text = text[min(eol+1, len(text)):]
		for _, pair := range strings.Split(line, ",") {
			k, v, ok := strings.Cut(pair, ":")
			if !ok {
				return "", fmt.Errorf("failed to parse jinja2 override '%s'. Did you use something different from colon as key-value separator?", strings.TrimSpace(pair))
			}
			lv, err := literalEval(strings.TrimSpace(v))
			if err != nil {
				return "", fmt.Errorf("failed to parse jinja2 override '%s'", strings.TrimSpace(pair))
			}
			sv, _ := lv.(string)
			bv, _ := lv.(bool)
			switch strings.TrimSpace(k) {
			case "trim_blocks":
				rc.trimBlocks = bv
			case "lstrip_blocks":
				rc.lstrip = bv
			case "variable_start_string":
				rc.d.varStart = sv
			case "variable_end_string":
				rc.d.varEnd = sv
			case "block_start_string":
				rc.d.blockStart = sv
			case "block_end_string":
				rc.d.blockEnd = sv
			case "comment_start_string":
				rc.d.commentStart = sv
			case "comment_end_string":
				rc.d.commentEnd = sv
			case "newline_sequence":
				opts.NewlineSequence = sv
			}
		}
	}
	st := t.newState(vars)
	out, _, err := t.render(text, st, rc)
	if err != nil {
		var te *pyTypeError
		if errors.As(err, &te) {
			return "", &TemplateError{Msg: te.msg, Source: text, typeErr: true}
		}
		return "", err
	}
	if nl := opts.NewlineSequence; nl != "" && nl != "\n" {
		out = strings.ReplaceAll(out, "\n", nl)
	}
	return out, nil
}

// noNative makes every template with statements go through gonja (tests
// compare both ways of running statements).
var noNative = false

type renderConfig struct {
	d          delims
	rawStrings bool
	trimBlocks bool
	lstrip     bool
	name       string
}

// cacheKey identifies a compiled template: its source and how it is read
// (the name matters for the directory includes are resolved from).
type cacheKey struct {
	rc  renderConfig
	src string
}

func (t *Templar) compile(src string, rc renderConfig) (*compiled, error) {
	key := cacheKey{rc, src}
	t.mu.Lock()
	c, ok := t.cache[key]
	t.mu.Unlock()
	if ok {
		return c, nil
	}
	c, err := preprocess(t, src, rc.d, rc.rawStrings, rc.lstrip)
	if err != nil {
		return nil, err
	}
	cfg := config.New()
	cfg.BlockStartString, cfg.BlockEndString = rc.d.blockStart, rc.d.blockEnd
	cfg.VariableStartString, cfg.VariableEndString = rc.d.varStart, rc.d.varEnd
	cfg.CommentStartString, cfg.CommentEndString = rc.d.commentStart, rc.d.commentEnd
	cfg.TrimBlocks = rc.trimBlocks
	cfg.LeftStripBlocks = false // done by preprocess, as Jinja2 does it
	cfg.KeepTrailingNewline = true
	if c.segs == nil && c.nativeOK && !noNative {
		c.prog, _ = buildProg(c.pieces, rc.trimBlocks, rc.lstrip)
	}
	c.pieces = nil
	if c.segs != nil || c.prog != nil {
		t.mu.Lock()
		t.cache[key] = c
		t.mu.Unlock()
		return c, nil
	}
	root := "root-" + hashString(fmt.Sprintf("%v|%v|%v|%v|%s", rc.d, rc.rawStrings, rc.trimBlocks, rc.lstrip, src))
	ld := &fileLoader{t: t, root: root, rootSrc: c.gonjaSrc, rc: rc, dir: t.opts.BaseDir}
	if rc.name != "" {
		ld.dir = filepath.Dir(rc.name)
	}
	tm, err := exec.NewTemplate(root, cfg, ld, t.gonjaEnv)
	if err != nil {
		return nil, &TemplateError{Msg: cleanGonjaErr(err)}
	}
	c.tmpl = tm
	t.mu.Lock()
	if len(t.cache) > 20000 {
		t.cache = map[cacheKey]*compiled{}
	}
	t.cache[key] = c
	t.mu.Unlock()
	return c, nil
}

func hashString(s string) string {
	h := sha1.Sum([]byte(s))
	return hex.EncodeToString(h[:8])
}

func cleanGonjaErr(err error) string {
	s := err.Error()
	if i := strings.LastIndex(s, ": "); i >= 0 {
		return s[i+2:]
	}
	return s
}

// render runs a template; native reports a single-output string filter
// result (to_json, to_yaml…) that must not be literal-converted.
func (t *Templar) render(src string, st *renderState, rc renderConfig) (string, bool, error) {
	if strings.Contains(src, "\r") {
		src = strings.ReplaceAll(strings.ReplaceAll(src, "\r\n", "\n"), "\r", "\n")
	}
	// Jinja2 drops one trailing newline (keep_trailing_newline=False);
	// Ansible then restores as many as the source had.
	dataNewlines := len(src) - len(strings.TrimRight(src, "\n"))
	out, native, err := t.renderBody(strings.TrimSuffix(src, "\n"), st, rc)
	if err != nil {
		var te *TemplateError
		if errors.As(err, &te) && te.wrapped {
			return "", false, &TemplateError{Msg: te.Msg, Source: src, wrapped: true}
		}
		return "", false, err
	}
	if resNewlines := len(out) - len(strings.TrimRight(out, "\n")); dataNewlines > resNewlines {
		out += strings.Repeat("\n", dataNewlines-resNewlines)
	}
	return out, native, nil
}

func (t *Templar) renderBody(src string, st *renderState, rc renderConfig) (string, bool, error) {
	c, err := t.compile(src, rc)
	if err != nil {
		if te, ok := err.(*TemplateError); ok {
			return "", false, &TemplateError{Msg: te.Msg, Source: src, wrapped: true}
		}
		return "", false, err
	}
	if c.segs != nil {
		return t.renderSegments(c, st, src)
	}
	if c.prog != nil {
		return t.renderNative(c, st)
	}
	native := false
	ctx := exec.NewContext(map[string]any{})
	var firstErr error
	fail := func(err error) error {
		if firstErr == nil {
			firstErr = err
		}
		return err
	}
	eval := func(e *exec.Evaluator, va *exec.VarArgs) (any, node, error) {
		if len(va.Args) != 1 {
			return nil, nil, fail(fmt.Errorf("bad expression call"))
		}
		n := t.expr(va.Args[0].Integer())
		sc := &scope{st: st, ctx: e.Environment.Context}
		v, err := sc.eval(n)
		if err != nil {
			return nil, n, fail(err)
		}
		return v, n, nil
	}
	ctx.Set(fnOut, func(e *exec.Evaluator, va *exec.VarArgs) (any, error) {
		v, n, err := eval(e, va)
		if err != nil {
			return nil, err
		}
		if err := failOnUndefined(v); err != nil {
			return nil, fail(err)
		}
		if f, ok := n.(*nFilter); ok && stringTypeFilters[f.name] {
			native = true
		}
		if v == nil {
			return "", nil
		}
		return toStr(v), nil
	})
	ctx.Set(fnBool, func(e *exec.Evaluator, va *exec.VarArgs) (any, error) {
		v, _, err := eval(e, va)
		if err != nil {
			return nil, err
		}
		b, err := truthyErr(v)
		if err != nil {
			return nil, fail(err)
		}
		return b, nil
	})
	ctx.Set(fnIter, func(e *exec.Evaluator, va *exec.VarArgs) (any, error) {
		v, _, err := eval(e, va)
		if err != nil {
			return nil, err
		}
		l, err := toList(v)
		if err != nil {
			return nil, fail(err)
		}
		out := make([]any, len(l))
		for i, x := range l {
			if inner, ok := x.([]any); ok {
				out[i] = inner
			} else {
				out[i] = x
			}
		}
		return out, nil
	})
	ctx.Set(fnVal, func(e *exec.Evaluator, va *exec.VarArgs) (any, error) {
		v, _, err := eval(e, va)
		return v, err
	})
	var b strings.Builder
	tm := c.tmpl.(*exec.Template)
	if err := tm.Execute(&b, ctx); err != nil {
		if firstErr != nil {
			return "", false, firstErr
		}
		return "", false, &TemplateError{Msg: cleanGonjaErr(err), Source: src}
	}
	out := b.String()
	return out, native && c.singleOutput, nil
}

// renderSegments renders a template without statements directly.
func (t *Templar) renderSegments(c *compiled, st *renderState, src string) (string, bool, error) {
	var b strings.Builder
	native := false
	for _, sg := range c.segs {
		if sg.expr < 0 {
			b.WriteString(sg.text)
			continue
		}
		n := t.expr(sg.expr)
		v, err := (&scope{st: st}).eval(n)
		if err != nil {
			return "", false, err
		}
		if err := failOnUndefined(v); err != nil {
			return "", false, err
		}
		if f, ok := n.(*nFilter); ok && stringTypeFilters[f.name] {
			native = true
		}
		if v != nil {
			b.WriteString(toStr(v))
		}
	}
	return b.String(), native && c.singleOutput, nil
}

// failOnUndefined reports an undefined value nested anywhere in v.
func failOnUndefined(v any) error {
	switch x := v.(type) {
	case *Undefined:
		if x.Lenient {
			return nil
		}
		return x.err()
	case pyTuple:
		return failOnUndefined([]any(x))
	case []any:
		for _, e := range x {
			if err := failOnUndefined(e); err != nil {
				return err
			}
		}
	case *value.Dict:
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			if err := failOnUndefined(e); err != nil {
				return err
			}
		}
	}
	return nil
}

// fileLoader feeds gonja the preprocessed root and included files.
type fileLoader struct {
	t       *Templar
	root    string
	rootSrc string
	rc      renderConfig
	dir     string
}

// Read returns the preprocessed root or included template.
func (l *fileLoader) Read(path string) (io.Reader, error) {
	if path == l.root {
		return strings.NewReader(l.rootSrc), nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	// Jinja2 drops a single trailing newline of loaded templates
	// (keep_trailing_newline=False).
	text := strings.TrimSuffix(string(data), "\n")
	c, err := preprocess(l.t, text, l.rc.d, false, l.rc.lstrip)
	if err != nil {
		return nil, err
	}
	return strings.NewReader(c.gonjaSrc), nil
}

// Resolve finds an included template on the search path.
func (l *fileLoader) Resolve(path string) (string, error) {
	if path == l.root || filepath.IsAbs(path) {
		return path, nil
	}
	dirs := []string{l.dir}
	if l.t.opts.BaseDir != "" {
		dirs = append(dirs, l.t.opts.BaseDir, filepath.Join(l.t.opts.BaseDir, "templates"))
	}
	dirs = append(dirs, l.t.opts.SearchPaths...)
	for _, d := range dirs {
		p := filepath.Join(d, path)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", fmt.Errorf("the template file %s could not be found for the lookup", path)
}

// Inherit returns a loader relative to the including template.
func (l *fileLoader) Inherit(from string) (loaders.Loader, error) {
	n := *l
	if from != l.root {
		n.dir = filepath.Dir(from)
	}
	return &n, nil
}

var _ loaders.Loader = (*fileLoader)(nil)
