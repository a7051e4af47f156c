package value

// PyTypeName returns the name of the Python type a value stands for, as
// Python's error messages print it ("NoneType", "str", "dict"...); values
// of other Go types are an "object".
func PyTypeName(v any) string {
	switch v.(type) {
	case nil:
		return "NoneType"
	case bool:
		return "bool"
	case int, int64, int32:
		return "int"
	case float64, float32:
		return "float"
	case string, Unsafe:
		return "str"
	case []any:
		return "list"
	case map[string]any, *Dict:
		return "dict"
	}
	return "object"
}
