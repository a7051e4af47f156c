package value

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
)

// FromYAML converts a decoded YAML node to a value the way PyYAML (YAML 1.1,
// which Ansible uses) resolves plain scalars: yes/no/on/off are booleans,
// 0x1F and 017 are ints, 1_000 is an int, "1e3" stays a string. Mappings
// become *Dict in document order. file names the source for errors.
func FromYAML(n *yaml.Node, file string) (any, error) {
	c := converter{file: file, active: map[*yaml.Node]bool{}}
	return c.node(n)
}

// maxAliasExpansions bounds how many nodes alias expansion may produce, so
// that a "billion laughs" document fails instead of exhausting memory.
const maxAliasExpansions = 1 << 20

type converter struct {
	file     string
	active   map[*yaml.Node]bool // aliased nodes being expanded (cycle check)
	expanded int
}

func (c *converter) node(n *yaml.Node) (any, error) {
	file := c.file
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return c.node(n.Content[0])
	case yaml.AliasNode:
		if c.active[n.Alias] {
			return nil, diag.Errorf(diag.Pos{File: file, Line: n.Line, Col: n.Column}, "recursive YAML alias '*%s'", n.Value)
		}
		c.expanded++
		if c.expanded > maxAliasExpansions {
			return nil, diag.Errorf(diag.Pos{File: file, Line: n.Line, Col: n.Column}, "too many YAML alias expansions")
		}
		c.active[n.Alias] = true
		defer delete(c.active, n.Alias)
		return c.node(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, item := range n.Content {
			v, err := c.node(item)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		d := NewDict(len(n.Content) / 2)
		if err := c.mergeMapping(d, n); err != nil {
			return nil, err
		}
		return d, nil
	case yaml.ScalarNode:
		return scalar(n, file)
	}
	return nil, nil
}

func (c *converter) mergeMapping(d *Dict, n *yaml.Node) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			src := v
			if src.Kind == yaml.AliasNode {
				src = src.Alias
			}
			srcs := []*yaml.Node{src}
			if src.Kind == yaml.SequenceNode {
				srcs = src.Content
			}
			for _, s := range srcs {
				if s.Kind == yaml.AliasNode {
					s = s.Alias
				}
				if s.Kind == yaml.MappingNode {
					tmp := NewDict(0)
					if err := c.mergeMapping(tmp, s); err != nil {
						return err
					}
					for _, kk := range tmp.Keys() {
						if !d.Has(kk) {
							vv, _ := tmp.Get(kk)
							d.Set(kk, vv)
						}
					}
				}
			}
			continue
		}
		key, err := c.node(k)
		if err != nil {
			return err
		}
		val, err := c.node(v)
		if err != nil {
			return err
		}
		d.Set(KeyString(key), val)
	}
	return nil
}

// KeyString renders a decoded mapping key as Ansible would see it as a
// string (True for booleans, Python number forms).
func KeyString(k any) string {
	switch t := k.(type) {
	case string:
		return t
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case int:
		return strconv.Itoa(t)
	case float64:
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return fmt.Sprint(k)
}

var (
	reBool  = regexp.MustCompile(`^(?:yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$`)
	reInt   = regexp.MustCompile(`^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(?::[0-5]?[0-9])+)$`)
	reFloat = regexp.MustCompile(`^(?:[-+]?(?:[0-9][0-9_]*)\.[0-9_]*(?:[eE][-+][0-9]+)?|\.[0-9_]+(?:[eE][-+][0-9]+)?|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$`)
	reNull  = regexp.MustCompile(`^(?:~|null|Null|NULL|)$`)
)

func scalar(n *yaml.Node, file string) (any, error) {
	switch n.Tag {
	case "!vault":
		return &Vault{Ciphertext: n.Value}, nil
	case "!unsafe":
		return Unsafe(n.Value), nil
	case "!!str", "!!binary":
		if n.Style != 0 || n.Tag == "!!binary" || strings.HasPrefix(n.Tag, "!!") && n.Style == 0 && !isPlainResolved(n) {
			return n.Value, nil
		}
	}
	if n.Style&(yaml.DoubleQuotedStyle|yaml.SingleQuotedStyle|yaml.LiteralStyle|yaml.FoldedStyle) != 0 {
		return n.Value, nil
	}
	return ResolvePlain(n.Value, n.Tag, diag.Pos{File: file, Line: n.Line, Col: n.Column})
}

// isPlainResolved reports whether a plain scalar carries an implicit tag
// (as opposed to an explicit !!str written by the user).
func isPlainResolved(n *yaml.Node) bool {
	return n.Style == 0
}

// ResolvePlain types a plain (unquoted) YAML scalar as PyYAML would.
func ResolvePlain(s, tag string, pos diag.Pos) (any, error) {
	switch tag {
	case "!!str":
		// yaml.v3 tags with YAML 1.2 rules; re-resolve with 1.1 rules below.
	case "!!timestamp":
		return s, nil
	}
	if reNull.MatchString(s) {
		return nil, nil
	}
	if reBool.MatchString(s) {
		switch s[0] {
		case 'y', 'Y', 't', 'T':
			return true, nil
		case 'o', 'O':
			return strings.EqualFold(s, "on"), nil
		}
		return false, nil
	}
	if reInt.MatchString(s) {
		return parseInt11(s), nil
	}
	if reFloat.MatchString(s) {
		return parseFloat11(s), nil
	}
	return s, nil
}

func parseInt11(s string) any {
	t := strings.ReplaceAll(s, "_", "")
	sign := int64(1)
	if strings.HasPrefix(t, "-") {
		sign, t = -1, t[1:]
	} else if strings.HasPrefix(t, "+") {
		t = t[1:]
	}
	var v int64
	var err error
	switch {
	case t == "0":
		return 0
	case strings.HasPrefix(t, "0b"):
		v, err = strconv.ParseInt(t[2:], 2, 64)
	case strings.HasPrefix(t, "0x"):
		v, err = strconv.ParseInt(t[2:], 16, 64)
	case strings.HasPrefix(t, "0"):
		v, err = strconv.ParseInt(t[1:], 8, 64)
	case strings.Contains(t, ":"):
		for _, part := range strings.Split(t, ":") {
			p, _ := strconv.ParseInt(part, 10, 64)
			v = v*60 + p
		}
	default:
		v, err = strconv.ParseInt(t, 10, 64)
	}
	if err != nil {
		return s
	}
	return int(sign * v)
}

func parseFloat11(s string) any {
	t := strings.ReplaceAll(s, "_", "")
	low := strings.ToLower(t)
	switch {
	case strings.HasSuffix(low, ".inf"):
		if strings.HasPrefix(low, "-") {
			return math.Inf(-1)
		}
		return math.Inf(1)
	case strings.HasSuffix(low, ".nan"):
		return math.NaN()
	case strings.Contains(t, ":"):
		sign := 1.0
		if strings.HasPrefix(t, "-") {
			sign, t = -1, t[1:]
		} else if strings.HasPrefix(t, "+") {
			t = t[1:]
		}
		var v float64
		for _, part := range strings.Split(t, ":") {
			p, _ := strconv.ParseFloat(part, 64)
			v = v*60 + p
		}
		return sign * v
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil {
		return s
	}
	return f
}
