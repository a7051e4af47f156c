// Package argspec validates module arguments the way Ansible's
// ArgumentSpecValidator does: aliases, unsupported parameters, mutually
// exclusive groups, required arguments, type coercion ("yes" -> true, "8" ->
// 8, "a,b" -> [a b]), choices, required_together / required_one_of /
// required_if / required_by, then defaults. Every module declares its spec as
// data (a Spec value) and calls Validate; the first error's text is Ansible's.
package argspec

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Option describes one module parameter, as an entry of Ansible's argument_spec.
type Option struct {
	Name     string
	Type     string // str (when empty), bool, int, float, path, list, dict, raw, jsonarg, bytes
	Elements string // element type for lists
	Aliases  []string
	Default  any
	Required bool
	Choices  []any
	NoLog    bool
	// LogOK marks an option Ansible declares with no_log=False: its name
	// looks like a secret but it is not one, so no "Module did not set
	// no_log" warning is given for it.
	LogOK bool
}

// RequiredIf is one required_if rule: when Key equals Value, the Requires
// parameters must be present (any one of them when OneOf is set).
type RequiredIf struct {
	Key      string
	Value    any
	Requires []string
	OneOf    bool
}

// Spec is a module's whole argument specification.
type Spec struct {
	Module            string // name shown in "Unsupported parameters for (NAME) module"
	Options           []Option
	MutuallyExclusive [][]string
	RequiredTogether  [][]string
	RequiredOneOf     [][]string
	RequiredIf        []RequiredIf
	RequiredBy        map[string][]string
}

// Error is an argument validation failure; Msg is Ansible's message.
type Error struct{ Msg string }

func (e *Error) Error() string { return e.Msg }

// Params are validated parameters: every option of the spec is present
// (nil when neither given nor defaulted), coerced to its declared type.
type Params map[string]any

// ValidateAs is Validate with name shown in "Unsupported parameters for
// (name) module" instead of s.Module (Ansible shows the module name as the
// task wrote it, e.g. ansible.builtin.file).
func (s *Spec) ValidateAs(name string, args map[string]any) (Params, error) {
	c := *s
	if name != "" {
		c.Module = name
	}
	return c.Validate(args)
}

// Validate checks args against the spec and returns the coerced parameters,
// or an *Error carrying the message Ansible would report first.
func (s *Spec) Validate(args map[string]any) (Params, error) {
	p, errs := s.check(args)
	if len(errs) > 0 {
		return nil, &Error{Msg: errs[0]}
	}
	return p, nil
}

// Partial returns the parameters as an Ansible module holds them after a
// failed validation (it reports them as invocation.module_args of the
// failure): the task's arguments, unsupported ones included, with every
// option that could be converted converted, defaults filled and nil for
// the rest.
func (s *Spec) Partial(args map[string]any) Params {
	p, _ := s.check(args)
	return p
}

