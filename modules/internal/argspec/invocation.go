package argspec

import (
	"regexp"
	"sort"
	"strings"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// NoLogPlaceholder replaces a result value equal to a no_log parameter.
const NoLogPlaceholder = "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER"

// ModuleArgs returns what a module reports as invocation.module_args: its
// parameters p (every option of the spec with its validated value, nil when
// unset, plus whatever else p holds: unsupported arguments after a failed
// validation, keys a module adds as Ansible's modules update their params),
// and each alias the task used, with the value as given (Ansible copies an
// alias to its option and converts only the option). args are the task's
// arguments. Keys are sorted, as the default callback prints them; no_log
// values are not masked here (see RemoveValues).
func (s *Spec) ModuleArgs(args map[string]any, p Params) *value.Dict {
	vals := map[string]any{}
	for k, v := range p {
		if !strings.HasPrefix(k, "_ansible_") {
			vals[k] = plain(v)
		}
	}
	for _, o := range s.Options {
		if _, ok := vals[o.Name]; !ok {
			vals[o.Name] = nil
		}
		for _, a := range o.Aliases {
			if v, ok := args[a]; ok {
				vals[a] = plain(normalize(v))
			}
		}
	}
	keys := make([]string, 0, len(vals))
	for k := range vals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	d := value.NewDict(len(keys))
	for _, k := range keys {
		d.Set(k, vals[k])
	}
	return d
}

// plain converts maps to ordered dicts (keys sorted), recursively.
func plain(v any) any {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		d := value.NewDict(len(x))
		for _, k := range keys {
			d.Set(k, plain(x[k]))
		}
		return d
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	}
	return v
}

// NoLogStrings returns the strings a module hides from its whole result:
// the values of no_log options (scalars as str() prints them, containers
// element by element), as Ansible's _list_no_log_values collects them.
func (s *Spec) NoLogStrings(p Params) []string {
	seen := map[string]bool{}
	var out []string
	var add func(v any)
	add = func(v any) {
		switch x := v.(type) {
		case nil, bool:
		case string:
			if !seen[x] {
				seen[x] = true
				out = append(out, x)
			}
		case []any:
			for _, e := range x {
				add(e)
			}
		case map[string]any:
			for _, e := range x {
				add(e)
			}
		case *value.Dict:
			for _, k := range x.Keys() {
				e, _ := x.Get(k)
				add(e)
			}
		default:
			add(pyfmt.Str(x))
		}
	}
	for _, o := range s.Options {
		if !o.NoLog {
			continue
		}
		v := p[o.Name]
		if v == nil || v == "" || v == false || v == 0 {
			continue
		}
		add(v)
	}
	sort.Strings(out)
	return out
}

// RemoveValues returns a copy of v with no_log strings hidden as Ansible's
// remove_values does: a string equal to one becomes NoLogPlaceholder, a
// string containing one has it replaced by "********", and a number or bool
// whose str() contains one becomes NoLogPlaceholder. Mapping keys are kept.
func RemoveValues(v any, noLog []string) any {
	if len(noLog) == 0 {
		return v
	}
	switch x := v.(type) {
	case string:
		for _, s := range noLog {
			if x == s {
				return NoLogPlaceholder
			}
		}
		for _, s := range noLog {
			x = strings.ReplaceAll(x, s, "********")
		}
		return x
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = RemoveValues(e, noLog)
		}
		return out
	case []string:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = RemoveValues(e, noLog)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = RemoveValues(e, noLog)
		}
		return out
	case *value.Dict:
		out := value.NewDict(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out.Set(k, RemoveValues(e, noLog))
		}
		return out
	case nil, bool, int, int64, float64:
		str := "None"
		if x != nil {
			str = pyfmt.Str(x)
		}
		for _, s := range noLog {
			if strings.Contains(str, s) {
				return NoLogPlaceholder
			}
		}
	}
	return v
}

// passwordRe is Ansible's PASSWORD_MATCH: parameter names that look like secrets.
var passwordRe = regexp.MustCompile(`(?i)^(?:.+[-_\s])?pass(?:[-_\s]?(?:word|phrase|wrd|wd)?)(?:[-_\s].+)?$`)

// NoLogWarnings returns Ansible's "Module did not set no_log for NAME"
// warnings: one per parameter (option or alias the task used) whose name
// looks like a secret while its option declares neither no_log=True nor
// no_log=False. Parameters the task gave come first (sorted), then the
// other options in spec order, as the module's params are ordered.
func (s *Spec) NoLogWarnings(args map[string]any) []string {
	canon := map[string]*Option{}
	for i := range s.Options {
		o := &s.Options[i]
		canon[o.Name] = o
		for _, a := range o.Aliases {
			canon[a] = o
		}
	}
	var given []string
	for k := range args {
		if canon[k] != nil {
			given = append(given, k)
		}
	}
	sort.Strings(given)
	names := given
	for _, o := range s.Options {
		if _, ok := args[o.Name]; !ok {
			names = append(names, o.Name)
		}
	}
	var out []string
	for _, n := range names {
		o := canon[n]
		if !o.NoLog && !o.LogOK && passwordRe.MatchString(n) {
			out = append(out, "Module did not set no_log for "+n)
		}
	}
	return out
}
