package value

import "testing"

func TestPyTypeName(t *testing.T) {
	cases := []struct {
		in   any
		want string
	}{
		{nil, "NoneType"}, {true, "bool"}, {3, "int"}, {int64(3), "int"}, {1.5, "float"},
		{"s", "str"}, {Unsafe("u"), "str"}, {[]any{1}, "list"}, {map[string]any{}, "dict"},
		{NewDict(0), "dict"}, {struct{}{}, "object"},
	}
	for _, c := range cases {
		if got := PyTypeName(c.in); got != c.want {
			t.Errorf("PyTypeName(%#v) = %q, want %q", c.in, got, c.want)
		}
	}
}