// check validates args, returning the parameters (complete even when
// there are errors) and the error messages in Ansible's order.
func (s *Spec) check(args map[string]any) (Params, []string) {
	p := Params{}
	for k, v := range args {
		if strings.HasPrefix(k, "_ansible_") {
			continue
		}
		p[k] = normalize(v)
	}
	var errs []string
	// aliases
	legal := map[string]bool{}
	var aliasNames []string
	for _, o := range s.Options {
		legal[o.Name] = true
		for _, a := range o.Aliases {
			legal[a] = true
			aliasNames = append(aliasNames, a)
			if v, ok := p[a]; ok {
				p[o.Name] = v
			}
		}
	}
	var unsupported []string
	for k := range p {
		if !legal[k] {
			unsupported = append(unsupported, k)
		}
	}
	for _, group := range s.MutuallyExclusive {
		if countTerms(group, p) > 1 {
			errs = append(errs, "parameters are mutually exclusive: "+strings.Join(group, "|"))
		}
	}
	for _, o := range s.Options {
		if _, ok := p[o.Name]; !ok && o.Default != nil {
			p[o.Name] = o.Default
		}
	}
	var missing []string
	for _, o := range s.Options {
		if _, ok := p[o.Name]; o.Required && !ok {
			missing = append(missing, o.Name)
		}
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		errs = append(errs, "missing required arguments: "+strings.Join(missing, ", "))
	}
	unconverted := map[string]bool{}
	for _, o := range s.Options {
		v, ok := p[o.Name]
		if !ok || v == nil {
			continue
		}
		cv, err := convert(o.Type, v)
		if err != nil {
			errs = append(errs, fmt.Sprintf("argument '%s' is of type %s and we were unable to convert to %s: %s", o.Name, pyfmt.TypeName(v), typeName(o.Type), err))
			unconverted[o.Name] = true
			continue
		}
		if o.Elements != "" {
			if l, ok := cv.([]any); ok {
				out := make([]any, 0, len(l))
				for _, e := range l {
					ce, err := convert(o.Elements, e)
					if err != nil {
						errs = append(errs, fmt.Sprintf("Elements value for option '%s' is of type %s and we were unable to convert to %s: %s", o.Name, pyfmt.TypeName(e), typeName(o.Elements), err))
						continue
					}
					out = append(out, ce)
				}
				cv = out
			}
		}
		p[o.Name] = cv
	}
	for _, o := range s.Options {
		if o.Choices == nil {
			continue
		}
		v, ok := p[o.Name]
		if !ok || unconverted[o.Name] {
			continue
		}
		if l, isList := v.([]any); isList {
			var bad []string
			for _, e := range l {
				if !inChoices(e, o.Choices) {
					bad = append(bad, pyfmt.Str(e))
				}
			}
			if len(bad) > 0 {
				errs = append(errs, fmt.Sprintf("value of %s must be one or more of: %s. Got no match for: %s", o.Name, joinChoices(o.Choices), strings.Join(bad, ", ")))
			}
			continue
		}
		if !inChoices(v, o.Choices) {
			// PyYAML turned a choice like "yes" into a bool; map it back when unambiguous.
			if s, isStr := v.(string); isStr && (s == "True" || s == "False") {
				if c, found := boolChoice(s == "True", o.Choices); found {
					p[o.Name] = c
					continue
				}
			}
			errs = append(errs, fmt.Sprintf("value of %s must be one of: %s, got: %s", o.Name, joinChoices(o.Choices), pyfmt.Str(v)))
		}
	}
	for _, group := range s.RequiredTogether {
		n := 0
		for _, t := range group {
			if _, ok := p[t]; ok {
				n++
			}
		}
		if n > 0 && n < len(group) {
			errs = append(errs, "parameters are required together: "+strings.Join(group, ", "))
		}
	}
	for _, group := range s.RequiredOneOf {
		if countTerms(group, p) == 0 {
			errs = append(errs, "one of the following is required: "+strings.Join(group, ", "))
		}
	}
	for _, r := range s.RequiredIf {
		v, ok := p[r.Key]
		if !ok || !pyEqual(v, r.Value) {
			continue
		}
		var miss []string
		for _, t := range r.Requires {
			if _, ok := p[t]; !ok {
				miss = append(miss, t)
			}
		}
		maxMissing := 0
		kind := "all"
		if r.OneOf {
			maxMissing = len(r.Requires)
			kind = "any"
		}
		if len(miss) > 0 && len(miss) >= maxMissing {
			errs = append(errs, fmt.Sprintf("%s is %s but %s of the following are missing: %s", r.Key, pyfmt.Str(r.Value), kind, strings.Join(miss, ", ")))
		}
	}
	byKeys := make([]string, 0, len(s.RequiredBy))
	for k := range s.RequiredBy {
		byKeys = append(byKeys, k)
	}
	sort.Strings(byKeys)
	for _, k := range byKeys {
		if v, ok := p[k]; !ok || v == nil {
			continue
		}
		var miss []string
		for _, t := range s.RequiredBy[k] {
			if v, ok := p[t]; !ok || v == nil {
				miss = append(miss, t)
			}
		}
		if len(miss) > 0 {
			errs = append(errs, fmt.Sprintf("missing parameter(s) required by '%s': %s", k, strings.Join(miss, ", ")))
		}
	}
	if len(unsupported) > 0 {
		sort.Strings(unsupported)
		var names []string
		for _, o := range s.Options {
			names = append(names, o.Name)
		}
		sort.Strings(names)
		sort.Strings(aliasNames)
		supported := strings.Join(names, ", ")
		if len(aliasNames) > 0 {
			supported += " (" + strings.Join(aliasNames, ", ") + ")"
		}
		errs = append(errs, fmt.Sprintf("Unsupported parameters for (%s) module: %s. Supported parameters include: %s.", s.Module, strings.Join(unsupported, ", "), supported))
	}
	for _, o := range s.Options {
		if _, ok := p[o.Name]; !ok {
			p[o.Name] = nil
		}
	}
	return p, errs
}

