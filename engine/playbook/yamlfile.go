package playbook

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/diag"
	"octopus/engine/value"
)

// kv is one key of a YAML mapping with its nodes.
type kv struct {
	Key  string
	K, V *yaml.Node
}

// pairs lists the keys of a mapping node in order, expanding merge keys
// (<<) and keeping the first position and last value of duplicate keys,
// as PyYAML does.
func pairs(n *yaml.Node) []kv {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	var out []kv
	idx := map[string]int{}
	add := func(p kv) {
		if i, ok := idx[p.Key]; ok {
			out[i].V = p.V
			return
		}
		idx[p.Key] = len(out)
		out = append(out, p)
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if k.Kind == yaml.ScalarNode && k.Tag == "!!merge" {
			srcs := []*yaml.Node{v}
			if v.Kind == yaml.AliasNode {
				srcs = []*yaml.Node{v.Alias}
			}
			if srcs[0].Kind == yaml.SequenceNode {
				srcs = srcs[0].Content
			}
			for _, s := range srcs {
				for _, p := range pairs(s) {
					if _, ok := idx[p.Key]; !ok {
						add(p)
					}
				}
			}
			continue
		}
		kval, _ := value.FromYAML(k, "")
		add(kv{Key: value.KeyString(kval), K: k, V: v})
	}
	return out
}

func deref(n *yaml.Node) *yaml.Node {
	for n != nil && n.Kind == yaml.AliasNode {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool {
	n = deref(n)
	if n == nil {
		return true
	}
	if n.Kind != yaml.ScalarNode {
		return false
	}
	v, _ := value.FromYAML(n, "")
	return v == nil
}

// posOf returns the position Ansible reports for a node.
func posOf(n *yaml.Node, file string) diag.Pos {
	if n == nil {
		return diag.Pos{File: file}
	}
	return diag.Pos{File: file, Line: n.Line, Col: n.Column}
}

// toValue converts a node with PyYAML typing.
func toValue(n *yaml.Node, file string) any {
	if n == nil {
		return nil
	}
	v, err := value.FromYAML(n, file)
	if err != nil {
		return nil
	}
	return v
}

// pyType names a value's Python class as Ansible's messages print it.
func pyType(n *yaml.Node) string {
	n = deref(n)
	if n == nil {
		return "<class 'NoneType'>"
	}
	switch n.Kind {
	case yaml.MappingNode:
		return "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>"
	case yaml.SequenceNode:
		return "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>"
	}
	if c, ok := pyScalarClass(toValue(n, "")); ok {
		return c
	}
	return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
}

// readYAML reads and parses a YAML (or JSON) file, decrypting it first
// with decrypt when that is not nil. It returns nil for an empty document.
// Errors are rendered as Ansible renders them.
func readYAML(path string, decrypt func([]byte, string) ([]byte, error)) (*yaml.Node, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	if decrypt != nil {
		if data, err = decrypt(data, path); err != nil {
			return nil, err
		}
	}
	return parseYAML(data, path)
}

func parseYAML(data []byte, path string) (*yaml.Node, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, yamlError(data, path, err)
	}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, nil
	}
	if bad := unhashableKey(&doc); bad != nil {
		kind := "AnsibleMapping"
		if bad.Kind == yaml.SequenceNode {
			kind = "AnsibleSequence"
		}
		return nil, &diag.Error{
			Msg:    fmt.Sprintf("We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: %s\n\nSyntax Error while loading YAML.\n  found unacceptable key (unhashable type: '%s')", jsonError(data), kind),
			Pos:    diag.Pos{File: path, Line: bad.Line, Col: bad.Column},
			Source: data,
			Code:   4,
		}
	}
	root := doc.Content[0]
	if isNull(root) {
		return nil, nil
	}
	return root, nil
}

var reYAMLLine = regexp.MustCompile(`^yaml: line (\d+): (.*)$`)

