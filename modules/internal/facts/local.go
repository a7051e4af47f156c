package facts

import (
	"fmt"
	"path"
	"strings"
	"unicode/utf8"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// Local is the local collector: every fact_path/*.fact file, read as JSON,
// else INI; executable ones are run and their output parsed the same way.
// It also returns the warnings Ansible would print.
func (o *Output) Local(factPath string) (Facts, []string) {
	local := value.NewDict(len(o.local))
	var warns []string
	for _, lf := range o.local {
		base := strings.ReplaceAll(path.Base(lf.path), ".fact", "")
		out := lf.out
		switch lf.kind {
		case "lbad":
			msg := fmt.Sprintf("Could not stat fact (%s): Permission denied", lf.path)
			local.Set(base, msg)
			warns = append(warns, msg)
			continue
		case "lexec":
			if lf.rc != 0 {
				msg := fmt.Sprintf("Failure executing fact script (%s), rc: %d, err: %s", lf.path, lf.rc, lf.errText)
				local.Set(base, msg)
				warns = append(warns, msg)
				continue
			}
		}
		if !utf8.ValidString(out) {
			msg := fmt.Sprintf(`error loading fact - output of running "%s" was not utf-8`, lf.path)
			local.Set(base, msg)
			warns = append(warns, msg)
			continue
		}
		if lf.kind == "lfile" {
			out = strings.TrimSpace(out)
		}
		if v, err := pyfmt.ParseJSON(out); err == nil {
			local.Set(base, v)
			continue
		}
		ini, err := parseINI(out)
		if err != nil {
			msg := "error loading facts as JSON or ini - please check content: " + lf.path
			warns = append(warns, msg)
			local.Set(base, msg)
			continue
		}
		local.Set(base, ini)
	}
	return Facts{"local": local}, warns
}

// parseINI reads text as Python's configparser would for local facts:
// option names lower-cased, DEFAULT values visible in every section.
func parseINI(s string) (*value.Dict, error) {
	out := value.NewDict(4)
	defaults := value.NewDict(0)
	var cur *value.Dict
	var lastKey string
	for n, raw := range strings.Split(s, "\n") {
		line := strings.TrimRight(raw, "\r")
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			continue
		}
		if cur != nil && lastKey != "" && (line[0] == ' ' || line[0] == '\t') {
			prev, _ := cur.Get(lastKey)
			cur.Set(lastKey, fmt.Sprint(prev)+"\n"+trimmed)
			continue
		}
		if strings.HasPrefix(trimmed, "[") && strings.HasSuffix(trimmed, "]") {
			name := trimmed[1 : len(trimmed)-1]
			if name == "DEFAULT" {
				cur = defaults
			} else if v, ok := out.Get(name); ok {
				cur = v.(*value.Dict)
			} else {
				cur = value.NewDict(4)
				out.Set(name, cur)
			}
			lastKey = ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("line %d: no section header", n+1)
		}
		i := strings.IndexAny(trimmed, "=:")
		if i < 0 {
			return nil, fmt.Errorf("line %d: no value", n+1)
		}
		k := strings.ToLower(strings.TrimSpace(trimmed[:i]))
		cur.Set(k, strings.TrimSpace(trimmed[i+1:]))
		lastKey = k
	}
	if defaults.Len() > 0 {
		for _, sec := range out.Keys() {
			v, _ := out.Get(sec)
			d := v.(*value.Dict)
			for _, k := range defaults.Keys() {
				if !d.Has(k) {
					dv, _ := defaults.Get(k)
					d.Set(k, dv)
				}
			}
		}
	}
	return out, nil
}
