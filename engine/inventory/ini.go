package inventory

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

var (
	reSection   = regexp.MustCompile(`^\[([^:\]\s]+)(?::(\w+))?\]\s*(?:#.*)?$`)
	reGroupName = regexp.MustCompile(`^([^:\]\s]+)\s*(?:#.*)?$`)
)

type pendingDecl struct {
	line    int
	state   string
	name    string
	parents []string
}

// parseINI reads an INI inventory into inv, stopping at the first error as
// Ansible's ini plugin does (what was added before the error stays).
func (inv *Inventory) parseINI(path string, data []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	var lines []string
	text := string(data)
	if utf8.ValidString(text) {
		lines = pySplitLines(text)
	} else {
		for _, l := range pySplitLines(text) {
			if l != "" && (l[0] == '#' || l[0] == ';') {
				lines = append(lines, "")
			} else if !utf8.ValidString(l) {
				return errors.New("'utf-8' codec can't decode bytes: invalid continuation byte")
			} else {
				lines = append(lines, l)
			}
		}
	}
	lineErr := func(lineno int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, lineno, fmt.Sprintf(format, args...))
	}
	pending := map[string]*pendingDecl{}
	var pendingOrder []string
	addPending := func(d *pendingDecl) {
		pending[d.name] = d
		pendingOrder = append(pendingOrder, d.name)
	}
	groupname, state := "ungrouped", "hosts"
	for i, raw := range lines {
		lineno := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if m := reSection.FindStringSubmatch(line); m != nil {
			groupname, state = m[1], m[2]
			inv.checkGroupName(groupname)
			if state == "" {
				state = "hosts"
			}
			if state != "hosts" && state != "children" && state != "vars" {
				return lineErr(lineno, "Section [%s:%s] has unknown type: %s", m[1], m[2], state)
			}
			if inv.groups[groupname] == nil {
				if state == "vars" && pending[groupname] == nil {
					addPending(&pendingDecl{line: lineno, state: state, name: groupname})
				}
				inv.AddGroup(groupname)
			}
			if d := pending[groupname]; d != nil && state != "vars" {
				if d.state == "children" {
					if err := inv.addPendingChildren(groupname, pending); err != nil {
						return err
					}
				} else if d.state == "vars" {
					delete(pending, groupname)
				}
			}
			continue
		} else if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			return lineErr(lineno, "Invalid section entry: '%s'. Please make sure that there are no spaces in the section entry, and that there are no other invalid characters", line)
		}
		switch state {
		case "hosts":
			tokens, err := shlexSplit(line)
			if err != nil {
				return lineErr(lineno, "Error parsing host definition '%s': %s", line, err)
			}
			if len(tokens) == 0 {
				return errors.New("list index out of range")
			}
			hosts, port, hasPort, err := expandHostPattern(tokens[0])
			if err != nil {
				return err
			}
			if strings.HasSuffix(strings.TrimSpace(tokens[0]), ":") && !hasPort {
				return fmt.Errorf("Invalid host pattern '%s' supplied, ending in ':' is not allowed, this character is reserved to provide a port.", tokens[0])
			}
			for _, h := range hosts {
				if strings.TrimSpace(h) == "---" {
					return fmt.Errorf("Invalid host pattern '%s' supplied, '---' is normally a sign this is a YAML file.", tokens[0])
				}
			}
			type kv struct {
				k string
				v any
			}
			var vars []kv
			for _, t := range tokens[1:] {
				k, v, ok := strings.Cut(t, "=")
				if !ok {
					return lineErr(lineno, "Expected key=value host variable assignment, got: %s", t)
				}
				found := false
				for i := range vars {
					if vars[i].k == k {
						vars[i].v = parsePyValue(v)
						found = true
					}
				}
				if !found {
					vars = append(vars, kv{k, parsePyValue(v)})
				}
			}
			for _, h := range hosts {
				if _, err := inv.AddHost(h, groupname, port, hasPort); err != nil {
					return err
				}
				for _, x := range vars {
					if err := inv.SetVariable(h, x.k, x.v); err != nil {
						return err
					}
				}
			}
		case "vars":
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				return lineErr(lineno, "Expected key=value, got: %s", line)
			}
			if err := inv.SetVariable(groupname, strings.TrimSpace(k), parsePyValue(strings.TrimSpace(v))); err != nil {
				return err
			}
		case "children":
			m := reGroupName.FindStringSubmatch(line)
			if m == nil {
				return lineErr(lineno, "Expected group name, got: %s", line)
			}
			child := m[1]
			if inv.groups[child] == nil {
				if d := pending[child]; d == nil {
					addPending(&pendingDecl{line: lineno, state: state, name: child, parents: []string{groupname}})
				} else {
					d.parents = append(d.parents, groupname)
				}
			} else if err := inv.AddChild(groupname, child); err != nil {
				return err
			}
		}
	}
	for i, name := range pendingOrder {
		d := pending[name]
		if d == nil || lastIndex(pendingOrder, name) != i {
			continue
		}
		if d.state == "vars" {
			return fmt.Errorf("%s:%d: Section [%s:vars] not valid for undefined group: %s", path, d.line, d.name, d.name)
		}
		return fmt.Errorf("%s:%d: Section [%s:children] includes undefined group: %s", path, d.line, d.parents[len(d.parents)-1], d.name)
	}
	return nil
}

