package inventory

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// loadDataFile decodes a YAML or JSON file as Ansible's DataLoader does:
// JSON first (plain types), then YAML with PyYAML typing. Mappings are
// *value.Dict. An empty document gives nil.
func loadDataFile(path string, data []byte) (any, error) {
	if v, err := pyfmt.ParseJSON(string(data)); err == nil {
		return v, nil
	}
	var n yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&n); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil
		}
		return nil, fmt.Errorf("We were unable to read either as JSON nor YAML, these are the errors we got from each:\nJSON: Expecting value: line 1 column 1 (char 0)\n\nSyntax Error while loading YAML.\n  %s\n\nThe error appears to be in '%s'", strings.TrimPrefix(err.Error(), "yaml: "), path)
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		return nil, fmt.Errorf("expected a single document in the stream in '%s'", path)
	}
	if err := checkAliases(&n); err != nil {
		return nil, fmt.Errorf("%s in '%s'", err, path)
	}
	return fromYAMLShared(&n, path, map[*yaml.Node]any{})
}

// fromYAMLShared converts like value.FromYAML but, as PyYAML does, makes
// every alias of a collection refer to the same object (the identity shows
// as &id001/*id001 anchors in ansible-inventory --yaml output).
func fromYAMLShared(n *yaml.Node, file string, memo map[*yaml.Node]any) (any, error) {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return fromYAMLShared(n.Content[0], file, memo)
	case yaml.AliasNode:
		if n.Alias == nil {
			return nil, nil
		}
		return fromYAMLShared(n.Alias, file, memo)
	case yaml.SequenceNode:
		if v, ok := memo[n]; ok {
			return v, nil
		}
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := fromYAMLShared(c, file, memo)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		memo[n] = out
		return out, nil
	case yaml.MappingNode:
		if v, ok := memo[n]; ok {
			return v, nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Tag == "!!merge" {
				v, err := value.FromYAML(n, file)
				memo[n] = v
				return v, err
			}
		}
		d := value.NewDict(len(n.Content) / 2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, err := value.FromYAML(n.Content[i], file)
			if err != nil {
				return nil, err
			}
			v, err := fromYAMLShared(n.Content[i+1], file, memo)
			if err != nil {
				return nil, err
			}
			d.Set(value.KeyString(k), v)
		}
		memo[n] = d
		return d, nil
	}
	return value.FromYAML(n, file)
}

// maxExpandedNodes bounds the size of a document once aliases are
// expanded (value.FromYAML copies aliased nodes).
const maxExpandedNodes = 5_000_000

// checkAliases rejects documents whose aliases are recursive or expand to
// an excessive number of nodes, which value.FromYAML cannot handle.
func checkAliases(root *yaml.Node) error {
	sizes := map[*yaml.Node]int{}
	active := map[*yaml.Node]bool{}
	var size func(n *yaml.Node) (int, error)
	size = func(n *yaml.Node) (int, error) {
		if n == nil {
			return 0, nil
		}
		if s, ok := sizes[n]; ok {
			return s, nil
		}
		if active[n] {
			return 0, errors.New("found a recursive YAML alias")
		}
		active[n] = true
		defer delete(active, n)
		total := 1
		kids := n.Content
		if n.Kind == yaml.AliasNode {
			kids = []*yaml.Node{n.Alias}
		}
		for _, c := range kids {
			s, err := size(c)
			if err != nil {
				return 0, err
			}
			total += s
			if total > maxExpandedNodes {
				return 0, errors.New("YAML aliases expand to too many nodes")
			}
		}
		sizes[n] = total
		return total, nil
	}
	_, err := size(root)
	return err
}

// pyClassName names the Python type Ansible's loader would produce.
func pyClassName(v any, fromYAML bool) string {
	switch v.(type) {
	case []any:
		if fromYAML {
			return "<class 'ansible.parsing.yaml.objects.AnsibleSequence'>"
		}
		return "<class 'list'>"
	case *value.Dict:
		if fromYAML {
			return "<class 'ansible.parsing.yaml.objects.AnsibleMapping'>"
		}
		return "<class 'dict'>"
	case string:
		if fromYAML {
			return "<class 'ansible.parsing.yaml.objects.AnsibleUnicode'>"
		}
		return "<class 'str'>"
	}
	return "<class '" + value.PyTypeName(v) + "'>"
}