// yamlError turns a yaml.v3 error into Ansible's "We were unable to read
// either as JSON nor YAML" error with PyYAML's wording and position where
// the two libraries agree.
func yamlError(data []byte, path string, err error) error {
	msg := err.Error()
	line, problem := 0, msg
	if m := reYAMLLine.FindStringSubmatch(msg); m != nil {
		line, _ = strconv.Atoi(m[1])
		problem = m[2]
	} else {
		problem = strings.TrimPrefix(problem, "yaml: ")
	}
	lines := strings.Split(string(data), "\n")
	col := 1
	text := ""
	if line >= 1 && line <= len(lines) {
		text = lines[line-1]
	}
	firstCol := func(t string) int { return len(t) - len(strings.TrimLeft(t, " ")) + 1 }
	switch {
	case strings.HasPrefix(problem, "mapping values are not allowed"):
		problem = "mapping values are not allowed in this context"
		// The offending ':' is the second "key: " on the line, or the only
		// one when the line continues a plain scalar.
		var colons []int
		for i := 0; i < len(text); i++ {
			if text[i] == ':' && (i+1 == len(text) || text[i+1] == ' ') {
				colons = append(colons, i)
			}
		}
		switch {
		case len(colons) >= 2:
			col = colons[1] + 1
		case len(colons) == 1:
			col = colons[0] + 1
		}
	case strings.HasPrefix(problem, "found character that cannot start any token"):
		for i, c := range text {
			if c == '\t' || c == '@' || c == '`' || c == '%' {
				col = i + 1
				break
			}
		}
	case strings.HasPrefix(problem, "unknown anchor"):
		name := strings.TrimSuffix(strings.TrimPrefix(problem, "unknown anchor '"), "' referenced")
		problem = "found undefined alias"
		for i, t := range lines {
			if j := strings.Index(t, "*"+name); j >= 0 {
				line, col = i+1, j+1
				break
			}
		}
	case strings.HasPrefix(problem, "found unexpected end of stream"), strings.HasPrefix(problem, "did not find expected ',' or"):
		// libyaml marks the very end of the input.
		line = len(lines)
		col = len([]rune(lines[line-1])) + 1
	case strings.HasPrefix(problem, "did not find expected"):
		// yaml.v3 reports the enclosing block's line; libyaml (which
		// Ansible uses) the offending token. Find the first line whose
		// addition makes the document fail the same way.
		if k := firstFailingLine(lines, problem); k > 0 {
			line = k
			text = lines[k-1]
		}
		col = firstCol(text)
	default:
		col = firstCol(text)
	}
	e := &diag.Error{
		Msg:  fmt.Sprintf("We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: %s\n\nSyntax Error while loading YAML.\n  %s", jsonError(data), problem),
		Code: 4,
	}
	if line > 0 {
		e.Pos = diag.Pos{File: path, Line: line, Col: col}
		e.Source = data
	}
	return e
}

// jsonError approximates the message Python's json module gives for a
// document that is not JSON (the usual case: YAML).
func jsonError(data []byte) string {
	s := string(data)
	i := 0
	for i < len(s) && strings.IndexByte(" \t\n\r", s[i]) >= 0 {
		i++
	}
	lineNo := strings.Count(s[:i], "\n") + 1
	colNo := i - strings.LastIndex(s[:i], "\n")
	if i >= len(s) {
		return fmt.Sprintf("Expecting value: line %d column %d (char %d)", lineNo, colNo, len([]rune(s[:i])))
	}
	switch s[i] {
	case '{':
		j := i + 1
		for j < len(s) && strings.IndexByte(" \t\n\r", s[j]) >= 0 {
			j++
		}
		l := strings.Count(s[:j], "\n") + 1
		c := j - strings.LastIndex(s[:j], "\n")
		return fmt.Sprintf("Expecting property name enclosed in double quotes: line %d column %d (char %d)", l, c, len([]rune(s[:j])))
	}
	return fmt.Sprintf("Expecting value: line %d column %d (char %d)", lineNo, colNo, len([]rune(s[:i])))
}

// isNotExist reports a missing file.
func isNotExist(err error) bool { return errors.Is(err, os.ErrNotExist) }

// unhashableKey finds the first mapping key that is itself a mapping or a
// sequence, which PyYAML refuses (e.g. msg: {{ var }} unquoted).
func unhashableKey(n *yaml.Node) *yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.MappingNode || k.Kind == yaml.SequenceNode {
				return k
			}
			if bad := unhashableKey(n.Content[i+1]); bad != nil {
				return bad
			}
		}
		return nil
	}
	for _, c := range n.Content {
		if bad := unhashableKey(c); bad != nil {
			return bad
		}
	}
	return nil
}

// firstFailingLine returns the 1-based number of the first line such that
// the document cut after it fails to parse with the same problem.
func firstFailingLine(lines []string, problem string) int {
	for k := 1; k <= len(lines); k++ {
		var n yaml.Node
		err := yaml.Unmarshal([]byte(strings.Join(lines[:k], "\n")+"\n"), &n)
		if err != nil && strings.Contains(err.Error(), problem) {
			return k
		}
	}
	return 0
}

// duplicateKeys calls warn for every mapping key that appears twice, with
// Ansible's wording and the mapping's position.
func duplicateKeys(n *yaml.Node, file string, warn func(string)) {
	if n == nil {
		return
	}
	if n.Kind == yaml.MappingNode {
		seen := map[string]bool{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := n.Content[i]
			if k.Kind == yaml.ScalarNode && k.Tag != "!!merge" {
				key := value.KeyString(toValue(k, file))
				if seen[key] {
					warn(fmt.Sprintf("While constructing a mapping from %s, line %d, column %d, found a duplicate dict key (%s). Using last defined value only.", file, n.Line, n.Column, key))
				}
				seen[key] = true
			}
		}
	}
	for _, c := range n.Content {
		duplicateKeys(c, file, warn)
	}
}