// NoLogValues returns the string values of no_log options in p, for masking.
func (s *Spec) NoLogValues(p Params) []string {
	var out []string
	for _, o := range s.Options {
		if o.NoLog {
			if v, ok := p[o.Name].(string); ok && v != "" {
				out = append(out, v)
			}
		}
	}
	return out
}

func countTerms(terms []string, p Params) int {
	n := 0
	for _, t := range terms {
		if _, ok := p[t]; ok {
			n++
		}
	}
	return n
}

func typeName(t string) string {
	if t == "" || t == "path" {
		return "str"
	}
	return t
}

func joinChoices(c []any) string {
	s := make([]string, len(c))
	for i, v := range c {
		s[i] = pyfmt.Str(v)
	}
	return strings.Join(s, ", ")
}

func inChoices(v any, choices []any) bool {
	for _, c := range choices {
		if pyEqual(v, c) {
			return true
		}
	}
	return false
}

var (
	trueStrings  = map[string]bool{"y": true, "yes": true, "on": true, "1": true, "true": true, "t": true}
	falseStrings = map[string]bool{"n": true, "no": true, "off": true, "0": true, "false": true, "f": true}
)

func boolChoice(b bool, choices []any) (any, bool) {
	set := falseStrings
	if b {
		set = trueStrings
	}
	var found []any
	for _, c := range choices {
		if s, ok := c.(string); ok && set[s] {
			found = append(found, c)
		}
	}
	if len(found) == 1 {
		return found[0], true
	}
	return nil, false
}

func pyEqual(a, b any) bool {
	switch x := a.(type) {
	case string:
		y, ok := b.(string)
		return ok && x == y
	case bool:
		switch y := b.(type) {
		case bool:
			return x == y
		case int:
			return (x && y == 1) || (!x && y == 0)
		}
		return false
	case int:
		switch y := b.(type) {
		case int:
			return x == y
		case float64:
			return float64(x) == y
		case bool:
			return pyEqual(y, x)
		}
	case float64:
		switch y := b.(type) {
		case float64:
			return x == y
		case int:
			return x == float64(y)
		}
	}
	return false
}

// normalize maps engine values onto the plain set convert understands.
func normalize(v any) any {
	if u, ok := v.(value.Unsafe); ok {
		return string(u)
	}
	return value.Plain(v)
}

// Bool converts v as Ansible's boolean() does (strict).
func Bool(v any) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		s := strings.ToLower(strings.TrimSpace(x))
		if trueStrings[s] {
			return true, nil
		}
		if falseStrings[s] {
			return false, nil
		}
	case int:
		if x == 1 {
			return true, nil
		}
		if x == 0 {
			return false, nil
		}
	case float64:
		if x == 1 {
			return true, nil
		}
		if x == 0 {
			return false, nil
		}
	default:
		return false, fmt.Errorf("%s cannot be converted to a bool", pyfmt.TypeName(v))
	}
	return false, fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: 'y', 'yes', 'on', '1', 'true', 't', 1, 1.0, True, 'n', 'no', 'off', '0', 'false', 'f', 0, 0.0, False", pyfmt.Str(v))
}

