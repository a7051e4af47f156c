package output

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"octopus/engine/value"
)

// NewYAML returns the community.general.yaml callback: the default
// callback with results rendered as YAML.
func NewYAML(d *Display) *Default {
	c := NewDefault(d)
	c.Dump = func(res *value.Dict, indent int) string { return DumpYAMLResult(res, d.Verbosity) }
	return c
}

// DumpYAMLResult renders a result as the community.general.yaml callback
// does: "changed=... skipped=..." then the rest as YAML indented by two.
func DumpYAMLResult(res *value.Dict, verbosity int) string {
	if nl, _ := res.Get("_ansible_no_log"); nl == true {
		return `{"censored": "The output has been hidden due to the fact that 'no_log: true' was specified for this result"}`
	}
	ab := Abridge(res, verbosity)
	var dumped string
	if v, ok := ab.Get("changed"); ok {
		dumped += "changed=" + strings.ToLower(PyStr(v)) + " "
		ab.Delete("changed")
	}
	if v, ok := ab.Get("skipped"); ok {
		dumped += "skipped=" + strings.ToLower(PyStr(v)) + " "
		ab.Delete("skipped")
	}
	if ab.Has("stdout") && ab.Has("stdout_lines") {
		ab.Set("stdout_lines", "<omitted>")
	}
	if ab.Has("stderr") && ab.Has("stderr_lines") {
		ab.Set("stderr_lines", "<omitted>")
	}
	if ab.Len() > 0 {
		dumped += "\n" + YAML(ab)
	}
	return strings.TrimRight(strings.Join(strings.Split(dumped, "\n"), "\n  "), " \t\n\r")
}

// YAML renders v as PyYAML's yaml.dump(v, default_flow_style=False,
// width=1000, allow_unicode=True) with sorted keys and block style for
// multi-line strings (the yaml callback's dumper).
func YAML(v any) string {
	var b strings.Builder
	switch t := v.(type) {
	case *value.Dict:
		if t.Len() == 0 {
			return "{}\n"
		}
		yamlDict(&b, t, 0)
	case []any:
		if len(t) == 0 {
			return "[]\n"
		}
		yamlList(&b, t, 0)
	default:
		b.WriteString(yamlScalar(v, 0))
		b.WriteString("\n")
		if _, ok := v.(string); ok && !strings.Contains(b.String(), "\n") {
			b.WriteString("...\n")
		}
	}
	return b.String()
}

func yamlDict(b *strings.Builder, d *value.Dict, ind int) {
	keys := append([]string(nil), d.Keys()...)
	sort.Strings(keys)
	pad := strings.Repeat(" ", ind)
	for _, k := range keys {
		v, _ := d.Get(k)
		b.WriteString(pad)
		b.WriteString(yamlScalar(k, ind))
		b.WriteString(":")
		yamlValue(b, v, ind, true)
	}
}

func yamlList(b *strings.Builder, l []any, ind int) {
	pad := strings.Repeat(" ", ind)
	for _, v := range l {
		b.WriteString(pad)
		b.WriteString("-")
		switch t := v.(type) {
		case *value.Dict:
			if t.Len() > 0 {
				// first key on the dash line
				var sub strings.Builder
				yamlDict(&sub, t, ind+2)
				b.WriteString(" ")
				b.WriteString(strings.TrimPrefix(sub.String(), strings.Repeat(" ", ind+2)))
				continue
			}
		case []any:
			if len(t) > 0 {
				var sub strings.Builder
				yamlList(&sub, t, ind+2)
				b.WriteString(" ")
				b.WriteString(strings.TrimPrefix(sub.String(), strings.Repeat(" ", ind+2)))
				continue
			}
		}
		yamlValue(b, v, ind, false)
	}
}

// yamlValue writes v after "key:" or "-".
func yamlValue(b *strings.Builder, v any, ind int, inMap bool) {
	switch t := v.(type) {
	case *value.Dict:
		if t.Len() == 0 {
			b.WriteString(" {}\n")
			return
		}
		b.WriteString("\n")
		yamlDict(b, t, ind+2)
	case map[string]any:
		yamlValue(b, dictFromMap(t), ind, inMap)
	case []any:
		if len(t) == 0 {
			b.WriteString(" []\n")
			return
		}
		b.WriteString("\n")
		if inMap {
			yamlList(b, t, ind)
		} else {
			yamlList(b, t, ind+2)
		}
	default:
		b.WriteString(" ")
		b.WriteString(yamlScalar(v, ind))
		b.WriteString("\n")
	}
}

var (
	yamlBoolish = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	yamlNullish = regexp.MustCompile(`^(?:~|null|Null|NULL)$`)
	yamlNumish  = regexp.MustCompile(`^(?:[-+]?(?:0b[0-1_]+|0[0-7_]+|(?:0|[1-9][0-9_]*)|0x[0-9a-fA-F_]+|[1-9][0-9_]*(?::[0-5]?[0-9])+)|[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	yamlTime    = regexp.MustCompile(`^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?`)
)

func yamlScalar(v any, ind int) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case bool:
		if t {
			return "true"
		}
		return "false"
	case int:
		return strconv.Itoa(t)
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		s := PyFloat(t, false)
		switch s {
		case "inf":
			return ".inf"
		case "-inf":
			return "-.inf"
		case "nan":
			return ".nan"
		}
		return s
	case value.Unsafe:
		return yamlString(string(t), ind)
	case string:
		return yamlString(t, ind)
	}
	return yamlString(PyStr(v), ind)
}

func yamlString(s string, ind int) string {
	if strings.ContainsAny(s, "\n\r\u001c\u001d\u001e\u0085\u2028\u2029") {
		// block literal as the callback's dumper does
		s = strings.TrimRight(s, " \t\n\r\v\f")
		s = strings.ReplaceAll(s, "\t", "        ")
		s = regexp.MustCompile(`[\x0b\x0c\r]`).ReplaceAllString(s, "")
		s = regexp.MustCompile(` +\n`).ReplaceAllString(s, "\n")
		pad := strings.Repeat(" ", ind+2)
		lines := strings.Split(s, "\n")
		var b strings.Builder
		b.WriteString("|-")
		if len(lines) > 0 && strings.HasPrefix(lines[0], " ") {
			b.WriteString("2")
		}
		for _, l := range lines {
			b.WriteString("\n")
			if l != "" {
				b.WriteString(pad + l)
			}
		}
		return b.String()
	}
	if yamlPlainOK(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'"
}

func yamlPlainOK(s string) bool {
	if s == "" || yamlBoolish.MatchString(s) || yamlNullish.MatchString(s) || yamlNumish.MatchString(s) || yamlTime.MatchString(s) {
		return false
	}
	if strings.HasPrefix(s, " ") || strings.HasSuffix(s, " ") {
		return false
	}
	if strings.ContainsAny(s[:1], "-?:,[]{}#&*!|>'\"%@`") {
		if !(strings.ContainsAny(s[:1], "-?:") && len(s) > 1 && s[1] != ' ') {
			return false
		}
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) || r == 0xfeff {
			return false
		}
	}
	return true
}
