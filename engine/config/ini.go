package config

import (
	"fmt"
	"strings"
	"unicode"

	"octopus/engine/pyfmt"
)

// iniFile is an ini file parsed as Python's configparser.ConfigParser does
// with inline_comment_prefixes=(";",), read raw (no "%" interpolation):
// "#" and ";" start full-line comments, " ;" starts an inline comment,
// "=" or ":" separate keys from values, indented lines continue a value,
// keys are lower-cased, and [DEFAULT] values show through every section.
type iniFile struct {
	sections map[string]map[string]string
	defaults map[string]string
	order    []string
}

// get returns the raw value of key in section (falling back to [DEFAULT]),
// and false when the section does not exist or lacks the key.
func (f *iniFile) get(section, key string) (string, bool) {
	if f == nil {
		return "", false
	}
	key = strings.ToLower(key)
	if section == "DEFAULT" {
		v, ok := f.defaults[key]
		return v, ok
	}
	sec, ok := f.sections[section]
	if !ok {
		return "", false
	}
	if v, ok := sec[key]; ok {
		return v, true
	}
	v, ok := f.defaults[key]
	return v, ok
}

// parseINI parses text; errors carry configparser's messages.
func parseINI(text string) (*iniFile, error) {
	f := &iniFile{sections: map[string]map[string]string{}, defaults: map[string]string{}}
	type multi struct {
		lines []string
		set   bool
	}
	values := map[string]map[string]*multi{} // section -> key -> lines
	var cur map[string]*multi
	curName := ""
	optName := ""
	indentLevel := 0
	added := map[string]bool{}
	var parseErrs []string

	lines := strings.SplitAfter(text, "\n")
	if len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	for i, line := range lines {
		lineno := i + 1
		commentStart := -1
		// inline comments: ";" at start or after whitespace
		for idx := strings.Index(line, ";"); idx >= 0; {
			if idx == 0 || unicode.IsSpace(rune(line[idx-1])) {
				commentStart = idx
				break
			}
			next := strings.Index(line[idx+1:], ";")
			if next < 0 {
				break
			}
			idx += 1 + next
		}
		trimmed := strings.TrimSpace(line)
		if strings.HasPrefix(trimmed, "#") || strings.HasPrefix(trimmed, ";") {
			commentStart = 0
		}
		value := line
		if commentStart >= 0 {
			value = line[:commentStart]
		}
		value = strings.TrimSpace(value)
		if value == "" {
			if commentStart < 0 && cur != nil && optName != "" && cur[optName] != nil && cur[optName].set {
				cur[optName].lines = append(cur[optName].lines, "")
			}
			continue
		}
		curIndent := len(line) - len(strings.TrimLeftFunc(line, unicode.IsSpace))
		if cur != nil && optName != "" && curIndent > indentLevel {
			if m := cur[optName]; m != nil && m.set {
				m.lines = append(m.lines, value)
			}
			continue
		}
		indentLevel = curIndent
		if strings.HasPrefix(value, "[") && strings.LastIndex(value, "]") > 1 {
			name := value[1:strings.LastIndex(value, "]")]
			if name == "DEFAULT" {
				if values[name] == nil {
					values[name] = map[string]*multi{}
				}
			} else if _, ok := values[name]; ok {
				if added[name] {
					return nil, fmt.Errorf("While reading from '<string>' [line %2d]: section %s already exists", lineno, pyfmt.Quote(name))
				}
				added[name] = true
			} else {
				values[name] = map[string]*multi{}
				f.order = append(f.order, name)
				added[name] = true
			}
			cur, curName, optName = values[name], name, ""
			continue
		}
		if cur == nil {
			return nil, fmt.Errorf("File contains no section headers.\nfile: '<string>', line: %d\n%s", lineno, pyfmt.Quote(line))
		}
		d := strings.IndexAny(value, "=:")
		if d <= 0 || strings.TrimSpace(value[:d]) == "" {
			parseErrs = append(parseErrs, fmt.Sprintf("\n\t[line %2d]: %s", lineno, pyfmt.Quote(line)))
			continue
		}
		optName = strings.ToLower(strings.TrimRightFunc(value[:d], unicode.IsSpace))
		k := curName + "\x00" + optName
		if added[k] {
			return nil, fmt.Errorf("While reading from '<string>' [line %2d]: option %s in section %s already exists", lineno, pyfmt.Quote(optName), pyfmt.Quote(curName))
		}
		added[k] = true
		cur[optName] = &multi{lines: []string{strings.TrimSpace(value[d+1:])}, set: true}
	}
	for name, opts := range values {
		dst := map[string]string{}
		for k, m := range opts {
			dst[k] = strings.TrimRightFunc(strings.Join(m.lines, "\n"), unicode.IsSpace)
		}
		if name == "DEFAULT" {
			f.defaults = dst
		} else {
			f.sections[name] = dst
		}
	}
	if len(parseErrs) > 0 {
		return nil, fmt.Errorf("Source contains parsing errors: '<string>'%s", strings.Join(parseErrs, ""))
	}
	return f, nil
}