func convert(t string, v any) (any, error) {
	switch t {
	case "", "str", "path":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return pyfmt.Str(v), nil
	case "raw":
		return v, nil
	case "bool":
		return Bool(v)
	case "int":
		switch x := v.(type) {
		case int:
			return x, nil
		case bool:
			if x {
				return 1, nil
			}
			return 0, nil
		case string:
			if n, err := strconv.Atoi(strings.TrimSpace(strings.ReplaceAll(x, "_", ""))); err == nil {
				return n, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to an int", pyfmt.TypeName(v))
	case "float":
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case string:
			if f, err := strconv.ParseFloat(strings.TrimSpace(x), 64); err == nil && !math.IsNaN(f) {
				return f, nil
			}
		}
		return nil, fmt.Errorf("%s cannot be converted to a float", pyfmt.TypeName(v))
	case "list":
		switch x := v.(type) {
		case []any:
			return x, nil
		case string:
			parts := strings.Split(x, ",")
			out := make([]any, len(parts))
			for i, s := range parts {
				out[i] = s
			}
			return out, nil
		case int, float64:
			return []any{pyfmt.Str(x)}, nil
		}
		return nil, fmt.Errorf("%s cannot be converted to a list", pyfmt.TypeName(v))
	case "dict":
		switch x := v.(type) {
		case *value.Dict, map[string]any:
			return x, nil
		case string:
			return parseDictString(x)
		}
		return nil, fmt.Errorf("%s cannot be converted to a dict", pyfmt.TypeName(v))
	case "jsonarg":
		if s, ok := v.(string); ok {
			return strings.TrimSpace(s), nil
		}
		return pyfmt.JSON(v), nil
	case "bytes":
		if s, ok := v.(string); ok {
			return s, nil
		}
		return pyfmt.Str(v), nil
	}
	return v, nil
}

func parseDictString(s string) (any, error) {
	if strings.HasPrefix(s, "{") {
		d, err := pyfmt.ParseJSON(s)
		if err != nil {
			return nil, fmt.Errorf("unable to evaluate string as dictionary")
		}
		return d, nil
	}
	if !strings.Contains(s, "=") {
		return nil, fmt.Errorf("dictionary requested, could not parse JSON or key=value")
	}
	var fields []string
	var buf strings.Builder
	var quote rune
	escape := false
	for _, c := range strings.TrimSpace(s) {
		switch {
		case escape:
			buf.WriteRune(c)
			escape = false
		case c == '\\':
			escape = true
		case quote == 0 && (c == '\'' || c == '"'):
			quote = c
		case quote != 0 && c == quote:
			quote = 0
		case quote == 0 && (c == ',' || c == ' '):
			if buf.Len() > 0 {
				fields = append(fields, buf.String())
			}
			buf.Reset()
		default:
			buf.WriteRune(c)
		}
	}
	if buf.Len() > 0 {
		fields = append(fields, buf.String())
	}
	d := value.NewDict(len(fields))
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if !ok {
			return nil, fmt.Errorf("dictionary update sequence element has length 1; 2 is required")
		}
		d.Set(k, v)
	}
	return d, nil
}

// String returns parameter k as a string ("" when unset).
func (p Params) String(k string) string {
	s, _ := p[k].(string)
	return s
}

// Bool returns parameter k as a bool (false when unset).
func (p Params) Bool(k string) bool {
	b, _ := p[k].(bool)
	return b
}

// Int returns parameter k as an int (0 when unset).
func (p Params) Int(k string) int {
	n, _ := p[k].(int)
	return n
}

// Set reports whether parameter k has a non-nil value.
func (p Params) Set(k string) bool { return p[k] != nil }

// List returns parameter k as strings (nil when unset).
func (p Params) List(k string) []string {
	l, _ := p[k].([]any)
	if l == nil {
		return nil
	}
	out := make([]string, len(l))
	for i, v := range l {
		out[i] = pyfmt.Str(v)
	}
	return out
}
