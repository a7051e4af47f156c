package invcmd

import (
	"octopus/engine/pyfmt"
	"octopus/engine/value"
)

// pyJSON renders v as Python's json.dumps(v, sort_keys=True, indent=4,
// ensure_ascii=False) with Ansible's encoder (vault and unsafe values
// become {"__ansible_vault": ...} / {"__ansible_unsafe": ...}).
func pyJSON(v any) string {
	return pyfmt.JSONText(v, pyfmt.JSONOptions{Indent: 4, SortKeys: true, Default: ansibleJSON})
}

// ansibleJSON is the JSON form of Ansible's tagged strings.
func ansibleJSON(v any) (any, bool, error) {
	switch t := v.(type) {
	case value.Unsafe:
		return value.DictOf("__ansible_unsafe", string(t)), true, nil
	case *value.Vault:
		return value.DictOf("__ansible_vault", t.Ciphertext), true, nil
	}
	return nil, false, nil
}

// pyYAML renders v as ansible-inventory does: yaml.dump(v,
// Dumper=AnsibleDumper, default_flow_style=False, allow_unicode=True).
func pyYAML(v any) string {
	s, _ := pyfmt.YAML(v, pyfmt.YAMLOptions{Anchors: true, VaultTag: true})
	return s
}
