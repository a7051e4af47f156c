package factory

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"unicode"

	"octopus/engine/pyfmt"
	"octopus/engine/shlex"
	"octopus/engine/value"
)

// lookup returns the value of the last of names that is defined and not nil
// in vars. This is how Ansible's plugin options read their "vars:" entries
// (config manager _loop_entries: every entry is visited and a later defined
// entry replaces an earlier one), e.g. remote_user lists ansible_user then
// ansible_ssh_user, so ansible_ssh_user wins when both are set.
func lookup(vars map[string]any, names ...string) (any, string, bool) {
	var val any
	var from string
	found := false
	for _, n := range names {
		if v, ok := vars[n]; ok && v != nil {
			val, from, found = v, n, true
		}
	}
	return val, from, found
}

// lookupFirst returns the first of names present in vars (even when nil).
// This is how PlayContext applies MAGIC_VARIABLE_MAPPING: the first listed
// variable that exists sets the attribute (ansible_ssh_user before
// ansible_user, ansible_ssh_timeout before ansible_timeout).
func lookupFirst(vars map[string]any, names ...string) (any, string, bool) {
	for _, n := range names {
		if v, ok := vars[n]; ok {
			return v, n, true
		}
	}
	return nil, "", false
}

// optString converts an untyped plugin option value as Ansible's
// ensure_type does for options without a type: strings lose one pair of
// surrounding quotes, other scalars are kept (and shown with str()).
func optString(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return unquote(x), nil
	case value.Unsafe:
		return unquote(string(x)), nil
	case value.Vault, *value.Vault:
		return "", errors.New("a vault-encrypted value was not decrypted")
	}
	return pyfmt.Str(v), nil
}

// unquote removes one pair of matching surrounding quotes, as Ansible's
// parsing.quoting.unquote does.
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// pyInt converts a value as Python's int() does: integers as is, floats
// truncated, booleans 0/1, strings in base 10 with surrounding whitespace,
// an optional sign and single underscores between digits. The error text
// is Python's.
func pyInt(v any) (int, error) {
	switch x := v.(type) {
	case int:
		return x, nil
	case int64:
		return int(x), nil
	case bool:
		if x {
			return 1, nil
		}
		return 0, nil
	case float64:
		if math.IsInf(x, 0) {
			return 0, errors.New("cannot convert float infinity to integer")
		}
		if math.IsNaN(x) {
			return 0, errors.New("cannot convert float NaN to integer")
		}
		return int(x), nil
	case string, value.Unsafe:
		s := pyfmt.Str(x)
		bad := fmt.Errorf("invalid literal for int() with base 10: %s", pyfmt.Quote(s))
		t := strings.TrimFunc(s, unicode.IsSpace)
		if t == "" {
			return 0, bad
		}
		neg := false
		if t[0] == '+' || t[0] == '-' {
			neg = t[0] == '-'
			t = t[1:]
		}
		if t == "" || t[0] == '_' || t[len(t)-1] == '_' || strings.Contains(t, "__") {
			return 0, bad
		}
		t = strings.ReplaceAll(t, "_", "")
		for _, r := range t {
			if r < '0' || r > '9' {
				return 0, bad
			}
		}
		n, err := strconv.Atoi(t)
		if err != nil {
			return 0, bad
		}
		if neg {
			n = -n
		}
		return n, nil
	}
	return 0, fmt.Errorf("int() argument must be a string, a bytes-like object or a real number, not '%s'", value.PyTypeName(v))
}

// booleansTrue and booleansFalse are Ansible's BOOLEANS_TRUE/BOOLEANS_FALSE
// string members (compared after lower-casing and trimming).
var (
	booleansTrue  = map[string]bool{"y": true, "yes": true, "on": true, "1": true, "true": true, "t": true}
	booleansFalse = map[string]bool{"n": true, "no": true, "off": true, "0": true, "false": true, "f": true}
)

// pyBool converts a value as Ansible's boolean(value, strict): strict
// rejects what is neither a true nor a false spelling with Ansible's
// message; non-strict turns it into false.
func pyBool(v any, strict bool) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case int:
		if x == 1 || x == 0 || !strict {
			return x == 1, nil
		}
	case int64:
		if x == 1 || x == 0 || !strict {
			return x == 1, nil
		}
	case float64:
		if x == 1 || x == 0 || !strict {
			return x == 1, nil
		}
	case string, value.Unsafe:
		s := strings.ToLower(strings.TrimSpace(pyfmt.Str(x)))
		if booleansTrue[s] {
			return true, nil
		}
		if booleansFalse[s] || !strict {
			return false, nil
		}
	default:
		if !strict {
			return false, nil
		}
	}
	return false, fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: %s", pyfmt.Str(v),
		"0, 1, 'y', 'f', '1', 'yes', 'true', 'no', 'false', 't', 'n', 'on', '0', 'off'")
}

// fieldError is PlayContext's message for a connection field whose value
// cannot be converted ("the field 'port' has an invalid value (abc), and
// could not be converted to an int.The error was: ...").
func fieldError(field, kind string, v any, err error) error {
	return fmt.Errorf("the field '%s' has an invalid value (%s), and could not be converted to an %s.The error was: %v. %v",
		field, pyfmt.Str(v), kind, err, err)
}

// splitArgs splits an ssh argument string into words as Python's
// shlex.split does (POSIX mode: quotes, backslash escapes, # comments are
// not recognised), dropping words that are blank once trimmed, as Ansible's
// _split_ssh_args does.
func splitArgs(s string) ([]string, error) {
	words, err := shlex.Split(s)
	if err != nil {
		return nil, err
	}
	out := words[:0]
	for _, w := range words {
		if t := strings.TrimSpace(w); t != "" {
			out = append(out, t)
		}
	}
	return out, nil
}