func (inv *Inventory) addPendingChildren(group string, pending map[string]*pendingDecl) error {
	d := pending[group]
	for _, parent := range d.parents {
		if err := inv.AddChild(parent, group); err != nil {
			return err
		}
		if p := pending[parent]; p != nil && p.state == "children" {
			if err := inv.addPendingChildren(parent, pending); err != nil {
				return err
			}
		}
	}
	delete(pending, group)
	return nil
}

// pySplitLines splits text as Python's str.splitlines does.
func pySplitLines(s string) []string {
	var out []string
	start := 0
	rs := []rune(s)
	var b strings.Builder
	_ = start
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch r {
		case '\n', '\v', '\f', '\x1c', '\x1d', '\x1e', '\x85', '\u2028', '\u2029':
			out = append(out, b.String())
			b.Reset()
		case '\r':
			out = append(out, b.String())
			b.Reset()
			if i+1 < len(rs) && rs[i+1] == '\n' {
				i++
			}
		default:
			b.WriteRune(r)
		}
	}
	if b.Len() > 0 {
		out = append(out, b.String())
	}
	return out
}

// shlexSplit splits s as Python's shlex.split(s, comments=True) does.
func shlexSplit(s string) ([]string, error) {
	var tokens []string
	var tok strings.Builder
	quoted := false
	inWord := false
	state := ' '
	escState := ' '
	emit := func() {
		if tok.Len() > 0 || quoted {
			tokens = append(tokens, tok.String())
		}
		tok.Reset()
		quoted = false
		inWord = false
	}
	isWS := func(r rune) bool { return r == ' ' || r == '\t' || r == '\r' || r == '\n' }
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		c := rs[i]
		switch state {
		case ' ', 'a':
			switch {
			case isWS(c):
				if state == 'a' || inWord {
					emit()
				}
				state = ' '
			case c == '#':
				for i < len(rs) && rs[i] != '\n' {
					i++
				}
				if state == 'a' {
					emit()
				}
				state = ' '
			case c == '\\':
				escState, state = 'a', '\\'
				inWord = true
			case c == '\'' || c == '"':
				state = c
				inWord = true
			default:
				tok.WriteRune(c)
				state = 'a'
				inWord = true
			}
		case '\'', '"':
			quoted = true
			switch {
			case c == state:
				state = 'a'
			case c == '\\' && state == '"':
				escState, state = state, '\\'
			default:
				tok.WriteRune(c)
			}
		case '\\':
			if (escState == '"' || escState == '\'') && c != escState && c != '\\' {
				tok.WriteRune('\\')
			}
			tok.WriteRune(c)
			state = escState
		}
	}
	switch state {
	case '\'', '"':
		return nil, errors.New("No closing quotation")
	case '\\':
		return nil, errors.New("No escaped character")
	}
	if state == 'a' || quoted || tok.Len() > 0 {
		emit()
	}
	return tokens, nil
}

func lastIndex(list []string, s string) int {
	for i := len(list) - 1; i >= 0; i-- {
		if list[i] == s {
			return i
		}
	}
	return -1
}
