package config

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"octopus/engine/pyfmt"
)

// ParseBool converts a value as Ansible's boolean(value, strict=False):
// "y", "yes", "on", "1", "true", "t" (any case, spaces trimmed) are true,
// everything else false.
func ParseBool(v any) bool {
	switch x := v.(type) {
	case bool:
		return x
	case int:
		return x == 1
	case float64:
		return x == 1
	case string:
		switch strings.ToLower(strings.TrimSpace(x)) {
		case "y", "yes", "on", "1", "true", "t":
			return true
		}
	}
	return false
}

// unquote removes one pair of matching surrounding quotes, as Ansible's
// parsing.quoting.unquote does.
func unquote(s string) string {
	if len(s) > 1 && s[0] == s[len(s)-1] && (s[0] == '"' || s[0] == '\'') && s[len(s)-2] != '\\' {
		return s[1 : len(s)-1]
	}
	return s
}

// pyInt parses an integer as Python's int(str) does.
func pyInt(s string) (int, error) {
	t := strings.TrimSpace(s)
	body := strings.TrimLeft(t, "+-")
	ok := len(t)-len(body) <= 1 && body != "" && !strings.HasPrefix(body, "_") && !strings.HasSuffix(body, "_") && !strings.Contains(body, "__")
	if ok {
		for _, r := range body {
			if (r < '0' || r > '9') && r != '_' {
				ok = false
				break
			}
		}
	}
	if ok {
		n, err := strconv.Atoi(strings.ReplaceAll(t, "_", ""))
		if err == nil {
			return n, nil
		}
	}
	return 0, fmt.Errorf("invalid literal for int() with base 10: %s", pyfmt.Quote(s))
}

// expandVars replaces $NAME and ${NAME} defined in env, leaving others as
// they are (Python's os.path.expandvars).
func expandVars(s string, env map[string]string) string {
	if !strings.Contains(s, "$") {
		return s
	}
	isWord := func(c byte) bool {
		return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] != '$' || i+1 >= len(s) {
			b.WriteByte(s[i])
			i++
			continue
		}
		end, name := i+1, ""
		if s[i+1] == '{' {
			k := strings.IndexByte(s[i+1:], '}')
			if k < 0 {
				b.WriteByte('$')
				i++
				continue
			}
			end = i + 1 + k + 1
			name = s[i+2 : end-1]
		} else {
			for end < len(s) && isWord(s[end]) {
				end++
			}
			name = s[i+1 : end]
			if name == "" {
				b.WriteByte('$')
				i++
				continue
			}
		}
		if v, ok := env[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i:end])
		}
		i = end
	}
	return b.String()
}

// expandUser replaces a leading ~ or ~/ with HOME (Python's expanduser).
func expandUser(s string, env map[string]string) string {
	if s != "~" && !strings.HasPrefix(s, "~/") {
		return s
	}
	home, ok := env["HOME"]
	if !ok {
		home, _ = os.UserHomeDir()
	}
	if home != "/" {
		home = strings.TrimRight(home, "/")
	}
	if s == "~" {
		if home == "" {
			return "/"
		}
		return home
	}
	if home == "/" {
		return s[1:]
	}
	return home + s[1:]
}

// unfrack resolves a path as Ansible's unfrackpath(follow=False): vars and
// ~ expanded, made absolute against base, normalised.
func unfrack(p, base string, env map[string]string) string {
	p = expandUser(expandVars(p, env), env)
	if !filepath.IsAbs(p) {
		p = filepath.Join(base, p)
	}
	return normpath(p)
}

// normpath is Python's posixpath.normpath (which keeps a leading "//").
func normpath(p string) string {
	if p == "" {
		return "."
	}
	c := filepath.Clean(p)
	if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
		return "/" + c
	}
	return c
}

// convert applies a setting type to a raw value, as Ansible's ensure_type.
func convert(v any, t Type, origin, cwd string, env map[string]string) (any, error) {
	if v == nil {
		return nil, nil
	}
	base := cwd
	if filepath.IsAbs(origin) {
		if st, err := os.Stat(origin); err == nil {
			base = origin
			if !st.IsDir() {
				base = filepath.Dir(origin)
			}
		}
	}
	resolve := func(p string) string {
		if strings.Contains(p, "{{CWD}}") {
			p = strings.ReplaceAll(p, "{{CWD}}", cwd)
		}
		return unfrack(p, base, env)
	}
	s, isStr := v.(string)
	switch t {
	case TypeBoolean:
		return ParseBool(v), nil
	case TypeInteger:
		switch x := v.(type) {
		case int:
			return x, nil
		case bool:
			if x {
				return 1, nil
			}
			return 0, nil
		case string:
			return pyInt(x)
		}
		return nil, fmt.Errorf("invalid value %v", v)
	case TypeFloat:
		switch x := v.(type) {
		case float64:
			return x, nil
		case int:
			return float64(x), nil
		case string:
			f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
			if err != nil {
				return nil, fmt.Errorf("could not convert string to float: %s", pyfmt.Quote(x))
			}
			return f, nil
		}
		return nil, fmt.Errorf("invalid value %v", v)
	case TypeList:
		if isStr {
			parts := strings.Split(s, ",")
			for i, p := range parts {
				parts[i] = unquote(strings.TrimSpace(p))
			}
			return parts, nil
		}
		if l, ok := v.([]string); ok {
			return append([]string(nil), l...), nil
		}
		return nil, fmt.Errorf("Invalid type provided for \"list\": %v", v)
	case TypePath, TypeTmpPath:
		if !isStr {
			return nil, fmt.Errorf("Invalid type provided for \"path\": %v", v)
		}
		return resolve(s), nil
	case TypePathSpec, TypePathList:
		var parts []string
		switch {
		case isStr && t == TypePathSpec:
			parts = strings.Split(s, ":")
		case isStr:
			parts = strings.Split(s, ",")
			for i := range parts {
				parts[i] = strings.TrimSpace(parts[i])
			}
		default:
			l, ok := v.([]string)
			if !ok {
				return nil, fmt.Errorf("Invalid type provided for \"%s\": %v", t, v)
			}
			parts = append([]string(nil), l...)
		}
		for i := range parts {
			parts[i] = resolve(parts[i])
		}
		return parts, nil
	case TypeString:
		if isStr {
			return unquote(s), nil
		}
		return pyfmt.Str(v), nil
	}
	if isStr {
		return unquote(s), nil
	}
	return v, nil
}