// parseYAMLInventory reads a YAML/JSON inventory (all/children/hosts/vars).
func (inv *Inventory) parseYAMLInventory(path string, raw []byte) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("%v", r)
		}
	}()
	data, err := loadDataFile(path, raw)
	if err != nil {
		return err
	}
	_, jsonErr := pyfmt.ParseJSON(string(raw))
	fromYAML := jsonErr != nil
	if isEmptyPy(data) {
		return errors.New("Parsed empty YAML file")
	}
	d, ok := data.(*value.Dict)
	if !ok {
		return fmt.Errorf("YAML inventory has invalid structure, it should be a dictionary, got: %s", pyClassName(data, fromYAML))
	}
	if p, _ := d.Get("plugin"); !isEmptyPy(p) {
		return errors.New("Plugin configuration YAML file, not YAML inventory")
	}
	for _, name := range d.Keys() {
		gd, _ := d.Get(name)
		if _, err := inv.parseYAMLGroup(name, gd, fromYAML); err != nil {
			return err
		}
	}
	return nil
}

func (inv *Inventory) parseYAMLGroup(group string, data any, fromYAML bool) (string, error) {
	gd, isMap := data.(*value.Dict)
	if data != nil && !isMap {
		inv.Warnings.Add("Skipping '%s' as this is not a valid group definition", group)
		return group, nil
	}
	if group == "" {
		return "", fmt.Errorf("Unable to add group %s: Invalid empty/false group name provided: %s", group, group)
	}
	inv.AddGroup(group)
	if gd == nil {
		return group, nil
	}
	for _, section := range []string{"vars", "children", "hosts"} {
		v, ok := gd.Get(section)
		if !ok {
			continue
		}
		if s, isStr := v.(string); isStr {
			gd.Set(section, value.DictOf(s, nil))
			continue
		}
		if _, isD := v.(*value.Dict); !isD && v != nil {
			return "", fmt.Errorf("Invalid \"%s\" entry for \"%s\" group, requires a dictionary, found \"%s\" instead.", section, group, pyClassName(v, fromYAML))
		}
	}
	for _, key := range gd.Keys() {
		v, _ := gd.Get(key)
		sub, isD := v.(*value.Dict)
		if !isD && v != nil {
			inv.Warnings.Add("Skipping key (%s) in group (%s) as it is not a mapping, it is a %s", key, group, pyClassName(v, fromYAML))
			continue
		}
		if v == nil {
			continue
		}
		switch key {
		case "vars":
			for _, k := range sub.Keys() {
				x, _ := sub.Get(k)
				if err := inv.SetVariable(group, k, x); err != nil {
					return "", err
				}
			}
		case "children":
			for _, k := range sub.Keys() {
				x, _ := sub.Get(k)
				child, err := inv.parseYAMLGroup(k, x, fromYAML)
				if err != nil {
					return "", err
				}
				if err := inv.AddChild(group, child); err != nil {
					return "", err
				}
			}
		case "hosts":
			for _, pattern := range sub.Keys() {
				hv, _ := sub.Get(pattern)
				hosts, port, hasPort, err := expandHostPattern(pattern)
				if err != nil {
					return "", err
				}
				vars, ok := hv.(*value.Dict)
				if isEmptyPy(hv) {
					vars, ok = value.NewDict(0), true
				}
				if !ok {
					return "", fmt.Errorf("Invalid data from file, expected dictionary and got:\n\n%s", pyfmt.Str(hv))
				}
				for _, h := range hosts {
					if _, err := inv.AddHost(h, group, port, hasPort); err != nil {
						return "", err
					}
					for _, k := range vars.Keys() {
						x, _ := vars.Get(k)
						if err := inv.SetVariable(h, k, x); err != nil {
							return "", err
						}
					}
				}
			}
		default:
			inv.Warnings.Add("Skipping unexpected key (%s) in group (%s), only \"vars\", \"children\" and \"hosts\" are valid", key, group)
		}
	}
	return group, nil
}

// isEmptyPy reports Python falsiness for decoded data.
func isEmptyPy(v any) bool {
	switch t := v.(type) {
	case nil:
		return true
	case bool:
		return !t
	case int:
		return t == 0
	case float64:
		return t == 0
	case string:
		return t == ""
	case []any:
		return len(t) == 0
	case *value.Dict:
		return t.Len() == 0
	}
	return false
}
