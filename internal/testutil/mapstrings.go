package testutil

import "octopus/engine/value"

// MapStrings returns a copy of v (a tree of maps, lists and *value.Dict
// as results and arguments are) with f applied to every string in it,
// map keys included: tests use it to put placeholders in for temporary
// paths and back.
func MapStrings(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[f(k)] = MapStrings(e, f)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = MapStrings(e, f)
		}
		return out
	case *value.Dict:
		out := value.NewDict(x.Len())
		for _, k := range x.Keys() {
			e, _ := x.Get(k)
			out.Set(f(k), MapStrings(e, f))
		}
		return out
	}
	return v
}
