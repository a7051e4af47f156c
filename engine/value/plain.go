package value

// Plain maps Go types that callers hand in onto the value model: sized and
// unsigned integers become int, float32 becomes float64 and []string
// becomes []any; every other value is returned unchanged.
func Plain(v any) any {
	switch x := v.(type) {
	case int64:
		return int(x)
	case int32:
		return int(x)
	case uint:
		return int(x)
	case uint64:
		return int(x)
	case float32:
		return float64(x)
	case []string:
		out := make([]any, len(x))
		for i, s := range x {
			out[i] = s
		}
		return out
	}
	return v
}

// Truthy is Python's truth value of a model value: None, False, zero,
// empty strings and empty containers are false; anything else is true.
func Truthy(v any) bool {
	switch x := v.(type) {
	case nil:
		return false
	case bool:
		return x
	case int:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case Unsafe:
		return x != ""
	case []any:
		return len(x) > 0
	case []string:
		return len(x) > 0
	case *Dict:
		return x.Len() > 0
	case map[string]any:
		return len(x) > 0
	}
	return true
}
