package playbook

import (
	"os"

	"octopus/engine/value"
)

type orderedMap struct {
	keys []string
	m    map[string]any
}

func toDict(v any) (orderedMap, bool) {
	d, ok := v.(*value.Dict)
	if !ok || d == nil {
		return orderedMap{}, false
	}
	return orderedMap{keys: d.Keys(), m: d.Map()}, true
}

func homeDir() (string, error) { return os.UserHomeDir() }
