package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"octopus/engine/playbook"
	"octopus/engine/value"
)

// parseExtraVars reads -e values as Ansible's load_extra_vars does:
// "@file" loads a YAML/JSON file, a value starting with "{" or "[" is
// YAML/JSON inline, anything else is key=value pairs (string values).
// Later values override earlier ones key by key. decrypt (may be nil)
// opens vault-encrypted @files.
func parseExtraVars(args []string, decrypt func([]byte, string) ([]byte, error)) (*value.Dict, error) {
	out := value.NewDict(0)
	for _, a := range args {
		var d *value.Dict
		switch {
		case strings.HasPrefix(a, "@"):
			path := a[1:]
			if abs, err := filepath.Abs(path); err == nil && path != "" {
				path = abs
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return nil, fmt.Errorf("Unable to retrieve file contents\nCould not find or access '%s' on the Ansible Controller.\nIf you are using a module and expect the file to exist on the remote, see the remote_src option", path)
			}
			if decrypt != nil {
				if data, err = decrypt(data, path); err != nil {
					return nil, err
				}
			}
			v, err := decodeYAMLValue(data, path)
			if err != nil {
				return nil, err
			}
			if v == nil {
				continue
			}
			dd, ok := v.(*value.Dict)
			if !ok {
				return nil, fmt.Errorf("Invalid extra vars data supplied. '%s' could not be made into a dictionary", a)
			}
			d = dd
		case strings.HasPrefix(strings.TrimSpace(a), "{") || strings.HasPrefix(strings.TrimSpace(a), "["):
			v, err := decodeYAMLValue([]byte(a), "<extra vars>")
			if err != nil {
				return nil, err
			}
			dd, ok := v.(*value.Dict)
			if !ok {
				return nil, fmt.Errorf("Invalid extra vars data supplied. '%s' could not be made into a dictionary", a)
			}
			d = dd
		default:
			keys, kv, err := playbook.ParseKV(a, false)
			if err != nil {
				return nil, err
			}
			d = value.NewDict(len(keys))
			for _, k := range keys {
				if k == "_raw_params" {
					continue
				}
				d.Set(k, kv[k])
			}
			if _, raw := kv["_raw_params"]; raw && d.Len() == 0 {
				return nil, fmt.Errorf("Invalid extra vars data supplied. '%s' could not be made into a dictionary", a)
			}
		}
		for _, k := range d.Keys() {
			v, _ := d.Get(k)
			out.Set(k, v)
		}
	}
	return out, nil
}

func decodeYAMLValue(data []byte, name string) (any, error) {
	var n yaml.Node
	if err := yaml.Unmarshal(data, &n); err != nil {
		return nil, fmt.Errorf("Syntax Error while loading YAML from %s: %v", name, err)
	}
	return value.FromYAML(&n, name)
}
