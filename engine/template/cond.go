package template

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

var definedRe = regexp.MustCompile(`(hostvars\[.+\]|[\w_]+)\s+(not\s+is|is|is\s+not)\s+(defined|undefined)`)
var undefNameRe = regexp.MustCompile(`'(hostvars\[.+\]|[\w_]+)' is undefined`)

// CondError is a failed conditional; its message is Ansible's
// "The conditional check '...' failed. The error was: ...".
type CondError struct {
	Cond string
	Err  error
}

// Error returns Ansible's message.
func (e *CondError) Error() string {
	return fmt.Sprintf("The conditional check '%s' failed. The error was: %s", e.Cond, e.Err.Error())
}

// Unwrap returns the underlying error.
func (e *CondError) Unwrap() error { return e.Err }

// Cond evaluates when/changed_when/failed_when/until conditions: a list is
// an AND; bools are taken as is; strings are Jinja2 expressions evaluated
// as `{% if cond %}`. A bare `when: flag` whose value is the string
// "false" is true, as in Ansible 2.14.
func (t *Templar) Cond(conds []any, vars Vars) (ok bool, err error) {
	defer recoverErr(&err)
	for _, c := range conds {
		var res bool
		switch x := c.(type) {
		case nil:
			res = true
		case bool:
			res = x
		case string:
			if x == "" {
				res = true
				break
			}
			r, err := t.checkConditional(x, vars)
			if err != nil {
				return false, &CondError{Cond: x, Err: err}
			}
			res = r
		default:
			res = truthy(normalize(c))
		}
		if !res {
			return false, nil
		}
	}
	return true, nil
}

func (t *Templar) checkConditional(cond string, vars Vars) (bool, error) {
	if t.IsTemplate(cond) {
		t.warn(fmt.Sprintf("conditional statements should not include jinja2 templating delimiters such as {{ }} or {%% %%}. Found: %s", cond))
	}
	st := t.newState(vars)
	res, err := t.evalConditional(cond, st)
	if err == nil {
		return res, nil
	}
	var ue *UndefinedError
	if !errors.As(err, &ue) {
		return false, err
	}
	if m := undefNameRe.FindStringSubmatch(ue.Msg); m != nil {
		for _, du := range definedRe.FindAllStringSubmatch(cond, -1) {
			if strings.ReplaceAll(m[1], "'", `"`) == strings.ReplaceAll(du[1], "'", `"`) {
				shouldExist := strings.Contains(du[2], "not") != (du[3] == "defined")
				return !shouldExist, nil
			}
		}
	}
	return false, &UndefinedError{Name: ue.Name, Msg: fmt.Sprintf("error while evaluating conditional (%s): %s", cond, ue.AnsibleMessage())}
}

func (t *Templar) evalConditional(cond string, st *renderState) (bool, error) {
	v, err := t.templateValue(cond, st, true)
	if err != nil {
		return false, err
	}
	s, isStr := v.(string)
	if !isStr {
		return truthy(v), nil
	}
	if s == "" {
		return false, nil
	}
	presented := fmt.Sprintf("{%% if %s %%} True {%% else %%} False {%% endif %%}", s)
	if !strings.Contains(s, "%}") && !isPossiblyTemplate(s, defaultDelims) {
		// Same result as rendering `presented`, without the statement engine.
		n, err := parseExpression(s, false, "end of statement block")
		if err == nil {
			err = checkNames(t, n)
		}
		if err != nil {
			msg := err.Error()
			if te, ok := err.(*TemplateError); ok {
				msg = te.Msg
			}
			return false, &TemplateError{Msg: msg, Source: presented, wrapped: true}
		}
		v, err := (&scope{st: st}).eval(n)
		if err == nil {
			var b bool
			b, err = truthyErr(v)
			if err == nil {
				return b, nil
			}
		}
		var pe *pyTypeError
		if errors.As(err, &pe) {
			return false, &TemplateError{Msg: pe.msg, Source: presented, typeErr: true}
		}
		return false, err
	}
	out, _, err := t.render(presented, st, renderConfig{d: defaultDelims, rawStrings: true, trimBlocks: true})
	var pe *pyTypeError
	if errors.As(err, &pe) {
		return false, &TemplateError{Msg: pe.msg, Source: presented, typeErr: true}
	}
	if err != nil {
		var te *TemplateError
		if errors.As(err, &te) && !te.wrapped {
			return false, &TemplateError{Msg: te.Msg, Source: presented, wrapped: true}
		}
		return false, err
	}
	switch strings.TrimSpace(out) {
	case "True":
		return true, nil
	case "False":
		return false, nil
	}
	return false, fmt.Errorf("unable to evaluate conditional: %s", cond)
}
