package playbook

import (
	"fmt"
	"strconv"
	"strings"

	"octopus/engine/diag"
	"octopus/engine/pyfmt"
)

// validBooleans is the list Ansible prints when a boolean field cannot be
// converted (Ansible prints a Python set; its order varies between runs).
const validBooleans = "0, 1, 'true', 'no', '0', 'n', 't', '1', 'yes', 'y', 'off', 'false', 'f', 'on'"

// ParseBool converts a value as Ansible's strict boolean() does.
func ParseBool(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case int:
		if t == 0 || t == 1 {
			return t == 1, nil
		}
	case float64:
		if t == 0 || t == 1 {
			return t == 1, nil
		}
	case string:
		switch strings.ToLower(strings.TrimSpace(t)) {
		case "y", "yes", "on", "1", "true", "t":
			return true, nil
		case "n", "no", "off", "0", "false", "f":
			return false, nil
		}
	}
	return false, fmt.Errorf("The value '%s' is not a valid boolean.  Valid booleans include: %s", pyfmt.Str(v), validBooleans)
}

// rawField keeps a play field's raw value for post-validation.
type rawField struct {
	name string
	val  any
}

// postValidate checks the play fields Ansible validates before running a
// play (its always_post_validate fields). Templated values are left to
// run time.
func postValidate(play *Play, fields []rawField) error {
	bad := func(f rawField, typ string, err error) error {
		return &diag.Error{Msg: fmt.Sprintf("the field '%s' has an invalid value (%s), and could not be converted to an %s.The error was: %s", f.name, pyfmt.Str(f.val), typ, err), Pos: play.Pos, Code: 4}
	}
	if len(play.HostsList) == 0 {
		return &diag.Error{Msg: "the field 'hosts' is required but was not set", Code: 4}
	}
	for _, f := range fields {
		if s, ok := f.val.(string); ok && isTemplate(s) {
			continue
		}
		if f.val == nil {
			continue
		}
		switch f.name {
		case "name", "strategy", "order":
			switch f.val.(type) {
			case []any:
				return &diag.Error{Msg: fmt.Sprintf("The field '%s' is supposed to be a string type, however the incoming data structure is a %s", f.name, pyClass(f.val)), Pos: play.Pos, Code: 4}
			default:
				if _, ok := toDict(f.val); ok {
					return &diag.Error{Msg: fmt.Sprintf("The field '%s' is supposed to be a string type, however the incoming data structure is a %s", f.name, pyClass(f.val)), Pos: play.Pos, Code: 4}
				}
			}
		case "gather_facts", "force_handlers":
			if _, err := ParseBool(f.val); err != nil {
				return bad(f, "bool", err)
			}
		case "gather_timeout":
			if s, ok := f.val.(string); ok {
				if _, err := strconv.Atoi(strings.TrimSpace(s)); err != nil {
					return bad(f, "int", fmt.Errorf("invalid literal for int() with base 10: %s", pyfmt.Quote(s)))
				}
			}
		case "max_fail_percentage":
			if s, ok := f.val.(string); ok {
				if _, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, "%", "")), 64); err != nil {
					return bad(f, "percent", fmt.Errorf("could not convert string to float: %s", pyfmt.Quote(strings.ReplaceAll(s, "%", ""))))
				}
			}
		}
	}
	return nil
}
